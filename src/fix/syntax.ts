/**
 * Building blocks the rules' fixes share: wrapping a node in a supervisor
 * call by inserting text around it, deciding whether an expression can be
 * evaluated again, and whether a callback asserts or only throws. Every helper returns text edits on
 * the original file; none reprints code.
 *
 * @module
 */
import { type SyntaxKindName, ts } from "../analysis/ts.ts";
import type { TextEdit } from "../rule.ts";
import type { Kind } from "../site.ts";
import { isAsyncFunction, isFunctionNode, skipOuterExpressions } from "../analysis/functions.ts";
import { LISTENER_METHODS, TIMER_KINDS } from "../analysis/callbacks.ts";

/**
 * Edits that replace the text of `outer` outside `inner` with `before` and
 * `after`, keeping `inner`'s text as written (`inner` may be `outer`: then
 * both edits are pure insertions).
 *
 * @param outer the node whose range is rewritten.
 * @param inner a node inside `outer` (or `outer` itself) whose text is kept.
 * @param sourceFile the file both belong to.
 */
export function wrap(
  outer: ts.Node,
  inner: ts.Node,
  sourceFile: ts.SourceFile,
  before: string,
  after: string,
): TextEdit[] {
  return [
    { start: outer.getStart(sourceFile), end: inner.getStart(sourceFile), text: before },
    { start: inner.getEnd(), end: outer.getEnd(), text: after },
  ];
}

/**
 * The first part of `expression` that stops it from being evaluated again
 * as it is written (a call, `new`, an assignment, `i++`, `await`, `yield`,
 * `delete`, a tagged template), or undefined when repeating it is safe:
 * names, `this`, property and element accesses, literals, templates, object
 * and array literals, function expressions, and operators over those.
 */
export function unrepeatablePart(expression: ts.Node): ts.Node | undefined {
  const node = skipOuterExpressions(expression);
  if (
    isFunctionNode(node) || ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isLiteralExpression(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) || SIMPLE_KEYWORDS.some((name) => node.kind === ts.SyntaxKind[name])
  ) {
    return undefined;
  }
  if (ts.isPropertyAccessExpression(node)) return unrepeatablePart(node.expression);
  if (ts.isElementAccessExpression(node)) {
    return unrepeatablePart(node.expression) ?? unrepeatablePart(node.argumentExpression);
  }
  if (ts.isTemplateExpression(node)) return firstOf(node.templateSpans.map((span) => span.expression));
  if (ts.isArrayLiteralExpression(node)) return firstOf(node.elements);
  if (ts.isSpreadElement(node) || ts.isSpreadAssignment(node)) return unrepeatablePart(node.expression);
  if (ts.isObjectLiteralExpression(node)) {
    for (const property of node.properties) {
      if (ts.isPropertyAssignment(property)) {
        const found =
          (ts.isComputedPropertyName(property.name) ? unrepeatablePart(property.name.expression) : undefined) ??
            unrepeatablePart(property.initializer);
        if (found !== undefined) return found;
      } else if (ts.isSpreadAssignment(property)) {
        const found = unrepeatablePart(property.expression);
        if (found !== undefined) return found;
      } else if (!ts.isShorthandPropertyAssignment(property) && !ts.isMethodDeclaration(property)) {
        return property;
      }
    }
    return undefined;
  }
  if (ts.isPrefixUnaryExpression(node)) {
    const mutates = node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken;
    return mutates ? node : unrepeatablePart(node.operand);
  }
  if (ts.isTypeOfExpression(node) || ts.isVoidExpression(node)) return unrepeatablePart(node.expression);
  if (ts.isBinaryExpression(node)) {
    const kind = node.operatorToken.kind;
    if (kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment) return node;
    return unrepeatablePart(node.left) ?? unrepeatablePart(node.right);
  }
  if (ts.isConditionalExpression(node)) return firstOf([node.condition, node.whenTrue, node.whenFalse]);
  return node;
}

/** By name: a kind's number depends on the TypeScript in use (src/analysis/ts.ts). */
const SIMPLE_KEYWORDS: readonly SyntaxKindName[] = [
  "ThisKeyword",
  "SuperKeyword",
  "TrueKeyword",
  "FalseKeyword",
  "NullKeyword",
  "UndefinedKeyword",
];

