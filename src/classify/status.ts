/**
 * Status that does not depend on the rule: supervision by the shim or a
 * configured supervisor (ignore comments are in `ignore-comments.ts`).
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import { enclosingFunction, isFunctionNode, skipOuterExpressions } from "../analysis/functions.ts";

/** The shim's supervisor functions, always recognised (see `shim/mod.ts`). */
export const SHIM_SUPERVISORS = ["spawnSupervised", "spawnLogged", "superviseWorker", "logWorker"] as const;

/**
 * Why a site counts as supervised, or undefined. A supervisor sees a failure
 * only through the value it is given, so the site must be that value:
 *
 * - the site is itself a call to a supervisor (`spawnSupervised(...)` as a
 *   statement: the rewritten form of a floating promise);
 * - the site is an argument of a supervisor call, or what a function passed
 *   as one returns (its concise body, a `return`ed or `await`ed expression
 *   directly in its body): `superviseWorker("w", () => new Worker(url))`;
 * - the site's work function does nothing but call a supervisor (a timer or
 *   listener whose every run goes through `spawnLogged`).
 *
 * A floating promise or a timer started *inside* a supervised function's
 * body, without being returned or awaited, stays unsupervised: its failure
 * never reaches the supervisor.
 *
 * @param node the site's reported node.
 * @param work the function the site runs, when known.
 * @param supervisors names of supervisor functions (last segment of the callee).
 */
export function supervisionReason(
  node: ts.Node,
  work: ts.Node | undefined,
  supervisors: ReadonlySet<string>,
): string | undefined {
  const self = supervisorCalled(node, supervisors);
  if (self !== undefined) return `spawned through ${self}(...)`;
  const receiver = supervisorReceiving(node, supervisors);
  if (receiver !== undefined) return `passed to ${receiver}(...)`;
  const only = work === undefined ? undefined : onlySupervisorCall(work, supervisors);
  return only === undefined ? undefined : `each run goes through ${supervisorName(only, supervisors)}(...)`;
}

/**
 * The supervisor a value flows into: follows the value outwards through
 * parentheses, `await`, `return`, and function results (concise body or
 * return statement of the function it is in), until it is an argument of a
 * call; that call's name when it is a supervisor.
 */
function supervisorReceiving(node: ts.Node, supervisors: ReadonlySet<string>): string | undefined {
  let value: ts.Node = node;
  for (;;) {
    const parent: ts.Node | undefined = value.parent;
    if (parent === undefined) return undefined;
    if (
      ts.isParenthesizedExpression(parent) || ts.isAwaitExpression(parent) || ts.isAsExpression(parent) ||
      ts.isNonNullExpression(parent) || ts.isSatisfiesExpression(parent)
    ) {
      value = parent;
    } else if (ts.isCallExpression(parent) && parent.arguments.includes(value as ts.Expression)) {
      return supervisorName(parent, supervisors);
    } else if (isFunctionNode(parent) && parent.body === value) {
      value = parent;
    } else if (ts.isReturnStatement(parent) || (ts.isExpressionStatement(parent) && ts.isAwaitExpression(value))) {
      const fn = enclosingFunction(parent);
      if (fn === undefined) return undefined;
      value = fn;
    } else {
      return undefined;
    }
  }
}

/**
 * The supervisor a call invokes (`spawnLogged` for `spawnLogged(...)` or
 * `shim.spawnLogged(...)`), or undefined when `node` is not such a call.
 *
 * @param node any node.
 * @param supervisors names of supervisor functions.
 */
export function supervisorCalled(node: ts.Node, supervisors: ReadonlySet<string>): string | undefined {
  const call = skipVoid(node);
  return ts.isCallExpression(call) ? supervisorName(call, supervisors) : undefined;
}

/**
 * The supervisor call a function does nothing but make (`() =>
 * spawnLogged(...)`, `(m) => { spawnLogged(...); }`), or undefined.
 *
 * @param fn a function node.
 * @param supervisors names of supervisor functions.
 */
export function onlySupervisorCall(fn: ts.Node, supervisors: ReadonlySet<string>): ts.CallExpression | undefined {
  if (!isFunctionNode(fn) || fn.body === undefined) return undefined;
  const only = onlyExpression(fn.body);
  return only !== undefined && ts.isCallExpression(only) && supervisorName(only, supervisors) !== undefined
    ? only
    : undefined;
}

function supervisorName(call: ts.CallExpression, supervisors: ReadonlySet<string>): string | undefined {
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee)
    ? callee.text
    : ts.isPropertyAccessExpression(callee)
    ? callee.name.text
    : undefined;
  return name !== undefined && supervisors.has(name) ? name : undefined;
}

function onlyExpression(body: ts.Node): ts.Node | undefined {
  if (!ts.isBlock(body)) return skipVoid(body);
  const statements = body.statements.filter((statement) => !ts.isEmptyStatement(statement));
  if (statements.length !== 1) return undefined;
  const statement = statements[0]!;
  if (ts.isExpressionStatement(statement)) return skipVoid(statement.expression);
  if (ts.isReturnStatement(statement) && statement.expression !== undefined) return skipVoid(statement.expression);
  return undefined;
}

function skipVoid(node: ts.Node): ts.Node {
  const inner = skipOuterExpressions(node);
  return ts.isVoidExpression(inner) ? skipOuterExpressions(inner.expression) : inner;
}
