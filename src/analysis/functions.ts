/**
 * Syntactic facts about functions that rules and the classifier share: what
 * encloses a node, what a function is called, whether its body loops forever
 * or is wholly wrapped in try/catch, and where a callee's body is.
 *
 * @module
 */
import { ts } from "ts-morph";
import { TIMER_KINDS } from "./callbacks.ts";

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
  if (fn.name !== undefined && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name) || ts.isStringLiteral(fn.name))) {
    return fn.name.text;
  }
  let parent = fn.parent;
  while (parent !== undefined && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) parent = parent.parent;
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

/** The class whose constructor or method `fn` is, if any. */
export function owningClass(fn: FunctionNode): ts.ClassLikeDeclaration | undefined {
  const parent = fn.parent;
  return parent !== undefined && ts.isClassLike(parent) ? parent : undefined;
}

/** Whether a function body (or concise arrow body) consists of one try statement with a catch clause. */
export function bodyWrappedInTryCatch(fn: ts.Node): boolean {
  if (!isFunctionNode(fn) || fn.body === undefined || !ts.isBlock(fn.body)) return false;
  const statements = fn.body.statements.filter((statement) => !ts.isEmptyStatement(statement));
  return statements.length === 1 && ts.isTryStatement(statements[0]!) && statements[0].catchClause !== undefined;
}

/**
 * The kind of loop that keeps running until stopped from outside, found in
 * `body` without descending into nested functions: `while (true)`,
 * `for (;;)`, `do … while (true)`, `for await (…)` over a stream, or a loop on
 * a stop flag (`!signal.aborted`, `!this.stopped`, `this.running`).
 *
 * @returns a short description of the first such loop, or undefined.
 */
export function findUnboundedLoop(body: ts.Node): string | undefined {
  if (loopCache.has(body)) return loopCache.get(body);
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || isFunctionNode(node)) return;
    if (ts.isForStatement(node) && node.condition === undefined) found = "for (;;)";
    else if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) found = "for await";
    else if (ts.isWhileStatement(node) || ts.isDoStatement(node)) {
      const condition = loopConditionKind(node.expression);
      if (condition !== undefined) found = condition;
    }
    if (found === undefined) ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  loopCache.set(body, found);
  return found;
}

/** Loop findings per body: many call sites share one callee. */
const loopCache = new WeakMap<ts.Node, string | undefined>();

const STOP_FLAG = /^(aborted|stopped|stopping|closed|closing|cancelled|canceled|disposed|shuttingDown|shutdown|done|isStopped|isClosed)$/;
const RUN_FLAG = /^(running|isRunning|active|isActive|alive|started|polling|listening|keepRunning|shouldRun)$/;

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

function flagName(node: ts.Node): string | undefined {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return undefined;
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

/**
 * Whether `fn` calls a function named `name` on itself — `name()` or
 * `this.name()` — or passes it by name to a timer (`setTimeout(name, ms)`,
 * `setTimeout(this.name, ms)`), anywhere in its body including nested
 * callbacks. A call on another object (`this.conn.name()`) does not count.
 * Name-based: used to spot functions that start themselves again.
 */
export function callsFunctionNamed(fn: ts.Node, name: string): boolean {
  const known = selfCallCache.get(fn)?.get(name);
  if (known !== undefined) return known;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      if (isOwnReference(callee, name)) found = true;
      const called = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (called !== undefined && TIMER_KINDS.has(called) && node.arguments[0] !== undefined &&
        isOwnReference(skipOuterExpressions(node.arguments[0]), name)) {
        found = true;
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  const byName = selfCallCache.get(fn) ?? new Map<string, boolean>();
  byName.set(name, found);
  selfCallCache.set(fn, byName);
  return found;
}

/** Answers per function body and name: many call sites share one callee. */
const selfCallCache = new WeakMap<ts.Node, Map<string, boolean>>();

/** `name` or `this.name`. */
function isOwnReference(node: ts.Node, name: string): boolean {
  if (ts.isIdentifier(node)) return node.text === name;
  return ts.isPropertyAccessExpression(node) && node.name.text === name && node.expression.kind === ts.SyntaxKind.ThisKeyword;
}

