/** The `size` characters before `index`, lower-cased: for context words like "ssn" or "version". */
export function textBefore(text: string, index: number, size: number): string {
  return text.slice(Math.max(0, index - size), index).toLowerCase();
}
