/**
 * Reading a file the user's project names (a config file, a tsconfig, a
 * manifest) as text, only when it is a regular file: it is opened without
 * blocking and checked through its descriptor, so a FIFO or a device in
 * its place is refused at once instead of hanging the run.
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";

/**
 * The text of `path` (UTF-8).
 *
 * @param path the file to read.
 * @returns its text.
 * @throws the file system's error (`ENOENT`, `EACCES`, `EISDIR` for a
 *   folder…), or an error whose message is `not a regular file (…)` for a
 *   FIFO, socket or device.
 */
export function readRegularFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) {
      throw Object.assign(new Error(`EISDIR: ${path}`), { code: "EISDIR", syscall: "read", path });
    }
    if (!stats.isFile()) throw new Error(`not a regular file (${stats.isFIFO() ? "a FIFO" : "a socket or device"})`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}
