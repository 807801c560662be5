/**
 * The violations export opens in a spreadsheet as text, never as formulas (OWASP CSV
 * injection): every value and every element of a list that starts with =, +, -, @, a tab or a
 * line break is neutralised, and no separator a spreadsheet splits on (",", or ";" in many
 * locales) can cut a cell into pieces that start one.
 */
import { ExactNumber } from "@langguard/exact-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { seedViolations } from "../../../tests/helpers/violations.ts";
import { csvCell, csvField } from "../src/export/csv.ts";

const FORMULA = /^[=+\-@\t\r\n]/;

/** Cells of a CSV text as a spreadsheet reads them (RFC 4180 quoting) with the given separator. */
function readCsv(text: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += 1;
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe("CSV cells", () => {
  it("neutralises text that starts a formula, lists one element per line, and writes big integers exactly", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r", "\n"]) expect(csvField(`${start}1+1`)).toBe(`'${start}1+1`);
    expect(csvField("safe")).toBe("safe");
    expect(csvField(["safe", "=cmd|' /C calc'!A0", "@SUM(A1)"])).toBe("safe\n'=cmd|' /C calc'!A0\n'@SUM(A1)");
    expect(csvField(new ExactNumber("9223372036854775807"))).toBe("9223372036854775807");
    expect(csvField(2n ** 63n - 1n)).toBe("9223372036854775807");
    expect(csvField(-3)).toBe("-3");
    expect(csvField(new Date("2026-01-31T12:00:00Z"))).toBe("2026-01-31T12:00:00.000Z");
    expect(csvCell('say "hi", then; =go')).toBe('"say ""hi"", then; =go"');
  });
});

describe("violations export", () => {
  let fleet: Fleet;
  const agents = ["safe", "=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\tx", 'a;=HYPERLINK("http://x")'];

  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    await seedViolations(fleet.db, fleet.organizationId, 1, { policyName: "=cmd policy", message: "+found; =1+1, @x", note: "=2+2\nsecond line", agents });
  });
  afterAll(() => fleet?.close());

  it("exports every value and every agent as text a spreadsheet will not run, with either separator", async () => {
    const res = await fleet.inject({ method: "GET", url: "/api/policies/violations?format=csv" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    const [header, row] = readCsv(res.body, ",");
    expect(row).toHaveLength(header!.length);
    const record = Object.fromEntries(header!.map((name, i) => [name, row![i]!]));
    expect(record.agents!.split("\n")).toEqual(["safe", "'=cmd|' /C calc'!A0", "'+1+1", "'-2", "'@SUM(A1)", "'\tx", 'a;=HYPERLINK("http://x")']);
    expect(record.message).toBe("'+found; =1+1, @x");
    expect(record.note).toBe("'=2+2\nsecond line");
    expect(record.policyName).toBe("'=cmd policy");
    // A spreadsheet that splits on ";" (many European locales) or "," finds no cell that starts a formula.
    for (const separator of [",", ";"]) {
      for (const cells of readCsv(res.body, separator)) for (const cell of cells) expect(cell, `${JSON.stringify(separator)}: ${cell}`).not.toMatch(FORMULA);
    }
  });
});
