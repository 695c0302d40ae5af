/**
 * The failures a run cannot recover from, turned into what stderr shows
 * instead of a stack trace: those the user can act on — the stack or memory
 * ran out, the file system refused a read — one line, exit code 2; anything
 * else is a bug of spawn-audit's own: one line asking for a report, exit
 * code {@link INTERNAL_ERROR_EXIT_CODE}, the stack only with `--debug`.
 *
 * V8's fatal heap exhaustion ("JavaScript heap out of memory") aborts the
 * process before any JavaScript runs again, so it cannot be caught here;
 * what can be caught is a `RangeError` from the stack or from an allocation
 * that is too large (a string, an array or a buffer).
 *
 * @module
 */
import { fileSystemReason } from "./errors.ts";
import { ISSUES_URL } from "./report/rules.ts";

/** What the run was doing, as far as is known, when it failed; the CLI reports it as it goes. */
export interface Activity {
  /** The phase, in words: "loading and type-checking the project", "scanning", "fixing". */
  phase: string;
  /** The file being analysed, as the report shows it (relative to the working directory), when known. */
  file?: string;
}

/** V8's and SpiderMonkey's messages for a `RangeError` that means the stack ran out. */
const STACK_EXHAUSTED = /maximum call stack size exceeded|too much recursion/i;

/**
 * Whether `error` is the runtime's report that the stack ran out (a
 * `RangeError`: "Maximum call stack size exceeded" in V8).
 *
 * @param error what was thrown.
 */
export function isStackExhausted(error: unknown): boolean {
  return error instanceof RangeError && STACK_EXHAUSTED.test(error.message);
}

/** The command line that runs spawn-audit with a larger stack (V8's flag, in KB), for this runtime. */
export function largerStackCommand(): string {
  // Node refuses the flag in NODE_OPTIONS, so it goes on the command line.
  return "Deno" in globalThis ? "deno run --v8-flags=--stack-size=4000" : "node --stack-size=4000";
}

/** V8's messages for a `RangeError` that means a single allocation was too large. */
const ALLOCATION_FAILED = /invalid (string|array|typed array) length|array buffer allocation failed/i;

/**
 * The file system errors (by `code`) that the user's environment causes, with
 * what the user can do, after the reason. A missing file is not among them:
 * paths are checked before they are read, so one vanishing is a bug.
 */
const ENVIRONMENT_ERRORS: Readonly<Record<string, string>> = {
  EACCES: "; make it readable, or leave it out with --ignore-pattern",
  EPERM: "; make it readable, or leave it out with --ignore-pattern",
  EMFILE: "; raise the limit (ulimit -n)",
  ENFILE: "",
  ENOSPC: "",
  EROFS: "",
  EIO: "",
  ELOOP: "",
  ENAMETOOLONG: "",
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
  const where = activity === undefined
    ? ""
    : ` while ${activity.phase}${activity.file === undefined ? "" : ` ${activity.file}`}`;
  if (isStackExhausted(error)) {
    return `ran out of stack${where} (imports or code nested thousands deep); ` +
      `run it with a larger stack: ${largerStackCommand()} (KB, below the system's ulimit -s) followed by the spawn-audit script and arguments`;
  }
  if (error instanceof RangeError && ALLOCATION_FAILED.test(error.message)) {
    return `ran out of memory${where} (${error.message}); scan fewer paths at a time, or leave generated files out with --ignore-pattern`;
  }
  const { code, syscall, path } = (error ?? {}) as Partial<NodeJS.ErrnoException>;
  const hint = code === undefined ? undefined : ENVIRONMENT_ERRORS[code];
  if (hint === undefined || typeof syscall !== "string") return undefined;
  return `cannot access ${path ?? "a file"} (${syscall})${where}: ${fileSystemReason(error)}${hint}`;
}

/**
 * The exit code of a run ended by a bug of spawn-audit's own: 70, sysexits.h's
 * `EX_SOFTWARE` ("an internal software error has been detected"). Distinct
 * from 0 (clean), 1 (findings) and 2 (usage, configuration or environment),
 * so CI never reads a crash as findings, and outside the codes Node gives its
 * own failures (1–14) and signals (128 + n). ESLint uses 2 for both
 * configuration errors and crashes; Biome ends a panic with Rust's 101.
 */
export const INTERNAL_ERROR_EXIT_CODE = 70;

/**
 * What stderr gets for `error` when it is a bug (see {@link describeFatal}
 * for the failures that are not): one line saying so, what the run was
 * doing, the error's own message and where to report it; with `debug`, the
 * stack trace after it.
 *
 * @param error what the run threw.
 * @param activity what the run was doing when it failed, if known.
 * @param debug whether `--debug` was given.
 * @returns the text, ending with a newline.
 */
export function describeInternalError(error: unknown, activity: Activity | undefined, debug: boolean): string {
  const where = activity === undefined
    ? ""
    : ` while ${activity.phase}${activity.file === undefined ? "" : ` ${activity.file}`}`;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = `spawn-audit: internal error${where} (${message.split("\n")[0]}); please report it at ${ISSUES_URL}` +
    (debug ? "\n" : " (run with --debug for the stack)\n");
  if (!debug) return line;
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : message;
  return `${line}${stack.endsWith("\n") ? stack : `${stack}\n`}`;
}
