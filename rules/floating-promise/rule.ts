/**
 * Floating promises: an expression statement whose value is Promise-like and
 * whose rejection nobody observes — a bare call, `void p`, an async IIFE,
 * `p.then(f)` without a rejection handler, or a `.finally(...)` chain on one.
 * Handled forms: `.catch(h)`, `.then(a, b)`; awaited or returned promises are
 * not statements and so never sites.
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { Detection, Rule, RuleContext } from "../../src/rule.ts";
import { fixFloatingPromise } from "./fix.ts";
import type { Kind, Resolution, Signal } from "../../src/site.ts";
import {
  isBuiltinPromiseType,
  isPromiseLikeExpression,
  isUntyped,
  PROMISE_CHAIN_METHODS,
} from "../../src/analysis/promise.ts";
import { declaredOnlyAsync, resolveFunction, typeFromCallers } from "../../src/analysis/calls.ts";
import { loopIn, onOneCycle, recurrenceOf, restartsThrough, turnOf } from "../../src/analysis/graph.ts";
import {
  catchesEverything,
  chainCallbackCannotFail,
  isSettleCall,
  promiseFact,
  reportsToCallback,
  returnsObservedPromise,
  throwsAgain,
} from "../../src/analysis/failure.ts";
import {
  calleeText,
  enclosingFunction,
  enclosingFunctions,
  type FunctionNode,
  isAsyncFunction,
  isFunctionNode,
  skipOuterExpressions,
} from "../../src/analysis/functions.ts";
import { valueGivenOnce } from "../../src/analysis/declarations.ts";
import { signal } from "../../src/classify/signals.ts";
import { isTestFrameworkCall } from "../../src/classify/context.ts";
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
  visits: ["ExpressionStatement"],
  fix: fixFloatingPromise,
  check(node: ts.Node, context: RuleContext): Detection | undefined {
    const statement = node as ts.ExpressionStatement;
    let expression = skipOuterExpressions(statement.expression);
    let kind: Kind = "floating-promise";
    if (ts.isVoidExpression(expression)) {
      expression = skipOuterExpressions(expression.expression);
      kind = "void-promise";
    }
    if (
      !ts.isCallExpression(expression) && !ts.isNewExpression(expression) && !ts.isIdentifier(expression) &&
      !ts.isPropertyAccessExpression(expression) && !ts.isElementAccessExpression(expression) &&
      !ts.isAwaitExpression(expression) && !ts.isConditionalExpression(expression) && !ts.isBinaryExpression(expression)
    ) {
      return undefined;
    }
    if (ts.isAwaitExpression(expression) || isAssignment(expression)) return undefined;
    const spawned = supervisedWork(expression, context);
    let resolution: Resolution = "type";
    if (spawned !== undefined) {
      // Already rewritten (`spawnSupervised("n", () => call())`): reported so a scan shows it supervised.
      expression = spawned;
      resolution = "syntax";
    } else {
      const recognised = promiseStatement(context, expression);
      if (recognised === undefined) return undefined;
      resolution = recognised;
    }

    const chain = analyzeChain(expression, context.checker);
    const iife = asyncIife(expression);
    if (kind !== "void-promise") {
      if (iife !== undefined) kind = "async-iife";
      else if (chain.unhandledThen && chain.handledBy === undefined) kind = "then-without-catch";
    }
    // The function the statement starts: the async IIFE, or the callee of the chain's root call.
    const started = iife ??
      (ts.isCallExpression(chain.root) ? resolveFunction(context.checker, chain.root.expression) : undefined);
    const work = iife ?? chain.thenCallback ?? started;
    const callee = ts.isCallExpression(chain.root) || ts.isNewExpression(chain.root)
      ? calleeText(chain.root, context.sourceFile)
      : null;
    const { signals, loopsThrough } = promiseWork(context, statement, expression, started, iife !== undefined, callee);
    const detection: Detection = {
      kind,
      node: statement.expression,
      callee: iife !== undefined ? null : callee,
      resolution,
      signals,
    };
    if (work !== undefined) detection.work = work;
    if (loopsThrough.length > 0) detection.loopsThrough = loopsThrough;
    const outcome = promiseOutcome(context, chain, started, iife !== undefined);
    if (outcome !== undefined) {
      detection.status = outcome.status;
      detection.statusReason = outcome.reason;
    }
    return detection;
  },
};

/**
 * For a statement-level `spawnSupervised(name, () => call())` or
 * `spawnLogged(name, promise)`: the promise expression handed to the
 * supervisor (a factory's concise body, or the promise itself), so the site
 * is classified as the original would be. `superviseWorker` and
 * `logWorker` are left to the worker rule, which sees the `new Worker` inside.
 */
