import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { bumpPolicySetVersion, discoverEntities, documentOf, ensureBuiltinPolicies, loadTraces, specOf } from "@langguard/governance";
import { compileCustomPolicy, getBuiltin, MAX_EXPRESSION_LENGTH, type PolicyInput, policyInputSchema } from "@langguard/policy-engine";
import { $Enums, Prisma, type Policy } from "@langguard/database";
import { enqueue, jobId, QueueName } from "@langguard/queue-contracts";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { PolicyTestPool } from "../policy-test/pool.ts";
import { EvaluationErrors, NO_EVALUATION_ERRORS, withEvaluationErrors } from "./policy-errors.ts";
import { HttpError, notFound } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Json, Page, page, PageQuery, text, Uuid } from "../schemas/common.ts";
import { code, line, Timestamp } from "@langguard/input-rules";

const Severity = z.enum($Enums.Severity, { error: "must be critical, high, medium or low" });
const Mode = z.enum($Enums.PolicyMode, { error: "must be 'enforce' or 'monitor'" });
const Expression = z.string().min(1, "must not be empty").max(MAX_EXPRESSION_LENGTH, `must be at most ${MAX_EXPRESSION_LENGTH} characters`);

const CreateBody = z
  .object({
    name: text(200),
    description: line(2000).default(""),
    category: text(100).default("custom"),
    severity: Severity,
    enabled: z.boolean().default(true),
    mode: Mode.default("monitor"),
    expression: code(Expression),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
const UpdateBody = z
  .object({
    name: text(200),
    description: line(2000),
    severity: Severity,
    enabled: z.boolean(),
    mode: Mode,
    expression: code(Expression),
    config: z.record(z.string(), z.unknown()),
  })
  .partial()
  .strict();

export const PolicyView = z.object({
  id: z.uuid(),
  kind: z.enum($Enums.PolicyKind),
  builtinId: z.string().nullable(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  severity: Severity,
  enabled: z.boolean(),
  mode: Mode,
  config: Json,
  expression: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
  /** Traces this policy currently fails to evaluate on, and the latest failure. */
  evaluationErrors: EvaluationErrors,
  /** A built-in's config as JSON Schema (what a form is drawn from); null for custom policies. */
  configSchema: Json,
});

const Outcome = z.object({ violated: z.boolean(), message: z.string(), evidence: z.array(Json) });
const TestResult = z.object({ policyId: z.uuid(), version: z.number().int(), outcome: Outcome.nullable(), error: z.string().nullable() });
const Window = z.object({ from: Timestamp, to: Timestamp }).strict();
/** A posted sample document, or a stored trace of the organization read as evaluation reads it. */
const TestBody = z
  .object({ input: policyInputSchema.optional(), traceId: Uuid.optional() })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.input === undefined) === (body.traceId === undefined))
      ctx.addIssue({ code: "custom", path: ["traceId"], message: "give either input (a sample document) or traceId (a stored trace), not both" });
  })
  // The same rule in the document, so a client (or a fuzzer) knows a body takes exactly one.
  .meta({ oneOf: [{ required: ["input"] }, { required: ["traceId"] }] });

/** A refused expression names its position, so an editor can point at it. */
function assertCompiles(expression: string) {
  const compiled = compileCustomPolicy(expression);
  if (compiled.ok) return;
  const where = compiled.line ? ` at line ${compiled.line}, column ${compiled.column}` : "";
  const reason = `does not compile${where}: ${compiled.error}`;
  throw new HttpError(400, `body.expression: ${reason}`, {
    issues: [{ field: "body.expression", reason, line: compiled.line, column: compiled.column, position: compiled.position }],
  });
}

/** Built-in configs are checked against the policy's own schema; each problem names its field. */
function assertBuiltinConfig(policy: Policy, config: unknown) {
  const schema = getBuiltin(policy.builtinId ?? "")?.configSchema;
  const parsed = schema?.safeParse(config);
  if (!parsed || parsed.success) return;
  const issues = parsed.error.issues.map((i) => ({ field: ["body", "config", ...i.path.map(String)].join("."), reason: i.message }));
  throw new HttpError(400, issues.map((i) => `${i.field}: ${i.reason}`).join("; "), { issues });
}

