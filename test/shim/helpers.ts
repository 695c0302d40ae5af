// Shared fixtures for the shim tests: a supervisor on a manual clock with a recording logger.
import type { Logger } from "../../shim/logger.ts";
import type { TaskSnapshot } from "../../shim/types.ts";
import { TaskSupervisor, type TaskSupervisorOptions } from "../../shim/supervisor.ts";
import { ManualClock } from "./manual-clock.ts";

export interface LogRecord {
  level: "error" | "warn" | "info";
  fields: Record<string, unknown>;
  message: string | undefined;
}

/** A Logger that keeps every record in memory. */
export function memoryLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = (level: LogRecord["level"]) => (fields: object, message?: string): void => {
    records.push({ level, fields: fields as Record<string, unknown>, message });
  };
  return { records, error: log("error"), warn: log("warn"), info: log("info") };
}

/** A supervisor on a manual clock, deterministic backoff (no jitter) and a memory logger. */
export function setup(options: TaskSupervisorOptions = {}) {
  const clock = new ManualClock();
  const logger = memoryLogger();
  const supervisor = new TaskSupervisor({
    clock,
    logger,
    ...options,
    defaults: { backoff: { jitter: "none" }, ...options.defaults },
  });
  return { clock, logger, supervisor };
}

/** A factory body that waits for its signal, then resolves. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** A factory body that never settles and ignores its signal. */
export function forever(): Promise<never> {
  return new Promise(() => {});
}

/** A promise with its resolve/reject exposed. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The snapshot entry of `name`, if registered. */
export function find(supervisor: TaskSupervisor, name: string): TaskSnapshot | undefined {
  return supervisor.snapshot().find((task) => task.name === name);
}
