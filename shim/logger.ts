import type { Emitter, HookFailure, SupervisorEvents, TaskEventInfo } from "./events.ts";
import type { UnsupervisedKind } from "./types.ts";
import { observeRejection } from "./guard.ts";
import { checkCount } from "./options.ts";
import { boundedError, DEFAULT_MAX_STRING_LENGTH, errorMessage, toJsonSafe, truncate } from "./serialize.ts";

/**
 * A pino-compatible logger: `logger.error(fields, message)` and the same for
 * `warn` and `info`. pino, bunyan-style adapters and `console`-backed objects
 * fit.
 *
 * @example
 * ```ts
 * import pino from "pino";
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor({ logger: pino() });
 * ```
 */
export interface Logger {
  /** Log at error level. */
  error(fields: object, message?: string): void;
  /** Log at warn level. */
  warn(fields: object, message?: string): void;
  /** Log at info level. */
  info(fields: object, message?: string): void;
}

/**
 * Options of {@link jsonLogger}.
 *
 * @example
 * ```ts
 * import { jsonLogger } from "spawn-audit/shim";
 * const logger = jsonLogger(undefined, { maxStringLength: 2_000 });
 * ```
 */
export interface JsonLoggerOptions {
  /** Longest string (message, stack, any field) written whole, in UTF-16 code units; longer ones are cut (default 8192). */
  maxStringLength?: number;
}

/**
 * A logger that writes one JSON object per line (`level`, `time` in epoch ms,
 * `msg`, then the fields; errors as `{ type, message, stack, cause, … }`), to
 * `console.error` by default. It never throws on odd values (symbols,
 * bigints, cycles, throwing getters or `toJSON`): what cannot be serialised
 * becomes `"[unserialisable: …]"` in its own field and the rest of the
 * record — task name, event, message — is kept. Every string is cut to
 * `maxStringLength`.
 *
 * @param write where each line goes (default `console.error`)
 * @param options `maxStringLength`
 * @returns a Logger
 * @throws {RangeError} when `maxStringLength` is not an integer ≥ 0
 * @example
 * ```ts
 * import { jsonLogger, TaskSupervisor } from "spawn-audit/shim";
 * const lines: string[] = [];
 * const supervisor = new TaskSupervisor({ logger: jsonLogger((line) => lines.push(line)) });
 * ```
 */
export function jsonLogger(write?: (line: string) => void, options: JsonLoggerOptions = {}): Logger {
  return jsonLines(write, checkMaxStringLength(options.maxStringLength, "maxStringLength"));
}

/**
 * A string length limit as given: the default when absent, else checked as
 * a count (see `checkCount`).
 *
 * @param value the limit given, or undefined for the default
 * @param option the option's name, for the error message
 * @returns the limit (default {@link DEFAULT_MAX_STRING_LENGTH})
 * @throws {RangeError} `<option> must be an integer ≥ 0, got <value>` when it is not
 */
export function checkMaxStringLength(value: number | undefined, option: string): number {
  return value === undefined ? DEFAULT_MAX_STRING_LENGTH : checkCount(option, value, 0, false);
}

/**
 * {@link jsonLogger} with its limit already checked: what a core logs with
 * when given no logger.
 *
 * @param write where each line goes (default `console.error`)
 * @param max longest string written whole, an integer ≥ 0 (default 8192)
 * @returns a Logger
 */
export function jsonLines(
  write: (line: string) => void = (line) => console.error(line),
  max = DEFAULT_MAX_STRING_LENGTH,
): Logger {
  const log = (level: string) => (fields: object, message?: string): void => {
    write(JSON.stringify(toJsonSafe({ level, time: Date.now(), msg: message, ...fields }, max)));
  };
  return { error: log("error"), warn: log("warn"), info: log("info") };
}

/**
 * Wrap a user-supplied logger so that calling it can never throw or leave an
 * unhandled rejection: a synchronous throw (a serialiser choking on a
 * circular error, a throwing getter) is retried once with the fields made
 * JSON-safe (so the task name and message survive); what still fails, and
 * the rejection of an async logger method, goes to `onFailure`.
 *
 * @param logger the user's logger
 * @param onFailure receives the logger's failure (must not throw)
 * @param max string length limit for the retried fields
 * @returns a logger with the same methods that never throws
 */
