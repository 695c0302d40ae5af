/**
 * The floating-promise rule's rewrite. A durable call whose work recurs (the
 * classifier's work evidence: a loop until stopped, a self-restarting call)
 * and can be evaluated again becomes `spawnSupervised(name, () =>
 * call(...))`, restarted with backoff on failure, and the rewrite says why
 * in one line; anything else — a promise that already exists, a `.then`
 * chain, a consumed stream, arguments with side effects, someone else's code
 * (a parameter, a held callback, an emit, a hook), and every per-request
 * site — becomes `spawnLogged(name, expression)`, which evaluates the
 * expression where it was and logs a failure (`spawnLogged(name, () =>
 * expression)` when its type is not purely a promise, e.g. `void |
 * Promise<void>`).
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { FixContext, FixOutcome } from "../../src/rule.ts";
import { isAsyncFunction, isFunctionNode, skipOuterExpressions } from "../../src/analysis/functions.ts";
import { acceptsAbortSignal, enclosingLoop, quoteCode, unrepeatablePart, wrap } from "../../src/fix/syntax.ts";
import { workName } from "../../src/fix/name.ts";
import { isPromiseLikeType } from "../../src/analysis/promise.ts";

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
  const restartable = context.group === "durable" && recurring !== undefined &&
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
  // A value that may not be a promise (`void | Promise<void>`) does not fit spawnLogged's value form; a factory takes anything.
  const prefix = purelyPromise(target, context.checker) ? "" : "() => ";
  const edits = wrap(node, expression, sourceFile, `spawnLogged(${context.taskName(what)}, ${prefix}`, ")");
  return { transform: "logged-promise", edits, uses: ["spawnLogged"] };
}

/** Whether every member of the expression's type is Promise-like. */
function purelyPromise(expression: ts.Node, checker: ts.TypeChecker): boolean {
  const type = checker.getTypeAtLocation(expression);
  const members = type.isUnion() ? type.types : [type];
  return members.every((member) => isPromiseLikeType(checker, member, expression));
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
  if (foreign !== undefined) return foreign;
  const calleeObstacle = unrepeatablePart(callee);
  if (calleeObstacle !== undefined) return `the callee depends on ${quoteCode(calleeObstacle, sourceFile)}`;
  for (const argument of target.arguments) {
    const part = unrepeatablePart(argument);
    if (part !== undefined) return `the argument ${quoteCode(part, sourceFile)} cannot be evaluated again`;
  }
  if (consumesStream(target, context)) return "the call consumes a stream, which cannot be read again";
  return undefined;
}

/** Hooks and listeners by name: `onError`, `onCrash`, `beforeRun`, `errorHook`, `handler`, `callback`, `emit…`. */
const HOOK_NAME = /^(on[A-Z_]|emit(?![a-z])|before[A-Z]|after[A-Z])|([Hh]ook|[Hh]andler|[Cc]allback|[Ll]istener)$/;

/**
 * Why the callee is someone else's code that a restart would run again: a
 * parameter (`cb()`), a function held in a property rather than a method of
 * the program's own (`this.job.run` where `job` came from outside is a
 * property read, `this.onError(e)` holds a user's hook), an event emit or a
 * hook-named member.
 */
function foreignCode(callee: ts.Node, checker: ts.TypeChecker): string | undefined {
  const name = ts.isIdentifier(callee)
    ? callee.text
    : ts.isPropertyAccessExpression(callee)
    ? callee.name.text
    : undefined;
  if (name === undefined) return undefined;
  if (HOOK_NAME.test(name)) return `${name} is an event emit or hook: a restart would run its listeners again`;
  const declaration = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee)
    ?.valueDeclaration;
  if (declaration !== undefined && ts.isParameter(declaration)) {
    return `${name} is a parameter: a restart would run the caller's function again`;
  }
  if (
    declaration !== undefined && (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) &&
    !(ts.isPropertyDeclaration(declaration) && declaration.initializer !== undefined &&
      isFunctionNode(skipOuterExpressions(declaration.initializer)))
  ) {
    return `${name} is a callback held in a property: a restart would run it again`;
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isPropertyAccessExpression(skipOuterExpressions(callee.expression))) {
    const owner = skipOuterExpressions(callee.expression) as ts.PropertyAccessExpression;
    const held = checker.getSymbolAtLocation(owner.name)?.valueDeclaration;
    if (held !== undefined && ts.isParameter(held)) {
      return `${owner.name.text} came from a caller: a restart would run its ${name} again`;
    }
  }
  return undefined;
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
