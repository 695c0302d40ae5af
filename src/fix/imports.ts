/**
 * Getting the shim's functions (and a configured error channel) into a
 * rewritten file: which specifier to import (`@spawn-audit/shim` under a
 * package.json, the import-map alias or `npm:@spawn-audit/shim` under a
 * deno.json, a relative path to a vendored copy or to the project's own
 * module, or the user's `--shim-import`), whether the file imports or
 * `require`s, and the edit that adds the import or merges the missing names
 * into an existing one.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { isDenoConfig, nearestManifest, nearestPackage, underDenoConfig } from "./manifest.ts";
import { ts } from "../analysis/ts.ts";
import { codeStyle, stringLiteral } from "./style.ts";
import type { FixSkip, TextEdit } from "../rule.ts";
import { skipOuterExpressions } from "../analysis/functions.ts";

/** The shim's package (zero dependencies), which a project needs in its `dependencies`: production installs leave devDependencies out. */
export const SHIM_PACKAGE = "@spawn-audit/shim";
/** The specifier for Deno projects whose import map has no entry for the shim. */
export const DENO_SPECIFIER = `npm:${SHIM_PACKAGE}`;

/**
 * Where rewritten files import the shim from: a given package specifier
 * (`--shim-import`), the project's default (`specifier` undefined), a
 * vendored copy whose entry module is the absolute path `entry`, or a
 * module of the project (`--shim-import ./src/supervision.js`) at the
 * absolute path `entry`, which each file imports by its own relative path.
 */
export type ShimSource =
  | { kind: "package"; specifier?: string }
  | { kind: "vendor" | "local"; entry: string };

/**
 * The shim source a `--shim-import` (or config `shimImport`) value names: a
 * path starting with `./` or `../` is a module of the project, resolved
 * against `base`; anything else is a package specifier used as it is.
 *
 * @param specifier the value given.
 * @param base the directory a relative value is relative to (absolute).
 */
export function shimImportSource(specifier: string, base: string): ShimSource {
  return /^\.\.?\//.test(specifier)
    ? { kind: "local", entry: resolve(base, specifier) }
    : { kind: "package", specifier };
}

/**
 * The specifier a file imports the shim with.
 *
 * @param file absolute path of the file.
 * @param source where the shim comes from.
 */
export function shimSpecifier(file: string, source: ShimSource): string {
  if (source.kind !== "package") {
    const path = relative(dirname(file), source.entry).split(sep).join("/");
    return path.startsWith(".") ? path : `./${path}`;
  }
  return source.specifier ?? projectSpecifier(dirname(file));
}

/** The default specifier for files in `dir`: by the nearest deno.json(c), else the shim's package. */
function projectSpecifier(dir: string): string {
  const manifest = nearestManifest(dir);
  return isDenoConfig(manifest) ? denoSpecifier(readFileSync(manifest.path, "utf8")) : SHIM_PACKAGE;
}

/**
 * The shim's specifier under a Deno config: an import-map key for
 * `@spawn-audit/shim`, or for spawn-audit's re-export (`"spawn-audit/shim"`,
 * `"spawn-audit/"`, `"spawn-audit"`), else `npm:@spawn-audit/shim`.
 *
 * @param configText the text of deno.json or deno.jsonc (comments allowed).
 */
export function denoSpecifier(configText: string): string {
  const { config } = ts.parseConfigFileTextToJson("deno.json", configText);
  const imports = (config as { imports?: unknown } | undefined)?.imports;
  if (typeof imports !== "object" || imports === null) return DENO_SPECIFIER;
  for (const [key, value] of Object.entries(imports as Record<string, unknown>)) {
    if (typeof value !== "string") continue;
    if (/(^|:)@spawn-audit\/shim\b/.test(value) && !key.endsWith("/")) return key;
    if (!/(^|[:/@])spawn-audit\b/.test(value)) continue;
    if (!key.endsWith("/")) return /\/shim\/?$/.test(value) ? key : `${key}/shim`;
    if (value.endsWith("/")) return `${key}shim`;
  }
  return DENO_SPECIFIER;
}

