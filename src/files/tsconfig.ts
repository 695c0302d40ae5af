/**
 * Which `tsconfig.json` (or `jsconfig.json`) a file belongs to, found the
 * way the TypeScript language service finds a file's project: the nearest
 * config above the file that includes it, following `references` (so a
 * solution-style root with `"files": []` leads to the package configs);
 * a config that does not include the file passes the search to the next
 * one up. The search stops at the git repository root.
 *
 * A config that is broken (an `extends` that does not resolve, an unknown
 * option, a JSON syntax error, a missing `references` target, `types`
 * entries that do not resolve) is used with what could be read; each
 * defect becomes a warning, never an error.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ts } from "ts-morph";
import { fileSystemReason, UsageError } from "../errors.ts";
import { readRegularFile } from "./read.ts";
import type { ScanWarning } from "../site.ts";
import { isDeclarationFile } from "./discover.ts";

/**
 * A parsed config: its absolute `path`, the compiler `options` it gives,
 * the absolute paths of the files it includes (`fileNames`), the
 * declaration files among them, and the absolute paths of the configs its
 * `references` point to.
 */
export interface ParsedConfig {
  path: string;
  options: ts.CompilerOptions;
  fileNames: ReadonlySet<string>;
  declarations: readonly string[];
  references: readonly string[];
}

/** Config file names looked for in each directory, in the language service's order. */
const CONFIG_NAMES = ["tsconfig.json", "jsconfig.json"] as const;

/**
 * What a `jsconfig.json` implies before its own options (as the language
 * service assumes): JavaScript allowed, default imports of CommonJS modules.
 */
const JSCONFIG_DEFAULTS: ts.CompilerOptions = {
  allowJs: true,
  allowSyntheticDefaultImports: true,
  skipLibCheck: true,
  noEmit: true,
};

/** Diagnostics that are not defects for a scan: no inputs (18003) and an empty `files` list (18002, solution-style roots). */
const HARMLESS = new Set([18002, 18003]);

/**
 * Finds and parses configs, each once, and collects their defects as
 * warnings (one per config and defect, in the order met).
 */
export class ConfigFinder {
  /** Defects of the configs parsed so far. */
  readonly warnings: ScanWarning[] = [];
  private readonly parsed = new Map<string, ParsedConfig | undefined>();
  private readonly inDirectory = new Map<string, { configs: string[]; repositoryRoot: boolean }>();

