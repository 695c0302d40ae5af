/**
 * The plugin's side of "one analyzer, two front ends": the file ESLint lints
 * is scanned by `scan`'s per-file driver (`FileScanner`) on the program
 * typescript-eslint built, with the TypeScript that built it.
 *
 * What does not change while a program lives is kept per program and
 * dropped with it: the configuration of each directory and the scanners
 * compiled from it. Whole-program facts (callers, name indexes) are memoised
 * per program by the analysis itself. typescript-eslint hands over a new
 * program when a file changes (an editor's keystroke), so nothing outlives
 * the code it was computed from.
 *
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { checkBuiltBy, type ts, useTypeScript } from "../../src/analysis/ts.ts";
import type { Config } from "../../src/config.ts";
import { resolveConfig } from "../../src/config.ts";
import { displayPath, projectRoot } from "../../src/files/paths.ts";
import type { Rule } from "../../src/rule.ts";
import { FileScanner, type LocatedSite } from "../../src/scan.ts";
import { configFor, type RuleOptions } from "./options.ts";
import { parserTypeScript } from "./typescript.ts";

/** What ESLint gives a rule about the file, as far as the plugin reads it (a subset of ESLint's rule context). */
export interface LintedFile {
  filename: string;
  cwd: string;
  sourceCode: { parserServices?: unknown; ast: unknown };
}

/**
 * One file's scan for one rule: the sites found, with the program's
 * checker, the parsed file, the configuration and the project root they
 * were found with.
 */
export interface FileScan {
  located: LocatedSite[];
  checker: ts.TypeChecker;
  sourceFile: ts.SourceFile;
  config: Config;
  root: string;
}

/** typescript-eslint's parser services, as far as the plugin reads them. */
interface ParserServices {
  program: ts.Program | null;
  esTreeNodeToTSNodeMap: { get(node: unknown): ts.Node | undefined };
}

/** Per program: the config of each directory, and each rule's scanner for a config and root. */
interface ProgramState {
  configs: Map<string, Config>;
  scanners: Map<string, { scanner: FileScanner; config: Config; root: string }>;
}

const states = new WeakMap<ts.Program, ProgramState>();
let typescriptPath: string | undefined;

/**
 * Scans the linted file for one rule's sites.
 *
 * @param file the rule context ESLint passed to `create`.
 * @param rule the spawn-audit rule to run.
 * @param options the ESLint rule's options.
 * @throws {Error} when the file was parsed without type information (no
 *   `parserOptions.projectService` or `project`): the message says how to
 *   set it up; or when the program was built by another TypeScript than the
 *   one typescript-eslint resolves.
 * @throws {UsageError} when the spawn-audit config file is missing or invalid.
 */
export function scanLintedFile(file: LintedFile, rule: Rule, options: RuleOptions): FileScan {
  const services = file.sourceCode.parserServices as Partial<ParserServices> | undefined;
  if (services?.program == null || services.esTreeNodeToTSNodeMap === undefined) {
    throw new Error(
      `spawn-audit/${rule.id} needs type information: use typescript-eslint's parser with ` +
        "parserOptions.projectService: true (see https://typescript-eslint.io/getting-started/typed-linting)",
    );
  }
  useParserTypeScript(file.cwd);
  const program = services.program;
  const sourceFile = services.esTreeNodeToTSNodeMap.get(file.sourceCode.ast) as ts.SourceFile;
  checkBuiltBy(sourceFile);
  let state = states.get(program);
  if (state === undefined) states.set(program, state = { configs: new Map(), scanners: new Map() });
  const dir = dirname(file.filename);
  const key = `${JSON.stringify(options)}\0${dir}\0${rule.id}`;
  let entry = state.scanners.get(key);
  if (entry === undefined) {
    const configs = state.configs;
    const config = configFor(options, file.filename, file.cwd, (explicit, start) => {
      const at = `${explicit ?? ""}\0${start}`;
      let found = configs.get(at);
      if (found === undefined) configs.set(at, found = resolveConfig(explicit, start).config);
      return found;
    });
    const root = projectRoot(dir);
    entry = { scanner: new FileScanner(config, root, [rule]), config, root };
    state.scanners.set(key, entry);
  }
  const checker = program.getTypeChecker();
  const { located } = entry.scanner.scanFile(
    { program, checker, sourceFile },
    displayPath(file.filename, file.cwd),
    { eslintDirectives: false },
  );
  return { located, checker, sourceFile, config: entry.config, root: entry.root };
}

/**
 * Makes the analysis use typescript-eslint's TypeScript, once per process:
 * found from ESLint's working directory, else from this package's place.
 */
function useParserTypeScript(cwd: string): void {
  if (typescriptPath !== undefined) return;
  const found = parserTypeScript([cwd, dirname(fileURLToPath(import.meta.url))]);
  useTypeScript(found.module);
  typescriptPath = found.path;
}
