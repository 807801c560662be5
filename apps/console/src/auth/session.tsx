import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { api, onSessionEnded, type Session, setCsrfToken } from "../api/client";
import { unwrap } from "../api/errors";

type Role = Session["user"]["role"];
const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

interface SessionState {
  /** undefined while the first check runs; null when nobody is signed in. */
  session: Session | null | undefined;
  /** The session ended while the console was open: a sign-in dialog asks to continue. */
  ended: boolean;
  signIn(email: string, password: string): Promise<Session>;
  setPassword(token: string, password: string): Promise<Session>;
  signOut(): Promise<void>;
  /** Whether the signed-in user's role allows what `role` may do (admin ⊃ editor ⊃ viewer). */
  can(role: Role): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);

  const adopt = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSession(next);
    if (next) setEnded(false);
    return next;
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    unwrap(api.GET("/api/auth/session", { signal: controller.signal }))
      .then((answer) => adopt(answer.session))
      .catch(() => {
        // The gateway did not answer: the sign-in page's own request will say so.
        if (!controller.signal.aborted) adopt(null);
      });
    return () => controller.abort();
  }, [adopt]);

  useEffect(() => onSessionEnded(() => setEnded(true)), []);

  const value = useMemo<SessionState>(
    () => ({
      session,
      ended: ended && !!session,
      async signIn(email, password) {
        const next = await unwrap(api.POST("/api/auth/login", { body: { email, password } }));
        // Someone else signing in where a session ended must not see the previous user's screens.
        if (session && next.user.id !== session.user.id) window.location.assign("/");
        return adopt(next) as Session;
      },
      async setPassword(token, password) {
        return adopt(await unwrap(api.POST("/api/auth/password", { body: { token, password } }))) as Session;
      },
      async signOut() {
        try {
          await unwrap(api.POST("/api/auth/logout"));
        } finally {
          adopt(null);
        }
      },
      can: (role) => !!session && RANK[session.user.role] >= RANK[role],
    }),
    [session, ended, adopt],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}
