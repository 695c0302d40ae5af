/**
 * The shim's core as one self-contained module, for `--vendor-shim`: its
 * modules, from `mod.ts` down its relative imports, concatenated in
 * dependency order with their imports and `export` keywords removed, and
 * one export list at the end naming what `mod.ts` re-exports. The shim
 * keeps its top-level names distinct across modules and imports nothing
 * from outside itself, so concatenation is all the bundling it needs; a
 * name declared in two modules, an aliased or namespace import, an outside import
 * or an `export *` is refused rather than bundled wrongly.
 *
 * The TypeScript text is type-checked and compiled here, in memory, to a
 * module and its declarations holding only the functions the rewritten
 * files call.
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
export function bundleShimSource(entry: string): string {
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
      // One module may declare a name twice: a class and the interface merged with it.
      if (other !== undefined && other !== module.path) {
        throw new Error(
          `${name} is declared in both ${other} and ${module.path}: top-level names must be distinct to bundle the shim`,
        );
      }
      declaredIn.set(name, module.path);
    }
  }
  const body = ordered.filter((module) => module.body !== "").map((module) => `// ${module.path}\n${module.body}`);
  const list = (names: Set<string>): string => [...names].sort().join(", ");
  return [
    entryComment,
    ...body,
    `export { ${list(exported.values)} };`,
    `export type { ${list(exported.types)} };`,
  ].filter((part) => part !== "").join("\n\n") + "\n";
}

/**
 * Declarations a project type-checks under any `target`: the `#private;`
 * tsc writes for a class with private fields (TS18028 below es2015) becomes
 * `private "#private";`, as the shim's package build does
 * (shim/declarations.mjs).
 */
function portableDeclarations(dts: string): string {
  return dts.replace(/^(\s*)#private;$/gm, '$1private "#private";');
}

/**
 * A compiled module (JavaScript or declarations) with only what `roots`
 * reach: a top-level statement is kept when it declares a name a kept
 * statement (or a root) refers to — names in property positions (`x.name`,
 * `{ name: … }`, member names) are not references; statements that
 * declare nothing are kept. In JavaScript only values refer to each other,
 * so a type named in a signature (the supervisor an option may name) does
 * not pull its class in. The export lists name the roots and, in
 * declarations, the public types reached.
 *
 * @param text the module's text.
 * @param roots the exports to keep.
 * @param publicTypes the type names the shim exports.
 */
function treeShake(text: string, roots: readonly string[], publicTypes: ReadonlySet<string>): string {
  const file = ts.createSourceFile("shim.ts", text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const statements = file.statements.filter((statement) => !ts.isExportDeclaration(statement));
  const declaring = new Map<string, ts.Statement[]>();
  for (const statement of statements) {
    for (const name of declaredNames(statement)) declaring.set(name, [...(declaring.get(name) ?? []), statement]);
  }
  const kept = new Set<ts.Statement>(statements.filter((statement) => declaredNames(statement).length === 0));
  const reached = new Set<string>();
  const queue = [...roots];
  for (const statement of kept) queue.push(...referencedNames(statement));
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    for (const statement of declaring.get(name) ?? []) {
      if (kept.has(statement)) continue;
      kept.add(statement);
      queue.push(...referencedNames(statement));
    }
  }
  const removed = file.statements.filter((statement) => !kept.has(statement)).map((statement) =>
    [statement.getFullStart(), statement.getEnd()] as [number, number]
  );
  const values = roots.filter((name) => declaring.has(name)).sort();
  const types = [...publicTypes].filter((name) => reached.has(name) && declaring.has(name) && !values.includes(name))
    .sort();
  return [
    cut(text, removed).trim(),
    `export { ${values.join(", ")} };`,
    ...(types.length === 0 ? [] : [`export type { ${types.join(", ")} };`]),
  ].join("\n") + "\n";
}

/** The identifiers a statement refers to, property names aside. */
function referencedNames(statement: ts.Statement): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) ||
          ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) ||
          ts.isSetAccessor(parent)) && parent.name === node);
      if (!isPropertyName) names.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return names;
}

/**
 * The bundle checked under the strictest settings a project may compile
 * against it (`strict`, `exactOptionalPropertyTypes`,
 * `noUncheckedIndexedAccess`, `isolatedDeclarations`, `verbatimModuleSyntax`,
 * `lib` es2020), compiled, and cut down to `uses` ({@link treeShake}): an
 * ES module (or, for a CommonJS package, a CommonJS module, which `require`
 * loads on every Node) and its declarations.
 *
 * @param source the text {@link bundleShimSource} returned.
 * @param uses the shim functions to keep.
 * @param format `esm` or `cjs`.
 * @returns `js` and `dts` texts (the caller names the files).
 * @throws {Error} when the bundle does not type-check (the first diagnostic).
 */
export function compileShimBundle(
  source: string,
  uses: readonly string[],
  format: "esm" | "cjs" = "esm",
): { js: string; dts: string } {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      // The strictest settings a project may compile the vendored file under, on the oldest lib it may have.
      lib: ["lib.es2020.d.ts", "lib.dom.d.ts"],
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      isolatedDeclarations: true,
      verbatimModuleSyntax: true,
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
  const publicTypes = new Set(
    /export type \{([^}]*)\}/.exec(source)?.[1]?.split(",").map((name) => name.trim()).filter(Boolean) ?? [],
  );
  const js = treeShake(text("/shim.js"), uses, new Set());
  const dts = portableDeclarations(treeShake(text("/shim.d.ts"), uses, publicTypes));
  if (format === "esm") return { js, dts };
  const commonJs = ts.transpileModule(js, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return { js: commonJs, dts };
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
