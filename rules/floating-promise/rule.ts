/**
 * Floating promises: an expression statement whose value is Promise-like and
 * whose rejection nobody observes — a bare call, `void p`, an async IIFE,
 * `p.then(f)` without a rejection handler, or a `.finally(...)` chain on one.
 * Handled forms: `.catch(h)`, `.then(a, b)`; awaited or returned promises are
 * not statements and so never sites.
 *
 * @module
 */
import { ts } from "ts-morph";
import type { Detection, Rule, RuleContext } from "../../src/rule.ts";
import { fixFloatingPromise } from "./fix.ts";
import type { Kind, Signal } from "../../src/site.ts";
import { isPromiseLikeExpression } from "../../src/analysis/promise.ts";
import {
  bodyWrappedInTryCatch,
  calleeText,
  callsFunctionNamed,
  enclosingFunction,
  findUnboundedLoop,
  functionName,
  isAsyncFunction,
  isFunctionNode,
  skipOuterExpressions,
} from "../../src/analysis/functions.ts";
import { durableNameSignal, signal } from "../../src/classify/signals.ts";
import { isTestFrameworkCall } from "../../src/classify/context.ts";
import { calleeBody } from "../../src/analysis/declarations.ts";
import { supervisorCalled } from "../../src/classify/status.ts";

/** The floating-promise rule (kinds `floating-promise`, `void-promise`, `then-without-catch`, `async-iife`). */
export const floatingPromiseRule: Rule = {
  id: "floating-promise",
  description: "Promise-valued statements whose rejection nobody observes.",
  kinds: ["floating-promise", "void-promise", "then-without-catch", "async-iife"],
  messages: {
    "floating-promise":
      "Promise is neither awaited, returned nor caught: a rejection ends a Node/Deno process. Await it, add .catch(handler), or run it under spawnSupervised/spawnLogged.",
    "void-promise":
      "`void` discards the promise but not its rejection. Add .catch(handler) or run it under spawnLogged.",
    "then-without-catch":
      ".then() without a rejection handler: a rejection (or a throw in the callback) is unhandled. Add .catch(handler) at the end of the chain.",
    "async-iife":
      "Async IIFE result is dropped: a rejection inside it is unhandled. Add .catch(handler) or run it under spawnSupervised.",
  },
  visits: [ts.SyntaxKind.ExpressionStatement],
  fix: fixFloatingPromise,
  check(node: ts.Node, context: RuleContext): Detection | undefined {
    const statement = node as ts.ExpressionStatement;
    let expression = skipOuterExpressions(statement.expression);
    let kind: Kind = "floating-promise";
    if (ts.isVoidExpression(expression)) {
      expression = skipOuterExpressions(expression.expression);
      kind = "void-promise";
    }
    if (!ts.isCallExpression(expression) && !ts.isNewExpression(expression) && !ts.isIdentifier(expression) &&
      !ts.isPropertyAccessExpression(expression) && !ts.isElementAccessExpression(expression) &&
      !ts.isAwaitExpression(expression) && !ts.isConditionalExpression(expression) && !ts.isBinaryExpression(expression)) {
      return undefined;
    }
    if (ts.isAwaitExpression(expression) || isAssignment(expression)) return undefined;
    const spawned = supervisedWork(expression, context);
    if (spawned !== undefined) {
      // Already rewritten (`spawnSupervised("n", () => call())`): reported so a scan shows it supervised.
      expression = spawned;
    } else if (!isPromiseLikeExpression(context.checker, expression)) {
      return undefined;
    }

    const chain = analyzeChain(expression);
    const iife = asyncIife(expression);
    if (kind !== "void-promise") {
      if (iife !== undefined) kind = "async-iife";
      else if (chain.unhandledThen) kind = "then-without-catch";
    }
    const work = iife ?? chain.thenCallback ?? (ts.isCallExpression(chain.root) ? calleeBody(context.checker, chain.root) : undefined);
    const callee = ts.isCallExpression(chain.root) || ts.isNewExpression(chain.root)
      ? calleeText(chain.root, context.sourceFile)
      : null;
    const detection: Detection = {
      kind,
      node: statement.expression,
      callee: iife !== undefined ? null : callee,
      resolution: spawned === undefined ? "type" : "syntax",
      signals: promiseSignals(statement, work, callee),
    };
    if (work !== undefined) detection.work = work;
    if (ts.isCallExpression(chain.root) && isTestFrameworkCall(chain.root)) {
      detection.status = "handled";
      detection.statusReason = "the test runner observes test-framework calls";
    } else if (chain.handledBy !== undefined) {
      detection.status = "handled";
      detection.statusReason = chain.handledBy;
    } else if (iife !== undefined && bodyWrappedInTryCatch(iife)) {
      detection.status = "handled";
      detection.statusReason = "try/catch wraps the whole async function body";
    }
    return detection;
  },
};

