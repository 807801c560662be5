import { describe, expect, it } from "vitest";
import { CelLimitError, compileCustomPolicy, type CustomPolicyProgram } from "../src/index.ts";
import * as s from "./corpus/synthetic.ts";
import { document, llm, observation, tool } from "./fixtures/documents.ts";

function compile(expression: string): CustomPolicyProgram {
  const result = compileCustomPolicy(expression);
  if (!result.ok) throw new Error(`did not compile: ${result.error}`);
  return result.program;
}

const many = (n: number) => document({ observations: Array.from({ length: n }, (_, i) => tool(`tool_${i}`)) });

describe("compileCustomPolicy", () => {
  it("reports syntax errors with their position", () => {
    expect(compileCustomPolicy("trace.durationMs >")).toEqual({ ok: false, error: "Unexpected token: EOF", position: 18, line: 1, column: 19 });
    expect(compileCustomPolicy('trace.status == "ERROR"\n  && (size(observations) +* 2)')).toMatchObject({
      ok: false,
      error: "Unexpected token: MULTIPLY",
      line: 2,
      column: 27,
      position: 50,
    });
  });

  it("reports unknown variables, wrong result types and bad regexes", () => {
    expect(compileCustomPolicy("spans.exists(s, s.name == 'x')")).toMatchObject({ ok: false, error: "Unknown variable: spans", line: 1, column: 1 });
    expect(compileCustomPolicy("size(observations)")).toMatchObject({ ok: false, error: expect.stringContaining("returns int") });
    expect(compileCustomPolicy('trace.name.matches("(?<=x)y")')).toMatchObject({ ok: false, error: expect.stringContaining("invalid"), position: 19 });
    expect(compileCustomPolicy("")).toMatchObject({ ok: false, error: "expression is empty" });
  });
});

describe("custom policy evaluation", () => {
  it("sees the document and its config", () => {
    const program = compile('trace.durationMs > config.max_ms && observations.exists(o, o.type == "TOOL" && !(o.name in entities.tools))');
    const doc = document({ trace: { durationMs: 8000 }, observations: [tool("shell")] });
    expect(program.evaluate(doc, { max_ms: 5000 })).toEqual({ violated: true, message: "Custom policy condition matched", evidence: [] });
    expect(program.evaluate(doc, { max_ms: 9000 }).violated).toBe(false);
  });

  it("can return a map with message and evidence", () => {
    const program = compile(`{
      "violated": observations.exists(o, o.model == "gpt-3.5-turbo"),
      "message": "legacy model used by " + identity.userId,
      "evidence": observations.filter(o, o.model == "gpt-3.5-turbo").map(o, {"spanId": o.id, "detail": "model " + o.model})
    }`);
    const doc = document({ observations: [llm("gpt-3.5-turbo", { id: "old" }), llm("gpt-4o")] });
    expect(program.evaluate(doc)).toEqual({
      violated: true,
      message: "legacy model used by a***@example.com",
      evidence: [{ spanId: "old", detail: "model gpt-3.5-turbo" }],
    });
  });

  it("redacts secrets an expression copies into its message or evidence", () => {
    const key = s.keys.databricks(s.rng(5));
    const program = compile(
      '{"violated": true, "message": "input was " + trace.input.prompt, "evidence": [trace.input.prompt, {"match": trace.input.prompt}]}',
    );
    const out = program.evaluate(document({ trace: { input: { prompt: `token ${key}` } } }));
    expect(out.message).toBe(`input was token dapi…${key.slice(-4)}`);
    expect(JSON.stringify(out)).not.toContain(key);
  });

  it("rejects a map result without a bool violated", () => {
    expect(() => compile('{"message": "x"}').evaluate(document())).toThrow(/violated/);
  });

  it("offers detect(), findings() and redact()", () => {
    const key = s.keys.github(s.rng(9));
    const doc = document({ observations: [observation({ output: `here: ${key}` })] });
    expect(compile('findings().exists(f, f.detector == "github" && f.kind == "secret")').evaluate(doc).violated).toBe(true);
    expect(compile('detect("mail me: bob@example.org")[0].match == "b***@example.org"').evaluate(doc).violated).toBe(true);
    expect(
      compile('redact(observations[0].output) == "here: ghp_…" + observations[0].output.substring(size(observations[0].output) - 4)').evaluate(doc).violated,
    ).toBe(true);
  });
});

