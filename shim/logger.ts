import type { Emitter, SupervisorEvents } from "./events.ts";

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
 * A logger that writes one JSON object per line (`level`, `time` in epoch ms,
 * `msg`, then the fields; errors as `{ type, message, stack }`), to
 * `console.error` by default. It never throws on odd values (symbols, bigints,
 * cycles, throwing getters).
 *
 * @param write where each line goes (default `console.error`)
 * @returns a Logger
 * @example
 * ```ts
 * import { jsonLogger, TaskSupervisor } from "spawn-audit/shim";
 * const lines: string[] = [];
 * const supervisor = new TaskSupervisor({ logger: jsonLogger((line) => lines.push(line)) });
 * ```
 */
export function jsonLogger(write: (line: string) => void = (line) => console.error(line)): Logger {
  const log = (level: string) => (fields: object, message?: string): void => {
    write(toJsonLine({ level, time: Date.now(), msg: message, ...fields }));
  };
  return { error: log("error"), warn: log("warn"), info: log("info") };
}

/**
 * Serialise any thrown value into plain JSON-safe data.
 *
 * @param value what was thrown or rejected with
 * @returns `{ type, message, stack? }` for errors, `{ type, value }` otherwise
 */
export function describeError(value: unknown): { type: string; message?: string; stack?: string; value?: string } {
  if (value instanceof Error) {
    const out: { type: string; message: string; stack?: string } = { type: value.name, message: value.message };
    if (typeof value.stack === "string") out.stack = value.stack;
    return out;
  }
  return { type: value === null ? "null" : typeof value, value: safeString(value) };
}

/**
 * A one-line human summary of a thrown value (for snapshots and reasons).
 *
 * @param value what was thrown
 * @returns `Name: message` for errors, the string form otherwise
 */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return safeString(value);
}

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function toJsonLine(record: object): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(record, (_key, value: unknown) => {
      if (value instanceof Error) return describeError(value);
      if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") return safeString(value);
      if (typeof value === "object" && value !== null) {
        if (seen.has(value)) return "[Circular]";
        seen.add(value);
      }
      return value;
    });
  } catch (error) {
    return JSON.stringify({ level: "error", msg: "unserialisable log record", err: describeError(error) });
  }
}

/**
 * Make `logger` a listener of a supervisor's events: one `error` line per
 * failed attempt (task name, id, attempt, class, `err`), a `warn` line per
 * scheduled restart and an `error` line when the supervisor gives up.
 *
 * @param events the supervisor's emitter
 * @param logger where to log
 * @returns a function that detaches the logger
 */
export function attachLogger(events: Emitter<SupervisorEvents>, logger: Logger): () => void {
  const off = [
    events.on("end", (e) => {
      if (e.outcome !== "threw") return;
      logger.error(
        { task: e.name, id: e.id, attempt: e.attempt, class: e.class, durationMs: e.durationMs, err: e.error },
        `task "${e.name}" failed on attempt ${e.attempt}`,
      );
    }),
    events.on("restart", (e) => {
      logger.warn(
        { task: e.name, id: e.id, attempt: e.attempt, class: e.class, delayMs: e.delayMs },
        `restarting task "${e.name}" in ${Math.round(e.delayMs)} ms (attempt ${e.attempt})`,
      );
    }),
    events.on("failed", (e) => {
      if (!e.gaveUp) return;
      logger.error(
        { task: e.name, id: e.id, attempt: e.attempt, class: e.class, reason: e.reason, err: e.error },
        `supervisor gave up on task "${e.name}": ${e.reason}`,
      );
    }),
  ];
  return () => off.forEach((remove) => remove());
}
