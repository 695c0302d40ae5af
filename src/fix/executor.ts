/**
 * The nearest error channel of all: the `reject` of a `new Promise(executor)`
 * whose settling the site's work does. A timer set in an executor
 * (`new Promise((resolve, reject) => { setTimeout(() => { cleanUp();
 * reject(new Error("timed out")); }, ms); })`), or a promise floating there
 * (`load().then(resolve)`), is how that promise settles; a failure in it
 * used to end the process and leave the promise pending. Handed to the
 * executor's reject, it reaches whoever awaits the promise, as a throw in
 * the executor itself would.
 *
 * Taken only when the site runs at most once (a timeout, immediate,
 * microtask or promise; not an interval or a listener, whose later failures
 * would come after the promise settled, where `reject` does nothing), sits
 * in the executor's own body (not in a loop, not in a function nested in
 * it), and its work calls or passes on the executor's `resolve` or `reject`,
 * directly or through a function declared in the executor that does. The
 * reject is found by position (the executor's second parameter), whatever
 * its name. An executor with only `resolve` gets a second parameter when
 * that changes nothing else: an arrow function or a function that does not
 * read `arguments`, whose code uses no identifier of the new name.
 *
 * One case stays as before only in part: if the promise was already settled
 * elsewhere when the site fails (a deadline not cleared when the promise
 * resolved), `reject` does nothing and the failure is not reported — as a
 * throw in the executor after settling is not.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { TextEdit } from "../rule.ts";
import { type Kind, KINDS } from "../site.ts";
import { enclosingFunction, skipOuterExpressions } from "../analysis/functions.ts";
import { isPromiseExecutor } from "../analysis/promise.ts";
import { enclosingLoop } from "./syntax.ts";

/**
 * Kinds whose work runs once, so a failure in it comes before the promise it
 * settles has settled: every kind but an interval's ticks, a listener's
 * calls and a worker's life.
 */
const ONCE: ReadonlySet<Kind> = new Set(
  KINDS.filter((kind) => kind !== "interval" && kind !== "async-listener" && kind !== "worker"),
);

/** Names tried for a reject parameter fix adds, in order. */
const NEW_NAMES = ["reject", "rejectPromise"];

/**
 * The executor's reject as a site's channel: the name it goes by at the site,
 * and the edits (insertions into the executor's parameter list) that declare
 * it when fix adds it; empty when the executor already has it.
 */
export interface ExecutorReject {
  name: string;
  declarations: TextEdit[];
}

/**
 * The reject of the `new Promise` executor the site settles (see the module
 * comment), or undefined when there is none to use.
 *
 * @param node the site's node (a timer call, a promise expression).
 * @param kind the site's kind.
 * @param checker the program's type checker.
 */
export function executorReject(node: ts.Node, kind: Kind, checker: ts.TypeChecker): ExecutorReject | undefined {
  if (!ONCE.has(kind) || enclosingLoop(node) !== undefined) return undefined;
  const executor = enclosingFunction(node);
  if (executor === undefined || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) return undefined;
  if (!isGlobalPromiseExecutor(executor, checker)) return undefined;
  const [resolve, reject] = executor.parameters;
  if (resolve === undefined || !isPlainParameter(resolve)) return undefined;
  if (reject !== undefined && !isPlainParameter(reject)) return undefined;
  const settlers = settlersIn(executor, [resolve, reject], checker);
  if (!refersTo(node, settlers, checker)) return undefined;
  if (reject !== undefined) {
    const name = (reject.name as ts.Identifier).text;
    const symbol = checker.getSymbolAtLocation(reject.name);
    const shadowed = declaresName(node, name) ||
      checker.resolveName(name, node, ts.SymbolFlags.Value, false) !== symbol;
    return shadowed ? undefined : { name, declarations: [] };
  }
  if (
    executor.parameters.length !== 1 || (ts.isFunctionExpression(executor) && usesIdentifier(executor, "arguments"))
  ) {
    return undefined;
  }
  const name = NEW_NAMES.find((candidate) => !usesIdentifier(executor, candidate));
  if (name === undefined) return undefined;
  const sourceFile = executor.getSourceFile();
  const parenthesized = executor.getChildren(sourceFile).some((child) => child.kind === ts.SyntaxKind.OpenParenToken);
  return {
    name,
    declarations: parenthesized ? [{ start: resolve.getEnd(), end: resolve.getEnd(), text: `, ${name}` }] : [
      { start: resolve.getStart(sourceFile), end: resolve.getStart(sourceFile), text: "(" },
      { start: resolve.getEnd(), end: resolve.getEnd(), text: `, ${name})` },
    ],
  };
}

