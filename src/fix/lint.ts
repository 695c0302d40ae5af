/**
 * The project's own linter, run by `fix` on each file's new text before it
 * is written: its fixer first (ESLint's and xo's `--fix`, Biome's `check
 * --write` without its formatter), then its check,
 * so that the diff fix writes passes the project's lint as the file did.
 * The linter is the one the project is set up with — found by its config
 * file, else by its package among the dependencies, else by a Deno config —
 * and runs from the project's `node_modules/.bin` (`deno` from the PATH),
 * never a copy of our own. Texts go through stdin with the file's path, so
 * nothing is written before fix writes the final text atomically — except
 * for Biome's check, which reports nothing for a text read from stdin: it
 * reads the text from a hidden copy beside the file (`.<name>.spawn-audit-
 * <pid>-<n>.lint.<ext>`, the same directory and extension, so the same
 * config applies), removed as soon as Biome has answered, and by the next
 * `fix --write` if this run was killed while Biome read it.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import process from "node:process";
import { findUp, inNodeModules } from "../files/find-up.ts";
import { temporaryName } from "../atomic-write.ts";
import { childFailure } from "./child.ts";
import { nearestManifest, nearestPackage } from "./manifest.ts";

/** How a linter is driven: ESLint's CLI, xo's, Biome's, or `deno lint` (check only: it fixes no text read from stdin). */
type LinterKind = "eslint" | "xo" | "biome" | "deno";

/**
 * A linter found for a file: its `name` as users know it, how it is
 * driven (`kind`), the `command` (absolute path of the project's binary,
 * or `deno`) and the directory to run it in (`cwd`: where its config is).
 */
export interface Linter {
  name: string;
  kind: LinterKind;
  command: string;
  cwd: string;
}

/** One rule a text breaks: the rule's id (`parse error` for a fatal one) and its first place (1-based line and column). */
export interface LintProblem {
  rule: string;
  line: number;
  column: number;
  message: string;
}

/** What a linter made of a text: the text after its fixes (the same when it fixes nothing) and the errors left. */
export interface LintOutcome {
  text: string;
  problems: LintProblem[];
}

/** The linters fix knows, in the order they are tried: config files (and a package.json key), the npm package, the binary. */
const KNOWN = [
  {
    name: "xo",
    kind: "xo",
    configs: ["xo.config.js", "xo.config.cjs", "xo.config.mjs", "xo.config.ts", ".xo-config", ".xo-config.json"],
    packageKey: "xo",
    packageName: "xo",
    bin: "xo",
  },
  {
    name: "ESLint",
    kind: "eslint",
    configs: [
      "eslint.config.js",
      "eslint.config.mjs",
      "eslint.config.cjs",
      "eslint.config.ts",
      "eslint.config.mts",
      "eslint.config.cts",
      ".eslintrc",
      ".eslintrc.js",
      ".eslintrc.cjs",
      ".eslintrc.json",
      ".eslintrc.yaml",
      ".eslintrc.yml",
    ],
    packageKey: "eslintConfig",
    packageName: "eslint",
    bin: "eslint",
  },
  {
    name: "Biome",
    kind: "biome",
    configs: ["biome.json", "biome.jsonc"],
    packageKey: undefined,
    packageName: "@biomejs/biome",
    bin: "biome",
  },
] as const;

/**
 * The linter of the project a file at `dir` belongs to: the first of xo,
 * ESLint and Biome whose config file (or `package.json` key) is in `dir` or a
 * directory above it, up to the repository root (the directory holding
 * `.git`); else the first among the nearest package's dependencies; else
 * `deno lint` when the nearest manifest is a Deno config.
 *
 * @param dir absolute path of the directory of a file fix edits.
 * @returns the linter; `{ missing }` (the reason, one line) when the
 *   project uses one whose binary is not in `node_modules/.bin`; undefined
 *   when it uses none fix knows.
 */
