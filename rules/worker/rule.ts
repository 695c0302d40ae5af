/**
 * Workers: `new Worker(...)` (web Workers, `node:worker_threads`, Deno). An
 * uncaught error inside a worker surfaces only as an `error` event on the
 * Worker object; with no listener it is lost (browser) or ends the process
 * (Node). Handled when an error listener or `onerror` is attached to the same
 * binding in the same scope, or, for a field (`this.worker`) or a keyed
 * container (`this.workers.set(name, w)`), anywhere in its class; a worker
 * a factory function returns is followed to the factory's callers.
 *
 * A worker runs until terminated (recurring work), unless the function that
 * starts it also terminates it on its completion path: then it is started
 * per task and ends with it (see {@link terminatedByStarter}).
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { Detection, Rule, RuleContext } from "../../src/rule.ts";
import { fixWorker } from "./fix.ts";
import { originOf } from "../../src/analysis/platform.ts";
import { declarationsOf } from "../../src/analysis/declarations.ts";
import { LISTENER_METHODS } from "../../src/analysis/callbacks.ts";
import { platformName } from "../../src/analysis/imports.ts";
import {
  enclosingFunction,
  functionName,
  type FunctionNode,
  isFunctionNode,
  skipOuterExpressions,
} from "../../src/analysis/functions.ts";
import { callersOf } from "../../src/analysis/calls.ts";
import { signal } from "../../src/classify/signals.ts";

const WORKER_CLASSES = new Set(["Worker", "SharedWorker"]);
const WORKER_MODULES = /^(node:)?worker_threads$/;

/** The worker rule (kind `worker`). */
export const workerRule: Rule = {
  id: "worker",
  description: "Workers started without an error listener.",
  kinds: ["worker"],
  messages: {
    worker:
      "Worker started without an error listener: its failure is lost or ends the process. Attach onerror / .on('error'), start it with superviseWorker (restarted on failure) or wrap it in logWorker (failure logged, the worker kept).",
  },
  visits: ["NewExpression"],
  fix: fixWorker,
  check(node: ts.Node, context: RuleContext): Detection | undefined {
    const creation = node as ts.NewExpression;
    const callee = skipOuterExpressions(creation.expression);
    const nameNode = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
    if (nameNode === undefined || !ts.isIdentifier(nameNode)) return undefined;
    const className = ts.isIdentifier(callee)
      ? platformName(context.sourceFile, callee.text, WORKER_MODULES)
      : nameNode.text;
    if (!WORKER_CLASSES.has(className)) return undefined;
    const origin = originOf(context.program, declarationsOf(context.checker, nameNode));
    if (origin === "user") return undefined;
    if (origin === "unresolved" && !ts.isIdentifier(callee)) return undefined;
    const detection: Detection = {
      kind: "worker",
      node: creation,
      callee: className,
      resolution: origin === "platform" ? "type" : "syntax",
      signals: [signal("worker-thread")],
    };
    const terminated = terminatedByStarter(context.checker, creation);
    if (terminated !== undefined) detection.signals.push(signal("worker-per-task", terminated));
    const listener = errorListener(context.checker, creation);
    if (listener !== undefined) {
      detection.status = "handled";
      detection.statusReason = listener;
    }
    return detection;
  },
};

/**
 * Describes the error listener attached to the worker `value` evaluates to
 * (the `new Worker(...)` itself, or a call of a factory returning it), if
 * any: chained on it, attached to the binding it is stored in (a variable
 * in the same scope; a field anywhere in its class; a keyed container
 * `this.workers.set(name, w)` read back as `this.workers.get(...)` anywhere
 * in the same scope), or, when a function returns it, attached by every
 * one of that function's callers ({@link FACTORY_DEPTH} levels).
 */