export function guardLogger(logger: Logger, onFailure: (error: unknown) => void, max: number): Logger {
  const call = (level: keyof Logger) => (fields: object, message?: string): void => {
    try {
      observeRejection(logger[level](fields, message), onFailure);
    } catch {
      try {
        observeRejection(logger[level](toJsonSafe(fields, max) as object, message), onFailure);
      } catch (error) {
        onFailure(error);
      }
    }
  };
  return { error: call("error"), warn: call("warn"), info: call("info") };
}

/**
 * Log one failed or timed-out attempt as an `error` line (task name, id,
 * attempt, class, duration, `err`). The task name in the message and an
 * oversized error are cut to `max` (see {@link boundedError}). Called by the
 * core itself, before the attempt's `end` event (restarts are logged by
 * {@link attachRestartLogger}).
 *
 * @param logger where to log
 * @param e the task: name, id, attempt number (1-based), class
 * @param outcome how the attempt ended
 * @param durationMs how long it ran, in ms
 * @param error what it threw (a `TaskTimeoutError` when it timed out)
 * @param max string length limit
 */
export function logFailedAttempt(
  logger: Logger,
  e: TaskEventInfo,
  outcome: "threw" | "timedOut",
  durationMs: number,
  error: unknown,
  max: number,
): void {
  const task = truncate(e.name, max);
  logger.error(
    { task, id: e.id, attempt: e.attempt, class: e.class, durationMs, err: boundedError(error, max) },
    `task "${task}" ${outcome === "threw" ? "failed" : "timed out"} on attempt ${e.attempt}`,
  );
}

/**
 * Make `logger` a listener of a `TaskSupervisor`'s restarts: a `warn` line
 * per scheduled restart and an `error` line when the supervisor gives up,
 * names and errors cut as {@link logFailedAttempt} does.
 *
 * @param events the supervisor's emitter
 * @param logger where to log (guarded when user-supplied, see {@link guardLogger}; a throw is caught by the emitter)
 * @param max string length limit
 */
export function attachRestartLogger(events: Emitter<SupervisorEvents>, logger: Logger, max: number): void {
  const name = (task: string): string => truncate(task, max);
  events.on("restart", (e) => {
    logger.warn(
      { task: name(e.name), id: e.id, attempt: e.attempt, class: e.class, delayMs: e.delayMs },
      `restarting task "${name(e.name)}" in ${Math.round(e.delayMs)} ms (attempt ${e.attempt})`,
    );
  });
  events.on("failed", (e) => {
    if (!e.gaveUp) return;
    const task = name(e.name);
    logger.error(
      { task, id: e.id, attempt: e.attempt, class: e.class, reason: e.reason, err: boundedError(e.error, max) },
      `supervisor gave up on task "${task}": ${e.reason}`,
    );
  }, (hint) => hint === "gaveUp");
}

/**
 * Log a failed hook (a listener, the clock, …) as one `error` line with the
 * task name when there is one. A failure of the logger itself is never
 * logged through it.
 *
 * @param logger where to log (already guarded, see {@link guardLogger})
 * @param e the failure
 * @param max string length limit
 */
export function logHookFailure(logger: Logger, e: HookFailure, max: number): void {
  const task = e.task === undefined ? undefined : truncate(e.task, max);
  const what = e.source === "listener" ? `a "${String(e.event)}" listener` : `the ${e.source} hook`;
  logger.error(
    { task, source: e.source, event: e.event, err: boundedError(e.error, max) },
    `${what} failed${task === undefined ? "" : ` (task "${task}")`}; the supervisor carries on: ${
      errorMessage(e.error, max)
    }`,
  );
}

/**
 * Log a failure that escaped every task (what a process guard saw) as one
 * `error` line: `event` (the kind) and `err`, with a message naming it.
 *
 * @param logger where to log (already guarded, see {@link guardLogger})
 * @param kind `unhandledRejection` or `uncaughtException`
 * @param error the rejection reason or thrown value
 * @param max string length limit
 */
export function logUnsupervised(logger: Logger, kind: UnsupervisedKind, error: unknown, max: number): void {
  const what = kind === "unhandledRejection" ? "unhandled promise rejection" : "uncaught exception";
  logger.error(
    { event: kind, err: boundedError(error, max) },
    `${what} outside any supervised task: ${errorMessage(error, max)}`,
  );
}
