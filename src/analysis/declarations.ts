/**
 * From a name to what it declares, following import aliases: the one lookup
 * rules and analysis helpers share (platform origin, callee bodies, timer
 * callbacks).
 *
 * @module
 */
import { ts } from "./ts.ts";
import { ProgramMemo } from "./memo.ts";
import { fieldReference, type FunctionNode, isFunctionNode, skipOuterExpressions } from "./functions.ts";

/**
 * The declarations of the symbol `name` refers to, with `import` aliases
 * followed to the exported declaration (the import binding itself when the
 * module has no declarations, e.g. an untyped package); empty when the
 * checker finds none.
 *
 * @param checker the program's type checker.
 * @param name an identifier (for a property access, pass its `name`).
 */
export function declarationsOf(checker: ts.TypeChecker, name: ts.Node): readonly ts.Declaration[] {
  const symbol = checker.getSymbolAtLocation(name);
  if (symbol === undefined) return [];
  const own = symbol.getDeclarations() ?? [];
  if (!(symbol.flags & ts.SymbolFlags.Alias)) return own;
  const aliased = checker.getAliasedSymbol(symbol).getDeclarations() ?? [];
  return aliased.length > 0 ? aliased : own;
}

/**
 * The function `name` stands for in the program's own sources: a function
 * or method declaration, or a function assigned to a variable, class
 * property, object property or CommonJS export. A declaration in a `.d.ts` file stands for
 * the same name in the JavaScript file beside it when the program has that
 * file (see {@link rememberProgram}); otherwise declaration files are skipped.
 *
 * @param checker the program's type checker.
 * @param name an identifier, or a property access whose `name` is resolved.
 */
export function functionNamed(checker: ts.TypeChecker, name: ts.Node): FunctionNode | undefined {
  const target = ts.isPropertyAccessExpression(name) ? name.name : name;
  return functionDeclaredBy(checker, declarationsOf(checker, target));
}

/**
 * The function the first of `declarations` that declares one stands for
 * (as {@link functionNamed}, for declarations found another way, e.g. a
 * property of a type).
 *
 * @param checker the program's type checker.
 * @param declarations a symbol's declarations.
 */
export function functionDeclaredBy(
  checker: ts.TypeChecker,
  declarations: readonly ts.Declaration[],
): FunctionNode | undefined {
  for (const found of declarations) {
    const declaration = found.getSourceFile().isDeclarationFile ? implementationOf(checker, found) : found;
    if (declaration === undefined) continue;
    // `{ done }`: the property is the local `done` it is written with.
    if (ts.isShorthandPropertyAssignment(declaration)) {
      const local = checker.getShorthandAssignmentValueSymbol(declaration)?.declarations ?? [];
      const value = local.includes(declaration) ? undefined : functionDeclaredBy(checker, local);
      if (value !== undefined) return value;
      continue;
    }
    if (isFunctionNode(declaration)) return declaration;
    if (
      (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration) ||
        ts.isPropertyAssignment(declaration)) &&
      declaration.initializer !== undefined
    ) {
      const initializer = skipOuterExpressions(declaration.initializer);
      if (isFunctionNode(initializer)) return initializer;
    }
    const assigned = assignedFunction(declaration);
    if (assigned !== undefined) return assigned;
    const stored = storedReference(checker, declaration);
    if (stored !== undefined) return stored;
  }
  return undefined;
}

/**
 * The assignment that declares `declaration`: the checker declares a
 * CommonJS export or a JavaScript field (`module.exports = …`,
 * `this.tick = …`) at the assignment or at its left-hand side.
 */
function declaringAssignment(declaration: ts.Node): ts.BinaryExpression | undefined {
  const assignment = ts.isBinaryExpression(declaration)
    ? declaration
    : declaration.parent !== undefined && ts.isBinaryExpression(declaration.parent) &&
        declaration.parent.left === declaration
    ? declaration.parent
    : undefined;
  return assignment?.operatorToken.kind === ts.SyntaxKind.EqualsToken ? assignment : undefined;
}

/**
 * The function an assignment declaring `declaration` gives: a CommonJS
 * export (`module.exports = (ms) => …`, `exports.sleep = function (ms) { …
 * }`) or a JavaScript field given a function.
 */
function assignedFunction(declaration: ts.Node): FunctionNode | undefined {
  const assignment = declaringAssignment(declaration);
  const value = assignment === undefined ? undefined : skipOuterExpressions(assignment.right);
  return value !== undefined && isFunctionNode(value) ? value : undefined;
}