/**
 * For a statement-level `spawnSupervised(name, () => call())` or
 * `spawnLogged(name, promise)`: the promise expression handed to the
 * supervisor (a factory's concise body, or the promise itself), so the site
 * is classified as the original would be. `superviseWorker` is left to the
 * worker rule, which sees the `new Worker` inside.
 */
function supervisedWork(expression: ts.Node, context: RuleContext): ts.Node | undefined {
  const supervisor = supervisorCalled(expression, context.supervisors);
  if (supervisor === undefined || supervisor === "superviseWorker" || !ts.isCallExpression(expression)) return undefined;
  // The work is the first function argument (a factory), else the last argument (a promise).
  const work = expression.arguments.find((argument) => isFunctionNode(skipOuterExpressions(argument))) ??
    expression.arguments[expression.arguments.length - 1];
  if (work === undefined) return undefined;
  const given = skipOuterExpressions(work);
  return isFunctionNode(given) && given.body !== undefined && !ts.isBlock(given.body) ? skipOuterExpressions(given.body) : given;
}

function isAssignment(node: ts.Node): boolean {
  return ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
    node.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

interface Chain {
  /** The expression the chain starts from (the call that made the first promise). */
  root: ts.Node;
  /** How the chain's rejection is observed, if it is. */
  handledBy?: string;
  /** The outermost unhandled link is `.then(f)` with no rejection handler. */
  unhandledThen: boolean;
  /** The callback of that `.then(f)`. */
  thenCallback?: ts.Node;
}

/**
 * Reads a promise chain from its last link inwards: the last `.catch(h)` or
 * two-argument `.then` observes rejections of everything before it;
 * `.finally(f)` passes them through.
 */
function analyzeChain(expression: ts.Node): Chain {
  let current = skipOuterExpressions(expression);
  let unhandledThen = false;
  let thenCallback: ts.Node | undefined;
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(skipOuterExpressions(current.expression))) {
    const access = skipOuterExpressions(current.expression) as ts.PropertyAccessExpression;
    const method = access.name.text;
    if (method === "catch" && current.arguments.length >= 1 && !isNothing(current.arguments[0]!)) {
      return { root: rootOf(access.expression), handledBy: ".catch(handler) observes the rejection", unhandledThen: false };
    }
    if (method === "then" && current.arguments.length >= 2 && !isNothing(current.arguments[1]!)) {
      return { root: rootOf(access.expression), handledBy: ".then(onFulfilled, onRejected) observes the rejection", unhandledThen: false };
    }
    if (method === "then") {
      if (!unhandledThen && current.arguments[0] !== undefined) thenCallback = skipOuterExpressions(current.arguments[0]);
      unhandledThen = true;
    } else if (method !== "finally") {
      break;
    }
    current = skipOuterExpressions(access.expression);
  }
  const chain: Chain = { root: current, unhandledThen };
  if (thenCallback !== undefined && isFunctionNode(thenCallback)) chain.thenCallback = thenCallback;
  return chain;
}

function rootOf(node: ts.Node): ts.Node {
  return analyzeChain(node).root;
}

function isNothing(node: ts.Node): boolean {
  const inner = skipOuterExpressions(node);
  return inner.kind === ts.SyntaxKind.NullKeyword || inner.kind === ts.SyntaxKind.UndefinedKeyword ||
    (ts.isIdentifier(inner) && inner.text === "undefined");
}

/** `(async () => { … })()` or `(async function () { … })()`: the async function invoked. */
function asyncIife(expression: ts.Node): ts.Node | undefined {
  if (!ts.isCallExpression(expression)) return undefined;
  const callee = skipOuterExpressions(expression.expression);
  return (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) && isAsyncFunction(callee) ? callee : undefined;
}

function promiseSignals(statement: ts.Node, work: ts.Node | undefined, callee: string | null): Signal[] {
  const signals: Signal[] = [];
  const name = callee?.split(".").pop();
  if (work !== undefined) {
    const body = isFunctionNode(work) ? work.body : work;
    const loop = body === undefined ? undefined : findUnboundedLoop(body);
    if (loop !== undefined) {
      signals.push(signal(isFunctionNode(work) ? "unbounded-loop-in-callback" : "unbounded-loop-in-callee", loop));
    } else if (!isFunctionNode(work) && name !== undefined && callsFunctionNamed(work, name)) {
      signals.push(signal("unbounded-loop-in-callee", `${name} starts itself again`));
    }
  }
  if (name !== undefined && enclosingFunctionNames(statement).includes(name)) signals.push(signal("self-restarting-call", name));
  const named = durableNameSignal(name);
  if (named !== undefined) signals.push(named);
  return signals;
}

function enclosingFunctionNames(node: ts.Node): string[] {
  const names: string[] = [];
  for (let fn = enclosingFunction(node); fn !== undefined; fn = enclosingFunction(fn)) {
    const name = functionName(fn);
    if (name !== undefined) names.push(name);
  }
  return names;
}
