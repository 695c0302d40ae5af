/**
 * The command-line interface: parses arguments, runs a command, writes the
 * report to stdout and diagnostics to stderr, and returns the exit code
 * (0 clean; 1 findings at or above `--fail-on` for scan, a refused write or
 * pending changes under `--check` for fix; 2 usage or configuration error).
 * It never prints a stack trace for a user mistake.
 *
 * @module
 */
import { Chalk, type ChalkInstance } from "chalk";
import { choice, type CommandSpec, flagGiven, type OptionSpec, parseCommandLine, type ProgramSpec } from "./args.ts";
import { UsageError } from "./errors.ts";
import { formatEffectiveConfig } from "./config/print.ts";
import { explain, validNames } from "./explain.ts";
import { initConfig, initShim } from "./init.ts";
import { SHIM_LOGGERS, type ShimLogger } from "./shim-module.ts";
import { type LoadOptions, planScan } from "./project.ts";
import { collectScanInput } from "./scan-input.ts";
import type { ScanResult } from "./scan.ts";
import { scanPart } from "./cache/scan.ts";
import { CACHE_FILE, DEFAULT_CACHE_LOCATION, ResultCache } from "./cache/store.ts";
import { changedFiles } from "./files/changed.ts";
import { type Group, GROUPS, type Kind, KINDS, type SpawnSite } from "./site.ts";
import { fixSteps } from "./fix/fix.ts";
import { INTERRUPT_EXIT_CODES, runInterruptibly } from "./interrupt.ts";
import { formatFixReport } from "./fix/report.ts";
import { VERSION } from "./version.ts";
import { type FailOn, failsThreshold } from "./report/summary.ts";
import { formatJson, jsonReport } from "./report/json.ts";
import { formatText } from "./report/text.ts";
import { formatSarif } from "./report/sarif.ts";
import { formatGithub } from "./report/github.ts";
import { type Baseline, createBaseline, loadBaseline, matchBaseline, pruneBaseline } from "./baseline.ts";
import { writeOutputFile } from "./report/output.ts";
import { plural } from "./report/plural.ts";
import { createProgress } from "./report/progress.ts";
import type { Activity } from "./fatal.ts";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** Where the CLI writes and what it knows of its environment; injectable for tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The colour level stdout supports, as the runtime detected it (chalk's
   * `supportsColor`: 0 none, 1 basic, 2 256 colours, 3 truecolor; it reads
   * whether stdout is a terminal, `FORCE_COLOR`, `TERM` and CI variables).
   */
  colorLevel: 0 | 1 | 2 | 3;
  /** Whether stderr is a terminal: the scan's status line is shown only then (absent: no). */
  stderrIsTTY?: boolean;
  /** Told what the run is doing (phase, file being analysed) as it goes, so a fatal error can name it (absent: not told). */
  onActivity?: (activity: Activity) => void;
  /** Reads all of standard input as UTF-8, for `--file-list -` and `--stdin-filepath` (absent: standard input is empty). */
  readStdin?: () => string;
}

/** `--debug`, which every command takes (main.ts reads it before the command line is parsed). */
const DEBUG: OptionSpec = { flags: "--debug", description: "on an internal error, print its stack trace" };

/** Options of scan and fix that load the project. */
const PROJECT_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "--tsconfig <path>",
    description: "tsconfig.json to use for every file (default: for each file the nearest " +
      "tsconfig.json or jsconfig.json that includes it)",
  },
  {
    flags: "-c, --config <file>",
    description: "config file (default: the nearest spawn-audit.json, spawn-audit.jsonc or " +
      '"spawnAudit" key of package.json / deno.json(c) above the first path)',
  },
  { flags: "--max-file-size <bytes>", description: "skip larger files with a problem (default: 2097152)" },
  {
    flags: "--ignore-pattern <glob>",
    description: "skip files matching the glob, relative to the project root (repeatable)",
    repeatable: true,
  },
  {
    flags: "--no-ignore",
    description: "apply no ignore rule: also scan what .gitignore, .git/info/exclude, the config's ignore " +
      "and --ignore-pattern leave out",
  },
  {
    flags: "--force-write",
    description: "let a write replace a read-only file or one with other hard links (a new file under " +
      "this name; other links keep the old content)",
  },
  { flags: "--color", description: "force colours (default: as detected for stdout: a terminal, FORCE_COLOR, TERM)" },
  { flags: "--no-color", description: "no colours (also when NO_COLOR is set)" },
  DEBUG,
];