function errorListener(checker: ts.TypeChecker, value: ts.Expression, depth = FACTORY_DEPTH): string | undefined {
  const { parent, child } = placeOf(value);
  if (
    ts.isPropertyAccessExpression(parent) && LISTENER_METHODS.has(parent.name.text) &&
    ts.isCallExpression(parent.parent) && isErrorEventArgument(parent.parent.arguments[0])
  ) {
    return `.${parent.name.text}("error") is chained on the new worker`;
  }
  if (ts.isReturnStatement(parent) || (isFunctionNode(parent) && parent.body === child)) {
    return depth > 0
      ? byEveryCaller(checker, enclosingFunction(value), (call) => errorListener(checker, call, depth - 1))
      : undefined;
  }
  const holder = holderOf(parent, child, value.getSourceFile());
  if (holder === undefined) return undefined;
  // A field (`this.worker = new Worker(...)`) is reachable from every method of its class.
  const owner = holder.text.startsWith("this.") ? owningClassOf(value) : undefined;
  const scope = owner ?? enclosingFunction(value) ?? value.getSourceFile();
  const matches = holderMatcher(holder, value.getSourceFile());
  const shown = holder.keyed ? `${holder.text}.get(...)` : holder.text;
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined) return;
    if (
      ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) && node.left.name.text === "onerror" && matches(node.left.expression)
    ) {
      found = `${shown}.onerror is assigned`;
    } else if (
      ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) &&
      LISTENER_METHODS.has(node.expression.name.text) && matches(node.expression.expression) &&
      isErrorEventArgument(node.arguments[0])
    ) {
      found = `${shown}.${node.expression.name.text}("error") is attached`;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

/**
 * How the function that starts the worker `value` evaluates to terminates
 * it, when it does: a `terminate()` (a worker) or `kill()` call on the
 * binding it is stored in, in that function's own body or in a callback it
 * hands to a call there (a listener on the worker, a timer, a promise
 * continuation: its completion path) — not in a function it hands out or
 * stores (`return { stop: () => worker.terminate() }`), which ends the
 * worker whenever its owner decides, nor in another method (`stop()`). For a
 * worker a factory returns, every caller of the factory must terminate it
 * ({@link FACTORY_DEPTH} levels). Such a worker is started per task and ends
 * with it; decided by what the code does with the object, not by its names.
 */
function terminatedByStarter(checker: ts.TypeChecker, value: ts.Expression, depth = FACTORY_DEPTH): string | undefined {
  const { parent, child } = placeOf(value);
  if (ts.isReturnStatement(parent) || (isFunctionNode(parent) && parent.body === child)) {
    return depth > 0
      ? byEveryCaller(checker, enclosingFunction(value), (call) => terminatedByStarter(checker, call, depth - 1))
      : undefined;
  }
  const holder = holderOf(parent, child, value.getSourceFile());
  const starter = enclosingFunction(value);
  if (holder === undefined || starter === undefined) return undefined;
  const matches = holderMatcher(holder, value.getSourceFile());
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || (isFunctionNode(node) && !isCallbackArgument(node))) return;
    if (
      ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) &&
      TERMINATES.has(node.expression.name.text) && matches(node.expression.expression)
    ) {
      found = `${node.expression.getText(value.getSourceFile())}() in ${
        functionName(starter) ?? "the function"
      } that started it`;
    }
    ts.forEachChild(node, visit);
  };
  if (starter.body !== undefined) ts.forEachChild(starter.body, visit);
  return found;
}

/** Methods that end a worker or a child process. */
const TERMINATES: ReadonlySet<string> = new Set(["terminate", "kill"]);

/** Whether a function is an argument of a call (called back: a listener, a timer, a continuation). */
function isCallbackArgument(fn: ts.Node): boolean {
  let child: ts.Node = fn;
  while (ts.isParenthesizedExpression(child.parent)) child = child.parent;
  return (ts.isCallExpression(child.parent) || ts.isNewExpression(child.parent)) &&
    (child.parent.arguments ?? []).some((argument: ts.Node) => argument === child);
}

/** The node a value sits in, past parentheses and `as`, and the child of it on the way. */
function placeOf(value: ts.Expression): { parent: ts.Node; child: ts.Node } {
  let child: ts.Node = value;
  let parent: ts.Node = value.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  return { parent, child };
}

/** Whether a receiver reads the worker back from its holder: the same text, or the keyed container's `.get(...)`. */
function holderMatcher(
  holder: { text: string; keyed: boolean },
  sourceFile: ts.SourceFile,
): (receiver: ts.Expression) => boolean {
  return (receiver) => {
    const inner = skipOuterExpressions(receiver);
    if (holder.keyed) {
      return ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression) &&
        inner.expression.name.text === "get" &&
        inner.expression.expression.getText(sourceFile) === holder.text;
    }
    return inner.getText(sourceFile) === holder.text;
  };
}

/** How many factory levels (`createWorker()` returning `new Worker(...)`) are followed to their callers. */
const FACTORY_DEPTH = 2;

/** Where a worker is stored: a variable or assignment target, or a keyed container (`map.set(key, worker)`). */
function holderOf(
  parent: ts.Node,
  child: ts.Node,
  sourceFile: ts.SourceFile,
): { text: string; keyed: boolean } | undefined {
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return { text: parent.name.text, keyed: false };
  if (
    ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === child
  ) {
    return { text: parent.left.getText(sourceFile), keyed: false };
  }
  if (
    ts.isCallExpression(parent) && parent.arguments[1] === child && ts.isPropertyAccessExpression(parent.expression) &&
    parent.expression.name.text === "set"
  ) {
    return { text: parent.expression.expression.getText(sourceFile), keyed: true };
  }
  return undefined;
}

/**
 * What `find` says of every call of the factory `fn` (the first answer), when
 * there are calls and `find` answers for each: a worker a function returns
 * is what its callers do with it.
 */
function byEveryCaller(
  checker: ts.TypeChecker,
  fn: FunctionNode | undefined,
  find: (call: ts.Expression) => string | undefined,
): string | undefined {
  const calls = fn === undefined ? [] : callersOf(checker, fn);
  if (calls.length === 0) return undefined;
  let first: string | undefined;
  for (const call of calls) {
    const found = find(call);
    if (found === undefined) return undefined;
    first ??= found;
  }
  return `every caller of the function returning it: ${first}`;
}

function owningClassOf(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (ts.isClassLike(current)) return current;
  }
  return undefined;
}

function isErrorEventArgument(argument: ts.Expression | undefined): boolean {
  return argument !== undefined && ts.isStringLiteralLike(argument) && argument.text === "error";
}
