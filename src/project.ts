/**
 * Project loading: from the paths a user gives to a TypeScript program with
 * a checker and the list of files to scan. Uses the nearest `tsconfig.json`
 * (or `--tsconfig`) for compiler options and file list; without one, every
 * source file under the paths with JavaScript allowed.
 *
 * @module
 */
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { getLibFiles, libFolderInMemoryPath } from "@ts-morph/common";
import { ts } from "ts-morph";
import { rememberProgram } from "./analysis/declarations.ts";
import { UsageError } from "./errors.ts";
import type { ScanProblem } from "./site.ts";

/** File extensions scanned when no tsconfig lists the files. */
export const SOURCE_EXTENSIONS: readonly string[] = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx"];

/** Files larger than this are skipped with a problem (generated bundles, data): 2 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Options for {@link loadProject}. Paths are resolved against `cwd`. */
export interface LoadOptions {
  paths: readonly string[];
  cwd: string;
  tsconfig?: string;
  maxFileBytes?: number;
}

/**
 * The files a scan covers and how to compile them, before any parsing.
 *
 * - `root`: the project root (directory of the tsconfig used, else of the
 *   nearest `package.json`, else the first path); test-path patterns match
 *   paths relative to it.
 * - `files`: absolute paths of the source files to scan (declaration files,
 *   binary and oversized files excluded).
 * - `compilerOptions`: the tsconfig's options (JavaScript allowed, no emit)
 *   or the defaults.
 * - `problems`: files skipped (too large, binary).
 * - `tsconfig`: absolute path of the tsconfig used, or null.
 */
export interface ScanPlan {
  root: string;
  files: string[];
  compilerOptions: ts.CompilerOptions;
  problems: ScanProblem[];
  tsconfig: string | null;
}

/** A plan with its program built: the checker and the parsed target files. */
export interface LoadedProject extends Omit<ScanPlan, "files"> {
  program: ts.Program;
  checker: ts.TypeChecker;
  targets: ts.SourceFile[];
}

/**
 * Compiler options used when no tsconfig applies: JavaScript allowed, modern
 * targets, bundler resolution, and every `@types` package visible from the
 * working directory (`types: ["*"]`: TypeScript 6 loads none by default, and
 * without `@types/node` Node's timers, workers and emitters have no types).
 * A tsconfig that does not set `types` gets the same.
 */
export const DEFAULT_COMPILER_OPTIONS: Readonly<ts.CompilerOptions> = {
  allowJs: true,
  checkJs: false,
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.Preserve,
  resolveJsonModule: true,
  skipLibCheck: true,
  noEmit: true,
  types: ["*"],
};

/**
 * Decides what a scan covers: resolves the paths, finds and parses the
 * tsconfig, lists the source files and sets aside those that cannot be
 * scanned. Reads directories and file heads only; parses nothing.
 *
 * @param options paths to scan (files or directories), the working
 *   directory, an optional tsconfig path and a file-size limit in bytes.
 * @throws {UsageError} when a path does not exist, the tsconfig does not exist
 *   or does not parse, or no source file is found under the paths.
 */