/**
 * Whether `executor` is a promise executor ({@link isPromiseExecutor}) of
 * the global Promise: `Promise` declared only in declaration files that are
 * scripts (the lib files), not a class or import of the program's own.
 */
function isGlobalPromiseExecutor(executor: ts.Node, checker: ts.TypeChecker): boolean {
  if (!isPromiseExecutor(executor)) return false;
  let creation = executor.parent;
  while (ts.isParenthesizedExpression(creation)) creation = creation.parent;
  const callee = skipOuterExpressions((creation as ts.NewExpression).expression);
  if (!ts.isIdentifier(callee)) return false;
  const declarations = checker.getSymbolAtLocation(callee)?.declarations ?? [];
  return declarations.length > 0 && declarations.every((declaration) => {
    const file = declaration.getSourceFile();
    return file.isDeclarationFile && !ts.isExternalModule(file);
  });
}

/** A parameter that is one name: no rest, no destructuring, no default (`this` parameters are not in arrows or executors). */
function isPlainParameter(parameter: ts.ParameterDeclaration): boolean {
  return ts.isIdentifier(parameter.name) && parameter.dotDotDotToken === undefined &&
    parameter.initializer === undefined && parameter.name.text !== "this";
}

/**
 * The symbols whose call or use settles the executor's promise: its
 * `resolve` and `reject` parameters, and every function declared in it
 * (`function f…`, `const f = (…) => …`) whose body refers to one of them.
 */
function settlersIn(
  executor: ts.ArrowFunction | ts.FunctionExpression,
  parameters: (ts.ParameterDeclaration | undefined)[],
  checker: ts.TypeChecker,
): Set<ts.Symbol> {
  const settlers = new Set<ts.Symbol>();
  for (const parameter of parameters) {
    const symbol = parameter === undefined ? undefined : checker.getSymbolAtLocation(parameter.name);
    if (symbol !== undefined) settlers.add(symbol);
  }
  const locals: [ts.Symbol, ts.Node][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name !== undefined && node.body !== undefined) {
      const symbol = checker.getSymbolAtLocation(node.name);
      if (symbol !== undefined) locals.push([symbol, node.body]);
    } else if (
      ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer !== undefined &&
      (ts.isArrowFunction(skipOuterExpressions(node.initializer)) ||
        ts.isFunctionExpression(skipOuterExpressions(node.initializer)))
    ) {
      const symbol = checker.getSymbolAtLocation(node.name);
      if (symbol !== undefined) locals.push([symbol, node.initializer]);
    }
    ts.forEachChild(node, visit);
  };
  if (executor.body !== undefined) visit(executor.body);
  for (let grown = true; grown;) {
    grown = false;
    for (const [symbol, body] of locals) {
      if (!settlers.has(symbol) && refersTo(body, settlers, checker)) {
        settlers.add(symbol);
        grown = true;
      }
    }
  }
  return settlers;
}

/** Whether an identifier inside `node` refers to one of `symbols`. */
function refersTo(node: ts.Node, symbols: ReadonlySet<ts.Symbol>, checker: ts.TypeChecker): boolean {
  const visit = (current: ts.Node): boolean => {
    if (ts.isIdentifier(current)) {
      const symbol = checker.getSymbolAtLocation(current);
      return symbol !== undefined && symbols.has(symbol);
    }
    return ts.forEachChild(current, visit) ?? false;
  };
  return visit(node);
}

/** Whether `node` declares something named `name` (a variable, parameter, function or class), which would shadow an outer one. */
function declaresName(node: ts.Node, name: string): boolean {
  const visit = (current: ts.Node): boolean => {
    if (
      (ts.isVariableDeclaration(current) || ts.isParameter(current) || ts.isFunctionDeclaration(current) ||
        ts.isClassDeclaration(current) || ts.isBindingElement(current)) &&
      current.name !== undefined && ts.isIdentifier(current.name) && current.name.text === name
    ) {
      return true;
    }
    return ts.forEachChild(current, visit) ?? false;
  };
  return visit(node);
}

/**
 * Whether `node` uses `name` as a name in scope anywhere (a reference or a
 * declaration; a property name after a dot or before a colon is not one).
 */
function usesIdentifier(node: ts.Node, name: string): boolean {
  const visit = (current: ts.Node): boolean => {
    if (ts.isIdentifier(current) && current.text === name) {
      const parent = current.parent;
      const member = (ts.isPropertyAccessExpression(parent) || ts.isPropertyAssignment(parent) ||
        ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === current;
      if (!member) return true;
    }
    return ts.forEachChild(current, visit) ?? false;
  };
  return visit(node);
}