const SCAN: CommandSpec = {
  name: "scan",
  operands: "[paths...]",
  summary: "find unsupervised background work (default path: .)",
  options: [
    {
      flags: "--format <format>",
      description: "text, json, sarif (SARIF 2.1.0) or github (Actions annotations) (default: text)",
    },
    {
      flags: "--fail-on <group>",
      description: "exit 1 when an unsupervised site is in this group or a more severe one: durable, " +
        "per-request, test, none (default: durable)",
    },
    { flags: "--all", description: "text format: list every site with its status, not only findings" },
    {
      flags: "--quiet",
      description: "text and github formats: list only the findings that fail the run (per --fail-on); " +
        "nothing when none does",
    },
    { flags: "--verbose", description: "text format: show the code and the evidence (signals) under each site" },
    {
      flags: "-o, --output-file <file>",
      description: "write the report to this file (atomically, its folder created) instead of stdout",
    },
    {
      flags: "--max-warnings <n>",
      description: "exit 1 when there are more than n per-request findings (warnings)",
    },
    {
      flags: "--max-problems <n>",
      description: "files that could not be analysed (syntax errors, binary, too large) tolerated before " +
        "the run fails like a finding (default: the config's maxProblems, else 0; never with --fail-on none)",
    },
    { flags: "--baseline <file>", description: "findings recorded in this baseline do not fail the run" },
    { flags: "--write-baseline <file>", description: "record the current findings as the baseline and exit 0" },
    {
      flags: "--prune-baseline",
      description: "remove from the --baseline file the entries of scanned files that no longer match a " +
        "finding (a normal run only reports them)",
    },
    {
      flags: "--cache",
      description: "reuse each file's results from the last run while neither the file, what it imports " +
        "(transitively), what its analysis looked up elsewhere, the compiler options, the config nor the " +
        "version changed",
    },
    {
      flags: "--cache-location <dir>",
      description: "where --cache keeps them (default: node_modules/.cache/spawn-audit under the project root)",
    },
    {
      flags: "--changed[=ref]",
      description: "scan only files changed against the git ref (default: the merge base with " +
        "origin/HEAD, main or master) and untracked files; with a cache (--cache made one), only they and " +
        "what they import are type-checked, else the whole project",
    },
    {
      flags: "--file-list <file>",
      description: "also scan the paths listed in <file>, one a line or NUL-separated (- reads them from " +
        "standard input), relative to the working directory",
    },
    {
      flags: "--stdin-filepath <path>",
      description: "scan the source text on standard input as the file <path> (which need not exist), " +
        "typed with the project around it: for editors",
    },
    ...PROJECT_OPTIONS,
  ],
};