/**
 * Whether a file gets `import { … } from` or `const { … } = require(…)`:
 * `require` for `.cjs` files and for JavaScript that is CommonJS (it uses
 * `require`/`module.exports`/`exports`, or has no module syntax and its
 * package.json does not say `"type": "module"`); `import` otherwise,
 * including every TypeScript file and JavaScript under a Deno config.
 *
 * @param sourceFile the parsed file.
 */
export function importStyle(sourceFile: ts.SourceFile): "import" | "require" {
  const file = sourceFile.fileName;
  if (/\.cjs$/.test(file)) return "require";
  if (!/\.(js|jsx)$/.test(file)) return "import";
  const hasModuleSyntax = sourceFile.statements.some((statement) =>
    ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) ||
    (ts.canHaveModifiers(statement) &&
      ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword))
  );
  // Deno runs every file as an ES module.
  if (hasModuleSyntax || underDenoConfig(dirname(file))) return "import";
  if (/\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w/.test(sourceFile.text)) return "require";
  return nearestPackage(dirname(file))?.type === "module" ? "import" : "require";
}

/**
 * The edit that makes `uses` callable in the file: names added to an
 * existing value import (or destructuring `require`) of `specifier`, or one new
 * statement after the last top-level import/require, else at the top (after
 * a shebang, a header comment and a `"use strict"` prologue), in the
 * quotes of its module specifiers and with or without a semicolon as its
 * statements have.
 *
 * @param sourceFile the parsed file.
 * @param uses the names the rewrites call (shim functions, a configured error channel).
 * @param specifier the module specifier.
 * @param style `import` or `require`.
 * @param newline the file's line ending.
 * @returns the edits (none when every name is already imported), or a skip
 *   when a name is declared in the file by something other than that import.
 */
export function importEdits(
  sourceFile: ts.SourceFile,
  uses: readonly string[],
  specifier: string,
  style: "import" | "require",
  newline: string,
): TextEdit[] | FixSkip {
  const existing = sourceFile.statements.map((statement) => shimBinding(statement, specifier, style)).find((found) =>
    found !== undefined
  );
  const imported = new Set(existing?.names ?? []);
  const missing = [...new Set(uses)].filter((name) => !imported.has(name)).sort();
  const clash = declaredNames(sourceFile, existing?.statement).find((name) => missing.includes(name));
  if (clash !== undefined) {
    return { skip: `\`${clash}\` is already declared in this file; rename it or import the shim by hand` };
  }
  if (missing.length === 0) return [];
  if (existing !== undefined) {
    const list = existing.list;
    const last = list.elements[list.elements.length - 1];
    if (last === undefined) {
      const at = list.getStart(sourceFile) + 1;
      return [{ start: at, end: at, text: ` ${missing.join(", ")} ` }];
    }
    return [{ start: last.getEnd(), end: last.getEnd(), text: `, ${missing.join(", ")}` }];
  }
  const { importQuote, semicolons } = codeStyle(sourceFile);
  const end = semicolons ? ";" : "";
  const statement = style === "import"
    ? `import { ${missing.join(", ")} } from ${stringLiteral(specifier, importQuote)}${end}`
    : `const { ${missing.join(", ")} } = require(${stringLiteral(specifier, importQuote)})${end}`;
  const lastImport = [...sourceFile.statements].reverse().find((candidate) => isModuleLoad(candidate));
  if (lastImport !== undefined) {
    return [{ start: lastImport.getEnd(), end: lastImport.getEnd(), text: `${newline}${statement}` }];
  }
  const { at, place } = topInsertionPoint(sourceFile);
  const text = place === "before"
    ? `${statement}${newline}${newline}`
    : place === "after-header"
    ? `${newline}${newline}${statement}`
    : `${newline}${statement}`;
  return [{ start: at, end: at, text }];
}

interface ShimBinding {
  statement: ts.Statement;
  names: string[];
  list: ts.NamedImports | ts.ObjectBindingPattern;
}

