/**
 * Syntactic facts about functions that rules and the classifier share: what
 * encloses a node, what a function is called, whether its body loops forever
 * or is wholly wrapped in try/catch, and where a callee's body is.
 *
 * @module
 */
import { ts } from "./ts.ts";
import { ProgramMemo } from "./memo.ts";

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

/** The class whose constructor or method `fn` is, if any. */
export function owningClass(fn: FunctionNode): ts.ClassLikeDeclaration | undefined {
  const parent = fn.parent;
  return parent !== undefined && ts.isClassLike(parent) ? parent : undefined;
}

/**
 * The kind of loop that keeps running until stopped from outside, found in
 * `body` without descending into nested functions: `while (true)`,
 * `for (;;)`, `do … while (true)`, `for await (…)` over a stream, or a loop on
 * a stop flag (`!signal.aborted`, `!this.stopped`, `this.running`) — one that
 * yields (awaits or yields in its own body: a loop that never yields runs to
 * its end before anything else can run, it is not background work). An
 * endless loop that drains a finite collection or reads a cursor to its end
 * (see {@link drainsItems}) is not one.
 *
 * @returns a short description of the first such loop, or undefined.
 */
export function findUnboundedLoop(body: ts.Node): string | undefined {
  if (loopCache.has(body)) return loopCache.get(body);
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || isFunctionNode(node)) return;
    if (ts.isForStatement(node) && node.condition === undefined) {
      found = drainsItems(node.statement) || !yieldsIn(node) ? undefined : "for (;;)";
    } else if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) found = "for await";
    else if (ts.isWhileStatement(node) || ts.isDoStatement(node)) {
      const condition = loopConditionKind(node.expression);
      if (
        condition !== undefined && yieldsIn(node) && !(condition === "while (true)" && drainsItems(node.statement))
      ) found = condition;
    }
    if (found === undefined) ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  loopCache.set(body, found);
  return found;
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

/**
 * Whether an endless loop's body drains a finite collection or reads a
 * cursor to its end: one of its own statements takes the next item into a
 * local (`const path = paths[index]`, `const job = queue.shift()`, `const
 * step = it.next()`, `const { done, value } = await reader.read()`) and a
 * following `if` leaves the loop (`break`/`return`, alone or ending its
 * block) when there is none (`if (!path) break;`, `if (job === undefined)
 * return;`, `if (step.done) break;`, `if (done) { finish(); return; }`): a
 * worker taking files from a shared list stops when the list is used up.
 */
function drainsItems(body: ts.Statement): boolean {
  if (!ts.isBlock(body)) return false;
  const items = new Set<string>();
  for (const statement of body.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (declaration.initializer === undefined || !takesNextItem(declaration.initializer)) continue;
        if (ts.isIdentifier(declaration.name)) items.add(declaration.name.text);
        else if (ts.isObjectBindingPattern(declaration.name)) {
          // `const { done, value } = await reader.read()`: `done` says the cursor is used up.
          for (const element of declaration.name.elements) {
            const property = element.propertyName ?? element.name;
            if (ts.isIdentifier(property) && property.text === "done" && ts.isIdentifier(element.name)) {
              items.add(`!${element.name.text}`);
            }
          }
        }
      }
    } else if (
      ts.isIfStatement(statement) && leavesLoop(statement.thenStatement) && testsAbsence(statement.expression, items)
    ) {
      return true;
    }
  }
  return false;
}

/** `list[i]`, `queue.shift()`, `stack.pop()`, `iterator.next()`, `queue.dequeue()`, `await reader.read()`: reading the next item of a collection or cursor. */
function takesNextItem(value: ts.Expression): boolean {
  let inner = skipOuterExpressions(value);
  if (ts.isAwaitExpression(inner)) inner = skipOuterExpressions(inner.expression);
  if (ts.isElementAccessExpression(inner)) return true;
  if (!ts.isCallExpression(inner)) return false;
  const callee = skipOuterExpressions(inner.expression);
  return ts.isPropertyAccessExpression(callee) && /^(shift|pop|next|dequeue|take|read)$/.test(callee.name.text);
}

/** `break`, `return`, alone or as the last statement of a block. */
function leavesLoop(statement: ts.Statement): boolean {
  const last = ts.isBlock(statement) ? statement.statements[statement.statements.length - 1] : statement;
  return last !== undefined && (ts.isBreakStatement(last) || ts.isReturnStatement(last));
}

/** `!item`, `item === undefined`, `item == null`, `item.done`, `done` (read with the item): no item was taken. */
function testsAbsence(condition: ts.Expression, items: ReadonlySet<string>): boolean {
  const inner = skipOuterExpressions(condition);
  if (ts.isIdentifier(inner) && items.has(`!${inner.text}`)) return true;
  const isItem = (node: ts.Node): boolean =>
    ts.isIdentifier(skipOuterExpressions(node)) && items.has((skipOuterExpressions(node) as ts.Identifier).text);
  if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
    return isItem(inner.operand);
  }
  if (ts.isPropertyAccessExpression(inner) && inner.name.text === "done") return isItem(inner.expression);
  if (
    ts.isBinaryExpression(inner) &&
    [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(inner.operatorToken.kind)
  ) {
    const absent = (node: ts.Node): boolean => {
      const value = skipOuterExpressions(node);
      return value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === "undefined");
    };
    return (isItem(inner.left) && absent(inner.right)) || (isItem(inner.right) && absent(inner.left));
  }
  return false;
}

/** Loop findings per body: many call sites share one callee. */
const loopCache = new ProgramMemo<ts.Node, string | undefined>();

const STOP_FLAG =
  /^(aborted|stopped|stopping|closed|closing|cancelled|canceled|disposed|shuttingDown|shutdown|done|isStopped|isClosed)$/;
const RUN_FLAG = /^(running|isRunning|active|isActive|alive|started|polling|listening|keepRunning|shouldRun)$/;

/**
 * Whether a condition is `true` or reads a run or stop flag (`this.running`,
 * `!signal.aborted`): what keeps a loop going until it is stopped from
 * outside.
 *
 * @param condition a loop or `if` condition.
 */
export function isRunCondition(condition: ts.Expression): boolean {
  return loopConditionKind(condition) !== undefined;
}

function loopConditionKind(condition: ts.Expression): string | undefined {
  const inner = skipOuterExpressions(condition);
  if (inner.kind === ts.SyntaxKind.TrueKeyword) return "while (true)";
  if (ts.isNumericLiteral(inner) && inner.text !== "0") return "while (true)";
  if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
    const flag = flagName(skipOuterExpressions(inner.operand));
    if (flag !== undefined && STOP_FLAG.test(flag)) return `while (!${flag})`;
  }
  const flag = flagName(inner);
  if (flag !== undefined && RUN_FLAG.test(flag)) return `while (${flag})`;
  return undefined;
}

/** The flag a loop condition reads, without a private or underscore prefix (`this.#running`, `this._closed`). */
function flagName(node: ts.Node): string | undefined {
  const name = ts.isIdentifier(node) ? node.text : ts.isPropertyAccessExpression(node) ? node.name.text : undefined;
  return name?.replace(/^[#_]+/, "");
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
  const callee = skipOuterExpressions(call.expression);
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
