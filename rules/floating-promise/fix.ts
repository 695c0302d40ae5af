/**
 * The floating-promise rule's rewrite. A durable call whose work recurs (the
 * classifier's work evidence: a loop until stopped, a self-restarting call),
 * that can be evaluated again and cannot throw synchronously (it calls an
 * async function, so a caller's `try` never saw a throw from it) becomes
 * `spawnSupervised(name, () => call(...))`, restarted with backoff on
 * failure, and the rewrite says why in one line. Anything else keeps its
 * expression where it was, evaluated at once (a synchronous throw still
 * reaches the caller), and only its rejection is observed: `.catch((error)
 * => <handler>)` with the project's channel (see `src/fix/channel.ts`), or,
 * for durable work without one, `spawnLogged(name, expression)`, which keeps
 * the task visible in the supervisor's snapshot. `.catch` is called on the
 * value itself only when it is certainly a native promise (see
 * {@link certainPromise}); any other value goes through `Promise.resolve(…)`
 * first, so a value that is not a promise at run time (a test double of a
 * dependency, a JavaScript caller's object) is ignored as before instead of
 * throwing a `TypeError` where nothing threw. `spawnLogged` accepts any value.
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { FixContext, FixOutcome } from "../../src/rule.ts";
import {
  compiledAsyncBody,
  isAsyncFunction,
  isFunctionNode,
  isGeneratorFunction,
  skipOuterExpressions,
} from "../../src/analysis/functions.ts";
import { resolveFunction } from "../../src/analysis/calls.ts";
import { acceptsAbortSignal, enclosingLoop, quoteCode, unrepeatablePart, wrap } from "../../src/fix/syntax.ts";
import { catchCall } from "../../src/fix/catch.ts";
import { workName } from "../../src/fix/name.ts";
import { foreignCode } from "../../src/fix/user-code.ts";

/**
 * Rewrites one floating-promise, void-promise, then-without-catch or
 * async-iife site.
 *
 * @param context the site and its file.
 */
export function fixFloatingPromise(context: FixContext): FixOutcome {
  const { node, sourceFile } = context;
  const expression = ts.isVoidExpression(node) ? node.expression : node;
  const target = skipOuterExpressions(expression);
  const what = workName(target) ?? context.kind;
  const recurring = context.signals.find((signal) => signal.question === "work" && signal.group === "durable");
  const restartable = context.group === "durable" && !context.exitStatus && recurring !== undefined &&
    restartObstacle(target, context) === undefined;
  if (restartable) {
    const iife = parameterlessIife(target);
    const name = context.taskName(what);
    const edits = iife !== undefined
      ? wrap(node, iife, sourceFile, `spawnSupervised(${name}, `, ")")
      : wrap(node, expression, sourceFile, `spawnSupervised(${name}, () => `, ")");
    const signalHint = ts.isCallExpression(target) && iife === undefined && acceptsAbortSignal(context.checker, target)
      ? "; pass it the AbortSignal"
      : "";
    return {
      transform: "supervised-call",
      edits,
      uses: ["spawnSupervised"],
      restarts: restartNote(recurring.message, signalHint),
    };
  }
  const handler = context.handler(what);
  if (context.group === "durable" && handler.shim && !context.exitStatus) {
    const [open, close] = hasCatch(expression, context.checker) ? ["", ""] : ["Promise.resolve(", ")"];
    return {
      transform: "logged-promise",
      edits: wrap(node, expression, sourceFile, `spawnLogged(${context.taskName(what)}, ${open}`, `${close})`),
      uses: ["spawnLogged"],
      channel: "spawnLogged (the shim's logger)",
    };
  }
  return {
    transform: "caught-promise",
    edits: catchCall(expression, certainPromise(expression, context.checker), handler, context),
    uses: handler.uses,
    imports: handler.imports,
    channel: handler.label,
    declarations: handler.declarations,
  };
}

/** Whether every member of the expression's type has a `catch` method (untyped values are taken to). */
function hasCatch(expression: ts.Node, checker: ts.TypeChecker): boolean {
  const type = checker.getTypeAtLocation(expression);
  if ((type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) return true;
  const members = type.isUnion() ? type.types : [type];
  return members.every((member) => member.getProperty("catch") !== undefined);
}

const PROMISE_STATICS = new Set(["resolve", "reject", "all", "allSettled", "any", "race", "withResolvers"]);

/**
 * Whether the expression's value is certainly a native promise when it
 * runs: the code that makes it is in view and makes one — `new Promise(…)`,
 * a `Promise` static, a call of an async function of the program (see
 * {@link throwsOnlyAsync}), `.then`/`.catch`/`.finally` on such a value or
 * on one typed as a promise (the code already calls that method, so a
 * value without it fails there before and after). A type alone is not
 * enough for any other value: a declared `Promise<T>` (a dependency's
 * interface, an ambient declaration, `any`) may at run time be a test
 * double returning `undefined`, on which an added `.catch` would throw.
 */
function certainPromise(expression: ts.Node, checker: ts.TypeChecker): boolean {
  const value = skipOuterExpressions(expression);
  if (ts.isNewExpression(value)) return isPromiseName(value.expression);
  if (!ts.isCallExpression(value)) return false;
  const callee = skipOuterExpressions(value.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    if (isPromiseName(callee.expression)) return PROMISE_STATICS.has(callee.name.text);
    if (CHAIN_METHODS.has(callee.name.text) || callee.name.text === "catch") {
      return certainPromise(callee.expression, checker) || typedPromise(callee.expression, checker);
    }
  }
  return throwsOnlyAsync(callee, checker);
}

/** Whether the expression has a type (not `any`/`unknown`) every member of which has a `catch` method. */
function typedPromise(expression: ts.Node, checker: ts.TypeChecker): boolean {
  const type = checker.getTypeAtLocation(expression);
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) === 0 && hasCatch(expression, checker);
}

