/**
 * The command-line interface: parses arguments, runs a command, writes the
 * report to stdout and diagnostics to stderr, and returns the exit code
 * (0 clean, 1 findings at or above `--fail-on`, 2 usage or configuration
 * error). It never prints a stack trace for a user mistake.
 *
 * @module
 */
import { Chalk, type ChalkInstance } from "chalk";
import { choice, parseCommandLine, type OptionSpec } from "./args.ts";
import { loadConfig } from "./config.ts";
import { UsageError } from "./errors.ts";
import { loadProject } from "./project.ts";
import { scanProject } from "./scan.ts";
import { GROUPS } from "./site.ts";
import { VERSION } from "./version.ts";
import { failsThreshold, type FailOn } from "./report/summary.ts";
import { formatJson, jsonReport } from "./report/json.ts";
import { formatText } from "./report/text.ts";

/** Where the CLI writes and what it knows of its environment; injectable for tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  isTTY: boolean;
}

const USAGE = `Usage: spawn-audit <command> [options]

Commands:
  scan [paths...]        find unsupervised background work (default path: .)

Scan options:
  --format <text|json>   report format (default: text)
  --fail-on <group>      exit 1 when an unsupervised site is in this group or a more
                         severe one: durable, per-request, test, none (default: durable)
  --all                  text format: list every site with its status, not only findings
  --tsconfig <path>      tsconfig.json to use (default: nearest one above the first path)
  --config <path>        config file (default: spawn-audit.config.json in the project root)
  --max-file-size <bytes>  skip larger files with a problem (default: 2097152)
  --color, --no-color    force or disable colours (default: on for a TTY unless NO_COLOR is set)
  -h, --help             show this help
  -v, --version          show the version

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration error.
`;

const OPTIONS: Record<string, OptionSpec> = {
  format: { type: "string" },
  "fail-on": { type: "string" },
  all: { type: "boolean" },
  tsconfig: { type: "string" },
  config: { type: "string" },
  "max-file-size": { type: "string" },
  color: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
};

/**
 * Runs the CLI.
 *
 * @param argv arguments after the executable and script (e.g. `["scan", "src"]`).
 * @param io output sinks, working directory, environment and TTY-ness.
 * @returns the process exit code: 0, 1 or 2.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    if (values["version"] === true) {
      io.stdout(`spawn-audit ${VERSION}\n`);
      return 0;
    }
    const [command, ...paths] = positionals;
    if (values["help"] === true || command === undefined) {
      (command === undefined && values["help"] !== true ? io.stderr : io.stdout)(USAGE);
      return command === undefined && values["help"] !== true ? 2 : 0;
    }
    if (command !== "scan") throw new UsageError(`unknown command "${command}" (try: spawn-audit scan [paths])`);
    return scanCommand(paths, values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`spawn-audit: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

function scanCommand(paths: string[], values: Record<string, unknown>, io: CliIo): number {
  const format = choice(values["format"], "format", ["text", "json"] as const, "text");
  const failOn = choice<FailOn>(values["fail-on"], "fail-on", [...GROUPS, "none"], "durable");
  const maxFileBytes = values["max-file-size"] === undefined ? undefined : positiveInteger(values["max-file-size"], "max-file-size");
  const project = loadProject({
    paths,
    cwd: io.cwd,
    ...(typeof values["tsconfig"] === "string" ? { tsconfig: values["tsconfig"] } : {}),
    ...(maxFileBytes === undefined ? {} : { maxFileBytes }),
  });
  const config = loadConfig(typeof values["config"] === "string" ? values["config"] : undefined, project.root);
  const result = scanProject(project, config, io.cwd);
  const failed = failsThreshold(result.sites, failOn);
  if (format === "json") {
    io.stdout(formatJson(jsonReport(result, failOn, failed)));
  } else {
    io.stdout(formatText(result, colorFor(values["color"], io), values["all"] === true ? "all" : "findings"));
  }
  return failed ? 1 : 0;
}

function positiveInteger(value: unknown, name: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new UsageError(`--${name} must be a positive integer (got "${String(value)}")`);
  return parsed;
}

/** Colour on a TTY unless `NO_COLOR` is set (no-color.org); `--color`/`--no-color` and `FORCE_COLOR` win. */
function colorFor(flag: unknown, io: CliIo): ChalkInstance {
  let enabled = io.isTTY && !io.env["NO_COLOR"];
  if (io.env["FORCE_COLOR"] !== undefined && io.env["FORCE_COLOR"] !== "0") enabled = true;
  if (typeof flag === "boolean") enabled = flag;
  return new Chalk({ level: enabled ? 1 : 0 });
}
