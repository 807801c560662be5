import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { Queue } from "bullmq";
import type { FastifyInstance } from "fastify";

export const QUEUES_UI_PREFIX = "/admin/queues";

/**
 * Bull Board over the fleet's queues. It shows every organization's jobs (their ids and failure
 * reasons) and can pause, empty or obliterate any queue, so its routes take the "operator" scope
 * (see app.ts): only an operator key opens them, never an organization's key, whatever its
 * scopes. Browsers reach it through a proxy that adds the Authorization header.
 */
export async function registerQueuesUi(app: FastifyInstance, queues: Queue[]) {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUES_UI_PREFIX);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUES_UI_PREFIX });
}
