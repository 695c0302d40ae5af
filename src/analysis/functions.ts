/**
 * Syntactic facts about functions that rules and the classifier share: what
 * encloses a node, what a function is called, whether a loop yields, and
 * where a callee's body is.
 *
 * @module
 */
import { ts } from "./ts.ts";

/** A node that has its own body and parameters. */
export type FunctionNode = ts.SignatureDeclaration & { body?: ts.Node };

/** Whether `node` is a function with a body of its own (declaration, expression, arrow, method, accessor, constructor). */
export function isFunctionNode(node: ts.Node): node is FunctionNode {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
      return true;
    default:
      return false;
  }
}

/** The nearest function that contains `node` (not `node` itself), or undefined at module top level. */
export function enclosingFunction(node: ts.Node): FunctionNode | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (isFunctionNode(current)) return current;
  }
  return undefined;
}

/** Every function that contains `node`, innermost first (empty at module top level). */
export function enclosingFunctions(node: ts.Node): Set<FunctionNode> {
  const found = new Set<FunctionNode>();
  for (let fn = enclosingFunction(node); fn !== undefined; fn = enclosingFunction(fn)) found.add(fn);
  return found;
}

/**
 * `node` with the parentheses and `as` casts around it, and the node
 * holding that: `(x as T)` and the assignment in `a = (x as T)`.
 *
 * @param node any node.
 * @returns the outermost wrapped form of `node` and its parent (undefined at the root).
 */
export function outermost(node: ts.Node): [ts.Node, ts.Node | undefined] {
  let child = node;
  let parent = node.parent;
  while (parent !== undefined && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) {
    child = parent;
    parent = parent.parent;
  }
  return [child, parent];
}

/**
 * The function a call runs through `Function.prototype`'s `call` or
 * `apply` (`fn.call(self, x)`, `fn.apply(self, args)`): `fn`, without
 * parentheses or assertions; undefined when `callee` is not such a member
 * access. Syntactic: whether `call` is the platform's is the caller's to ask.
 */
export function callOrApplyTarget(callee: ts.Node): ts.Node | undefined {
  return ts.isPropertyAccessExpression(callee) && (callee.name.text === "call" || callee.name.text === "apply")
    ? skipOuterExpressions(callee.expression)
    : undefined;
}

/** Strips parentheses, type assertions and non-null assertions around an expression. */
export function skipOuterExpressions(node: ts.Node): ts.Node {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) ||
    ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/**
 * The function a call's callee names, through parentheses, casts and the
 * indirect call compilers emit for a module's function (`(0, timers_1.setTimeout)(…)`:
 * the comma's value is its right side, called without a `this`). Other
 * callees are returned as `skipOuterExpressions` gives them.
 *
 * @param callee a call expression's `expression`.
 */
export function indirectCallee(callee: ts.Node): ts.Node {
  const inner = skipOuterExpressions(callee);
  return ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.CommaToken &&
      ts.isNumericLiteral(skipOuterExpressions(inner.left))
    ? skipOuterExpressions(inner.right)
    : inner;
}

/**
 * The name a function is known by: its own name, the variable or property it
 * is assigned to, or `constructor`. Undefined for anonymous callbacks.
 */
export function functionName(fn: FunctionNode): string | undefined {
  if (ts.isConstructorDeclaration(fn)) return "constructor";
  if (
    fn.name !== undefined &&
    (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name) || ts.isStringLiteral(fn.name))
  ) {
    return fn.name.text;
  }
  let parent = fn.parent;
  while (parent !== undefined && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) {
    parent = parent.parent;
  }
  if (parent === undefined) return undefined;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return ts.isIdentifier(parent.name) || ts.isPrivateIdentifier(parent.name) ? parent.name.text : undefined;
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = parent.left;
    if (ts.isIdentifier(left)) return left.text;
    if (ts.isPropertyAccessExpression(left)) return left.name.text;
  }
  return undefined;
}

/**
 * `f.bind(thisArg, …)` → `f`: a bound function is the function it binds;
 * any other node is returned as it is.
 *
 * @param node an expression.
 */
export function unwrapBind(node: ts.Node): ts.Node {
  if (!ts.isCallExpression(node)) return node;
  const callee = skipOuterExpressions(node.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === "bind"
    ? skipOuterExpressions(callee.expression)
    : node;
}

/**
 * The field `node` gives a function by reference, bound or not, and that
 * reference: a class field's initialiser (`handler = this.onTick`) or an
 * assignment to a property (`this.boundTick = this.tick.bind(this)`) whose
 * value, without `.bind(…)`, is a name or a property access. Syntax only;
 * whether the reference names a function is the caller's to resolve.
 *
 * @param node any node.
 * @returns the field's name (as written, computed names included) and the reference, or undefined.
 */
export function fieldReference(
  node: ts.Node,
): { name: ts.PropertyName; target: ts.Identifier | ts.PropertyAccessExpression } | undefined {
  let name: ts.PropertyName | undefined;
  let value: ts.Node | undefined;
  if (ts.isPropertyDeclaration(node)) [name, value] = [node.name, node.initializer];
  else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuterExpressions(node.left);
    if (ts.isPropertyAccessExpression(left)) [name, value] = [left.name, node.right];
  }
  if (name === undefined || value === undefined) return undefined;
  const target = unwrapBind(skipOuterExpressions(value));
  return ts.isIdentifier(target) || ts.isPropertyAccessExpression(target) ? { name, target } : undefined;
}

