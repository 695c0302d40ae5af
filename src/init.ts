/**
 * `spawn-audit init [dir]`: writes a starting `spawn-audit.json` with
 * `$schema`, patterns for the test files found in the project that the
 * default test patterns miss (a file that imports a test framework in a
 * folder named otherwise), and the project's own supervisor helpers
 * (functions that run a function they are given and catch its failure,
 * see `config/supervisor-helpers.ts`), so their sites are grouped and
 * counted right from the first scan and the lists are there to edit.
 * `spawn-audit init --shim [dir]` writes the project's supervision module
 * instead (see {@link initShim}).
 *
 * @module
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { applyEdits as applyJsonEdits, modify } from "jsonc-parser";
import picomatch from "picomatch";
import { writeAtomically } from "./atomic-write.ts";
import { configsIn } from "./config/discover.ts";
import { CONFIG_SCHEMA_FILE } from "./config/validate.ts";
import { fileSystemReason, UsageError } from "./errors.ts";
import { discoverFiles, isSourceFile } from "./files/discover.ts";
import { nearestPackage } from "./fix/manifest.ts";
import { displayPath } from "./files/paths.ts";
import { DEFAULT_MAX_FILE_BYTES } from "./project.ts";
import { findSupervisorHelpers } from "./config/supervisor-helpers.ts";
import { SHIM_SUPERVISORS } from "./classify/status.ts";
import { DEFAULT_TEST_PATTERNS } from "./scan.ts";
import { type ModuleFlavour, SHIM_LOGGERS, type ShimLogger, shimModuleText } from "./shim-module.ts";

/** The file `init` writes. */
const INIT_FILE_NAME = "spawn-audit.json";

/** The schema's published address (its `$id`), used when the package is not installed in the project. */
const SCHEMA_URL = "https://spawn-audit.dev/schema/config.v1.json";

/**
 * A module that imports a test framework or runner (node:test, Deno's and
 * the std library's, Jest, Vitest, Mocha, AVA, tap, uvu, Playwright) or
 * registers a Deno test: its sites are test sites wherever the file is.
 */
