import type { Readable } from "node:stream";

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`a line exceeded ${limit} bytes`);
  }
}

/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line.
 * Pulling from the stream only when the consumer asks keeps back-pressure intact: a slow
 * consumer blocks the child on its pipe instead of buffering in our heap.
 */
export async function* readLines(stream: Readable, maxLineBytes: number): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      if (pendingBytes + piece.length > maxLineBytes) throw new LineTooLongError(maxLineBytes);
      const line = pending.length ? Buffer.concat([...pending, piece]).toString("utf8") : piece.toString("utf8");
      pending = [];
      pendingBytes = 0;
      yield line;
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pendingBytes += rest.length;
      if (pendingBytes > maxLineBytes) throw new LineTooLongError(maxLineBytes);
      pending.push(rest);
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending).toString("utf8");
}