function supervisedWork(expression: ts.Node, context: RuleContext): ts.Node | undefined {
  const supervisor = supervisorCalled(expression, context.supervisors);
  if (
    supervisor === undefined || supervisor === "superviseWorker" || supervisor === "logWorker" ||
    !ts.isCallExpression(expression)
  ) return undefined;
  // The work is the first function argument (a factory), else the last argument (a promise).
  const work = expression.arguments.find((argument) => isFunctionNode(skipOuterExpressions(argument))) ??
    expression.arguments[expression.arguments.length - 1];
  if (work === undefined) return undefined;
  const given = skipOuterExpressions(work);
  return isFunctionNode(given) && given.body !== undefined && !ts.isBlock(given.body)
    ? skipOuterExpressions(given.body)
    : given;
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
  /** A `.then(f)` link with no rejection handler comes after the last handler (or there is no handler). */
  unhandledThen: boolean;
  /** The first `.then(f)`/`.finally(f)` after the last handler whose callback can fail, if any. */
  trailing: string | undefined;
  /** The callback of that `.then(f)`. */
  thenCallback?: FunctionNode;
}

/**
 * Reads a promise chain from its last link inwards: the last `.catch(h)` or
 * two-argument `.then` observes rejections of everything before it, unless
 * its handler throws again (`.catch((e) => { log(e); throw e; })`, see
 * `throwsAgain`); `.finally(f)` and `.then(f)` pass them through, and a
 * callback of theirs after the last handler can itself throw unobserved
 * unless it cannot fail; so can a handler that throws again.
 */
function analyzeChain(expression: ts.Node, checker?: ts.TypeChecker): Chain {
  let current = skipOuterExpressions(expression);
  let unhandledThen = false;
  let thenCallback: FunctionNode | undefined;
  let trailing: string | undefined;
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(skipOuterExpressions(current.expression))) {
    const access = skipOuterExpressions(current.expression) as ts.PropertyAccessExpression;
    const method = access.name.text;
    const rejected = method === "catch" ? current.arguments[0] : method === "then" ? current.arguments[1] : undefined;
    const handler = rejected === undefined || isNothing(rejected) || throwsAgain(rejected)
      ? undefined
      : method === "catch"
      ? ".catch(handler) observes the rejection"
      : ".then(onFulfilled, onRejected) observes the rejection";
    // A handler that throws again passes the rejection on: as a failing callback after the last handler.
    if (rejected !== undefined && throwsAgain(rejected)) trailing ??= `.${method}(...) whose handler throws again`;
    if (handler !== undefined) {
      const chain: Chain = { root: rootOf(access.expression), unhandledThen, trailing };
      if (trailing === undefined) chain.handledBy = handler;
      if (thenCallback !== undefined) chain.thenCallback = thenCallback;
      return chain;
    }
    if (method === "then" || method === "finally") {
      const callback = current.arguments[0] === undefined ? undefined : skipOuterExpressions(current.arguments[0]);
      // A callback after the last handler can throw unobserved, unless it cannot fail.
      if (
        trailing === undefined && callback !== undefined && !isNothing(callback) &&
        !(checker !== undefined && chainCallbackCannotFail(checker, callback))
      ) {
        trailing = `.${method}(...)`;
        if (callback !== undefined && isFunctionNode(callback)) thenCallback = callback;
      }
      if (method === "then") unhandledThen = true;
    } else if (method !== "catch") {
      // A `.catch()` that observes nothing (no handler, or one that throws again) is a link like any other.
      break;
    }
    current = skipOuterExpressions(access.expression);
  }
  const chain: Chain = { root: current, unhandledThen, trailing };
  if (thenCallback !== undefined) chain.thenCallback = thenCallback;
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
function asyncIife(expression: ts.Node): FunctionNode | undefined {
  if (!ts.isCallExpression(expression)) return undefined;
  const callee = skipOuterExpressions(expression.expression);
  return (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) && isAsyncFunction(callee)
    ? callee
    : undefined;
}

/**
 * The work question for a promise. Its work is the function it starts (the
 * callee, or the async IIFE) and the callbacks of its `.then`/`.catch`/
 * `.finally` links. Recurring when that work reaches a loop that runs until
 * stopped, or starts itself again (a cycle through a yielding edge in the
 * program's graph, see `graph.ts`: the statement restarting one of its own
 * enclosing functions after an `await` or in a callback is such a cycle),
 * or is one turn of recurring work: started in the body of a function that
 * recurs by its own means or that an interval repeats (`turnOf`), it is
 * started again on every turn. Else a single call. With the signals, the
 * enclosing functions of the statement that lie on the work's cycle
 * (`Detection.loopsThrough`).
 */