const FIX: CommandSpec = {
  name: "fix",
  operands: "[paths...]",
  summary: "rewrite unsupervised sites to run under the shim (dry run by default)",
  options: [
    { flags: "--write", description: "apply the changes (default: print a diff and a summary)" },
    { flags: "--check", description: "dry run that exits 1 when there is something to rewrite" },
    {
      flags: "--group <group>",
      description: "durable, per-request or all = both (default: all); test sites, benchmarks and " +
        "examples are never rewritten",
    },
    {
      flags: "--kind <kind>",
      description: "only these kinds (repeat or comma-separate), e.g. interval,floating-promise",
      repeatable: true,
    },
    {
      flags: "--file <glob>",
      description: "only files matching the glob, relative to the working directory (repeatable)",
      repeatable: true,
    },
    { flags: "--allow-dirty", description: "also rewrite files with uncommitted git changes" },
    {
      flags: "--install",
      description: "add @spawn-audit/shim to the dependencies with the project's package manager when " +
        "it is missing (default: stop and print the command)",
    },
    {
      flags: "--shim-import <spec>",
      description: "import the shim from this specifier (default: the config's shimImport, else " +
        "@spawn-audit/shim, or the import-map alias / npm:@spawn-audit/shim under a deno.json); ./path " +
        "is a project module (spawn-audit init --shim)",
    },
    {
      flags: "--vendor-shim <dir>",
      description: "write the shim functions used as one file into <dir> and import it from there",
    },
    {
      flags: "--format",
      description: "run the project's formatter (Prettier, Biome, dprint or deno fmt, from its " +
        "node_modules/.bin) on each edited file before it is written (config: format)",
      valueRefused: true,
    },
    {
      flags: "--no-lint",
      description: "do not run the project's linter (ESLint or xo --fix, then its check; deno lint's " +
        "check) on each edited file before it is written; by default a file whose new text breaks a " +
        "rule the original did not is refused",
    },
    ...PROJECT_OPTIONS,
  ],
};

const EXPLAIN: CommandSpec = {
  name: "explain",
  operands: "[name]",
  summary: "what a rule, kind or signal means (e.g. timers, void-promise, interval-timer)",
  helpAfter: `Names: ${validNames()}.`,
  options: [DEBUG],
};

const INIT: CommandSpec = {
  name: "init",
  operands: "[dir]",
  summary: "write spawn-audit.json (or, with --shim, the project's supervision module)",
  helpAfter: "Without --shim: writes spawn-audit.json with $schema, the test files the default patterns " +
    "miss and the project's supervisor helpers. With --shim: writes the shim logging through the project's logger.",
  options: [
    { flags: "--force", description: "overwrite an existing file" },
    { flags: "--shim", description: "write the project's supervision module instead of the config" },
    {
      flags: "--logger <logger>",
      description: "with --shim: pino, winston or console (default: from package.json, else console)",
    },
    {
      flags: "--out <file>",
      description: "with --shim: the module to write (default: src/supervision.ts, .js without a tsconfig.json)",
    },
    DEBUG,
  ],
};

/** The command line: commands, their options, and what `--help` says after the command list. */
const PROGRAM: ProgramSpec = {
  name: "spawn-audit",
  version: `spawn-audit ${VERSION}`,
  options: [
    { flags: "--print-config <file>", description: "print the configuration that applies to <file> as JSON and exit" },
    { flags: "-c, --config <file>", description: "with --print-config: the config file to use" },
    DEBUG,
  ],
  commands: [SCAN, FIX, EXPLAIN, INIT],
  helpAfter: "Run spawn-audit <command> --help for a command's options.\n\n" +
    "Exit codes: 0 clean; 1 findings at or above --fail-on (scan), a refused write or changes pending " +
    "under --check (fix); 2 usage, configuration or environment error (a named path or tsconfig that " +
    "cannot be read, stack or memory exhausted); 130 when fix --write is interrupted (SIGINT; 143 for " +
    "SIGTERM) after finishing the file being written; 70 internal error (a bug of spawn-audit: please " +
    "report it).",
};

/**
 * Whether `argv` asks for `--debug`: an internal error then prints its
 * stack trace (see fatal.ts). Known before, and whether or not, the rest
 * of `argv` parses.
 *
 * @param argv arguments after the executable and script.
 */
export function debugRequested(argv: readonly string[]): boolean {
  return flagGiven(argv, "debug");
}