describe("safety limits", () => {
  it("stops nested comprehensions over a big list quickly, with a clear error", () => {
    const program = compile("observations.map(a, observations.map(b, observations.map(c, a.name + b.name + c.name))).size() > 0");
    const doc = many(500);
    // CPU time, as the limit counts it (a busy machine stretches the wall clock); the first call
    // also primes the program on a small sample.
    const cpuMs = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
    const started = cpuMs();
    expect(() => program.evaluate(doc)).toThrow(CelLimitError);
    expect(() => program.evaluate(doc)).toThrow(/(cost|time) limit exceeded/);
    expect(cpuMs() - started).toBeLessThan(500);
  });

  it("stops exponential string growth before it allocates", () => {
    const grow = (v: string, next: string) => `cel.bind(${next}, ${Array(10).fill(v).join(" + ")}, `;
    const names = ["b", "c", "d", "e", "f", "g", "h"];
    const expression = `cel.bind(a, "0123456789", ${names.map((n, i) => grow(i === 0 ? "a" : (names[i - 1] as string), n)).join("")}size(h) > 0${")".repeat(names.length + 1)}`;
    const started = performance.now();
    expect(() => compile(expression).evaluate(document())).toThrow(/size limit exceeded: a string/);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("fails a breach even where CEL would absorb the error (||)", () => {
    const program = compile("observations.map(a, observations.map(b, a.name + b.name)).size() > 0 || true");
    expect(() => program.evaluate(many(2000), {}, { maxSteps: 10_000 })).toThrow(/cost limit exceeded: more than 10000/);
  });

  it("runs regular expressions on RE2: a catastrophic pattern returns fast", () => {
    const program = compile('trace.input.text.matches("^(a+)+$") || matches(trace.input.text, "(x+x+)+y")');
    const doc = document({ trace: { input: { text: `${"a".repeat(5000)}!` } } });
    const started = performance.now();
    expect(program.evaluate(doc).violated).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
    // The same pattern on JavaScript's engine would not return for a long time:
    // /^(a+)+$/.test("a".repeat(40) + "!") takes minutes.
  });

  it("refuses a pattern too large for RE2, literal or built at run time, and the next policy still runs", () => {
    // \p{L}{1000} once exhausted re2-wasm's fixed heap and broke every later regular expression.
    expect(compileCustomPolicy('trace.name.matches("\\\\p{L}{1000}")')).toMatchObject({ ok: false, error: expect.stringMatching(/too large|repeat/) });
    const built = compile('trace.name.matches("(\\\\pL|\\\\pN){1," + string(trace.name.size() * 100) + "}")');
    expect(() => built.evaluate(document({ trace: { name: "xxxxxxxxxx" } }))).toThrow(/too large|repeat/);
    expect(compile('trace.name.matches("(?i)SUPPORT-agent")').evaluate(document()).violated).toBe(true);
    // RE2's dialect, not JavaScript's: the bridge and the catalog filters refuse the same escapes.
    expect(compileCustomPolicy('trace.name.matches("\\\\u0041")').ok).toBe(false);
  });

  it("accepts RE2 syntax that JavaScript lacks and rejects lookarounds", () => {
    expect(compile('trace.name.matches("(?i)SUPPORT-agent")').evaluate(document()).violated).toBe(true);
    expect(compileCustomPolicy('trace.name.matches("a(?=b)")').ok).toBe(false);
  });
});