/** An existing value import (`import { a } from spec`) or `const { a } = require(spec)` to merge into. */
function shimBinding(statement: ts.Statement, specifier: string, style: "import" | "require"): ShimBinding | undefined {
  if (
    style === "import" && ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) &&
    statement.moduleSpecifier.text === specifier && statement.importClause !== undefined &&
    !statement.importClause.isTypeOnly && statement.importClause.namedBindings !== undefined &&
    ts.isNamedImports(statement.importClause.namedBindings)
  ) {
    const list = statement.importClause.namedBindings;
    return {
      statement,
      list,
      names: list.elements.filter((element) => !element.isTypeOnly).map((element) => element.name.text),
    };
  }
  if (style === "require" && ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
    const declaration = statement.declarationList.declarations[0]!;
    if (
      ts.isObjectBindingPattern(declaration.name) && declaration.initializer !== undefined &&
      requiredModule(declaration.initializer) === specifier
    ) {
      const list = declaration.name;
      return {
        statement,
        list,
        names: list.elements.flatMap((element) => ts.isIdentifier(element.name) ? [element.name.text] : []),
      };
    }
  }
  return undefined;
}

function requiredModule(expression: ts.Expression): string | undefined {
  const call = skipOuterExpressions(expression);
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== "require") {
    return undefined;
  }
  const [argument] = call.arguments;
  return argument !== undefined && ts.isStringLiteralLike(argument) ? argument.text : undefined;
}

function isModuleLoad(statement: ts.Statement): boolean {
  if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) return true;
  return ts.isVariableStatement(statement) &&
    statement.declarationList.declarations.every((declaration) =>
      declaration.initializer !== undefined && requiredModule(declaration.initializer) !== undefined
    );
}

/** Names declared anywhere in the file (variables, functions, classes, parameters, imports), outside `except`. */
function declaredNames(sourceFile: ts.SourceFile, except: ts.Node | undefined): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (node === except) return;
    if (ts.isIdentifier(node) && node.parent !== undefined && isDeclarationName(node)) names.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return names;
}

function isDeclarationName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent) || ts.isFunctionExpression(parent) ||
    ts.isClassDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent) ||
    ts.isImportSpecifier(parent) ||
    ts.isImportClause(parent) || ts.isNamespaceImport(parent) || ts.isImportEqualsDeclaration(parent) ||
    ts.isEnumDeclaration(parent)) && parent.name === node;
}

/**
 * Where a first import goes: after a `"use strict"` prologue or a shebang
 * line (on the next line), else after the last comment separated from the
 * code by a blank line (a file header; a blank line between them), else at
 * offset 0 (before the code, a blank line after it).
 */
function topInsertionPoint(sourceFile: ts.SourceFile): { at: number; place: "before" | "after-header" | "after-line" } {
  const text = sourceFile.text;
  let prologueEnd: number | undefined;
  for (const statement of sourceFile.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) break;
    prologueEnd = statement.getEnd();
  }
  if (prologueEnd !== undefined) return { at: prologueEnd, place: "after-line" };
  const firstCode = sourceFile.statements[0]?.getStart(sourceFile) ?? text.length;
  let header: number | undefined;
  for (const comment of ts.getLeadingCommentRanges(text, ts.getShebang(text)?.length ?? 0) ?? []) {
    if (
      comment.end <= firstCode && /\r?\n[ \t]*\r?\n/.test(text.slice(comment.end, nextTokenAfter(text, comment.end)))
    ) header = comment.end;
  }
  if (header !== undefined) return { at: header, place: "after-header" };
  const shebang = ts.getShebang(text);
  return shebang === undefined ? { at: 0, place: "before" } : { at: shebang.length, place: "after-line" };
}

/** The offset of the first non-whitespace character at or after `from`. */
function nextTokenAfter(text: string, from: number): number {
  const match = /\S/.exec(text.slice(from));
  return match === null ? text.length : from + match.index;
}