/** Names are unique per organization: creating or renaming onto a taken one answers 409, naming the field. */
async function uniqueName<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (name !== undefined && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw new HttpError(409, `A policy named '${name}' already exists`, { field: "body.name" });
    throw error;
  }
}

export async function findPolicy(deps: Pick<GatewayDeps, "db">, organizationId: string, id: string): Promise<Policy> {
  const policy = await deps.db.policy.findFirst({ where: { id, organizationId } });
  if (!policy) throw notFound("Policy", id);
  return policy;
}

/** A stored trace as the evaluation worker reads it; entities are only looked up, never recorded by a test. */
async function storedInput(db: GatewayDeps["db"], organizationId: string, traceId: string): Promise<PolicyInput> {
  const [trace] = await loadTraces(db, organizationId, [traceId]);
  if (!trace) throw notFound("Trace", traceId);
  const document = documentOf(trace);
  const entities = await discoverEntities(db, organizationId, [document], { record: false });
  return { ...document, entities, agentStats: {} };
}

const configSchemas = new Map<string, unknown>();
/** The built-in's own zod schema as JSON Schema: the console's form and the server's check read one definition. */
function configSchemaOf(policy: Policy): unknown {
  const builtin = policy.kind === "builtin" ? getBuiltin(policy.builtinId ?? "") : undefined;
  if (!builtin) return null;
  if (!configSchemas.has(builtin.id))
    configSchemas.set(builtin.id, z.toJSONSchema(builtin.configSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }));
  return configSchemas.get(builtin.id);
}

const withErrors = (db: GatewayDeps["db"], organizationId: string, policies: Policy[]) =>
  withEvaluationErrors(
    db,
    organizationId,
    policies.map((p) => ({ ...p, configSchema: configSchemaOf(p) })),
    (p) => p.id,
    "evaluationErrors",
  );

