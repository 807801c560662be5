import { Navigate, useNavigate, useSearchParams } from "react-router";
import { Loading } from "../ui/feedback";
import { useSession } from "./session";
import { SignInForm } from "./SignInForm";

/** Only a path of this console: a link to sign-in must not send people elsewhere afterwards. */
export function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

export function SignInPage() {
  const { session } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get("next"));
  if (session === undefined) return <Loading />;
  if (session) return <Navigate to={next} replace />;
  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <h1>Sign in to LangGuard</h1>
        <SignInForm onSignedIn={() => navigate(next, { replace: true })} />
        <p className="hint">No account yet, or forgot your password? Ask an administrator of your organization for a link.</p>
      </div>
    </main>
  );
}
