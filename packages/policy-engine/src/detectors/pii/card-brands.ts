// Issuer identification number ranges and lengths of the networks that matter in practice
// (ISO/IEC 7812 registrations as published by the networks). A Luhn-valid number outside these
// ranges, such as a 13-digit millisecond timestamp, is not a card.

interface Brand {
  name: string;
  lengths: readonly number[];
  /** Inclusive [from, to] on the number's first `digits` digits. */
  ranges: ReadonlyArray<readonly [number, number, number]>;
}

const range = (from: number, to = from): readonly [number, number, number] => [String(from).length, from, to];

export const CARD_BRANDS: readonly Brand[] = [
  { name: "visa", lengths: [13, 16, 19], ranges: [range(4)] },
  { name: "mastercard", lengths: [16], ranges: [range(51, 55), range(2221, 2720)] },
  { name: "amex", lengths: [15], ranges: [range(34), range(37)] },
  { name: "discover", lengths: [16, 17, 18, 19], ranges: [range(6011), range(644, 649), range(65)] },
  { name: "diners", lengths: [14, 15, 16, 17, 18, 19], ranges: [range(300, 305), range(36), range(38, 39)] },
  { name: "jcb", lengths: [16, 17, 18, 19], ranges: [range(3528, 3589)] },
  { name: "unionpay", lengths: [16, 17, 18, 19], ranges: [range(62)] },
  { name: "maestro", lengths: [12, 13, 14, 15, 16, 17, 18, 19], ranges: [range(50), range(56, 58), range(67)] },
];

export function cardBrand(digits: string): string | null {
  for (const brand of CARD_BRANDS) {
    if (!brand.lengths.includes(digits.length)) continue;
    for (const [width, from, to] of brand.ranges) {
      const head = Number(digits.slice(0, width));
      if (head >= from && head <= to) return brand.name;
    }
  }
  return null;
}
