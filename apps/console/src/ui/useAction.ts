import { useState } from "react";
import { messageOf } from "../api/errors";

/**
 * One action at a time on a page of rows (enable, revoke, delete…): which one is running (so its
 * button can say so and the others wait), the reason the last one failed, and what to do once one
 * succeeds (usually reloading the list).
 */
export function useAction(afterSuccess: () => void) {
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  async function act(key: string, action: () => Promise<unknown>) {
    setBusy(key);
    setProblem(null);
    try {
      await action();
      afterSuccess();
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(null);
    }
  }
  return { busy, problem, setProblem, act };
}
