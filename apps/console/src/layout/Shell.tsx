import { type ReactNode, useEffect, useRef } from "react";
import { Link, NavLink, useLocation } from "react-router";
import { useSession } from "../auth/session";
import { Button } from "../ui/Button";

/**
 * Every signed-in page: a skip link, the header with the sections and the user, and the page's
 * main region. Moving to another page puts focus on its heading, as a full page load would.
 */
export function Shell({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }, [location.pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          LangGuard
        </Link>
        <nav aria-label="Sections">
          <NavLink to="/settings/integrations">Settings</NavLink>
        </nav>
        {session ? (
          <div className="account">
            <span className="account-who">
              <span className="account-email">{session.user.email}</span>
              <span className="account-meta">
                {session.organization.name} · {session.user.role}
              </span>
            </span>
            <Button variant="quiet" onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        ) : null}
      </header>
      <main id="main" ref={main}>
        {children}
      </main>
    </>
  );
}
