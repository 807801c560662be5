/**
 * A JSON number that a double cannot hold exactly (an integer beyond 2^53), kept as its source
 * text so it reaches Postgres' jsonb (which stores any precision) unchanged. Arithmetic on it
 * falls back to the nearest double through valueOf, which is all a policy or a counter needs.
 */
export class ExactNumber {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  get text(): string {
    return this.#text;
  }

  valueOf(): number {
    return Number(this.#text);
  }

  toString(): string {
    return this.#text;
  }
}

export function isExactNumber(value: unknown): value is ExactNumber {
  return value instanceof ExactNumber;
}
