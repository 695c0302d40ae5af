/**
 * The failures a run cannot recover from but the user can act on — the
 * stack or memory ran out, the file system refused a read — turned into
 * one line for stderr (exit code 2), instead of a stack trace. Anything
 * else is a bug and keeps its stack trace.
 *
 * V8's fatal heap exhaustion ("JavaScript heap out of memory") aborts the
 * process before any JavaScript runs again, so it cannot be caught here;
 * what can be caught is a `RangeError` from the stack or from an allocation
 * that is too large (a string, an array or a buffer).
 *
 * @module
 */

/** What the run was doing, as far as is known, when it failed; the CLI reports it as it goes. */
export interface Activity {
  /** The phase, in words: "loading and type-checking the project", "scanning", "fixing". */
  phase: string;
  /** The file being analysed, as the report shows it (relative to the working directory), when known. */
  file?: string;
}

/** V8's and SpiderMonkey's messages for a `RangeError` that means the stack ran out. */
const STACK_EXHAUSTED = /maximum call stack size exceeded|too much recursion/i;

/** V8's messages for a `RangeError` that means a single allocation was too large. */
const ALLOCATION_FAILED = /invalid (string|array|typed array) length|array buffer allocation failed/i;

/** Plain words for the `code` of a Node file system error that the user's environment causes. */
const FILE_SYSTEM_REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied; make it readable, or leave it out with --ignore-pattern",
  EPERM: "operation not permitted; make it readable, or leave it out with --ignore-pattern",
  EMFILE: "too many open files; raise the limit (ulimit -n)",
  ENFILE: "too many open files on the system",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
};

/**
 * The one line (without the `spawn-audit: ` prefix and newline) that
 * describes `error` when it is a resource or environment failure.
 *
 * @param error what the run threw.
 * @param activity what the run was doing when it failed, if known.
 * @returns the line; `undefined` when `error` is a bug, which should keep its stack trace.
 */
export function describeFatal(error: unknown, activity?: Activity): string | undefined {
  const where = activity === undefined ? "" : ` while ${activity.phase}${activity.file === undefined ? "" : ` ${activity.file}`}`;
  if (error instanceof RangeError && STACK_EXHAUSTED.test(error.message)) {
    // The flag is V8's, in KB; Node refuses it in NODE_OPTIONS, so it goes on the command line.
    const runtime = "Deno" in globalThis ? "deno run --v8-flags=--stack-size=4000" : "node --stack-size=4000";
    return `ran out of stack${where} (imports or code nested thousands deep); ` +
      `run it with a larger stack: ${runtime} (KB, below the system's ulimit -s) followed by the spawn-audit script and arguments`;
  }
  if (error instanceof RangeError && ALLOCATION_FAILED.test(error.message)) {
    return `ran out of memory${where} (${error.message}); scan fewer paths at a time, or leave generated files out with --ignore-pattern`;
  }
  const { code, syscall, path } = (error ?? {}) as Partial<NodeJS.ErrnoException>;
  const reason = code === undefined ? undefined : FILE_SYSTEM_REASONS[code];
  if (reason === undefined || typeof syscall !== "string") return undefined;
  return `cannot access ${path ?? "a file"} (${syscall})${where}: ${reason}`;
}
