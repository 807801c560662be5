import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { Dialog } from "../ui/Dialog";
import { Alert, Loading } from "../ui/feedback";
import { useSession } from "./session";
import { SignInForm } from "./SignInForm";

/**
 * Pages behind sign-in. When the session ends while a page is open (idle too long, signed out in
 * another tab), a dialog asks to sign in again over the page, so nothing typed into it is lost.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const { session, ended } = useSession();
  const location = useLocation();
  if (session === undefined) return <Loading label="Checking your session…" />;
  if (!session) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return (
    <>
      {children}
      {ended ? (
        <Dialog open title="Your session has ended" onClose={() => undefined} dismissable={false}>
          <Alert tone="info">Sign in again to continue. What you entered on this page is kept.</Alert>
          <SignInForm initialEmail={session.user.email} submitLabel="Sign in and continue" onSignedIn={() => undefined} />
        </Dialog>
      ) : null}
    </>
  );
}
