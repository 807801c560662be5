import { useCallback, useEffect, useRef, useState } from "react";

export type Load<T> =
  | { status: "loading"; data: T | undefined; error: undefined }
  | { status: "ready"; data: T; error: undefined }
  | { status: "error"; data: T | undefined; error: unknown };

/**
 * Loads data for a view and keeps the three states every view shows: loading, ready, error.
 * `reload()` fetches again and keeps the current data on screen meanwhile (no flicker while polling).
 * A newer load wins over an older one that answers late.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Load<T> & { reload: () => Promise<void> } {
  const [state, setState] = useState<Load<T>>({ status: "loading", data: undefined, error: undefined });
  const latest = useRef(0);
  const current = useRef<AbortController | null>(null);
  // The newest `load` is used whenever one runs; `deps` say when the view's data is another one.
  const loader = useRef(load);
  loader.current = load;
  const key = JSON.stringify(deps);
  const run = useCallback(async () => {
    const id = ++latest.current;
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    try {
      const data = await loader.current(controller.signal);
      if (id === latest.current) setState({ status: "ready", data, error: undefined });
    } catch (error) {
      if (controller.signal.aborted) return;
      if (id === latest.current) setState((previous) => ({ status: "error", data: previous.data, error }));
    }
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key is what the caller's deps say the data depends on.
  useEffect(() => {
    // Other inputs, other data: never show the previous view's data under the new one.
    setState({ status: "loading", data: undefined, error: undefined });
    void run();
    return () => current.current?.abort();
  }, [key, run]);
  return { ...state, reload: run };
}
