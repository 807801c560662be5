import type { PolicyInput, PolicyResult, PolicySpec } from "@langguard/policy-engine";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { HttpError } from "../plugins/error-handler.ts";

// `POST /api/policies/:id/test` evaluates a posted document (up to the 1 MB body limit) with any
// policy, custom expressions included. That is CPU work of up to the CEL limit per request, plus
// the built-in scans, and on the gateway's event loop it stalled every other request (8.6 s for
// `/health/live` once). It runs on a small pool of worker threads instead: a bounded queue, and a
// thread that overruns a hard deadline is terminated and replaced.

export interface PolicyTestPoolOptions {
  /** Threads evaluating at once (each holds the engine: ~60 MB); by default one core is left to the API. */
  threads?: number;
  /** Tests waiting for a thread; more get 503. */
  maxQueue?: number;
  /** A test still running after this long is stopped (its thread is terminated). */
  hardTimeoutMs?: number;
}

// Under tsx (development, tests) the worker is the TypeScript source, loaded through
// worker-from-source.mjs; the build compiles it next to the gateway as dist/policy-test-worker.mjs.
const fromSource = import.meta.url.endsWith(".ts");
const workerFile = new URL(fromSource ? "./worker-from-source.mjs" : "./policy-test-worker.mjs", import.meta.url);

export class PolicyTestPool {
  private readonly pool: Piscina;
  private readonly hardTimeoutMs: number;

  constructor(options: PolicyTestPoolOptions = {}) {
    this.hardTimeoutMs = options.hardTimeoutMs ?? 10_000;
    this.pool = new Piscina({
      filename: workerFile.href,
      minThreads: 0,
      maxThreads: options.threads ?? Math.max(1, Math.min(2, availableParallelism() - 1)),
      maxQueue: options.maxQueue ?? 16,
      idleTimeout: 60_000,
    });
  }

  async evaluate(input: PolicyInput, spec: PolicySpec): Promise<PolicyResult | undefined> {
    if (this.pool.queueSize >= this.pool.options.maxQueue) throw new HttpError(503, "Too many policy tests are running; try again shortly");
    try {
      return await this.pool.run({ input, spec }, { signal: AbortSignal.timeout(this.hardTimeoutMs) });
    } catch (error) {
      if ((error as { name?: string }).name === "AbortError" || (error as { name?: string }).name === "TimeoutError")
        return { policyId: spec.id, version: spec.version, error: `evaluation stopped after ${this.hardTimeoutMs} ms` };
      throw error;
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