export function findLinter(dir: string): Linter | { missing: string } | undefined {
  const configured = findUp(dir, (current) => {
    const known = KNOWN.find((each) =>
      each.configs.some((name) => existsSync(join(current, name))) || packageHasKey(current, each.packageKey)
    );
    if (known !== undefined) return { known, cwd: current };
    return existsSync(join(current, ".git")) ? null : undefined;
  }) ?? undefined;
  const manifest = nearestPackage(dir);
  const found = configured ??
    (() => {
      const known = KNOWN.find((each) => manifest?.dependencies.has(each.packageName) === true);
      return known === undefined ? undefined : { known, cwd: manifest!.dir };
    })();
  if (found !== undefined) {
    const command = inNodeModules(found.cwd, join(".bin", found.known.bin)) ??
      inNodeModules(dir, join(".bin", found.known.bin));
    if (command === undefined) {
      return {
        missing: `the project lints with ${found.known.name} but node_modules/.bin/${found.known.bin} is missing`,
      };
    }
    return { name: found.known.name, kind: found.known.kind, command, cwd: found.cwd };
  }
  const deno = nearestManifest(dir);
  if (deno !== undefined && deno.name !== "package.json") {
    return { name: "deno lint", kind: "deno", command: "deno", cwd: deno.dir };
  }
  return undefined;
}

/** Whether `dir` has a package.json with a top-level `key` (ESLint's `eslintConfig`, xo's `xo`; Biome has none). */
function packageHasKey(dir: string, key: string | undefined): boolean {
  const path = join(dir, "package.json");
  if (key === undefined) return false;
  if (!existsSync(path)) return false;
  try {
    const json: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof json === "object" && json !== null && key in json;
  } catch {
    return false;
  }
}

/**
 * Lints `text` as the file at `path` (its config, ignores and, for a
 * type-aware config, its program, as the linter resolves them for that
 * path), through stdin; nothing is written.
 *
 * @param linter from {@link findLinter}.
 * @param path absolute path the text stands for.
 * @param text the file's text.
 * @param fix apply the linter's fixes first (ESLint's `--fix-dry-run`,
 *   xo's `--fix`, Biome's safe fixes and import sorting: `check --write`
 *   with its formatter off, as formatting is `--format`'s); `deno lint`
 *   fixes nothing from stdin.
 * @returns the text after the fixes and the errors left (warnings and a
 *   path the linter ignores give none), or why the linter could not be run
 *   or did not answer as expected (one line).
 */
export function lintText(linter: Linter, path: string, text: string, fix: boolean): LintOutcome | { failed: string } {
  if (linter.kind === "deno") {
    const extension = extname(path).slice(1) || "ts";
    const run = runLinter(linter, ["lint", "--json", `--ext=${extension}`, "-"], text);
    if ("failed" in run) return run;
    return parsed(linter, run.stdout, (json) => ({ text, problems: denoProblems(json) }));
  }
  if (linter.kind === "biome") {
    let fixed = text;
    if (fix) {
      const run = runLinter(
        linter,
        ["check", "--write", "--formatter-enabled=false", `--stdin-file-path=${path}`],
        text,
      );
      if ("failed" in run) return run;
      if (run.stdout !== "") fixed = run.stdout;
    }
    const copy = temporaryName(path, `.lint${extname(path)}`);
    let check: ReturnType<typeof runLinter>;
    try {
      writeFileSync(copy, fixed, { flag: "wx" });
      check = runLinter(linter, ["check", "--formatter-enabled=false", "--reporter=json", copy], "");
    } catch (error) {
      return { failed: `${linter.name} could not check a copy of the file: ${(error as Error).message}` };
    } finally {
      rmSync(copy, { force: true });
    }
    if ("failed" in check) return check;
    return parsed(linter, check.stdout, (json) => ({ text: fixed, problems: biomeProblems(json) }));
  }
  if (linter.kind === "xo") {
    let fixed = text;
    if (fix) {
      const run = runLinter(linter, ["--stdin", `--stdin-filename=${path}`, "--fix"], text);
      if ("failed" in run) return run;
      if (run.stdout !== "") fixed = run.stdout;
    }
    const check = runLinter(linter, ["--stdin", `--stdin-filename=${path}`, "--reporter=json"], fixed);
    if ("failed" in check) return check;
    return parsed(linter, check.stdout, (json) => ({ text: fixed, problems: eslintProblems(json) }));
  }
  const run = runLinter(
    linter,
    ["--stdin", "--stdin-filename", path, "--format", "json", ...(fix ? ["--fix-dry-run"] : [])],
    text,
  );
  if ("failed" in run) return run;
  return parsed(linter, run.stdout, (json) => {
    const first = Array.isArray(json) ? json[0] as { output?: unknown } | undefined : undefined;
    return { text: typeof first?.output === "string" ? first.output : text, problems: eslintProblems(json) };
  });
}

/**
 * Runs the linter with `args` and `input` on stdin. Exit status 0 or 1
 * (errors found) is an answer; anything else, or no output, is a failure
 * with its first line of error output.
 */