/**
 * Runs the CLI.
 *
 * @param argv arguments after the executable and script (e.g. `["scan", "src"]`).
 * @param io output sinks, working directory, environment and TTY-ness.
 * @returns the process exit code: 0, 1 or 2.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, PROGRAM, { out: io.stdout });
    if ("printed" in parsed) return parsed.printed;
    const { command, operands: paths, values } = parsed;
    if (command === undefined) {
      if (typeof values["print-config"] !== "string") {
        io.stderr(parsed.usage);
        return 2;
      }
      io.stdout(formatEffectiveConfig(values["print-config"], configPath(values, io), io.cwd));
      return 0;
    }
    if (command === "explain") return explainCommand(paths, io);
    if (command === "init") return initCommand(paths, values, io);
    return command === "scan" ? scanCommand(paths, values, io) : await fixCommand(paths, values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`spawn-audit: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

function scanCommand(paths: string[], values: Record<string, unknown>, io: CliIo): number {
  const format = choice(values["format"], "format", ["text", "json", "sarif", "github"] as const, "text");
  if (values["quiet"] === true && values["all"] === true) {
    throw new UsageError("--quiet lists fewer sites and --all lists every site; give one");
  }
  const failOn = choice<FailOn>(values["fail-on"], "fail-on", [...GROUPS, "none"], "durable");
  if (values["prune-baseline"] === true && typeof values["baseline"] !== "string") {
    throw new UsageError("--prune-baseline removes stale entries from the --baseline file; give --baseline <file>");
  }
  const baselinePath = typeof values["baseline"] === "string" ? resolve(io.cwd, values["baseline"]) : undefined;
  const baseline = baselinePath === undefined ? undefined : loadBaseline(baselinePath);
  const progress = createProgress({
    write: io.stderr,
    isTTY: io.stderrIsTTY === true,
    env: io.env,
    now: () => performance.now(),
  });
  const input = collectScanInput({
    paths,
    fileList: typeof values["file-list"] === "string" ? values["file-list"] : undefined,
    stdinFilepath: typeof values["stdin-filepath"] === "string" ? values["stdin-filepath"] : undefined,
    cwd: io.cwd,
    readStdin: io.readStdin ?? (() => ""),
  });
  // The cache and the changed-file list read the files on disk, not the text on standard input.
  const onDisk = input.sources.size === 0
    ? undefined
    : ["cache", "changed"].find((name) => values[name] !== undefined && values[name] !== false);
  if (onDisk !== undefined) {
    throw new UsageError(`--stdin-filepath scans the text on standard input; --${onDisk} works on the files on disk`);
  }
  let result: ScanResult;
  let maxProblemsConfig: number;
  try {
    progress.phase("loading and type-checking the project");
    io.onActivity?.({ phase: "loading and type-checking the project" });
    const plan = planScan({ ...loadOptions(input.paths, values, io), sources: input.sources });
    maxProblemsConfig = plan.config.maxProblems;
    const changed = typeof values["changed"] === "string" ? changedFiles(plan.root, values["changed"]) : undefined;
    if (values["cache-location"] === "") throw new UsageError("--cache-location needs a folder");
    const cacheLocation = typeof values["cache-location"] === "string"
      ? resolve(io.cwd, values["cache-location"])
      : join(plan.root, DEFAULT_CACHE_LOCATION);
    // --changed takes what did not change from a cache that exists, so only the changed files and what they import are type-checked.
    const useCache = values["cache"] === true ||
      (changed !== undefined && existsSync(join(cacheLocation, CACHE_FILE)));
    if (changed !== undefined && !useCache) {
      io.stderr(
        `spawn-audit: --changed: no cache in ${cacheLocation} (--cache makes one), so the whole project is type-checked\n`,
      );
    }
    result = scanPart(plan, {
      cwd: io.cwd,
      ...(changed === undefined ? {} : { only: changed }),
      ...(useCache ? { cache: new ResultCache(cacheLocation) } : {}),
      onPhase: (phase) => {
        progress.phase(phase);
        io.onActivity?.({ phase });
      },
      onFile: (done, total, file) => {
        progress.advance(done, total);
        io.onActivity?.({ phase: "scanning", file });
      },
    });
  } finally {
    progress.finish();
  }
  if (typeof values["write-baseline"] === "string") {
    const written = createBaseline(result.sites);
    writeOutputFile(values["write-baseline"], io.cwd, JSON.stringify(written, null, 2) + "\n", "the baseline", {
      replaceProtected: values["force-write"] === true,
    });
    io.stderr(`spawn-audit: wrote ${plural(written.findings.length, "finding")} to ${values["write-baseline"]}\n`);
    return 0;
  }
  const accepted = baseline === undefined
    ? undefined
    : checkBaseline(result, baseline, values["baseline"] as string, values["prune-baseline"] === true, values, io);
  const maxProblems = values["max-problems"] === undefined
    ? maxProblemsConfig
    : nonNegativeInteger(values["max-problems"], "max-problems");
  const maxWarnings = values["max-warnings"] === undefined
    ? undefined
    : nonNegativeInteger(values["max-warnings"], "max-warnings");
  // Files that could not be analysed fail the run as findings would (ESLint counts parse errors as errors);
  // so do ignore-comment problems (those with an id), whatever --max-problems says.
  const fileProblems = result.problems.filter((problem) => problem.id === undefined).length;
  const commentProblems = result.problems.length - fileProblems;
  // Per-request findings are warnings (SARIF level warning); ESLint's --max-warnings fails the run above the count.
  const warnings =
    result.sites.filter((site) =>
      !accepted?.has(site) && site.status === "unsupervised" && site.group === "per-request"
    ).length;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    io.stderr(`spawn-audit: ${warnings} per-request findings (warnings), more than --max-warnings ${maxWarnings}\n`);
  }
  const failed = failsThreshold(result.sites.filter((site) => !accepted?.has(site)), failOn) ||
    (failOn !== "none" && (fileProblems > maxProblems || commentProblems > 0)) ||
    (maxWarnings !== undefined && warnings > maxWarnings);
  const scope = values["quiet"] === true ? "failing" : values["all"] === true ? "all" : "findings";
  const outputFile = typeof values["output-file"] === "string" ? values["output-file"] : undefined;
  let report: string;
  if (format === "json") report = formatJson(jsonReport(result, failOn, failed, accepted));
  else if (format === "sarif") report = formatSarif(result, accepted, io.cwd);
  else if (format === "github") {
    const workspace = io.env["GITHUB_WORKSPACE"] ? resolve(io.cwd, io.env["GITHUB_WORKSPACE"]) : undefined;
    report = formatGithub(result, accepted, {
      cwd: io.cwd,
      workspace,
      failing: scope === "failing" ? failOn : undefined,
    });
  } else {
    // A report written to a file gets colour only when asked for: the file is not the terminal.
    const color = colorFor(values["color"], outputFile === undefined ? io : { ...io, colorLevel: 0 });
    report = formatText(result, { color, scope, verbose: values["verbose"] === true, failOn, accepted });
  }
  // --quiet with nothing failing prints nothing, as ESLint's.
  if (scope === "failing" && !failed && (format === "text" || format === "github")) report = "";
  if (outputFile === undefined) io.stdout(report);
  else writeOutputFile(outputFile, io.cwd, report, "the report", { replaceProtected: values["force-write"] === true });
  return failed ? 1 : 0;
}

/**
 * Matches the baseline against the scan and tells stderr of its stale
 * entries (findings of scanned files that are gone); with `prune` (as
 * ESLint's `--prune-suppressions`) rewrites the baseline file without them.
 *
 * @param file the baseline path as the user gave it.
 * @returns the findings the baseline accepts.
 * @throws {UsageError} when the pruned baseline cannot be written.
 */
