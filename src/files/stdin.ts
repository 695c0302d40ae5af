/**
 * Reading all of standard input, whatever it is: a file, a terminal, or a
 * pipe — a slow one, one holding more than a pipe buffer (64 KiB), or one
 * another process left in non-blocking mode, where a read fails with
 * `EAGAIN` until data comes. One `readFileSync(0)` gives up on such a
 * pipe; this reads until end of input.
 *
 * @module
 */
import { readSync } from "node:fs";
import { Buffer } from "node:buffer";

/** How long to wait before reading again when a non-blocking input has nothing yet, in ms. */
const RETRY_MS = 5;

/**
 * Reads file descriptor `fd` until end of input and decodes it as UTF-8 (a
 * multi-byte character split between two reads is decoded whole).
 *
 * @param fd the descriptor to read (default 0, standard input).
 * @returns everything read.
 * @throws the file system's error other than `EAGAIN` (e.g. `EISDIR`, `EIO`).
 */
export function readAll(fd = 0): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let read: number;
    try {
      read = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A non-blocking pipe with nothing in it yet; end of input (a closed pipe) reads as 0, never as EAGAIN.
      if (code !== "EAGAIN" && code !== "EWOULDBLOCK") throw error;
      Atomics.wait(pause, 0, 0, RETRY_MS);
      continue;
    }
    if (read === 0) return Buffer.concat(chunks).toString("utf8");
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
}
