/**
 * Adapters from common loggers to the shim's `Logger` (`error`, `warn`,
 * `info`, each `(fields, message)`, a failure's error as `fields.err`), so a
 * supervisor logs through the application's own logger. Each method returns
 * what the logger's returned, so the supervisor also catches the rejection
 * of an async one. They import no
 * logging library: each takes the logger object and calls its methods.
 * Entry point `spawn-audit/shim/logger`; `spawn-audit init --shim` writes a
 * module that uses them.
 *
 * @example
 * ```ts
 * import { pino } from "pino";
 * import { TaskSupervisor } from "spawn-audit/shim";
 * import { pinoLogger } from "spawn-audit/shim/logger";
 * const supervisor = new TaskSupervisor({ logger: pinoLogger(pino({ name: "supervisor" })) });
 * ```
 *
 * @module
 */
import type { Logger } from "../logger.ts";

/** The levels the shim logs at. */
type Level = keyof Logger;

/** A level method that hands back what the logger returned, so the supervisor sees an async logger's rejection. */
type Method = (fields: object, message?: string) => unknown;

const LEVELS: readonly Level[] = ["error", "warn", "info"];

/**
 * What `pinoLogger` needs of a pino logger (or a child): its level methods
 * taking a fields object, then a message.
 */
export type PinoLike = Record<Level, (fields: object, message?: string) => unknown>;

/**
 * What `winstonLogger` needs of a winston logger: its level methods taking
 * a message, then a metadata object.
 */
export type WinstonLike = Record<Level, (message: string, meta: Record<string, unknown>) => unknown>;

/**
 * What `consoleLogger` needs of `console` (or anything with its methods):
 * level methods printing what they are given.
 */
export type ConsoleLike = Record<Level, (...data: unknown[]) => unknown>;

/**
 * Log through pino: the shim's fields and message go to pino as they are
 * (pino's own `err` serializer formats the error).
 *
 * @param logger a pino logger
 * @returns a shim Logger calling it
 * @example
 * ```ts
 * import { pino } from "pino";
 * import { pinoLogger } from "spawn-audit/shim/logger";
 * const logger = pinoLogger(pino().child({ component: "jobs" }));
 * ```
 */
export function pinoLogger(logger: PinoLike): Logger {
  return byLevel((level) => (fields, message) => logger[level](fields, message));
}

/**
 * Log through winston: the message first, then the fields as metadata, the
 * failure moved from `err` to `error` and an Error made a plain object
 * (name, message, stack and its own fields) so a JSON format keeps it.
 *
 * @param logger a winston logger
 * @returns a shim Logger calling it
 * @example
 * ```ts
 * import winston from "winston";
 * import { winstonLogger } from "spawn-audit/shim/logger";
 * const logger = winstonLogger(winston.createLogger({ transports: [new winston.transports.Console()] }));
 * ```
 */
export function winstonLogger(logger: WinstonLike): Logger {
  return byLevel((level) => (fields, message) => {
    const { err, ...meta } = fields as { err?: unknown };
    return logger[level](message ?? "", err === undefined ? meta : { ...meta, error: plainError(err) });
  });
}

/**
 * Log through `console` (or an object with its methods): the message
 * first, then the fields object (the error, with its stack, as `err`).
 *
 * @param target the console to print on (default the global `console`)
 * @returns a shim Logger calling it
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * import { consoleLogger } from "spawn-audit/shim/logger";
 * const supervisor = new TaskSupervisor({ logger: consoleLogger() });
 * ```
 */
export function consoleLogger(target: ConsoleLike = console): Logger {
  return byLevel((level) => (fields, message) => target[level](message ?? "", fields));
}

function byLevel(method: (level: Level) => Method): Logger {
  return Object.fromEntries(LEVELS.map((level) => [level, method(level)])) as unknown as Logger;
}

function plainError(error: unknown): unknown {
  return error instanceof Error ? { ...error, name: error.name, message: error.message, stack: error.stack } : error;
}