function checkBaseline(
  result: ScanResult,
  baseline: Baseline,
  file: string,
  prune: boolean,
  values: Record<string, unknown>,
  io: CliIo,
): Set<SpawnSite> {
  const { accepted, stale } = matchBaseline(result.sites, baseline, result.scannedFiles);
  if (stale.length === 0) return accepted;
  const entries = plural(stale.length, "baseline entry", "baseline entries");
  const match = stale.length === 1 ? "matches" : "match";
  if (prune) {
    writeOutputFile(file, io.cwd, JSON.stringify(pruneBaseline(baseline, stale), null, 2) + "\n", "the baseline", {
      replaceProtected: values["force-write"] === true,
    });
    io.stderr(`spawn-audit: removed ${entries} that no longer ${match} a finding from ${file}\n`);
  } else {
    io.stderr(
      `spawn-audit: ${entries} of ${file} no longer ${match} a finding ` +
        `(first: ${stale[0]!.file}, ${stale[0]!.kind}); remove ${
          stale.length === 1 ? "it" : "them"
        } with --prune-baseline\n`,
    );
  }
  return accepted;
}

async function fixCommand(paths: string[], values: Record<string, unknown>, io: CliIo): Promise<number> {
  const group = choice<Group | "all">(values["group"], "group", ["durable", "per-request", "all"], "all");
  const kinds = listValues(values["kind"]).map((kind) => choice<Kind>(kind, "kind", KINDS, "interval"));
  if (values["write"] === true && values["check"] === true) {
    throw new UsageError("--check is a dry run; it cannot be combined with --write");
  }
  if (values["format"] !== undefined && values["format"] !== "") {
    throw new UsageError("fix's --format takes no value; it runs the project's formatter");
  }
  if (values["shim-import"] !== undefined && values["vendor-shim"] !== undefined) {
    throw new UsageError("--shim-import and --vendor-shim are alternatives; give one");
  }
  io.onActivity?.({ phase: "loading, analysing and rewriting the project" });
  // A SIGINT or SIGTERM while files are written stops the writes after the file being written (exit 130 or 143).
  const { value: result, signal } = await runInterruptibly(fixSteps({
    ...loadOptions(paths, values, io),
    groups: group === "all" ? ["durable", "per-request"] : [group],
    kinds,
    files: listValues(values["file"]),
    write: values["write"] === true,
    allowDirty: values["allow-dirty"] === true,
    install: values["install"] === true,
    ...(typeof values["shim-import"] === "string" ? { shimImport: values["shim-import"] } : {}),
    ...(typeof values["vendor-shim"] === "string" ? { vendorShim: values["vendor-shim"] } : {}),
    ...(values["format"] === undefined ? {} : { format: values["format"] === "" }),
    lint: values["lint"] !== false,
    forceWrite: values["force-write"] === true,
  }));
  io.stdout(formatFixReport(result, colorFor(values["color"], io)));
  if (signal !== undefined) {
    io.stderr(`spawn-audit: ${signal}: stopped writing; the files not written are as they were\n`);
    return INTERRUPT_EXIT_CODES[signal];
  }
  const refused = result.changes.some((change) => change.refused !== null);
  const pending = result.changes.some((change) => change.refused === null);
  if (
    result.changes.some((change) => change.writeFailed) || (result.format !== null && result.format.failed !== null)
  ) return 2;
  return (result.write && refused) || (values["check"] === true && pending) ? 1 : 0;
}

