/**
 * Errors that are the user's to fix. The CLI prints their message on one line
 * and exits with code 2; anything else is a bug and keeps its stack trace.
 *
 * @module
 */
import { constants } from "node:os";

/**
 * A usage or configuration error: bad flags, a missing path, a broken
 * tsconfig or config file. `message` is the whole user-facing text.
 */
export class UsageError extends Error {
  /** Process exit code for usage and configuration errors (ESLint's convention). */
  readonly exitCode = 2;

  /** @param message one line saying what is wrong and, where it helps, what to do. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Plain words for the `code` of a Node file system error, the same in every
 * message that names a file the tool could not read or write.
 */
const FILE_SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "it is a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  EMFILE: "too many open files",
  ENFILE: "too many open files on the system",
  ENOSPC: "no space left on the device",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
};

/**
 * The errno name (`ENOSPC`, `EIO`, `EPIPE`…) of a system error: its `code`
 * on Node; on Deno, whose synchronous standard streams throw errors without
 * one, the name of the number its message ends with ("No space left on
 * device (os error 28)"), looked up in the runtime's `os.constants.errno`.
 *
 * @param error anything thrown.
 * @returns the name, or undefined when `error` carries neither.
 */
export function systemErrorCode(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as Partial<NodeJS.ErrnoException>;
  if (typeof code === "string") return code;
  const number = /\(os error (\d+)\)$/.exec(String(message))?.[1];
  if (number === undefined) return undefined;
  return Object.entries(constants.errno).find(([, value]) => value === Number(number))?.[0];
}

/**
 * A file system error in a few words, for a one-line message.
 *
 * @param error what a `node:fs` call threw (an `Error` with a `code` such as `EACCES`).
 * @returns the plain words for a known code (`permission denied`), else the
 *   code itself, else the error's message.
 */
export function fileSystemReason(error: unknown): string {
  const { code, message } = (error ?? {}) as Partial<NodeJS.ErrnoException>;
  return (code === undefined ? undefined : FILE_SYSTEM_REASONS[code]) ?? code ?? String(message);
}