  /**
   * The config at `path`, parsed (cached); undefined when the file does not
   * exist. A broken config is not an error: its defects are warnings.
   *
   * @param path an absolute path to a tsconfig.json or jsconfig.json.
   * @throws {UsageError} when the file exists but cannot be read (permissions):
   *   an environment error, not a defect of the config.
   */
  parse(path: string): ParsedConfig | undefined {
    if (this.parsed.has(path)) return this.parsed.get(path);
    if (!existsSync(path)) {
      this.parsed.set(path, undefined);
      return undefined;
    }
    let text: string;
    try {
      text = readRegularFile(path);
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${fileSystemReason(error)}`);
    }
    const source = ts.parseJsonText(path, text);
    const existing = path.endsWith("jsconfig.json") ? JSCONFIG_DEFAULTS : undefined;
    const parsed = ts.parseJsonSourceFileConfigFileContent(source, ts.sys, dirname(path), existing, path);
    const syntax = (source as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
    // A JSON syntax error also makes the options around it wrong: report the first syntax error only.
    for (const diagnostic of syntax.length > 0 ? syntax.slice(0, 1) : parsed.errors) {
      if (!HARMLESS.has(diagnostic.code)) {
        this.warnings.push({ file: path, message: `${formatDiagnostic(diagnostic)}; the rest of the config is used` });
      }
    }
    const references: string[] = [];
    for (const reference of parsed.projectReferences ?? []) {
      const target = resolve(ts.resolveProjectReferencePath(reference));
      if (existsSync(target)) references.push(target);
      else {this.warnings.push({
          file: path,
          message: `referenced project ${
            reference.originalPath ?? reference.path
          } not found; its files are looked up like any other`,
        });}
    }
    const unresolved = unresolvedTypes(path, parsed.options);
    if (unresolved.length > 0) {
      const one = unresolved.length === 1;
      this.warnings.push({
        file: path,
        message: `"types" ${one ? "entry" : "entries"} ${
          unresolved.map((name) => `"${name}"`).join(", ")
        } not found: ` +
          `install ${unresolved.map(typesPackage).join(", ")} (without ${one ? "it" : "them"}, what ${
            one ? "it declares" : "they declare"
          } has no types and spawn sites using it, e.g. a Worker of node:worker_threads, can be missed)`,
      });
    }
    const fileNames = parsed.fileNames.map((file) => resolve(file));
    const config: ParsedConfig = {
      path,
      options: parsed.options,
      fileNames: new Set(fileNames),
      declarations: fileNames.filter(isDeclarationFile),
      references,
    };
    this.parsed.set(path, config);
    return config;
  }

  /**
   * The config a file belongs to: walking up from its directory to the git
   * repository root (or the file system root outside a repository), in
   * each directory `tsconfig.json` then `jsconfig.json`, the first config
   * that includes the file directly or through its references (depth
   * first, each config once). Undefined when none does.
   *
   * @param file an absolute path.
   * @throws {UsageError} as {@link ConfigFinder.parse}.
   */
  ownerOf(file: string): ParsedConfig | undefined {
    const visited = new Set<string>();
    for (let dir = dirname(file);; dir = dirname(dir)) {
      const { configs, repositoryRoot } = this.directory(dir);
      for (const path of configs) {
        const owner = this.including(path, file, visited);
        if (owner !== undefined) return owner;
      }
      if (repositoryRoot || dirname(dir) === dir) return undefined;
    }
  }

  /** The config at `path` or one it references (transitively) that includes `file`. */
  private including(path: string, file: string, visited: Set<string>): ParsedConfig | undefined {
    if (visited.has(path)) return undefined;
    visited.add(path);
    const config = this.parse(path);
    if (config === undefined) return undefined;
    if (config.fileNames.has(file)) return config;
    for (const reference of config.references) {
      const owner = this.including(reference, file, visited);
      if (owner !== undefined) return owner;
    }
    return undefined;
  }

  private directory(dir: string): { configs: string[]; repositoryRoot: boolean } {
    let entry = this.inDirectory.get(dir);
    if (entry === undefined) {
      entry = {
        configs: CONFIG_NAMES.map((name) => join(dir, name)).filter((path) => existsSync(path)),
        repositoryRoot: existsSync(join(dir, ".git")),
      };
      this.inDirectory.set(dir, entry);
    }
    return entry;
  }
}

/** A diagnostic as one line: its text, and its line and column in the config when known. */
/**
 * The entries of a config's `types` that TypeScript cannot resolve from the
 * config's folder (`typeRoots`, else `node_modules/@types` and
 * `node_modules` up the tree, as for any program of this config); `*`
 * (every visible `@types` package) is never one.
 *
 * @param path the config's absolute path.
 * @param options its parsed compiler options.
 */
function unresolvedTypes(path: string, options: ts.CompilerOptions): string[] {
  // Where TypeScript resolves compilerOptions.types from: a file of that name in the config's folder.
  const containingFile = join(dirname(path), "__inferred type names__.ts");
  return (options.types ?? []).filter((name) =>
    name !== "*" &&
    ts.resolveTypeReferenceDirective(name, containingFile, options, ts.sys).resolvedTypeReferenceDirective ===
      undefined
  );
}

/**
 * The package to install for a `types` entry: `@types/<name>` for a plain
 * name (DefinitelyTyped, `node` → `@types/node`), the entry itself for a
 * scoped package that ships its own types (`@cloudflare/workers-types`).
 */
function typesPackage(name: string): string {
  return name.startsWith("@") ? name : `@types/${name}`;
}

function formatDiagnostic(diagnostic: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
  if (diagnostic.file === undefined || diagnostic.start === undefined) return text;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${text} (line ${line + 1}, column ${character + 1})`;
}