/** The project-loading options both commands take: paths, --tsconfig, --config, --max-file-size, --ignore-pattern, --no-ignore. */
function loadOptions(paths: string[], values: Record<string, unknown>, io: CliIo): LoadOptions {
  const maxFileBytes = values["max-file-size"] === undefined
    ? undefined
    : positiveInteger(values["max-file-size"], "max-file-size");
  return {
    paths,
    cwd: io.cwd,
    ...(typeof values["tsconfig"] === "string" ? { tsconfig: values["tsconfig"] } : {}),
    ...(configPath(values, io) === undefined ? {} : { config: configPath(values, io) }),
    ...(maxFileBytes === undefined ? {} : { maxFileBytes }),
    // Not split at commas: a glob may hold a brace list.
    ignorePatterns: Array.isArray(values["ignore-pattern"]) ? values["ignore-pattern"] : [],
    ignore: values["ignore"] !== false,
  };
}

/** `-c/--config` resolved against the working directory, or undefined. */
function configPath(values: Record<string, unknown>, io: CliIo): string | undefined {
  return typeof values["config"] === "string" ? resolve(io.cwd, values["config"]) : undefined;
}

function explainCommand(names: string[], io: CliIo): number {
  if (names.length !== 1) {
    throw new UsageError(
      "explain takes one name (a rule, kind or signal), e.g. spawn-audit explain timers " +
        "(spawn-audit explain --help lists every name)",
    );
  }
  io.stdout(explain(names[0]!));
  return 0;
}

