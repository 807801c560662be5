import { type FormEvent, useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { PASSWORD_MIN, password as passwordRule } from "@langguard/input-rules";
import { messageOf } from "../api/errors";
import { Button } from "../ui/Button";
import { Alert } from "../ui/feedback";
import { TextField } from "../ui/fields";
import { useSession } from "./session";

/** The token arrives after # (never sent to a server); it is taken out of the address bar at once. */
function takeToken(): string {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
  return token;
}

export function SetPasswordPage() {
  const { setPassword } = useSession();
  const navigate = useNavigate();
  const [token] = useState(takeToken);
  const [first, setFirst] = useState("");
  const [second, setSecond] = useState("");
  const [errors, setErrors] = useState<{ first?: string; second?: string }>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = "Set your password · LangGuard";
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = passwordRule.safeParse(first);
    const next = {
      first: parsed.success ? undefined : parsed.error.issues[0]?.message,
      second: first === second ? undefined : "does not match the password above",
    };
    setErrors(next);
    if (next.first || next.second) return;
    setBusy(true);
    setProblem(null);
    try {
      await setPassword(token, first);
      navigate("/", { replace: true });
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <h1>Set your password</h1>
        {!token ? (
          <Alert tone="danger" title="This page needs the link you were sent">
            Open the whole link from your invitation, or ask an administrator for a new one.
          </Alert>
        ) : (
          <form onSubmit={submit} noValidate className="stack">
            {problem ? <Alert tone="danger">{problem}</Alert> : null}
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              required
              hint={`At least ${PASSWORD_MIN} characters. A passphrase of a few words is easy to type and hard to guess.`}
              value={first}
              error={errors.first}
              onChange={(e) => setFirst(e.target.value)}
            />
            <TextField
              label="Repeat the password"
              type="password"
              autoComplete="new-password"
              required
              value={second}
              error={errors.second}
              onChange={(e) => setSecond(e.target.value)}
            />
            <Button type="submit" variant="primary" busy={busy}>
              Set password and sign in
            </Button>
          </form>
        )}
      </div>
    </main>
  );
}