const TEST_FRAMEWORK =
  /\bfrom\s+["'](?:node:test|vitest|@jest\/globals|mocha|ava|tap|uvu|@playwright\/test|(?:jsr:)?@std\/(?:testing|assert)\b[^"']*)["']|\brequire\(\s*["'](?:node:test|mocha|ava|tap|uvu)["']\s*\)|\bDeno\.test\s*\(/;

/** How much of each file is read to find a test framework import: imports come first. */
const HEAD_BYTES = 8192;

/** Directories never searched for tests. */
const SKIPPED_FOLDERS = new Set(["node_modules", "dist", "build", "coverage"]);

/** How deep under the project directory test files are looked for. */
const MAX_DEPTH = 5;

/** What `init` wrote: the file's absolute path, the test patterns and the supervisor helpers found. */
export interface InitResult {
  path: string;
  testPatterns: string[];
  supervisors: string[];
}

/**
 * Writes `spawn-audit.json` in `dir`.
 *
 * @param dir the project directory (absolute).
 * @param force overwrite an existing `spawn-audit.json`.
 * @throws {UsageError} when `dir` is not a directory, `spawn-audit.json` exists
 *   and `force` is false, another spawn-audit configuration is in `dir`
 *   (two would make discovery ambiguous), or the file cannot be written.
 */
export function initConfig(dir: string, force: boolean): InitResult {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const path = join(dir, INIT_FILE_NAME);
  const other = configsIn(dir).find((document) => document.path !== path);
  if (other !== undefined) throw new UsageError(`${dir} already has a spawn-audit configuration: ${other.path}`);
  if (existsSync(path) && !force) throw new UsageError(`${path} already exists; pass --force to overwrite it`);
  const testPatterns = findTestPatterns(dir);
  const supervisors = findSupervisorHelpers(projectSources(dir, testPatterns), new Set(SHIM_SUPERVISORS));
  const installed = join(dir, "node_modules", "spawn-audit", ...CONFIG_SCHEMA_FILE.split("/"));
  const config = {
    $schema: existsSync(installed) ? `./node_modules/spawn-audit/${CONFIG_SCHEMA_FILE}` : SCHEMA_URL,
    testPatterns,
    supervisors,
    ignore: [],
    overrides: [],
  };
  writeNew(path, `${JSON.stringify(config, null, 2)}\n`, force);
  return { path, testPatterns, supervisors };
}

/**
 * The project's source files that are not tests: what discovery finds under
 * `dir` (`.gitignore` applied, `node_modules` and declaration files left
 * out), less the files the default test patterns and `testPatterns` match.
 */
function projectSources(dir: string, testPatterns: readonly string[]): string[] {
  const isTest = picomatch([...DEFAULT_TEST_PATTERNS, ...testPatterns], { dot: true });
  const { files } = discoverFiles({
    paths: [dir],
    root: dir,
    ignoreGlobs: [],
    gitignore: true,
    maxFileBytes: DEFAULT_MAX_FILE_BYTES,
  });
  return files.filter((file) => !isTest(displayPath(file, dir)));
}

/**
 * Writes a new file, or over an existing one when `force` (not a read-only
 * or hard-linked one), all or nothing; a failure is a {@link UsageError}.
 */
function writeNew(path: string, text: string, force: boolean): void {
  try {
    writeAtomically(path, text, { exclusive: !force });
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${fileSystemReason(error)}`);
  }
}

/**
 * What to write for `init --shim`: `logger` (absent: detected from
 * package.json), `out` (the module's path relative to the directory;
 * absent: `src/supervision.ts`, `.js` without a tsconfig.json, at the top
 * when there is no `src/`), and `force` to overwrite it.
 */
export interface InitShimOptions {
  logger?: ShimLogger;
  out?: string;
  force: boolean;
}

/**
 * What `init --shim` wrote: the module's absolute path, its logger and why
 * that one (`option`, `package.json` dependency, or the `default`), the
 * `--shim-import` value that points at it (relative to the directory), and
 * the config file it was recorded in as `shimImport` (null when the
 * directory has no spawn-audit configuration).
 */
export interface InitShimResult {
  path: string;
  logger: ShimLogger;
  loggerFrom: "option" | "package.json" | "default";
  shimImport: string;
  config: string | null;
}

/**
 * Writes the project's supervision module (see {@link shimModuleText}):
 * TypeScript when the output ends in `.ts`/`.mts`/`.cts` or, without
 * `--out`, when `dir` has a tsconfig.json; otherwise JavaScript, an ES
 * module for `.mjs` or a `.js` under `"type": "module"`, else CommonJS.
 * When `dir` has a spawn-audit configuration, its `shimImport` is set to
 * the module (comments and layout kept).
 *
 * @param dir the project directory (absolute).
 * @param options logger, output path, force.
 * @throws {UsageError} when `dir` is not a directory, the output has no
 *   JavaScript or TypeScript extension or exists (without `force`), or a
 *   file cannot be written.
 */
export function initShim(dir: string, options: InitShimOptions): InitShimResult {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const typescript = existsSync(join(dir, "tsconfig.json"));
  const out = resolve(
    dir,
    options.out ?? `${existsSync(join(dir, "src")) ? "src/" : ""}supervision.${typescript ? "ts" : "js"}`,
  );
  const extension = extname(out);
  const nearest = nearestPackage(dir);
  const manifest = nearest?.dir === dir ? nearest : undefined; // dir's own package.json, not a parent's
  const flavour: ModuleFlavour | undefined = /^\.[cm]?ts$/.test(extension)
    ? "ts"
    : extension === ".mjs" || (extension === ".js" && manifest?.type === "module")
    ? "esm"
    : extension === ".cjs" || extension === ".js"
    ? "cjs"
    : undefined;
  if (flavour === undefined) {
    throw new UsageError(`--out ${options.out}: the module must end in .ts, .mts, .cts, .js, .mjs or .cjs`);
  }
  if (existsSync(out) && !options.force) throw new UsageError(`${out} already exists; pass --force to overwrite it`);
  const detected = options.logger === undefined ? dependencyLogger(manifest?.dependencies ?? new Set()) : undefined;
  const logger = options.logger ?? detected ?? "console";
  // TypeScript imports its .ts modules by their .js names; Deno by their own.
  const runtimeName = existsSync(join(dir, "deno.json")) || existsSync(join(dir, "deno.jsonc"))
    ? out
    : out.replace(/\.([cm]?)ts$/, ".$1js");
  const relativeName = displayPath(runtimeName, dir);
  const shimImport = relativeName.startsWith("../") ? relativeName : `./${relativeName}`;
  mkdirSync(dirname(out), { recursive: true });
  writeNew(out, shimModuleText(logger, flavour, shimImport), options.force);
  const config = configsIn(dir)[0];
  if (config !== undefined) {
    const text = readFileSync(config.path, "utf8");
    const edits = modify(text, config.key === undefined ? ["shimImport"] : [config.key, "shimImport"], shimImport, {
      formattingOptions: { insertSpaces: true, tabSize: 2 },
    });
    writeNew(config.path, applyJsonEdits(text, edits), true);
  }
  return {
    path: out,
    logger,
    loggerFrom: options.logger !== undefined ? "option" : detected !== undefined ? "package.json" : "default",
    shimImport,
    config: config?.path ?? null,
  };
}

/** The first of pino and winston among a package.json's dependency names (any kind), if any. */
function dependencyLogger(dependencies: ReadonlySet<string>): ShimLogger | undefined {
  return SHIM_LOGGERS.find((logger) => logger !== "console" && dependencies.has(logger));
}

/**
 * Globs for the test files under `dir` ({@link MAX_DEPTH} levels, hidden
 * and build folders skipped) that {@link DEFAULT_TEST_PATTERNS} miss: a
 * source file that imports a test framework ({@link TEST_FRAMEWORK}). A
 * folder whose every source file is such a file gives `folder/**` (the
 * highest one); any other gives its own path.
 */
function findTestPatterns(dir: string): string[] {
  const isDefaultTest = picomatch([...DEFAULT_TEST_PATTERNS], { dot: true });
  const patterns: string[] = [];
  /**
   * Walks `at`: `tests` when it holds uncovered test files and no other
   * source file (its patterns are left to the caller), `mixed` when it holds
   * other source files (the patterns of its test files and test folders are
   * recorded), `none` when it holds neither.
   */
  const walk = (at: string, depth: number): "tests" | "mixed" | "none" => {
    const found: string[] = [];
    let mixed = false;
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return "none";
    }
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name.startsWith(".") || SKIPPED_FOLDERS.has(entry.name) || depth >= MAX_DEPTH) continue;
        const inside = walk(path, depth + 1);
        if (inside === "tests") found.push(`${displayPath(path, dir)}/**`);
        mixed ||= inside === "mixed";
      } else if (entry.isFile() && isSourceFile(path) && !isDefaultTest(displayPath(path, dir))) {
        if (importsTestFramework(path)) found.push(displayPath(path, dir));
        else mixed = true;
      }
    }
    if (!mixed && at !== dir) return found.length > 0 ? "tests" : "none";
    patterns.push(...found);
    return "mixed";
  };
  walk(dir, 1);
  return patterns.sort();
}

/** Whether the head of a file ({@link HEAD_BYTES}) imports a test framework; an unreadable file does not. */
function importsTestFramework(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const head = new Uint8Array(HEAD_BYTES);
    const read = readSync(fd, head, 0, HEAD_BYTES, 0);
    return TEST_FRAMEWORK.test(new TextDecoder().decode(head.subarray(0, read)));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