function runLinter(linter: Linter, args: string[], input: string): { stdout: string } | { failed: string } {
  const result = spawnSync(linter.command, args, {
    cwd: linter.cwd,
    input,
    encoding: "utf8",
    env: process.env,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error !== undefined) return { failed: `${linter.name} could not be run: ${result.error.message}` };
  if (result.status === 0 || result.status === 1) return { stdout: result.stdout };
  return { failed: childFailure(linter.name, result) };
}

/** `read` applied to the JSON the linter printed; a failure when it printed something else. */
function parsed(
  linter: Linter,
  stdout: string,
  read: (json: unknown) => LintOutcome,
): LintOutcome | { failed: string } {
  try {
    return read(JSON.parse(stdout));
  } catch {
    const first = stdout.split("\n").map((line) => line.trim()).find((line) => line !== "");
    return { failed: `${linter.name} did not print its JSON report${first === undefined ? "" : `: ${first}`}` };
  }
}

/**
 * The errors of ESLint's JSON formatter output (one result per file):
 * severity 2 messages with a rule, and fatal ones (a parse error). A
 * warning, and the note on a path the config ignores (no rule, not fatal),
 * are not errors.
 */
function eslintProblems(json: unknown): LintProblem[] {
  if (!Array.isArray(json)) throw new TypeError("not an ESLint report");
  const problems: LintProblem[] = [];
  for (const result of json as { messages?: unknown }[]) {
    for (const message of (result.messages ?? []) as Record<string, unknown>[]) {
      const fatal = message["fatal"] === true;
      if (message["severity"] !== 2 && !fatal) continue;
      if (typeof message["ruleId"] !== "string" && !fatal) continue;
      problems.push({
        rule: typeof message["ruleId"] === "string" ? message["ruleId"] : "parse error",
        line: Number(message["line"] ?? 0),
        column: Number(message["column"] ?? 0),
        message: String(message["message"] ?? ""),
      });
    }
  }
  return problems;
}

/**
 * The errors of Biome's JSON reporter: diagnostics of severity `error` or
 * `fatal`, each under its category (`lint/style/useBlockStatements`,
 * `assist/source/organizeImports`, `parse`).
 */
function biomeProblems(json: unknown): LintProblem[] {
  const report = json as { diagnostics?: unknown };
  if (!Array.isArray(report.diagnostics)) throw new TypeError("not a Biome report");
  return (report.diagnostics as Record<string, unknown>[])
    .filter((diagnostic) => diagnostic["severity"] === "error" || diagnostic["severity"] === "fatal")
    .map((diagnostic) => {
      const start = (diagnostic["location"] as { start?: { line?: number; column?: number } } | undefined)?.start;
      return {
        rule: String(diagnostic["category"] ?? "parse error"),
        line: start?.line ?? 0,
        column: start?.column ?? 0,
        message: String(diagnostic["message"] ?? ""),
      };
    });
}

/** The diagnostics of `deno lint --json` (every one is an error) and its parse errors. */
function denoProblems(json: unknown): LintProblem[] {
  const report = json as { diagnostics?: unknown; errors?: unknown };
  if (!Array.isArray(report.diagnostics)) throw new TypeError("not a deno lint report");
  const diagnostics = (report.diagnostics as Record<string, unknown>[]).map((diagnostic) => {
    const start = (diagnostic["range"] as { start?: { line?: number; col?: number } } | undefined)?.start;
    return {
      rule: String(diagnostic["code"]),
      line: start?.line ?? 0,
      column: (start?.col ?? 0) + 1,
      message: String(diagnostic["message"] ?? ""),
    };
  });
  const errors = (Array.isArray(report.errors) ? report.errors as Record<string, unknown>[] : []).map((error) => ({
    rule: "parse error",
    line: 0,
    column: 0,
    message: String(error["message"] ?? ""),
  }));
  return [...diagnostics, ...errors];
}

/**
 * The problems of `after` that `before` did not have: per rule, those
 * beyond the number of times `before` broke it (a rule the original file
 * already broke as often is not fix's doing).
 *
 * @param after the problems of the new text.
 * @param before the problems of the original text.
 */
export function newProblems(after: readonly LintProblem[], before: readonly LintProblem[]): LintProblem[] {
  const allowance = new Map<string, number>();
  for (const { rule } of before) allowance.set(rule, (allowance.get(rule) ?? 0) + 1);
  return after.filter(({ rule }) => {
    const left = allowance.get(rule) ?? 0;
    allowance.set(rule, left - 1);
    return left <= 0;
  });
}