function initCommand(dirs: string[], values: Record<string, unknown>, io: CliIo): number {
  if (dirs.length > 1) throw new UsageError("init takes at most one directory");
  if (values["shim"] === true) return initShimCommand(resolve(io.cwd, dirs[0] ?? "."), values, io);
  const stray = ["logger", "out"].find((name) => values[name] !== undefined);
  if (stray !== undefined) throw new UsageError(`--${stray} is an option of init --shim`);
  const { path, testPatterns, supervisors } = initConfig(resolve(io.cwd, dirs[0] ?? "."), values["force"] === true);
  const tests = testPatterns.length === 0
    ? "the default test patterns cover every test file found"
    : `test patterns: ${testPatterns.join(", ")}`;
  const helpers = supervisors.length === 0 ? "no supervisor helpers found" : `supervisors: ${supervisors.join(", ")}`;
  io.stdout(`spawn-audit: wrote ${path} (${tests}; ${helpers})\n`);
  return 0;
}

function initShimCommand(dir: string, values: Record<string, unknown>, io: CliIo): number {
  const logger = values["logger"] === undefined
    ? undefined
    : choice<ShimLogger>(values["logger"], "logger", SHIM_LOGGERS, "console");
  const written = initShim(dir, {
    ...(logger === undefined ? {} : { logger }),
    ...(typeof values["out"] === "string" ? { out: values["out"] } : {}),
    force: values["force"] === true,
  });
  const why = written.loggerFrom === "option"
    ? ""
    : written.loggerFrom === "package.json"
    ? " (found in package.json)"
    : " (no pino or winston in package.json)";
  io.stdout(`spawn-audit: wrote ${written.path}, logging through ${written.logger}${why}\n`);
  io.stdout(
    written.config === null
      ? `Run fix with: spawn-audit fix --shim-import ${written.shimImport}\n`
      : `Recorded "shimImport": "${written.shimImport}" in ${written.config}; spawn-audit fix uses it\n`,
  );
  return 0;
}

/** A repeatable option's values, comma-separated lists split. */
function listValues(value: unknown): string[] {
  return (Array.isArray(value) ? value : []).flatMap((item: string) => item.split(",")).map((item) => item.trim())
    .filter((item) => item !== "");
}

function nonNegativeInteger(value: unknown, name: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    throw new UsageError(`--${name} must be a whole number of 0 or more (got "${String(value)}")`);
  }
  return parsed;
}

function positiveInteger(value: unknown, name: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new UsageError(`--${name} must be a positive integer (got "${String(value)}")`);
  }
  return parsed;
}

/**
 * The colours of a report: `--color`/`--no-color` win; else none when
 * `NO_COLOR` is set (no-color.org), else the level the runtime detected
 * for stdout (`FORCE_COLOR=0` on a terminal is none).
 */
function colorFor(flag: unknown, io: CliIo): ChalkInstance {
  if (typeof flag === "boolean") return new Chalk({ level: flag ? Math.max(io.colorLevel, 1) as 1 | 2 | 3 : 0 });
  return new Chalk({ level: io.env["NO_COLOR"] ? 0 : io.colorLevel });
}
