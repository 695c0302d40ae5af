/**
 * Deno projects: a file that no tsconfig.json includes but that lies below
 * a `deno.json` or `deno.jsonc` is analysed as Deno would type-check it —
 * with Deno's global types (the `Deno` namespace and the web APIs), which
 * the installed `deno` prints with `deno types`, the config's
 * `compilerOptions`, and its import map (`imports`, or the file `importMap`
 * names) turned into `paths`. `npm:` specifiers resolve to packages
 * installed in a local `node_modules`; what does not resolve locally
 * (`jsr:`, URLs, packages not installed) is one warning per config, not a
 * problem per import.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import picomatch from "picomatch";
import { ts } from "ts-morph";
import { parseJsonc } from "../config/read.ts";
import { fileSystemReason } from "../errors.ts";
import type { ScanWarning } from "../site.ts";
import { inNodeModules } from "./find-up.ts";
import { ImportResolver, type ImportSpecifiers, importSpecifiers } from "./imports.ts";

/** Deno's config file names, in the order Deno looks for them. */
const DENO_CONFIG_NAMES = ["deno.json", "deno.jsonc"] as const;

/** The name of the in-memory file that holds Deno's global types (recognised as platform declarations by src/analysis/platform.ts). */
const DENO_TYPES_NAME = "lib.deno.d.ts";

/** Specifiers Deno resolves itself (packages, registries, URLs): a failure to resolve one is reported once per config. */
const REMOTE = /^(npm|jsr|https?):/;

/**
 * A Deno config as a program uses it: its absolute `path`, the compiler
 * `options` it gives, `inMemory`, the files that are not on disk (Deno's
 * global types, when `deno` could be asked for them, filled in once a file
 * is typed by the config) by absolute path, and what its `exclude` leaves out.
 */
export interface DenoConfig {
  path: string;
  options: ts.CompilerOptions;
  inMemory: ReadonlyMap<string, string>;
  /** Whether the config's `exclude` (paths and globs relative to its folder) covers a path relative to that folder. */
  excludes: (path: string) => boolean;
}

/**
 * Finds the Deno config of files (each config parsed once), and collects
 * its defects as warnings: a config that does not parse, options
 * TypeScript does not know, no `deno` to ask for the global types (once
 * per scan), imports that do not resolve locally (see {@link DenoConfigs.programOptions}).
 */
export class DenoConfigs {
  /** Defects found so far. */
  readonly warnings: ScanWarning[] = [];
  private readonly nearest = new Map<string, DenoConfig | undefined>();
  private types: { text: string; version: string } | string | undefined;

  /**
   * @param base the options a Deno program starts from (JavaScript
   *   allowed, no emit), before Deno's defaults and the config's own.
   */
  constructor(private readonly base: ts.CompilerOptions) {}

  /**
   * The Deno config that applies to `file`: the nearest `deno.json` or
   * `deno.jsonc` at or above its directory, not above the git repository
   * root. Undefined when there is none.
   *
   * @param file an absolute path.
   */
  configOf(file: string): DenoConfig | undefined {
    const config = this.configAt(dirname(file));
    // A file the config's `exclude` leaves out is not Deno's to type-check.
    if (config === undefined || config.excludes(relative(dirname(config.path), file).split(sep).join("/"))) {
      return undefined;
    }
    // Deno's global types are asked for only once a file is typed by the config, not for every config found.
    const inMemory = config.inMemory as Map<string, string>;
    if (!this.typed.has(config)) {
      this.typed.add(config);
      const types = this.globalTypes(config.path);
      if (types !== undefined) {
        inMemory.set(join(dirname(config.path), `.deno-${types.version}`, DENO_TYPES_NAME), types.text);
      }
    }
    return config;
  }

  /** The configs whose `inMemory` holds Deno's global types already (or that asked and got none). */
  private readonly typed = new Set<DenoConfig>();

  /**
   * The nearest config at or above `dir`, not above the git repository
   * root; looked up, and parsed, once per folder (a scan asks for every
   * file, and most folders have none).
   */
  private configAt(dir: string): DenoConfig | undefined {
    const walked: string[] = [];
    let found: DenoConfig | undefined;
    for (let at = dir;; at = dirname(at)) {
      if (this.nearest.has(at)) {
        found = this.nearest.get(at);
        break;
      }
      walked.push(at);
      const name = DENO_CONFIG_NAMES.find((candidate) => existsSync(join(at, candidate)));
      if (name !== undefined) {
        found = this.parse(join(at, name));
        break;
      }
      if (existsSync(join(at, ".git")) || dirname(at) === at) break;
    }
    for (const at of walked) this.nearest.set(at, found);
    return found;
  }

