/**
 * Project loading: from the paths a user gives to the TypeScript programs
 * that analyse them and the files to scan. Files are discovered under the
 * paths (gitignore and ignore globs applied, see src/files/discover.ts);
 * each is analysed with the nearest tsconfig.json or jsconfig.json that
 * includes it (see src/files/tsconfig.ts), or `--tsconfig` for all; files
 * no config includes share one program with the default options.
 *
 * @module
 */
import { existsSync, type Stats, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { getLibFiles, libFolderInMemoryPath } from "@ts-morph/common";
import { ts } from "ts-morph";
import { rememberProgram } from "./analysis/declarations.ts";
import { type Config, loadConfig } from "./config.ts";
import { UsageError } from "./errors.ts";
import { isStackExhausted, largerStackCommand } from "./fatal.ts";
import { discoverFiles, isDeclarationFile, isSourceFile, SOURCE_EXTENSIONS } from "./files/discover.ts";
import { displayPath, findTsconfig, packageRoot } from "./files/paths.ts";
import { skippedCounts } from "./files/skipped.ts";
import { ConfigFinder, type ParsedConfig } from "./files/tsconfig.ts";
import { type DenoConfig, DenoConfigs } from "./files/deno.ts";
import type { ScanProblem, ScanWarning, SkippedFile } from "./site.ts";

/** Files larger than this are skipped with a problem (generated bundles, data): 2 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * Options for {@link loadProject}. Paths are resolved against `cwd`.
 *
 * - `tsconfig`: one config for every file (`--tsconfig`); by default each
 *   file gets the nearest config that includes it.
 * - `maxFileBytes`: larger files are skipped (default {@link DEFAULT_MAX_FILE_BYTES}).
 * - `config`: the spawn-audit config file (`--config`), or the
 *   configuration itself; by default the one `loadConfig` discovers from
 *   the first path. Its `ignore` globs exclude files.
 * - `ignorePatterns`: more ignore globs (`--ignore-pattern`), relative to
 *   the project root like the config's.
 * - `ignore`: false to apply no ignore rule (`--no-ignore`, as ESLint's):
 *   neither `.gitignore` files, the config's `ignore` nor `ignorePatterns`;
 *   default true.
 * - `sources`: texts that stand in for named files (absolute path → text),
 *   as an editor's unsaved buffer (`--stdin-filepath`): the file is
 *   analysed with this text and need not exist on disk, but its folder
 *   must. One that does not exist is always scanned (no ignore glob
 *   applies) with the options of the nearest tsconfig.json above it; one
 *   that an ignore rule leaves out gives an empty scan, not an error.
 */
export interface LoadOptions {
  paths: readonly string[];
  cwd: string;
  tsconfig?: string;
  maxFileBytes?: number;
  config?: string | Config;
  ignorePatterns?: readonly string[];
  ignore?: boolean;
  sources?: ReadonlyMap<string, string>;
}

/**
 * One program to build: the config whose options it uses (`tsconfig`,
 * absolute: a tsconfig.json, jsconfig.json or Deno config; or null for the
 * defaults), its compiler options, the files it scans (`files`, absolute),
 * its root names (the files plus the config's declaration files, which
 * may declare globals) and `inMemory`, root files that are not on disk
 * (Deno's global types), by absolute path. `checksDeclarations`: whether
 * the project's own type-check reads declaration files (its tsconfig leaves
 * `skipLibCheck` off), which the scan's programs never do; fix's safety
 * check then type-checks the declaration files an edit brings in.
 */
export interface ProgramPlan {
  tsconfig: string | null;
  compilerOptions: ts.CompilerOptions;
  files: string[];
  rootNames: string[];
  inMemory: ReadonlyMap<string, string>;
  checksDeclarations: boolean;
}

/**
 * The files a scan covers and how to compile them, before any parsing.
 *
 * - `root`: the project root (directory of the tsconfig above the first
 *   path, else of the nearest `package.json`, else the first path); test
 *   path patterns and config globs match paths relative to it.
 * - `files`: absolute paths of every file to scan, in discovery order.
 * - `programs`: the files grouped by the config that analyses them.
 * - `compilerOptions`: the root tsconfig's options (JavaScript allowed, no
 *   emit) or the defaults (with the type roots of the files no config
 *   includes, when there are such files); the options of the program for `root`.
 * - `problems`: files that could not be analysed (too large, binary).
 * - `skipped`: every file or directory under the paths left out, with why.
 * - `warnings`: defects of the configs used (the scan went on).
 * - `tsconfig`: absolute path of the root tsconfig, or null.
 * - `config`: the spawn-audit configuration.
 */
export interface ScanPlan {
  root: string;
  files: string[];
  programs: ProgramPlan[];
  compilerOptions: ts.CompilerOptions;
  problems: ScanProblem[];
  skipped: SkippedFile[];
  warnings: ScanWarning[];
  tsconfig: string | null;
  config: Config;
}

/** A program built from a {@link ProgramPlan}: its checker and the parsed files it scans. */
export interface LoadedProgram {
  tsconfig: string | null;
  program: ts.Program;
  checker: ts.TypeChecker;
  targets: ts.SourceFile[];
}

/**
 * A plan with its programs built. `checkerOf` gives the checker of the
 * program a target file belongs to.
 */
export interface LoadedProject extends Omit<ScanPlan, "files" | "programs"> {
  programs: LoadedProgram[];
  checkerOf: (sourceFile: ts.SourceFile) => ts.TypeChecker;
}

/**
 * Compiler options used when no tsconfig applies: JavaScript allowed, modern
 * targets, bundler resolution, and every `@types` package of the type roots
 * (`types: ["*"]`: TypeScript 6 loads none by default, and without
 * `@types/node` Node's timers, workers and emitters have no types). A
 * program of these options is given the type roots of its own files (see
 * {@link typeRootsOf}); a tsconfig that does not set `types` gets `["*"]`
 * too, from the roots above its folder, as TypeScript resolves them.
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
 * Decides what a scan covers: resolves the paths, loads the spawn-audit
 * config, discovers the files, and assigns each to the config that
 * analyses it. Reads directories, configs and file heads only; parses no
 * source file. A broken tsconfig is a warning, not an error.
 *
 * @param options see {@link LoadOptions}.
 * @throws {UsageError} when a path or the `--tsconfig` file does not exist,
 *   a tsconfig cannot be read, the spawn-audit config is invalid, or no
 *   source file is found under the paths.
 */
export function planScan(options: LoadOptions): ScanPlan {
  const paths = (options.paths.length === 0 ? ["."] : options.paths).map((path) => resolve(options.cwd, path));
  const sources = options.sources ?? new Map<string, string>();
  // A file whose text stands in for one not on disk yet is taken as named, in its folder's project.
  const unsaved = new Set(paths.filter((path) => sources.has(path) && !existsSync(path)));
  for (const [index, path] of paths.entries()) {
    const at = unsaved.has(path) ? dirname(path) : path;
    if (!existsSync(at)) {
      throw new UsageError(
        `path not found: ${at === path ? options.paths[index] ?? path : displayPath(at, options.cwd)}`,
      );
    }
  }
  const anchor = unsaved.has(paths[0]!) ? dirname(paths[0]!) : paths[0]!;
  const explicit = options.tsconfig === undefined ? undefined : resolve(options.cwd, options.tsconfig);
  if (explicit !== undefined && !existsSync(explicit)) throw new UsageError(`tsconfig not found: ${options.tsconfig}`);
  const rootTsconfig = explicit ?? findTsconfig(anchor);
  const root = rootTsconfig !== undefined ? dirname(rootTsconfig) : packageRoot(anchor);
  const config = typeof options.config === "object"
    ? options.config
    : loadConfig(options.config === undefined ? undefined : resolve(options.cwd, options.config), anchor);

  const discovered = discoverFiles({
    paths: paths.filter((path) => !unsaved.has(path)),
    root,
    ignoreGlobs: options.ignore === false ? [] : [
      ...config.ignore.map((glob) => ({ glob, origin: "config ignore" })),
      ...(options.ignorePatterns ?? []).map((glob) => ({ glob, origin: "--ignore-pattern" })),
    ],
    gitignore: options.ignore ?? true,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  });
  for (const path of unsaved) {
    if (!isSourceFile(path)) {
      throw new UsageError(`not a source file (${SOURCE_EXTENSIONS.join(" ")}): ${displayPath(path, options.cwd)}`);
    }
    discovered.files.push(path);
  }
  // An editor's buffer in an ignored file is a clean run that lists the file as skipped, not an error.
  if (discovered.files.length === 0 && discovered.problems.length === 0 && sources.size === 0) {
    const skipped = discovered.skipped.length === 0 ? "" : ` (not scanned: ${skippedCounts(discovered.skipped)})`;
    throw new UsageError(
      `no source files (${SOURCE_EXTENSIONS.join(" ")}) to scan under ${options.paths.join(", ") || "."}${skipped}`,
    );
  }

  const finder = new ConfigFinder();
  const denoConfigs = new DenoConfigs(DEFAULT_COMPILER_OPTIONS);
  const programs = new Map<string | null, ProgramPlan>();
  const deno = new Map<ProgramPlan, DenoConfig>();
  const forced = explicit === undefined ? undefined : finder.parse(explicit);
  const rootConfig = rootTsconfig === undefined ? undefined : finder.parse(rootTsconfig);
  for (const file of discovered.files) {
    // No config lists a file that is not on disk: it takes the options of the nearest one.
    const owner = explicit === undefined
      ? finder.ownerOf(file) ?? (unsaved.has(file) ? rootConfig : undefined)
      : forced;
    // A file no tsconfig includes is a Deno file when a deno.json is above it.
    const denoConfig = owner === undefined && explicit === undefined ? denoConfigs.configOf(file) : undefined;
    const key = owner?.path ?? denoConfig?.path ?? null;
    let plan = programs.get(key);
    if (plan === undefined) {
      plan = denoConfig === undefined
        ? {
          tsconfig: key,
          compilerOptions: scanOptions(owner),
          files: [],
          rootNames: [...(owner?.declarations ?? [])],
          inMemory: new Map(),
          checksDeclarations: owner !== undefined && owner.options.skipLibCheck !== true,
        }
        : {
          tsconfig: key,
          compilerOptions: denoConfig.options,
          files: [],
          rootNames: [...denoConfig.inMemory.keys()],
          inMemory: denoConfig.inMemory,
          // `deno check` reports no error in an npm package's declarations, where the shim comes from.
          checksDeclarations: false,
        };
      programs.set(key, plan);
      if (denoConfig !== undefined) deno.set(plan, denoConfig);
    }
    plan.files.push(file);
    plan.rootNames.push(file);
    const standIn = sources.get(file);
    if (standIn !== undefined) plan.inMemory = new Map([...plan.inMemory, [file.split(sep).join("/"), standIn]]);
  }
  for (const [plan, config] of deno) {
    plan.compilerOptions = denoConfigs.programOptions(config, plan.files, plan.inMemory);
  }
  // Without a config, TypeScript would take the type roots above the process's working directory.
  const defaults = programs.get(null);
  if (defaults !== undefined) defaults.compilerOptions.typeRoots = typeRootsOf(defaults.files);
  return {
    root,
    files: discovered.files,
    programs: [...programs.values()],
    compilerOptions: rootConfig === undefined && defaults !== undefined
      ? { ...defaults.compilerOptions }
      : scanOptions(rootConfig),
    problems: discovered.problems,
    skipped: discovered.skipped,
    warnings: [...finder.warnings, ...denoConfigs.warnings],
    tsconfig: rootTsconfig ?? null,
    config,
  };
}

/**
 * The options a program is built with: the config's, with JavaScript
 * allowed, no emit, library checks skipped and `types: ["*"]` unless the
 * config sets `types`; {@link DEFAULT_COMPILER_OPTIONS} without a config.
 */
function scanOptions(config: ParsedConfig | undefined): ts.CompilerOptions {
  return config === undefined
    ? { ...DEFAULT_COMPILER_OPTIONS }
    : { types: ["*"], ...config.options, allowJs: true, noEmit: true, skipLibCheck: true };
}

/**
 * The type roots of a program no config applies to: the `node_modules/@types`
 * folders that exist in the folders its files sit in and in every folder
 * above them (as TypeScript finds them above a tsconfig's folder), deepest
 * first, then by path. TypeScript's own default for such a program is the
 * folders above the process's working directory, which would make a scan's
 * types, and so its results, depend on where it was started.
 *
 * @param files the program's files (absolute).
 * @returns absolute paths.
 */
function typeRootsOf(files: readonly string[]): string[] {
  const visited = new Set<string>();
  const roots: string[] = [];
  for (const file of files) {
    // A folder visited before had every folder above it visited too.
    for (let dir = dirname(file); !visited.has(dir); dir = dirname(dir)) {
      visited.add(dir);
      const candidate = join(dir, "node_modules", "@types");
      if (existsSync(candidate)) roots.push(candidate);
    }
  }
  const depth = (path: string): number => path.split(sep).length;
  return roots.sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Builds the programs of a scan plan, one per config (imports resolved as
 * its compiler options say), each with its checker; parsed lib files and
 * dependency declaration files are shared between them, and with the next
 * plan built in this process (see {@link DependencyDeclarations}).
 *
 * @param plan the output of {@link planScan}.
 * @param only when given, the files to scan (absolute): the other files of
 *   the plan are still in their programs, for types, but not targets, and a
 *   program with none of these files is not built.
 * @param rootsOf when given, the root names of each program built (which
 *   must include its files in `only`), instead of all of its files: a
 *   program of part of the plan (see src/cache/scan.ts).
 */
export function buildProgram(
  plan: ScanPlan,
  only?: ReadonlySet<string>,
  rootsOf?: (program: ProgramPlan) => readonly string[],
): LoadedProject {
  const checkers = new Map<ts.SourceFile, ts.TypeChecker>();
  const shared = dependencyDeclarations.next();
  // Files the parser could not take (nested too deep for the stack): each a problem of its own, not the run's end.
  const tooDeep = new Set<string>();
  const problems = [...plan.problems];
  const skipped = [...plan.skipped];
  const wanted = only === undefined
    ? plan.programs
    : plan.programs.filter((each) => each.files.some((file) => only.has(file)));
  const programs = wanted.map((each): LoadedProgram => {
    const program = ts.createProgram({
      rootNames: rootsOf?.(each) ?? each.rootNames,
      options: each.compilerOptions,
      host: compilerHost(each.compilerOptions, shared, each.inMemory, tooDeep),
    });
    // Creating the checker binds every file, which also sets the parent pointers the rules walk.
    const checker = program.getTypeChecker();
    rememberProgram(program);
    const targets: ts.SourceFile[] = [];
    for (const file of each.files.filter((file) => only?.has(file) ?? true)) {
      const sourceFile = program.getSourceFile(file);
      // A file deleted or moved since discovery, or one the parser ran out of stack on, is listed, never dropped silently.
      const detail = sourceFile === undefined
        ? "deleted or moved during the scan"
        : tooDeep.has(file)
        ? `ran out of stack parsing it (code nested thousands deep; a larger stack: ${largerStackCommand()})`
        : undefined;
      if (detail === undefined) targets.push(sourceFile!);
      else {
        problems.push({ file, line: null, column: null, message: `not analysed: ${detail}` });
        skipped.push({ file, reason: sourceFile === undefined ? "unreadable" : "unparsable", detail });
      }
    }
    for (const target of targets) checkers.set(target, checker);
    return { tsconfig: each.tsconfig, program, checker, targets };
  });
  const { files: _files, programs: _programs, ...rest } = plan;
  return {
    ...rest,
    problems,
    skipped,
    programs,
    checkerOf: (sourceFile) => {
      const checker = checkers.get(sourceFile);
      if (checker === undefined) throw new Error(`${sourceFile.fileName} is not a target of this project`);
      return checker;
    },
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
 * A program of `plan` in which `texts` (absolute path → text) stand in for
 * the files on disk at those paths, or add files that are not there (as
 * roots); fix's safety check compares the errors of edited files in it with
 * those of the files as they were. Lib and dependency declaration files come
 * from the caches {@link buildProgram} uses, and the files of `previous` that
 * `texts` does not replace are taken from it as they are, so only what
 * changed is parsed again.
 *
 * @param plan compiler options, root files (absolute paths) and the root
 *   files that are not on disk, with their texts.
 * @param texts the texts that replace or add files.
 * @param previous a program of the same plan to reuse files and structure from.
 */
export function programWithTexts(
  plan: Pick<ProgramPlan, "compilerOptions" | "rootNames" | "inMemory">,
  texts: ReadonlyMap<string, string>,
  previous?: ts.Program,
): ts.Program {
  // TypeScript asks for files by `/`-separated paths.
  const replaced = new Map([...texts].map(([file, text]) => [file.split(sep).join("/"), text]));
  const host = compilerHost(
    plan.compilerOptions,
    dependencyDeclarations,
    new Map([...plan.inMemory, ...replaced]),
    new Set(),
  );
  if (previous !== undefined) {
    const load = host.getSourceFile;
    host.getSourceFile = (file, language, onError, shouldCreate) =>
      (replaced.has(file) ? undefined : reusable(previous.getSourceFile(file))) ??
        load(file, language, onError, shouldCreate);
  }
  return ts.createProgram({
    rootNames: [...new Set([...plan.rootNames, ...replaced.keys()])],
    options: plan.compilerOptions,
    host,
    ...(previous === undefined ? {} : { oldProgram: previous }),
  });
}

/**
 * A file of an earlier program that a host may hand to the next one: not a
 * redirect (the stand-in TypeScript makes for a second copy of a package
 * at the same version, which a host must not return).
 */
function reusable(sourceFile: ts.SourceFile | undefined): ts.SourceFile | undefined {
  return sourceFile === undefined || (sourceFile as { redirectInfo?: unknown }).redirectInfo !== undefined
    ? undefined
    : sourceFile;
}

/**
 * TypeScript's lib files as ts-morph bundles them (the TypeScript inside
 * ts-morph has no lib folder on disk), by path under the folder ts-morph
 * uses for them. Parsed lib files are shared between programs, and across
 * scans: binding a declaration file does not depend on the program it is in.
 */
const LIB_TEXTS = new Map(getLibFiles().map((file) => [`${libFolderInMemoryPath}/${file.fileName}`, file.text]));
const libSourceFiles = new Map<string, ts.SourceFile>();

/**
 * Declaration files of dependencies (under `node_modules`), parsed once and
 * shared by the programs of one plan (keyed like the language service's
 * document registry: path, language version and module format). Those of
 * the last plan built are reused by the next while the file's size and
 * modification time are the same, so a process that scans again (tests,
 * editors, library callers) does not parse `@types/node` each time; a file
 * changed on disk is parsed again. Only one plan's files are kept.
 */
class DependencyDeclarations {
  #previous = new Map<string, { parsed: ts.SourceFile; stats: Stats }>();
  #current = new Map<string, { parsed: ts.SourceFile; stats: Stats }>();

  /** Starts the cache of a new plan: the files of the plan before it stay reusable until this one asks for them. */
  next(): this {
    if (this.#current.size > 0) this.#previous = this.#current;
    this.#current = new Map();
    return this;
  }

  /**
   * The parsed file under `key` (see {@link compilerHost}), from this plan,
   * else from the last one if `file` is unchanged on disk, else `parse()`'s.
   */
  get(key: string, file: string, parse: () => ts.SourceFile | undefined): ts.SourceFile | undefined {
    const known = this.#current.get(key);
    if (known !== undefined) return known.parsed;
    const stats = statSync(file, { throwIfNoEntry: false });
    const earlier = this.#previous.get(key);
    const reused = stats !== undefined && earlier !== undefined && earlier.stats.size === stats.size &&
        earlier.stats.mtimeMs === stats.mtimeMs
      ? earlier.parsed
      : parse();
    if (reused !== undefined && stats !== undefined) this.#current.set(key, { parsed: reused, stats });
    return reused;
  }
}

const dependencyDeclarations = new DependencyDeclarations();

/**
 * A compiler host reading sources from disk, lib files from ts-morph's
 * bundle and the plan's files that are not on disk (Deno's global types)
 * from `inMemory`. Lib files come from the process-wide cache; declaration
 * files of dependencies (under `node_modules`) from `dependencies`.
 * A file the parser runs out of stack on (code nested thousands deep) is
 * added to `tooDeep` and stands as an empty module, so one such file does
 * not stop the program.
 */
function compilerHost(
  options: ts.CompilerOptions,
  dependencies: DependencyDeclarations,
  inMemory: ReadonlyMap<string, string>,
  tooDeep: Set<string>,
): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  const textOf = (file: string): string | undefined => LIB_TEXTS.get(file) ?? inMemory.get(file);
  host.getDefaultLibLocation = () => libFolderInMemoryPath;
  host.getDefaultLibFileName = (libOptions) => `${libFolderInMemoryPath}/${ts.getDefaultLibFileName(libOptions)}`;
  host.fileExists = (file) => textOf(file) !== undefined || fileExists.call(host, file);
  host.readFile = (file) => textOf(file) ?? readFile.call(host, file);
  // The folders of files that are only in memory exist too, or imports of those files would not resolve.
  const memoryFolders = new Set([...inMemory.keys()].flatMap((file) => ancestors(file)));
  const { directoryExists } = host;
  host.directoryExists = (dir) =>
    memoryFolders.has(dir.replace(/\/+$/, "")) || (directoryExists?.call(host, dir) ?? true);
  const load: typeof host.getSourceFile = (file, language, onError, shouldCreate) => {
    const memoryText = inMemory.get(file);
    if (memoryText !== undefined) return ts.createSourceFile(file, memoryText, language);
    const libText = LIB_TEXTS.get(file);
    const dependency = libText === undefined && file.includes("/node_modules/") && isDeclarationFile(file);
    if (libText === undefined && !dependency) return getSourceFile.call(host, file, language, onError, shouldCreate);
    const key = typeof language === "object"
      ? `${file}\0${language.languageVersion}\0${language.impliedNodeFormat}`
      : `${file}\0${language}`;
    if (dependency) {
      return dependencies.get(key, file, () => getSourceFile.call(host, file, language, onError, shouldCreate));
    }
    let parsed = libSourceFiles.get(key);
    if (parsed === undefined) {
      parsed = ts.createSourceFile(file, libText!, language);
      libSourceFiles.set(key, parsed);
    }
    return parsed;
  };
  // A file the parser runs out of stack on is recorded and stands as an empty module, so the program is still built.
  host.getSourceFile = (file, language, onError, shouldCreate) => {
    try {
      return load(file, language, onError, shouldCreate);
    } catch (error) {
      if (!isStackExhausted(error)) throw error;
      tooDeep.add(file);
      return ts.createSourceFile(file, "", language);
    }
  };
  return host;
}

/** The folders above `file` (a `/`-separated absolute path), nearest first, up to the root. */
function ancestors(file: string): string[] {
  const folders: string[] = [];
  for (let at = file.slice(0, file.lastIndexOf("/")); at.length > 0; at = at.slice(0, at.lastIndexOf("/"))) {
    folders.push(at);
  }
  return folders;
}