export const policyRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { db } = deps;
  // Policy tests run off the event loop (see policy-test/pool.ts); threads start on first use.
  const testPool = new PolicyTestPool();
  app.addHook("onClose", () => testPool.close());

  app.get(
    "/api/policies",
    { config: { scope: "read" }, schema: { querystring: PageQuery, response: { 200: Page(PolicyView), ...errorResponses } } },
    async (request) => {
      const organizationId = orgOf(request);
      await ensureBuiltinPolicies(db, organizationId);
      const { limit, offset } = request.query;
      const [rows, total] = await Promise.all([
        db.policy.findMany({ where: { organizationId }, orderBy: [{ kind: "asc" }, { name: "asc" }], take: limit, skip: offset }),
        db.policy.count({ where: { organizationId } }),
      ]);
      return page(await withErrors(db, organizationId, rows), total, limit, offset);
    },
  );

  app.get(
    "/api/policies/:id",
    { config: { scope: "read" }, schema: { params: IdParams, response: { 200: PolicyView, ...errorResponses } } },
    async (request) => {
      const policy = await findPolicy(deps, orgOf(request), request.params.id);
      return (await withErrors(db, policy.organizationId, [policy]))[0];
    },
  );

  app.post(
    "/api/policies",
    { config: { scope: "write" }, schema: { body: CreateBody, response: { 201: PolicyView, ...errorResponses, 409: errorResponses[400] } } },
    async (request, reply) => {
      assertCompiles(request.body.expression);
      const organizationId = orgOf(request);
      const policy = await uniqueName(request.body.name, () =>
        db.$transaction(async (tx) => {
          const created = await tx.policy.create({
            data: { ...request.body, config: request.body.config as Prisma.InputJsonValue, organizationId, kind: "custom" },
          });
          await bumpPolicySetVersion(tx, organizationId);
          return created;
        }),
      );
      return reply.status(201).send({ ...policy, evaluationErrors: NO_EVALUATION_ERRORS, configSchema: null });
    },
  );

  app.patch(
    "/api/policies/:id",
    { config: { scope: "write" }, schema: { params: IdParams, body: UpdateBody, response: { 200: PolicyView, ...errorResponses, 409: errorResponses[400] } } },
    async (request) => {
      const current = await findPolicy(deps, orgOf(request), request.params.id);
      const { config, expression, ...rest } = request.body;
      if (expression !== undefined) {
        if (current.kind !== "custom")
          throw new HttpError(400, "body.expression: only custom policies have an expression", {
            issues: [{ field: "body.expression", reason: "only custom policies have an expression" }],
          });
        assertCompiles(expression);
      }
      if (config !== undefined && current.kind === "builtin") assertBuiltinConfig(current, config);
      // Every edit is a new version: violations found under the old one keep naming it.
      const updated = await uniqueName(rest.name, () =>
        db.$transaction(async (tx) => {
          const updated = await tx.policy.update({
            where: { id: current.id },
            data: {
              ...rest,
              ...(expression !== undefined ? { expression } : {}),
              ...(config !== undefined ? { config: config as Prisma.InputJsonValue } : {}),
              version: { increment: 1 },
            },
          });
          await bumpPolicySetVersion(tx, current.organizationId);
          return updated;
        }),
      );
      return (await withErrors(db, current.organizationId, [updated]))[0];
    },
  );

  app.delete(
    "/api/policies/:id",
    { config: { scope: "write" }, schema: { params: IdParams, response: { 204: z.null(), ...errorResponses, 409: errorResponses[400] } } },
    async (request, reply) => {
      const current = await findPolicy(deps, orgOf(request), request.params.id);
      if (current.kind === "builtin") throw new HttpError(409, "Built-in policies cannot be deleted; disable them instead");
      await db.policy.delete({ where: { id: current.id } });
      return reply.status(204).send(null);
    },
  );

  // Evaluates a posted sample document without saving anything.
  app.post(
    "/api/policies/:id/test",
    {
      config: { scope: "write" },
      schema: {
        params: IdParams,
        body: TestBody,
        response: { 200: TestResult, ...errorResponses, 503: errorResponses[400] },
      },
    },
    async (request) => {
      const organizationId = orgOf(request);
      const policy = await findPolicy(deps, organizationId, request.params.id);
      const input = request.body.traceId ? await storedInput(db, organizationId, request.body.traceId) : (request.body.input as PolicyInput);
      const result = await testPool.evaluate(input, specOf(policy));
      return {
        policyId: policy.id,
        version: policy.version,
        outcome: result && "outcome" in result ? result.outcome : null,
        error: result && "error" in result ? result.error : null,
      };
    },
  );

  app.post(
    "/api/policies/:id/evaluate",
    { config: { scope: "write" }, schema: { params: IdParams, body: Window, response: { 202: z.object({ jobId: z.string() }), ...errorResponses } } },
    async (request, reply) => {
      const policy = await findPolicy(deps, orgOf(request), request.params.id);
      if (request.body.from > request.body.to)
        throw new HttpError(400, "body.from: must not be after body.to", { issues: [{ field: "body.from", reason: "must not be after body.to" }] });
      const id = jobId.policyWindow(policy.id, randomUUID());
      // No trace is older than 1970 (MLflow times are epoch milliseconds): a window reaching back
      // before it starts there, as the job's payload counts time from it.
      const [fromMs, toMs] = [Math.max(0, request.body.from.getTime()), Math.max(0, request.body.to.getTime())];
      await enqueue(deps.policyQueue, QueueName.PolicyEvaluation, { organizationId: policy.organizationId, policyId: policy.id, fromMs, toMs }, id);
      return reply.status(202).send({ jobId: id });
    },
  );

  app.get(
    "/api/policies/:id/evaluate/:jobId",
    {
      config: { scope: "read" },
      schema: {
        params: z
          .object({ id: z.uuid({ error: "must be a UUID" }), jobId: z.string().regex(/^policy-window-[0-9a-f-]+$/, "must be an evaluation job id") })
          .strict(),
        response: { 200: z.object({ jobId: z.string(), state: z.string(), progress: Json, result: Json }), ...errorResponses },
      },
    },
    async (request) => {
      const policy = await findPolicy(deps, orgOf(request), request.params.id);
      const job = await deps.policyQueue.getJob(request.params.jobId);
      if (!job || !("policyId" in job.data) || job.data.policyId !== policy.id) throw notFound("Evaluation job", request.params.jobId);
      return { jobId: request.params.jobId, state: await job.getState(), progress: job.progress, result: job.returnvalue ?? null };
    },
  );
};
