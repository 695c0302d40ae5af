/**
 * The shim's core as one self-contained module, for `--vendor-shim`: its
 * modules, from `mod.ts` down its relative imports, concatenated in
 * dependency order with their imports and `export` keywords removed, and
 * one export list at the end naming what `mod.ts` re-exports. The shim
 * keeps its top-level names distinct across modules and imports nothing
 * from outside itself, so concatenation is all the bundling it needs; a
 * name declared twice, an aliased or namespace import, an outside import
 * or an `export *` is refused rather than bundled wrongly.
 *
 * The TypeScript text is type-checked and compiled here, in memory, to an
 * ES module and its declarations, for projects written in JavaScript.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { Project, ts } from "ts-morph";

/** One module of the shim as the bundle needs it: its text without imports, exports and module comment, and its top-level names. */
interface BundledModule {
  path: string;
  body: string;
  names: string[];
}

/** The shim's public names, split as an `export` list needs them. */
interface PublicNames {
  values: Set<string>;
  types: Set<string>;
}

/**
 * The shim as one TypeScript module: the module comment of `entry`, every
 * module it reaches, and one `export { … }` / `export type { … }` pair.
 *
 * @param entry absolute path of the shim's `mod.ts`.
 * @returns the module's text (no header line: the caller adds its own).
 * @throws {Error} when a module cannot be bundled by concatenation (see the module comment), naming the module and the cause.
 */
export function bundleShimSource(entry: string, uses?: readonly string[]): string {
  void uses;
  const ordered: BundledModule[] = [];
  const visited = new Set<string>();
  const exported: PublicNames = { values: new Set(), types: new Set() };
  let entryComment = "";

  const visit = (path: string): void => {
    if (visited.has(path)) return;
    visited.add(path);
    const text = readFileSync(path, "utf8");
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const where = relative(dirname(entry), path);
    const removed: Array<[number, number]> = [];
    const names: string[] = [];
    for (const statement of file.statements) {
      if (
        ts.isImportDeclaration(statement) ||
        (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined)
      ) {
        const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
        if (!/^\.\.?\//.test(specifier)) {
          throw new Error(`${where} imports "${specifier}": the vendored shim must import nothing from outside`);
        }
        checkBindings(statement, where);
        if (ts.isExportDeclaration(statement)) collectExports(statement, exported, where);
        removed.push([statement.getFullStart(), statement.getEnd()]);
        visit(resolve(dirname(path), specifier));
        continue;
      }
      if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) {
        throw new Error(`${where}: a local export list or default export cannot be bundled`);
      }
      const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
      if (modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword)) {
        throw new Error(`${where}: a default export cannot be bundled`);
      }
      const exportKeyword = modifiers?.find((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
      if (exportKeyword !== undefined) removed.push([exportKeyword.getStart(), exportKeyword.getEnd() + 1]);
      names.push(...declaredNames(statement));
    }
    const comment = moduleComment(file);
    if (comment !== undefined && !removed.some(([start, end]) => start <= comment[0] && comment[1] <= end)) {
      removed.push(comment);
    }
    if (path === entry && comment !== undefined) entryComment = text.slice(comment[0], comment[1]).trim();
    ordered.push({ path: where, body: cut(text, removed).trim(), names });
  };
  visit(entry);

  const declaredIn = new Map<string, string>();
  for (const module of ordered) {
    for (const name of module.names) {
      const other = declaredIn.get(name);
      if (other !== undefined) {
        throw new Error(
          `${name} is declared in both ${other} and ${module.path}: top-level names must be distinct to bundle the shim`,
        );
      }
      declaredIn.set(name, module.path);
    }
  }
  const list = (names: Set<string>): string => [...names].sort().join(", ");
  return [
    entryComment,
    ...ordered.filter((module) => module.body !== "").map((module) => `// ${module.path}\n${module.body}`),
    `export { ${list(exported.values)} };`,
    `export type { ${list(exported.types)} };`,
  ].filter((part) => part !== "").join("\n\n") + "\n";
}

/**
 * The bundle compiled for JavaScript projects: an ES module and its
 * declarations, checked first.
 *
 * @param source the text {@link bundleShimSource} returned.
 * @returns `js` and `dts` texts (the caller names the files).
 * @throws {Error} when the bundle does not type-check (the first diagnostic).
 */
export function compileShimBundle(source: string): { js: string; dts: string } {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"],
      strict: true,
      skipLibCheck: true,
      declaration: true,
      outDir: "/out",
    },
  });
  project.createSourceFile("/src/shim.ts", source);
  const [diagnostic] = project.getPreEmitDiagnostics();
  if (diagnostic !== undefined) {
    throw new Error(
      `the bundled shim does not type-check: ${
        ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, " ")
      }`,
    );
  }
  const output = project.emitToMemory().getFiles();
  const text = (name: string): string => output.find((file) => file.filePath.endsWith(name))!.text;
  return { js: text("/shim.js"), dts: text("/shim.d.ts") };
}

/** Refuse what concatenation would get wrong: a namespace import, or a name imported or re-exported under another name. */
function checkBindings(statement: ts.ImportDeclaration | ts.ExportDeclaration, where: string): void {
  const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : statement.exportClause;
  const defaultImport = ts.isImportDeclaration(statement) ? statement.importClause?.name : undefined;
  if (bindings === undefined && ts.isExportDeclaration(statement)) {
    throw new Error(`${where}: export * cannot be bundled`);
  }
  if (
    defaultImport !== undefined ||
    (bindings !== undefined && !ts.isNamedImports(bindings) && !ts.isNamedExports(bindings))
  ) {
    throw new Error(`${where}: only named imports can be bundled`);
  }
  for (const element of bindings?.elements ?? []) {
    if (element.propertyName !== undefined) {
      throw new Error(`${where}: ${element.propertyName.getText()} is renamed, which cannot be bundled`);
    }
  }
}

/** Record the names an `export { … } from` statement of the entry makes public, as values or as types. */
function collectExports(statement: ts.ExportDeclaration, into: PublicNames, where: string): void {
  const clause = statement.exportClause;
  if (clause === undefined || !ts.isNamedExports(clause)) throw new Error(`${where}: export * cannot be bundled`);
  for (const element of clause.elements) {
    (statement.isTypeOnly || element.isTypeOnly ? into.types : into.values).add(element.name.text);
  }
}

/** The names a top-level statement declares. */
function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((
      declaration,
    ) => (ts.isIdentifier(declaration.name) ? [declaration.name.text] : []));
  }
  const named = statement as ts.Statement & { name?: ts.Node };
  return named.name !== undefined && ts.isIdentifier(named.name) ? [named.name.text] : [];
}

/** The range of a file's `@module` comment (the first comment, when it says `@module`). */
function moduleComment(file: ts.SourceFile): [number, number] | undefined {
  const [first] = ts.getLeadingCommentRanges(file.text, 0) ?? [];
  if (first === undefined || !file.text.slice(first.pos, first.end).includes("@module")) return undefined;
  return [first.pos, first.end];
}

/** `text` without the given ranges (which may overlap or nest). */
function cut(text: string, ranges: ReadonlyArray<[number, number]>): string {
  let out = "";
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start > at) out += text.slice(at, start);
    at = Math.max(at, end);
  }
  return out + text.slice(at);
}