/** The class whose constructor or method `fn` is, if any. */
export function owningClass(fn: FunctionNode): ts.ClassLikeDeclaration | undefined {
  const parent = fn.parent;
  return parent !== undefined && ts.isClassLike(parent) ? parent : undefined;
}

/** Whether a loop awaits or yields in its own body or condition (not in nested functions). */
export function yieldsIn(loop: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionNode(node)) return;
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(loop, visit);
  return found;
}

/** The text of a call's callee as written, without type arguments: `pollForever`, `this.loop`, `db.connect`. */
export function calleeText(call: ts.CallExpression | ts.NewExpression, sourceFile: ts.SourceFile): string {
  return skipOuterExpressions(call.expression).getText(sourceFile).replace(/\s+/g, "");
}

/** Whether a function node carries the `async` modifier. */
export function isAsyncFunction(fn: ts.Node): boolean {
  return isFunctionNode(fn) && ts.canHaveModifiers(fn) &&
    (ts.getModifiers(fn)?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword) ?? false);
}

/** Whether a function node is a generator (`function*`, `*method()`). */
export function isGeneratorFunction(fn: ts.Node): boolean {
  return (ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) &&
    fn.asteriskToken !== undefined;
}

/** The last segment of a call's (or `new`'s) callee: `emit` for `this.events.emit(...)`, `run` for `run()`; "" otherwise. */
export function calledName(call: ts.CallExpression | ts.NewExpression): string {
  const callee = indirectCallee(call.expression);
  return ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
}

/**
 * The generator a compiled async function value wraps: Babel's
 * `_asyncToGenerator(function* () { … })` (not yet called), or the wrapper
 * Babel emits around it for a function with parameters, whose `yield` is
 * the `await` of the source.
 *
 * @param expression any expression.
 * @returns the generator function, or undefined.
 */
export function compiledAsyncFunction(expression: ts.Node): FunctionNode | undefined {
  const call = skipOuterExpressions(expression);
  if (!ts.isCallExpression(call)) return undefined;
  if (/asyncToGenerator$/i.test(calledName(call))) return generatorArgument(call.arguments[0]);
  return babelWrapper(call);
}

/**
 * Babel's wrapper for an async function expression with parameters:
 * `(function () { var _ref = _asyncToGenerator(function* (x) { … }); return
 * function (_x) { return _ref.apply(this, arguments); }; })()` — the
 * generator of its `_asyncToGenerator` call.
 */
function babelWrapper(call: ts.CallExpression): FunctionNode | undefined {
  const wrapper = skipOuterExpressions(call.expression);
  if (call.arguments.length > 0 || !ts.isFunctionExpression(wrapper)) return undefined;
  const [first, second] = wrapper.body.statements;
  if (first === undefined || second === undefined || !ts.isVariableStatement(first) || !ts.isReturnStatement(second)) {
    return undefined;
  }
  const initializer = first.declarationList.declarations[0]?.initializer;
  const returned = second.expression === undefined ? undefined : skipOuterExpressions(second.expression);
  if (initializer === undefined || returned === undefined || !isFunctionNode(returned)) return undefined;
  const inner = skipOuterExpressions(initializer);
  return ts.isCallExpression(inner) && /asyncToGenerator$/i.test(calledName(inner))
    ? generatorArgument(inner.arguments[0])
    : undefined;
}

/**
 * The generator a compiled async function's body runs: Babel's
 * `_asyncToGenerator(function* () { … })()` and TypeScript's
 * `__awaiter(this, …, function* () { … })`.
 *
 * @param expression any expression.
 * @returns the generator function, or undefined when `expression` is not such a call.
 */
export function compiledAsyncBody(expression: ts.Node): FunctionNode | undefined {
  const call = skipOuterExpressions(expression);
  if (!ts.isCallExpression(call)) return undefined;
  if (/^_*awaiter$/.test(calledName(call))) return generatorArgument(call.arguments[call.arguments.length - 1]);
  return compiledAsyncFunction(call.expression);
}

function generatorArgument(argument: ts.Node | undefined): FunctionNode | undefined {
  const fn = argument === undefined ? undefined : skipOuterExpressions(argument);
  return fn !== undefined && isFunctionNode(fn) && isGeneratorFunction(fn) ? fn : undefined;
}

/**
 * The values `fn` returns: its concise body, or the expressions of the
 * `return` statements of its block (not of functions nested in it).
 *
 * @param fn a function with a body.
 */
export function returnedExpressions(fn: FunctionNode): readonly ts.Expression[] {
  const cached = returnsCache.get(fn);
  if (cached !== undefined) return cached;
  const body = fn.body!;
  if (!ts.isBlock(body)) return [body as ts.Expression];
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) return;
    if (ts.isReturnStatement(node) && node.expression !== undefined) found.push(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(body);
  returnsCache.set(fn, found);
  return found;
}

/** Returned expressions per function: many call sites share one callee. */
const returnsCache = new WeakMap<ts.Node, readonly ts.Expression[]>();
