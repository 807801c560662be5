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
    // The new page's heading may come a moment later (its code or data loading); focus it then,
    // unless the person has already put focus somewhere.
    let cancelled = false;
    const started = performance.now();
    const focusHeading = () => {
      if (cancelled) return;
      const heading = main.current?.querySelector("h1");
      const idle = !document.activeElement || document.activeElement === document.body;
      if (heading && idle) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      } else if (!heading && performance.now() - started < 5_000) requestAnimationFrame(focusHeading);
    };
    focusHeading();
    return () => {
      cancelled = true;
    };
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
          <NavLink to="/traces">Traces</NavLink>
          <NavLink to="/agents">Agents</NavLink>
          <NavLink to="/catalog">Data Catalog</NavLink>
          <NavLink to="/governance/violations" className={({ isActive }) => (isActive || location.pathname.startsWith("/governance") ? "active" : "")}>
            Governance
          </NavLink>
          <NavLink to="/settings/integrations" className={() => (location.pathname.startsWith("/settings") ? "active" : "")}>
            Settings
          </NavLink>
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
