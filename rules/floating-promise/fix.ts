/**
 * The floating-promise rule's rewrite. A durable call that can be evaluated
 * again becomes `spawnSupervised(name, () => call(...))` (restarted with
 * backoff on failure); anything else — a promise that already exists, a
 * `.then` chain, a consumed stream, arguments with side effects, and every
 * per-request or test site — becomes `spawnLogged(name, expression)`, which
 * evaluates the expression where it was and logs a failure.
 *
 * @module
 */
import { ts } from "ts-morph";
import type { FixContext, FixOutcome } from "../../src/rule.ts";
import { isAsyncFunction, isFunctionNode, skipOuterExpressions } from "../../src/analysis/functions.ts";
import { acceptsAbortSignal, enclosingLoop, noteAbove, quoteCode, unrepeatablePart, wrap } from "../../src/fix/syntax.ts";

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
  const what = taskWhat(target);
  const obstacle = context.group === "durable" ? restartObstacle(target, context) : undefined;
  if (context.group === "durable" && obstacle === undefined) {
    const iife = parameterlessIife(target);
    const name = context.taskName(what);
    const edits = iife !== undefined
      ? wrap(node, iife, sourceFile, `spawnSupervised(${name}, `, ")")
      : wrap(node, expression, sourceFile, `spawnSupervised(${name}, () => `, ")");
    if (ts.isCallExpression(target) && iife === undefined && acceptsAbortSignal(context.checker, target)) {
      edits.unshift(noteAbove(node, context,
        `${what} accepts an AbortSignal: take (signal) => and pass it so shutdown can stop the task`));
    }
    return { transform: "supervised-call", edits, uses: ["spawnSupervised"] };
  }
  const edits = wrap(node, expression, sourceFile, `spawnLogged(${context.taskName(what)}, `, ")");
  if (obstacle !== undefined) edits.unshift(noteAbove(node, context, `logged, not restarted: ${obstacle}`));
  return { transform: "logged-promise", edits, uses: ["spawnLogged"] };
}

/** What the task is called after: the callee's last segment, the promise's name, or `task`. */
function taskWhat(target: ts.Node): string {
  let root = target;
  while (ts.isCallExpression(root) && ts.isPropertyAccessExpression(skipOuterExpressions(root.expression))) {
    const access = skipOuterExpressions(root.expression) as ts.PropertyAccessExpression;
    if (!CHAIN_METHODS.has(access.name.text)) break;
    root = skipOuterExpressions(access.expression);
  }
  const callee = ts.isCallExpression(root) || ts.isNewExpression(root) ? skipOuterExpressions(root.expression) : root;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return isFunctionNode(callee) ? "iife" : "task";
}

const CHAIN_METHODS = new Set(["then", "finally"]);

/** Why the expression cannot be started again by a factory, or undefined when it can. */
function restartObstacle(target: ts.Node, context: FixContext): string | undefined {
  const { sourceFile } = context;
  if (enclosingLoop(context.node) !== undefined) return "it runs once per loop iteration, tick or event, and a task spawned again under its name replaces the running one";
  if (ts.isIdentifier(target) || ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
    return `the promise ${quoteCode(target, sourceFile)} already exists`;
  }
  if (ts.isNewExpression(target)) return "the promise is created by `new` and runs at once";
  if (!ts.isCallExpression(target)) return "the expression is not a single call";
  const callee = skipOuterExpressions(target.expression);
  if (ts.isPropertyAccessExpression(callee) && CHAIN_METHODS.has(callee.name.text)) {
    return `a .${callee.name.text}() chain on an existing promise cannot be started again`;
  }
  const calleeObstacle = unrepeatablePart(callee);
  if (calleeObstacle !== undefined) return `the callee depends on ${quoteCode(calleeObstacle, sourceFile)}`;
  for (const argument of target.arguments) {
    const part = unrepeatablePart(argument);
    if (part !== undefined) return `the argument ${quoteCode(part, sourceFile)} cannot be evaluated again`;
  }
  if (consumesStream(target, context)) return "the call consumes a stream, which cannot be read again";
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