function firstOf(nodes: readonly ts.Node[]): ts.Node | undefined {
  for (const node of nodes) {
    const found = unrepeatablePart(node);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `node`'s source text on one line, shortened to `max` characters, in backticks: for comments and skip reasons. */
export function quoteCode(node: ts.Node, sourceFile: ts.SourceFile, max = 40): string {
  const text = node.getText(sourceFile).replace(/\s+/g, " ").replaceAll("*/", "* /");
  return `\`${text.length > max ? `${text.slice(0, max - 1)}…` : text}\``;
}

/**
 * The loop or repeated callback that runs `node` again and again within its
 * own function, if any: a `for`/`for…of`/`for…in`/`while`/`do` statement, a
 * `forEach`/`map` callback, a timer callback (`setInterval`, and a
 * `setTimeout` that may be scheduled again) or an event listener (`on`,
 * `addEventListener`). A supervised task started there would be started
 * again under the same name, and a name spawned again replaces the running
 * task.
 *
 * @param node a node inside a function body or module.
 */
export function enclosingLoop(node: ts.Node): ts.Node | undefined {
  for (let child = node, current = node.parent; current !== undefined; child = current, current = current.parent) {
    if (ts.isIterationStatement(current, false) && child === current.statement) return current;
    if (isFunctionNode(current)) {
      const call = current.parent;
      const callee = call !== undefined && ts.isCallExpression(call)
        ? skipOuterExpressions(call.expression)
        : undefined;
      const name = callee === undefined
        ? undefined
        : ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : ts.isIdentifier(callee)
        ? callee.text
        : undefined;
      return name !== undefined && REPEATING_CALLERS.has(name) ? call : undefined;
    }
  }
  return undefined;
}

/** Calls that run a callback argument more than once: iteration methods, timers, listener registration. */
const REPEATING_CALLERS = new Set([
  "forEach",
  "map",
  "flatMap",
  "filter",
  "some",
  "every",
  "reduce",
  ...TIMER_KINDS.keys(),
  ...LISTENER_METHODS,
]);

/**
 * Whether the function a call invokes takes an `AbortSignal`, directly or
 * as a `signal` property of an options object (per its resolved signature).
 *
 * @param checker the program's type checker.
 * @param call the call.
 */
export function acceptsAbortSignal(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  const signature = checker.getResolvedSignature(call);
  return signature?.getParameters().some((parameter) => {
    const type = checker.getTypeOfSymbolAtLocation(parameter, call);
    return someMember(type, (member) =>
      isAbortSignal(member) || (member.getProperty("signal") !== undefined &&
        someMember(checker.getTypeOfSymbolAtLocation(member.getProperty("signal")!, call), isAbortSignal)));
  }) ?? false;
}

function someMember(type: ts.Type, test: (member: ts.Type) => boolean): boolean {
  return type.isUnion() ? type.types.some(test) : test(type);
}

function isAbortSignal(type: ts.Type): boolean {
  return type.getSymbol()?.getName() === "AbortSignal";
}

/** Test assertion entry points: `assert(...)`, `assert.equal(...)`, `t.assert.ok(...)`, `expect(...)`, `should`, `chai`. */
const ASSERTION = /^(assert|expect|should|chai)$/;

/**
 * The first assertion call in a function's body (nested callbacks
 * included), or undefined: a callback that asserts must not be wrapped, or
 * a failing assertion would be logged instead of failing its test.
 *
 * @param fn a function node (or any node).
 */
export function assertionIn(fn: ts.Node): ts.CallExpression | undefined {
  let found: ts.CallExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined) return;
    if (ts.isCallExpression(node) && callsAssertion(node.expression)) found = node;
    else ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/**
 * The callback a timer site is given by name (`setImmediate(cb)`,
 * `setTimeout(this.options.done, 5)`), or undefined: a function written in
 * place, or a site that is not a timer.
 *
 * @param node the site's node.
 * @param kind the site's kind.
 */
export function namedTimerCallback(node: ts.Node, kind: Kind): ts.Node | undefined {
  if (![...TIMER_KINDS.values()].includes(kind) || !ts.isCallExpression(node)) return undefined;
  const first = node.arguments[0] === undefined ? undefined : skipOuterExpressions(node.arguments[0]);
  return first !== undefined && (ts.isIdentifier(first) || ts.isPropertyAccessExpression(first)) ? first : undefined;
}

/**
 * Whether a synchronous function's every way through its body ends in a
 * `throw`: a block body with no `return` (nested functions aside) whose last statement
 * throws — a `throw`, or an `if` with an `else`, or a block, each of whose
 * branches does. Such a callback (`setImmediate(() => { throw error; })`,
 * "should never get here") is a crash its author meant; wrapped, the crash
 * would become a log line. An async function's throw is a rejection, which
 * ends the process only when nobody observes it, so it is not counted.
 *
 * @param fn a function node (any other node: false).
 */
export function onlyThrows(fn: ts.Node): boolean {
  if (!isFunctionNode(fn) || isAsyncFunction(fn) || fn.body === undefined || !ts.isBlock(fn.body)) return false;
  let returns = false;
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node)) returns = true;
    else if (!returns && !isFunctionNode(node)) ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  return !returns && endsInThrow(fn.body);
}

function endsInThrow(statement: ts.Statement | undefined): boolean {
  if (statement === undefined) return false;
  if (ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) return endsInThrow(statement.statements[statement.statements.length - 1]);
  return ts.isIfStatement(statement) && endsInThrow(statement.thenStatement) && endsInThrow(statement.elseStatement);
}

function callsAssertion(callee: ts.Node): boolean {
  let current = skipOuterExpressions(callee);
  while (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current)) {
    if (ts.isPropertyAccessExpression(current) && ASSERTION.test(current.name.text)) return true;
    current = skipOuterExpressions(current.expression);
  }
  return ts.isIdentifier(current) && ASSERTION.test(current.text);
}