/**
 * The function a field is given by reference: its initialiser or
 * declaring assignment (`this.x = …`, `obj.x = …`) names a function, bound or not (`this.boundTick =
 * this.tick.bind(this)`, `handler = this.onTick`), resolved as
 * {@link functionNamed} resolves a name. A field given itself bound
 * (`this.tick = this.tick.bind(this)`) stands for the method of that name;
 * a chain of such references that comes back to itself resolves to nothing.
 */
function storedReference(checker: ts.TypeChecker, declaration: ts.Declaration): FunctionNode | undefined {
  const holder = ts.isPropertyDeclaration(declaration) ? declaration : declaringAssignment(declaration);
  const target = holder === undefined ? undefined : fieldReference(holder)?.target;
  if (target === undefined || following.has(declaration)) return undefined;
  following.add(declaration);
  try {
    const name = ts.isPropertyAccessExpression(target) ? target.name : target;
    const declarations = declarationsOf(checker, name).filter((each) => !following.has(each));
    return functionDeclaredBy(checker, declarations);
  } finally {
    following.delete(declaration);
  }
}

/** The declarations whose stored reference is being followed ({@link storedReference}): a cycle ends there. */
const following = new Set<ts.Node>();

/**
 * Records the program a checker belongs to, so that a declaration found in
 * a `.d.ts` file can be mapped to the JavaScript file beside it (compiled
 * packages ship `lib.js` with `lib.d.ts`, and an import of `./lib.js`
 * resolves to the declaration file).
 *
 * @param program a program whose checker the analysis will use.
 */
export function rememberProgram(program: ts.Program): void {
  programs.set(program.getTypeChecker(), program);
}

const programs = new WeakMap<ts.TypeChecker, ts.Program>();

/**
 * The program a checker belongs to, when {@link rememberProgram} recorded it.
 *
 * @param checker a type checker.
 */
export function programOf(checker: ts.TypeChecker): ts.Program | undefined {
  return programs.get(checker);
}

/**
 * The declaration in the JavaScript file beside a `.d.ts` file (`x.d.ts` →
 * `x.js`, `x.d.mts` → `x.mjs`, `x.d.cts` → `x.cjs`) with the same name: a
 * top-level function or variable, or a member of the class of the same
 * name. Undefined when the program does not contain that file or the name.
 */
function implementationOf(checker: ts.TypeChecker, declaration: ts.Declaration): ts.Declaration | undefined {
  if (implementations.has(declaration)) return implementations.get(declaration) ?? undefined;
  const program = programOf(checker);
  const file = declaration.getSourceFile().fileName;
  const script = program === undefined
    ? undefined
    : [file.replace(/\.d\.ts$/, ".js"), file.replace(/\.d\.mts$/, ".mjs"), file.replace(/\.d\.cts$/, ".cjs")]
      .filter((candidate) => candidate !== file)
      .map((candidate) => program.getSourceFile(candidate))
      .find((found) => found !== undefined);
  const found = script === undefined ? undefined : sameNamed(script, declaration);
  implementations.set(declaration, found ?? null);
  return found;
}

const implementations = new ProgramMemo<ts.Declaration, ts.Declaration | null>();

/**
 * The symbol standing for `symbol` in the program's own JavaScript when
 * `symbol` is declared only in `.d.ts` files: for a member of a declared
 * class, the property of the same name of the class of that name in the
 * JavaScript file beside it (see {@link implementationOf}), read from the
 * class's instance type, so that a field the script declares by assigning
 * it (`this.closed = deferred()` in its constructor) is found; `symbol`
 * itself otherwise, or undefined when no such property exists.
 *
 * @param checker the program's type checker.
 * @param symbol a variable or property's symbol.
 */
