import { describe, expect, it } from "vitest";
import { THROTTLE_BASE_MS, THROTTLE_CAP_MS, throttleDelayMs, throttleOf } from "../src/throttle.ts";

describe("workspace throttling", () => {
  it("treats 429 and 503 as the workspace asking to wait, and other failures as faults", () => {
    expect(throttleOf({ kind: "rate_limited", message: "429 Too Many Requests from w", retryAfterMs: 7_000 })).toEqual({
      message: "429 Too Many Requests from w",
      retryAfterMs: 7_000,
    });
    expect(throttleOf({ kind: "unavailable", status: 503, message: "w is unavailable" })).toEqual({ message: "w is unavailable", retryAfterMs: undefined });
    // A 502 or a refused connection is a fault, retried with the job's attempts.
    expect(throttleOf({ kind: "unavailable", status: 502, message: "bad gateway" })).toBeNull();
    expect(throttleOf({ kind: "unavailable", message: "Cannot connect" })).toBeNull();
    expect(throttleOf({ kind: "server_error", status: 500, message: "boom" })).toBeNull();
    expect(throttleOf(new Error("plain"))).toBeNull();
    expect(throttleOf(null)).toBeNull();
  });

  it("waits as long as the workspace said, else doubles from the base, and never beyond the cap", () => {
    expect(throttleDelayMs(12_000, 1)).toBe(12_000);
    expect(throttleDelayMs(12_000, 9)).toBe(12_000);
    expect(throttleDelayMs(0, 3)).toBe(0);
    expect([1, 2, 3, 4].map((n) => throttleDelayMs(undefined, n))).toEqual([1, 2, 4, 8].map((f) => f * THROTTLE_BASE_MS));
    expect(throttleDelayMs(undefined, 40)).toBe(THROTTLE_CAP_MS);
    expect(throttleDelayMs(24 * 3_600_000, 1)).toBe(THROTTLE_CAP_MS);
  });
});
