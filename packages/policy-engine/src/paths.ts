const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `observations[3].input` + `messages` → `observations[3].input.messages`; odd keys are quoted. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
