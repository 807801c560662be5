import type { FastifyInstance } from "fastify";

/**
 * Lets a shutdown finish in bounded time. On close, Node closes the connections idle at that
 * moment, but a keep-alive connection whose request was still running becomes idle afterwards and
 * stays open until its keep-alive timeout (72 s), past any orchestrator's grace period. Responses
 * sent once closing has begun therefore ask the client to close the connection.
 */
export function registerDrain(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (closing) reply.header("connection", "close");
    return payload;
  });
}