export function planScan(options: LoadOptions): ScanPlan {
  const paths = (options.paths.length === 0 ? ["."] : options.paths).map((path) => resolve(options.cwd, path));
  for (const [index, path] of paths.entries()) {
    if (!existsSync(path)) throw new UsageError(`path not found: ${options.paths[index] ?? path}`);
  }
  const tsconfig = options.tsconfig !== undefined ? resolve(options.cwd, options.tsconfig) : findTsconfig(paths[0]!);
  if (options.tsconfig !== undefined && !existsSync(tsconfig!)) throw new UsageError(`tsconfig not found: ${options.tsconfig}`);
  const parsed = tsconfig === undefined ? undefined : parseTsconfig(tsconfig);

  const underPaths = (file: string): boolean => paths.some((path) => file === path || file.startsWith(path + sep));
  const listed = parsed?.fileNames.map((file) => resolve(file)).filter((file) => underPaths(file) && !isDeclaration(file)) ?? [];
  const candidates = listed.length > 0 ? listed : paths.flatMap((path) => enumerateSources(path));
  if (candidates.length === 0) {
    throw new UsageError(`no source files (${SOURCE_EXTENSIONS.join(" ")}) found under ${options.paths.join(", ") || "."}`);
  }
  const problems: ScanProblem[] = [];
  const files = candidates.filter((file) => {
    const reason = skipReason(file, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (reason !== undefined) problems.push({ file, line: null, column: null, message: reason });
    return reason === undefined;
  });
  return {
    root: tsconfig !== undefined ? dirname(tsconfig) : packageRoot(paths[0]!),
    files,
    compilerOptions: parsed === undefined
      ? { ...DEFAULT_COMPILER_OPTIONS }
      : { types: ["*"], ...parsed.options, allowJs: true, noEmit: true, skipLibCheck: true },
    problems,
    tsconfig: tsconfig ?? null,
  };
}

/**
 * Builds the program for a scan plan: one TypeScript program over the plan's
 * files (imports resolved as the compiler options say) and its checker.
 *
 * @param plan the output of {@link planScan}.
 */
export function buildProgram(plan: ScanPlan): LoadedProject {
  const program = ts.createProgram({ rootNames: plan.files, options: plan.compilerOptions, host: compilerHost(plan.compilerOptions) });
  // Creating the checker binds every file, which also sets the parent pointers the rules walk.
  const checker = program.getTypeChecker();
  rememberProgram(program);
  const { files, ...rest } = plan;
  return {
    ...rest,
    program,
    checker,
    targets: files.map((file) => program.getSourceFile(file)).filter((file): file is ts.SourceFile => file !== undefined),
  };
}

/**
 * Plans and builds in one step: {@link planScan} then {@link buildProgram}.
 *
 * @throws {UsageError} as {@link planScan}.
 */
export function loadProject(options: LoadOptions): LoadedProject {
  return buildProgram(planScan(options));
}

/**
 * TypeScript's lib files as ts-morph bundles them (the TypeScript inside
 * ts-morph has no lib folder on disk), by path under the folder ts-morph
 * uses for them. Parsed lib files are shared between programs: binding a
 * file does not depend on the program it is in.
 */
const LIB_TEXTS = new Map(getLibFiles().map((file) => [`${libFolderInMemoryPath}/${file.fileName}`, file.text]));
const libSourceFiles = new Map<string, ts.SourceFile>();

/** A compiler host reading sources from disk and lib files from ts-morph's bundle. */
function compilerHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getDefaultLibLocation = () => libFolderInMemoryPath;
  host.getDefaultLibFileName = (libOptions) => `${libFolderInMemoryPath}/${ts.getDefaultLibFileName(libOptions)}`;
  host.fileExists = (file) => LIB_TEXTS.has(file) || fileExists.call(host, file);
  host.readFile = (file) => LIB_TEXTS.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, shouldCreate) => {
    const libText = LIB_TEXTS.get(file);
    if (libText === undefined) return getSourceFile.call(host, file, language, onError, shouldCreate);
    const key = `${file}\0${typeof language === "object" ? language.languageVersion : language}`;
    let parsed = libSourceFiles.get(key);
    if (parsed === undefined) {
      parsed = ts.createSourceFile(file, libText, language);
      libSourceFiles.set(key, parsed);
    }
    return parsed;
  };
  return host;
}

function isDeclaration(file: string): boolean {
  return /\.d\.[cm]?ts$/.test(file) || /\.d\.[^.]+\.ts$/.test(file);
}

/** The nearest tsconfig.json at or above `start`, not crossing the enclosing package root or repository root. */
function findTsconfig(start: string): string | undefined {
  let dir = statSync(start).isDirectory() ? start : dirname(start);
  for (;;) {
    const candidate = join(dir, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, "package.json")) || existsSync(join(dir, ".git"))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function packageRoot(start: string): string {
  const first = statSync(start).isDirectory() ? start : dirname(start);
  for (let dir = first; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return first;
  }
}

function parseTsconfig(path: string): ts.ParsedCommandLine {
  const read = ts.readConfigFile(path, ts.sys.readFile);
  if (read.error !== undefined) throw new UsageError(`tsconfig ${path}: ${formatDiagnostic(read.error)}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(path), undefined, path);
  const NO_INPUTS = 18003;
  const errors = parsed.errors.filter((error) => error.code !== NO_INPUTS);
  if (errors.length > 0) throw new UsageError(`tsconfig ${path}: ${formatDiagnostic(errors[0]!)}`);
  return parsed;
}

function formatDiagnostic(diagnostic: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
  if (diagnostic.file === undefined || diagnostic.start === undefined) return text;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${text} (line ${line + 1}, column ${character + 1})`;
}

/** Every source file under `path`, skipping `node_modules` and `.git` unless `path` is itself inside `node_modules`. */
function enumerateSources(path: string): string[] {
  if (!statSync(path).isDirectory()) return isSource(path) ? [path] : [];
  const insideNodeModules = path.split(sep).includes("node_modules");
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === ".git" || (entry.name === "node_modules" && !insideNodeModules)) continue;
        walk(full);
      } else if (entry.isFile() && isSource(full)) {
        found.push(full);
      }
    }
  };
  walk(path);
  return found;
}

function isSource(file: string): boolean {
  return SOURCE_EXTENSIONS.some((extension) => file.endsWith(extension)) && !isDeclaration(file);
}

/** Why a file cannot be scanned (too large, binary), or undefined. */
function skipReason(file: string, maxBytes: number): string | undefined {
  const size = statSync(file).size;
  if (size > maxBytes) return `skipped: ${size} bytes is over the ${maxBytes}-byte limit (--max-file-size)`;
  const head = Buffer.alloc(Math.min(size, 8192));
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.includes(0) ? "skipped: binary file (contains NUL bytes)" : undefined;
}

/** `file` relative to `from`, with `/` separators (for reports). */
export function displayPath(file: string, from: string): string {
  const rel = relative(from, file);
  return (rel === "" ? "." : rel).split(sep).join("/");
}