function promiseWork(
  context: RuleContext,
  statement: ts.Node,
  expression: ts.Node,
  started: FunctionNode | undefined,
  isIife: boolean,
  callee: string | null,
): { signals: Signal[]; loopsThrough: ts.Node[] } {
  const { checker } = context;
  const signals: Signal[] = [];
  const name = callee?.split(".").pop();
  const callbacks = chainCallbacks(expression).map((callback) => resolveFunction(checker, callback)).filter((fn) =>
    fn !== undefined
  );
  const work = started === undefined ? callbacks : [started, ...callbacks];
  const loop = work.map((fn) => loopIn(context.program, fn)).find((found) => found !== undefined);
  if (loop !== undefined) {
    signals.push(
      signal(isIife || started === undefined ? "unbounded-loop-in-callback" : "unbounded-loop-in-callee", loop),
    );
  }
  // A promise's work recurs by its own means: a loop through a listener is the listener's (a reconnect on "close"), the call is one attempt.
  const onCycle = work.map((fn) => recurrenceOf(context.program, fn, false)).find((found) => found !== undefined);
  const starter = enclosingFunction(statement);
  // A promise one of whose own continuations is an arc of that cycle keeps it going; one that only enters it is the
  // loop's first turn when the loop goes on through promises too. A loop kept going by other starts (a reconnect
  // timer set in a close handler) is theirs: the call is one attempt.
  const own = onCycle !== undefined &&
      ((starter !== undefined && callbacks.some((fn) => onOneCycle(context.program, starter, fn, false))) ||
        work.some((fn) => restartsThrough(context.program, fn, "promise", false)))
    ? onCycle
    : undefined;
  // Started in the body of work that recurs and leading back to it, the promise is one turn of that work.
  const turn = onCycle === undefined && starter !== undefined
    ? turnOf(context.program, starter, [...work, ...handedOver(checker, expression)])
    : undefined;
  const recurrence = own ?? turn;
  if (recurrence !== undefined) signals.push(signal("starts-itself-again", recurrence.cycle.join(" → ")));
  if (loop === undefined && recurrence === undefined) {
    signals.push(signal("one-shot-call", name ?? "the spawned function"));
  }
  const loopsThrough = own !== undefined
    ? [...enclosingFunctions(statement)].filter((fn) =>
      work.some((item) => onOneCycle(context.program, fn, item, false))
    )
    : turn !== undefined
    ? [starter!]
    : [];
  return { signals, loopsThrough };
}

/**
 * The functions a promise's root call is handed (`finally_(job(), () =>
 * setImmediate(tick))`: the callee calls them back as part of the
 * promise's work), and, for a chain whose root is a variable given a value
 * once, the function the call it holds starts (`const promise = check();
 * promise.catch(log)`).
 */
function handedOver(checker: ts.TypeChecker, expression: ts.Node): FunctionNode[] {
  let root = rootOf(expression);
  if (ts.isIdentifier(root)) root = valueGivenOnce(checker, root) ?? root;
  root = skipOuterExpressions(root);
  if (!ts.isCallExpression(root)) return [];
  const held = root === rootOf(expression) ? [] : [root.expression];
  return [...held, ...root.arguments].map((node) => resolveFunction(checker, skipOuterExpressions(node))).filter((
    fn,
  ) => fn !== undefined);
}

/** The callback arguments of every `.then`/`.catch`/`.finally` link of a chain. */
function chainCallbacks(expression: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  let current = skipOuterExpressions(expression);
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(skipOuterExpressions(current.expression))) {
    const access = skipOuterExpressions(current.expression) as ts.PropertyAccessExpression;
    if (!PROMISE_CHAIN_METHODS.has(access.name.text)) break;
    for (const argument of current.arguments) if (!isNothing(argument)) found.push(skipOuterExpressions(argument));
    current = skipOuterExpressions(access.expression);
  }
  return found;
}

/**
 * Whether a statement's value is a promise worth reporting, and how it was
 * recognised:
 *
 * - `type`: its type is a built-in Promise (or a union or subclass of one);
 *   a thenable of a library's own only when the statement calls its
 *   `.then`/`.catch`/`.finally` (typescript-eslint's `checkThenables:
 *   false` default).
 * - `syntax`: the checker knows nothing of it (`any`, dependencies not
 *   installed), but the statement is a `.then`/`.catch` chain, or calls a
 *   function the project declares `async` (resolved by symbol; else, for a
 *   method called on `this` or a property of it, a name the program's
 *   sources declare only as async). A method of an untyped parameter is
 *   read on the type its callers pass; otherwise, a method of a receiver
 *   without a type is not resolved by name here: a name alone does not make
 *   a promise.
 */
