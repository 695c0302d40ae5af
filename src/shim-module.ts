/**
 * The text of the project-local supervision module `spawn-audit init --shim`
 * writes: it re-exports `@spawn-audit/shim` with `spawnSupervised`,
 * `spawnLogged`, `logFailure`, `superviseWorker`, `logWorker` and
 * `defaultSupervisor` bound to one supervisor that logs through the
 * project's logger (pino, winston or console, through the adapters of
 * `@spawn-audit/shim/logger`), so `spawn-audit fix --shim-import
 * ./src/supervision.js` routes every rewritten site's failures there.
 *
 * @module
 */

/** The loggers `init --shim` has an adapter for. */
export const SHIM_LOGGERS = ["pino", "winston", "console"] as const;

/** One of {@link SHIM_LOGGERS}. */
export type ShimLogger = (typeof SHIM_LOGGERS)[number];

/** The module's language: TypeScript, an ES module, or CommonJS. */
export type ModuleFlavour = "ts" | "esm" | "cjs";

/**
 * The supervision module's text.
 *
 * @param logger whose API the adapter speaks.
 * @param flavour TypeScript (ES module syntax, typed against the shim's
 *   declarations), JavaScript ES module, or CommonJS (`require`, which
 *   loads the shim package's CommonJS build).
 * @param specifier the `--shim-import` value that points at the module,
 *   quoted in its header.
 */
export function shimModuleText(logger: ShimLogger, flavour: ModuleFlavour, specifier: string): string {
  const ts = flavour === "ts";
  const typed = (annotation: string): string => (ts ? annotation : "");
  const exported = flavour === "cjs" ? "" : "export ";
  const lines: string[] = [
    "/**",
    ` * This project's supervisor for background work: spawn-audit's shim, with`,
    ` * failures logged through ${logger}. Written by \`spawn-audit init --shim\`; yours`,
    " * to edit. `spawn-audit fix --shim-import " + specifier + "` makes rewritten",
    " * files import spawnSupervised, spawnLogged, logFailure, superviseWorker and logWorker",
    " * from here. Call `supervisor.shutdown()` when the process stops.",
    " */",
  ];
  if (flavour === "cjs") {
    lines.push(
      ...LOGGER_REQUIRE[logger],
      `const { ${ADAPTER[logger]} } = require("@spawn-audit/shim/logger");`,
      `const shim = require("@spawn-audit/shim");`,
    );
  } else {
    lines.push(
      ...LOGGER_IMPORT[logger],
      `import * as shim from "@spawn-audit/shim";`,
      `import { ${ADAPTER[logger]} } from "@spawn-audit/shim/logger";`,
    );
    if (ts) {
      lines.push(
        `import type { LoggedOptions, SupervisedOptions, TaskFactory, TaskHandle, WorkerLike } from "@spawn-audit/shim";`,
      );
    }
    lines.push("", `export * from "@spawn-audit/shim";`);
  }
  lines.push("", ...adapter(logger, exported));
  lines.push(
    "",
    "/** The supervisor every task spawned through this module runs under. */",
    `${exported}const supervisor = new shim.TaskSupervisor({ logger: supervisorLogger });`,
    ...(flavour === "cjs" ? [] : ["export { supervisor as defaultSupervisor };"]),
    "",
    "/** `spawnSupervised` of @spawn-audit/shim, under this module's supervisor. */",
    `${exported}function spawnSupervised${typed("<T>")}(name${typed(": string")}, factory${
      typed(": TaskFactory<T>")
    }, options${typed(": SupervisedOptions")} = {})${typed(": TaskHandle<T>")} {`,
    "  return shim.spawnSupervised(name, factory, { supervisor, ...options });",
    "}",
    "",
    "/** `spawnLogged` of @spawn-audit/shim, under this module's supervisor. */",
    `${exported}function spawnLogged${typed("<T>")}(name${typed(": string")}, work${
      typed(": PromiseLike<T> | TaskFactory<T>")
    }, options${typed(": LoggedOptions")} = {})${typed(": TaskHandle<T>")} {`,
    "  return shim.spawnLogged(name, work, { supervisor, ...options });",
    "}",
    "",
    "/** `logFailure` of @@spawn-audit/shim, under this module's supervisor. */",
    `${exported}function logFailure(name${typed(": string")}, error${typed(": unknown")}, options${
      typed(": LoggedOptions")
    } = {})${typed(": void")} {`,
    "  shim.logFailure(name, error, { supervisor, ...options });",
    "}",
    "",
    "/** `superviseWorker` of @@spawn-audit/shim, under this module's supervisor. */",
    `${exported}function superviseWorker(name${typed(": string")}, create${typed(": () => WorkerLike")}, options${
      typed(": SupervisedOptions")
    } = {})${typed(": TaskHandle<void>")} {`,
    "  return shim.superviseWorker(name, create, { supervisor, ...options });",
    "}",
    "",
    "/** `logWorker` of @spawn-audit/shim, under this module's supervisor. */",
    `${exported}function logWorker${typed("<W extends WorkerLike>")}(name${typed(": string")}, worker${
      typed(": W")
    }, options${typed(": LoggedOptions")} = {})${typed(": W")} {`,
    "  return shim.logWorker(name, worker, { supervisor, ...options });",
    "}",
  );
  if (flavour === "cjs") {
    lines.push(
      "",
      "module.exports = { ...shim, logger, supervisor, defaultSupervisor: supervisor, spawnSupervised, spawnLogged, logFailure, superviseWorker, logWorker };",
    );
  }
  return `${lines.join("\n")}\n`;
}

const LOGGER_IMPORT: Record<ShimLogger, string[]> = {
  pino: [`import { pino } from "pino";`],
  winston: [`import winston from "winston";`],
  console: [],
};

const LOGGER_REQUIRE: Record<ShimLogger, string[]> = {
  pino: [`const { pino } = require("pino");`],
  winston: [`const winston = require("winston");`],
  console: [],
};

/** The adapter of `@spawn-audit/shim/logger` for each logger. */
const ADAPTER: Record<ShimLogger, string> = { pino: "pinoLogger", winston: "winstonLogger", console: "consoleLogger" };

/** The project's logger, and the adapter that gives the supervisor the shim's `Logger` (`error`, `warn`, `info`, each `(fields, message)`). */
function adapter(logger: ShimLogger, exported: string): string[] {
  const made = {
    pino: [
      "/** Where failures are logged: replace it with your application's pino logger. */",
      `${exported}const logger = pino({ name: "supervisor" });`,
      "",
      "/** pino gets the fields (the error as `err`, for its serializer) and the message as they are. */",
    ],
    winston: [
      "/** Where failures are logged: replace it with your application's winston logger. */",
      `${exported}const logger = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] });`,
      "",
      "/** winston gets the message first, then the fields with the failure as `error` (a plain object, so a JSON format keeps its name, message and stack). */",
    ],
    console: [
      "/** Where failures are logged: replace it with your application's logger if it has console's methods. */",
      `${exported}const logger = console;`,
      "",
      "/** console gets the message first, then the fields (the error, with its stack, as `err`). */",
    ],
  };
  return [...made[logger], `const supervisorLogger = ${ADAPTER[logger]}(logger);`];
}