  /**
   * The options of a Deno program whose files are `files`: `config`'s,
   * with `npm:` specifiers the files import directly mapped to installed
   * packages. Warns once, naming them, about the imports that Deno would
   * resolve but that do not resolve here (`npm:` packages not installed,
   * `jsr:` and URL specifiers, import map names that point to them): what
   * they export is untyped in the scan.
   *
   * @param config the program's config.
   * @param files absolute paths of the program's files.
   * @param inMemory texts that stand in for files on disk (`--stdin-filepath`), keyed by `/`-separated path.
   */
  programOptions(
    config: DenoConfig,
    files: readonly string[],
    inMemory: ReadonlyMap<string, string>,
  ): ts.CompilerOptions {
    const dir = dirname(config.path);
    const paths = { ...config.options.paths };
    const imported: Array<{ file: string; specifiers: ImportSpecifiers }> = [];
    for (const file of files) {
      try {
        imported.push({
          file,
          specifiers: importSpecifiers(inMemory.get(file.split(sep).join("/")) ?? readFileSync(file, "utf8")),
        });
      } catch {
        // An unreadable file is reported by discovery; it has no imports to check.
      }
    }
    for (const { specifiers } of imported) {
      for (const name of specifiers.modules) {
        const local = name.startsWith("npm:") && paths[name] === undefined ? npmPackagePath(dir, name) : undefined;
        if (local !== undefined) paths[name] = [local];
      }
    }
    const options: ts.CompilerOptions = { ...config.options, paths };
    const resolver = new ImportResolver(options, dir);
    const mapKeys = this.keys.get(config.path) ?? new Set<string>();
    const unresolved = new Set<string>();
    for (const { file, specifiers } of imported) {
      for (const specifier of resolver.resolve(file, specifiers).unresolved) {
        if (REMOTE.test(specifier) || mapKeys.has(specifier)) unresolved.add(specifier);
      }
    }
    if (unresolved.size > 0) {
      const names = [...unresolved].sort();
      const shown = names.length > 5
        ? `${names.slice(0, 5).join(", ")} and ${names.length - 5} more`
        : names.join(", ");
      this.warnings.push({
        file: config.path,
        message:
          `${names.length} import${
            names.length === 1 ? "" : "s"
          } that Deno resolves did not resolve locally (${shown}); ` +
          "what they export is untyped in this scan (deno install puts npm: packages in node_modules)",
      });
    }
    return options;
  }

  /** The exact (not prefix) names of each config's import map, by config path. */
  private readonly keys = new Map<string, Set<string>>();

  private parse(path: string): DenoConfig {
    const dir = dirname(path);
    const json = this.readJsonc(path) ?? {};
    const compilerOptions = typeof json["compilerOptions"] === "object" && json["compilerOptions"] !== null
      ? json["compilerOptions"] as Record<string, unknown>
      : {};
    // Deno's own libs (deno.window, deno.ns, …) are in the global types; the others are TypeScript's.
    const lib = Array.isArray(compilerOptions["lib"])
      ? (compilerOptions["lib"] as unknown[]).filter((name) => typeof name !== "string" || !name.startsWith("deno."))
      : undefined;
    const converted = ts.convertCompilerOptionsFromJson(
      { ...compilerOptions, lib: lib === undefined || lib.length === 0 ? ["esnext"] : lib },
      dir,
      path,
    );
    for (const error of converted.errors) {
      this.warnings.push({
        file: path,
        message: `${ts.flattenDiagnosticMessageText(error.messageText, " ")}; the rest of the config is used`,
      });
    }
    const imports = this.importMap(path, json);
    this.keys.set(path, new Set(Object.keys(imports).filter((key) => !key.endsWith("/"))));
    return {
      path,
      options: {
        ...this.base,
        // Deno's defaults: strict, .ts extensions in imports, no @types packages unless the config names them.
        strict: true,
        allowImportingTsExtensions: true,
        types: [],
        ...converted.options,
        allowJs: true,
        noEmit: true,
        skipLibCheck: true,
        paths: importPaths(dir, imports),
      },
      inMemory: new Map(),
      excludes: excluded(json["exclude"]),
    };
  }