/** `Promise`, the global constructor by its name. */
function isPromiseName(node: ts.Node): boolean {
  const name = skipOuterExpressions(node);
  return ts.isIdentifier(name) && name.text === "Promise";
}

/** `<why it recurs><hint>`, cut to at most 80 characters. */
function restartNote(why: string, hint: string): string {
  const room = 80 - hint.length;
  return `${why.length > room ? `${why.slice(0, room - 1)}…` : why}${hint}`;
}

const CHAIN_METHODS = new Set(["then", "finally"]);

/**
 * Why the expression cannot be started again by a factory, or undefined
 * when it can: it runs once per loop iteration, tick or event (one static
 * name would make spawns replace each other); it is not a single call of a
 * function of the program (an existing promise, a `.then` chain, `new`); the
 * callee is someone else's code — a parameter, a callback held in a
 * property, an event emit, an `on…`/hook member — which a restart would
 * run again; or an argument or the callee cannot be evaluated again.
 */
function restartObstacle(target: ts.Node, context: FixContext): string | undefined {
  const { sourceFile } = context;
  if (enclosingLoop(context.node) !== undefined) {
    return "it runs once per loop iteration, tick or event, and a task spawned again under its name replaces the running one";
  }
  if (ts.isIdentifier(target) || ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
    return `the promise ${quoteCode(target, sourceFile)} already exists`;
  }
  if (ts.isNewExpression(target)) return "the promise is created by `new` and runs at once";
  if (!ts.isCallExpression(target)) return "the expression is not a single call";
  const callee = skipOuterExpressions(target.expression);
  if (ts.isPropertyAccessExpression(callee) && CHAIN_METHODS.has(callee.name.text)) {
    return `a .${callee.name.text}() chain on an existing promise cannot be started again`;
  }
  const foreign = foreignCode(callee, context.checker);
  if (foreign !== undefined) return `${foreign}: a restart would run it again`;
  const calleeObstacle = unrepeatablePart(callee);
  if (calleeObstacle !== undefined) return `the callee depends on ${quoteCode(calleeObstacle, sourceFile)}`;
  for (const argument of target.arguments) {
    const part = unrepeatablePart(argument);
    if (part !== undefined) return `the argument ${quoteCode(part, sourceFile)} cannot be evaluated again`;
  }
  if (consumesStream(target, context)) return "the call consumes a stream, which cannot be read again";
  if (!throwsOnlyAsync(callee, context.checker)) {
    return "the callee is not an async function: a synchronous throw would go to the supervisor, not the caller";
  }
  return undefined;
}

/** Whether a call of `callee` can only fail asynchronously: it is (or compiles from) an async function of the program. */
function throwsOnlyAsync(callee: ts.Node, checker: ts.TypeChecker): boolean {
  const fn = isFunctionNode(callee) ? callee : resolveFunction(checker, callee);
  if (fn === undefined) return false;
  if (isAsyncFunction(fn) || isGeneratorFunction(fn)) return true;
  const body = fn.body;
  if (body === undefined) return false;
  if (!ts.isBlock(body)) return compiledAsyncBody(body) !== undefined;
  const [only] = body.statements;
  return body.statements.length === 1 && only !== undefined && ts.isReturnStatement(only) &&
    only.expression !== undefined && compiledAsyncBody(only.expression) !== undefined;
}

/** `(async () => { … })()` with no parameters and no arguments: the async function itself. */
function parameterlessIife(target: ts.Node): ts.Node | undefined {
  if (!ts.isCallExpression(target) || target.arguments.length > 0) return undefined;
  const callee = skipOuterExpressions(target.expression);
  return isFunctionNode(callee) && isAsyncFunction(callee) && callee.parameters.length === 0 ? callee : undefined;
}

const STREAM_METHODS = new Set(["pipeTo", "pipeThrough", "pipe", "pipeline"]);

/** A call on a stream (web ReadableStream, Node Readable, any async iterable) or a piping method. */
function consumesStream(call: ts.CallExpression, context: FixContext): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isIdentifier(callee)) return callee.text === "pipeline";
  if (!ts.isPropertyAccessExpression(callee)) return false;
  if (STREAM_METHODS.has(callee.name.text)) return true;
  const receiver = context.checker.getTypeAtLocation(callee.expression);
  const properties = new Set(receiver.getProperties().map((property) => property.getName()));
  return properties.has("getReader") || (properties.has("pipe") && properties.has("read")) ||
    [...properties].some((name) => name.startsWith("__@asyncIterator"));
}