function promiseStatement(context: RuleContext, expression: ts.Node): Resolution | undefined {
  const type = context.checker.getTypeAtLocation(expression);
  const receiver = chainReceiver(expression);
  if (isBuiltinPromiseType(context.program, type)) return "type";
  if (receiver !== undefined && isPromiseLikeExpression(context.checker, receiver)) return "type";
  if (!isUntyped(type)) return undefined;
  if (receiver !== undefined) return "syntax";
  const call = skipOuterExpressions(expression);
  if (!ts.isCallExpression(call) || isSettleCall(context.checker, call)) return undefined;
  const callee = skipOuterExpressions(call.expression);
  if (
    ts.isPropertyAccessExpression(callee) && !isOwnObject(callee.expression) &&
    isUntyped(context.checker.getTypeAtLocation(callee.expression))
  ) {
    // A parameter nobody typed takes its callers' type; by its name alone, a method is too weak to call the statement a promise.
    return returnsPromiseFromCallers(context, callee) ? "syntax" : undefined;
  }
  const fn = resolveFunction(context.checker, call.expression);
  if (fn !== undefined) return isAsyncFunction(fn) ? "syntax" : undefined;
  return ts.isPropertyAccessExpression(callee) && isOwnObject(callee.expression) &&
      declaredOnlyAsync(context.program, callee.name.text)
    ? "syntax"
    : undefined;
}

/**
 * Whether `receiver.name(...)`, with `receiver` an untyped parameter, calls
 * a method that returns a Promise on the type its callers pass (see
 * `typeFromCallers`).
 */
function returnsPromiseFromCallers(context: RuleContext, callee: ts.PropertyAccessExpression): boolean {
  const type = typeFromCallers(context.checker, callee.expression);
  const method = type?.getProperty(callee.name.text);
  if (method === undefined) return false;
  const signatures = context.checker.getTypeOfSymbolAtLocation(method, callee).getCallSignatures();
  return signatures.length > 0 &&
    signatures.every((signature) => isBuiltinPromiseType(context.program, signature.getReturnType()));
}

/** `this`, or a property chain on it (`this.fsw`): an object of the project's own. */
function isOwnObject(node: ts.Node): boolean {
  const inner = skipOuterExpressions(node);
  if (inner.kind === ts.SyntaxKind.ThisKeyword) return true;
  return ts.isPropertyAccessExpression(inner) && isOwnObject(inner.expression);
}

/** `x` of `x.then(...)`, `x.catch(...)`, `x.finally(...)`; undefined for any other expression. */
function chainReceiver(expression: ts.Node): ts.Node | undefined {
  const inner = skipOuterExpressions(expression);
  if (!ts.isCallExpression(inner)) return undefined;
  const callee = skipOuterExpressions(inner.expression);
  return ts.isPropertyAccessExpression(callee) && PROMISE_CHAIN_METHODS.has(callee.name.text)
    ? callee.expression
    : undefined;
}

/**
 * Whether the promise's failure is observed or impossible: the test runner
 * observes test-framework calls; a `.catch(h)` or two-argument `.then`
 * observes the chain; a call given a node-style callback reports its
 * failure there; an async IIFE or a called function that catches
 * everything (body in try/catch, or returns a handled chain) lets nothing
 * out, and neither does a promise it returns that is held and handled
 * elsewhere; a promise that can only resolve (`Promise.allSettled`, a deferred
 * with no reject path) is benign.
 */
function promiseOutcome(
  context: RuleContext,
  chain: Chain,
  started: FunctionNode | undefined,
  isIife: boolean,
): { status: "handled" | "benign"; reason: string } | undefined {
  if (ts.isCallExpression(chain.root) && isTestFrameworkCall(chain.root)) {
    return { status: "handled", reason: "the test runner observes test-framework calls" };
  }
  if (chain.handledBy !== undefined) return { status: "handled", reason: chain.handledBy };
  if (ts.isCallExpression(chain.root) && isSettleCall(context.checker, chain.root)) {
    return {
      status: "benign",
      reason: "settles a deferred: the promise it returns is the one being settled, no work starts",
    };
  }
  if (chain.trailing !== undefined) return undefined;
  const called = ts.isCallExpression(chain.root) ? reportsToCallback(context.checker, chain.root) : undefined;
  if (called !== undefined) return { status: "handled", reason: called };
  const caught = started === undefined ? undefined : catchesEverything(context.checker, started);
  if (caught !== undefined) {
    return {
      status: "handled",
      reason: `the ${isIife ? "async function" : "called function"} catches every failure: ${caught}`,
    };
  }
  const held = started === undefined
    ? undefined
    : returnsObservedPromise(context.checker, started, enclosingFunction(chain.root));
  if (held !== undefined) return { status: "handled", reason: `the called function ${held}` };
  return promiseFact(context.checker, chain.root);
}
