import { type FormEvent, useId, useState } from "react";
import { email as emailRule } from "@langguard/input-rules";
import { messageOf } from "../api/errors";
import { Button } from "../ui/Button";
import { Alert } from "../ui/feedback";
import { TextField } from "../ui/fields";
import { useSession } from "./session";

/** E-mail and password; the sign-in page and the dialog after a session ended both use it. */
export function SignInForm({
  initialEmail = "",
  onSignedIn,
  submitLabel = "Sign in",
}: {
  initialEmail?: string;
  onSignedIn: () => void;
  submitLabel?: string;
}) {
  const { signIn } = useSession();
  const [address, setAddress] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [emailError, setEmailError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const formId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const parsed = emailRule.safeParse(address);
    setEmailError(parsed.success ? undefined : parsed.error.issues[0]?.message);
    if (!parsed.success || !password) {
      if (!password) setProblem("Enter your password");
      return;
    }
    setBusy(true);
    try {
      await signIn(parsed.data, password);
      setPassword("");
      onSignedIn();
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${formId}-title`} className="stack">
      <span id={`${formId}-title`} className="visually-hidden">
        Sign in
      </span>
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <TextField
        label="E-mail"
        type="email"
        name="email"
        autoComplete="username"
        required
        value={address}
        error={emailError}
        onChange={(e) => setAddress(e.target.value)}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" variant="primary" busy={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}