  /** The config as JSON with comments; a defect is a warning and what could be read is used. */
  private readJsonc(path: string): Record<string, unknown> | undefined {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      this.warnings.push({
        file: path,
        message: `cannot be read (${fileSystemReason(error)}); Deno's defaults are used`,
      });
      return undefined;
    }
    const { value, error } = parseJsonc(text);
    if (error !== undefined) {
      this.warnings.push({ file: path, message: `not valid JSON (${error}); the rest of the config is used` });
    }
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined;
  }

  /** The import map: the config's `imports`, else the file its `importMap` names. */
  private importMap(path: string, json: Record<string, unknown>): Record<string, string> {
    let imports = json["imports"];
    if (imports === undefined && typeof json["importMap"] === "string") {
      const mapPath = resolve(dirname(path), json["importMap"]);
      imports = this.readJsonc(mapPath)?.["imports"];
    }
    if (typeof imports !== "object" || imports === null) return {};
    return Object.fromEntries(
      Object.entries(imports).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  }

  /** Deno's global types (see {@link denoGlobalTypes}); warns once per scan when no `deno` runs. */
  private globalTypes(config: string): { text: string; version: string } | undefined {
    if (this.types === undefined) {
      this.types = denoGlobalTypes(denoBinary(dirname(config)));
      if (typeof this.types === "string") {
        this.warnings.push({
          file: config,
          message:
            `${this.types}: Deno's global types are not loaded, so Deno.* calls are untyped and their promises may be missed`,
        });
      }
    }
    return typeof this.types === "string" ? undefined : this.types;
  }
}

/** What each `deno` binary gave for its global types in this process, by the path it was run as. */
const GLOBAL_TYPES = new Map<string, { text: string; version: string } | string>();

/**
 * Deno's global types as `binary` prints them (`deno types`, without its
 * lib references) with its version, or why they could not be had (a
 * sentence). Asked once per binary per process: a process that scans many
 * times (tests, the ESLint plugin in an editor) runs `deno` once, and a
 * `deno` upgraded meanwhile is seen by the next process.
 */
function denoGlobalTypes(binary: string): { text: string; version: string } | string {
  let types = GLOBAL_TYPES.get(binary);
  if (types !== undefined) return types;
  try {
    const version = execFileSync(binary, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")[0]!.replace(/^deno\s+/, "").split(" ")[0]!;
    const text = execFileSync(binary, ["types"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 1 << 28,
    });
    types = { text: withoutDenoLibReferences(text), version };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    types = code === "ENOENT"
      ? "deno was not found (neither on the PATH nor in node_modules/.bin)"
      : `deno types failed (${code ?? (error as Error).message})`;
  }
  GLOBAL_TYPES.set(binary, types);
  return types;
}

/**
 * A matcher for Deno's `exclude` list: each entry a path (a folder covers
 * what is below it, with or without a trailing `/`) or a glob.
 */
function excluded(list: unknown): (path: string) => boolean {
  const entries = Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === "string") : [];
  if (entries.length === 0) return () => false;
  const globs = entries.flatMap((entry) => {
    const bare = entry.replace(/^\.\//, "").replace(/\/+$/, "");
    return [bare, `${bare}/**`];
  });
  return picomatch(globs, { dot: true });
}

/**
 * `deno types` without its references to Deno's own libs (printed inline
 * in the same output, unknown to TypeScript by those names) and without
 * `no-default-lib` (TypeScript's libs come from the program's `lib`).
 */
function withoutDenoLibReferences(text: string): string {
  return text.replace(/^\/\/\/ <reference (no-default-lib="true"|lib="(deno\.[^"]*|node)") \/>$/gm, "");
}

/**
 * The `deno` to run: this runtime when it is Deno, else one in a
 * `node_modules/.bin` at or above `dir` or above this module (the npm
 * package `deno`), else `deno` from the PATH.
 */
function denoBinary(dir: string): string {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) return deno.execPath();
  return inNodeModules(dir, join(".bin", "deno")) ??
    inNodeModules(dirname(fileURLToPath(import.meta.url)), join(".bin", "deno")) ?? "deno";
}

/**
 * An import map as TypeScript `paths`: a local target (`./src/`) maps its
 * key (a prefix when both end in `/`); an `npm:` target maps to the package
 * in the nearest `node_modules` when it is installed there. Other targets
 * (`jsr:`, URLs) have no local file.
 */
function importPaths(dir: string, imports: Record<string, string>): ts.MapLike<string[]> {
  const paths: ts.MapLike<string[]> = {};
  for (const [key, target] of Object.entries(imports)) {
    const local = /^\.{0,2}\//.test(target)
      ? resolve(dir, target) + (target.endsWith("/") ? "/" : "")
      : npmPackagePath(dir, target);
    if (local === undefined) continue;
    if (key.endsWith("/") && local.endsWith("/")) paths[`${key}*`] = [`${local}*`];
    else if (!key.endsWith("/")) paths[key] = [local];
  }
  return paths;
}

/** `npm:name@version/sub` as a path into the nearest `node_modules` that has the package; undefined when none has it. */
function npmPackagePath(dir: string, specifier: string): string | undefined {
  const match = /^npm:\/?((?:@[^/]+\/)?[^@/]+)(?:@[^/]*)?(\/.*)?$/.exec(specifier);
  if (match === null) return undefined;
  const found = inNodeModules(dir, match[1]!);
  return found === undefined ? undefined : found + (match[2] ?? "");
}