export function scriptSymbol(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol | undefined {
  const declarations = symbol.declarations ?? [];
  if (declarations.length === 0 || !declarations.every((each) => each.getSourceFile().isDeclarationFile)) {
    return symbol;
  }
  for (const declaration of declarations) {
    const owner = declaration.parent;
    const name = declarationName(declaration);
    if (owner === undefined || !ts.isClassDeclaration(owner) || name === undefined) continue;
    const script = implementationOf(checker, owner);
    const scriptClass = script !== undefined && ts.isClassLike(script) && script.name !== undefined
      ? checker.getSymbolAtLocation(script.name)
      : undefined;
    const found = scriptClass === undefined
      ? undefined
      : checker.getDeclaredTypeOfSymbol(scriptClass).getProperty(name);
    // A generic class's instance type gives an instantiated copy: the symbol is the one its own name has.
    const named = found?.declarations?.[0] === undefined ? undefined : ts.getNameOfDeclaration(found.declarations[0]);
    if (found !== undefined) return (named === undefined ? undefined : checker.getSymbolAtLocation(named)) ?? found;
  }
  return undefined;
}

function sameNamed(script: ts.SourceFile, declaration: ts.Declaration): ts.Declaration | undefined {
  const name = declarationName(declaration);
  if (name === undefined) return undefined;
  const owner = declaration.parent;
  if (owner !== undefined && ts.isClassLike(owner)) {
    const className = owner.name?.text;
    const jsClass = className === undefined ? undefined : topLevel(script, className);
    if (jsClass === undefined || !ts.isClassLike(jsClass)) return undefined;
    return jsClass.members.find((member) => declarationName(member) === name);
  }
  return topLevel(script, name);
}

/** A top-level function, class or variable declaration of `name` in `script`. */
function topLevel(script: ts.SourceFile, name: string): ts.Declaration | undefined {
  for (const statement of script.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name) {
      return statement;
    }
    if (ts.isVariableStatement(statement)) {
      const variable = statement.declarationList.declarations.find((item) =>
        ts.isIdentifier(item.name) && item.name.text === name
      );
      if (variable === undefined) continue;
      const initializer = variable.initializer === undefined ? undefined : skipOuterExpressions(variable.initializer);
      return initializer !== undefined && ts.isClassExpression(initializer) ? initializer : variable;
    }
  }
  return undefined;
}

function declarationName(declaration: ts.Node): string | undefined {
  const name = (declaration as ts.NamedDeclaration).name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name))
    ? name.text
    : undefined;
}

/**
 * The value a variable holds when it is given exactly once: the
 * initializer of a `const`, or of a `let`/`var` that nothing in its scope
 * (the function or file declaring it) assigns again (`=`, `+=`, `++`, …).
 * Undefined for anything else: a parameter, a destructured name, a
 * variable without an initializer or one written again.
 *
 * @param checker the program's type checker.
 * @param name an identifier referring to the variable.
 */
export function valueGivenOnce(checker: ts.TypeChecker, name: ts.Identifier): ts.Expression | undefined {
  const symbol = checker.getSymbolAtLocation(name);
  const declaration = symbol?.valueDeclaration;
  if (
    symbol === undefined || declaration === undefined || !ts.isVariableDeclaration(declaration) ||
    !ts.isIdentifier(declaration.name) || declaration.initializer === undefined ||
    !ts.isVariableDeclarationList(declaration.parent)
  ) return undefined;
  if (declaration.parent.flags & ts.NodeFlags.Const) return declaration.initializer;
  const cached = writtenAgain.get(declaration);
  const again = cached ?? assignedInScope(checker, declaration, symbol);
  writtenAgain.set(declaration, again);
  return again ? undefined : declaration.initializer;
}

const writtenAgain = new ProgramMemo<ts.Node, boolean>();

/** Whether the scope of `declaration` (its function, else its file) assigns the variable `symbol` after declaring it. */
function assignedInScope(checker: ts.TypeChecker, declaration: ts.NamedDeclaration, symbol: unknown): boolean {
  let scope: ts.Node = declaration.getSourceFile();
  for (let node: ts.Node | undefined = declaration.parent; node !== undefined; node = node.parent) {
    if (isFunctionNode(node)) {
      scope = node;
      break;
    }
  }
  const text = (declaration.name as ts.Identifier).text;
  // The variable itself, or inside a destructuring pattern (`[p, q] = pair`, `({ p } = o)`).
  const isTarget = (node: ts.Node): boolean => {
    const inner = skipOuterExpressions(node);
    if (ts.isIdentifier(inner)) return inner.text === text && checker.getSymbolAtLocation(inner) === symbol;
    if (ts.isShorthandPropertyAssignment(inner)) {
      return inner.name.text === text && checker.getShorthandAssignmentValueSymbol(inner) === symbol;
    }
    if (ts.isArrayLiteralExpression(inner) || ts.isObjectLiteralExpression(inner) || ts.isPropertyAssignment(inner)) {
      return ts.forEachChild(inner, (child) => isTarget(child) || undefined) === true;
    }
    return ts.isSpreadElement(inner) || ts.isSpreadAssignment(inner) ? isTarget(inner.expression) : false;
  };
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment && isTarget(node.left)
    ) {
      found = true;
    } else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) &&
      isTarget(node.operand)
    ) {
      found = true;
    } else if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && isTarget(node.initializer)) {
      found = true;
    } else {
      ts.forEachChild(node, visit);
    }
  };
  visit(scope);
  return found;
}
