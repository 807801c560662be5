import type { PolicyInput } from "../document.ts";

// The document being evaluated, for helper functions (`findings()`) that read it: cel-js passes
// helpers only their arguments. Evaluation is synchronous, so a module-level slot is enough.

let current: PolicyInput | null = null;

export function withDocument<T>(input: PolicyInput, fn: () => T): T {
  const previous = current;
  current = input;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

export function currentDocument(): PolicyInput | null {
  return current;
}
