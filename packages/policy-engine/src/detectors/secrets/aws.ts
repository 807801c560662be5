// AWS rules themselves come from secretlint (secretlint.ts); these are the checks around them.

/**
 * Only long-term (AKIA) and temporary (ASIA) access key ids are credentials; secretlint's pattern
 * also matches user/role/group ids (AIDA, AROA, …), which are not. AWS documentation uses ids
 * ending in EXAMPLE (AKIAIOSFODNN7EXAMPLE and variants) as placeholders, and people write
 * `AKIAXXXXXXXXXXXXXXXX`; a run of six equal characters is vanishingly rare in a real id.
 */
export function isAwsAccessKeyId(value: string): boolean {
  if (!(value.startsWith("AKIA") || value.startsWith("ASIA")) || value.length !== 20) return false;
  return !value.endsWith("EXAMPLE") && !/(.)\1{5}/.test(value);
}

const SECRET_LABEL = /["']?(?:AWS|aws|Aws)?_?(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)["']?\s*(?::|=>|=)\s*["']?/y;

/** secretlint reports the key's length from the start of its label; find the key itself. */
export function awsSecretRange(text: string, labelStart: number): { start: number; end: number } | null {
  SECRET_LABEL.lastIndex = labelStart;
  const label = SECRET_LABEL.exec(text);
  if (!label) return null;
  const start = labelStart + label[0].length;
  const key = text.slice(start, start + 40);
  if (key.length !== 40 || key.endsWith("EXAMPLEKEY")) return null;
  return { start, end: start + 40 };
}
