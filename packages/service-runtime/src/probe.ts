/**
 * One dependency check for /readyz and /health: "ok", or "unreachable" when it fails or does not
 * answer within `timeoutMs`. A BullMQ Redis connection queues commands while it reconnects and
 * never fails them (`maxRetriesPerRequest: null`), so without the deadline a probe of a Redis that
 * is down would hang instead of reporting it.
 */
export async function probe(check: () => Promise<unknown>, timeoutMs = 2_000): Promise<"ok" | "unreachable"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"unreachable">((resolve) => {
    timer = setTimeout(() => resolve("unreachable"), timeoutMs);
  });
  try {
    return await Promise.race([
      check().then(
        () => "ok" as const,
        () => "unreachable" as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
