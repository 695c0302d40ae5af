/**
 * Where a spawn site sits, as classification evidence: test file or test
 * body, module top level, startup function or constructor, request/event
 * handler, loop over items. Purely syntactic and deterministic.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { Signal } from "../site.ts";
import { LISTENER_METHODS } from "../analysis/callbacks.ts";
import { itemLoopLabel } from "../analysis/calls.ts";
import { signal } from "./signals.ts";
import {
  functionName,
  type FunctionNode,
  isFunctionNode,
  owningClass,
  skipOuterExpressions,
} from "../analysis/functions.ts";

const TEST_CALLS = new Set([
  "describe",
  "it",
  "test",
  "suite",
  "context",
  "beforeEach",
  "afterEach",
  "beforeAll",
  "afterAll",
  "before",
  "after",
  "bench",
  "Deno.test",
  "Deno.bench",
  "t.test",
  "t.step",
]);
const HANDLER_METHODS = new Set([
  ...LISTENER_METHODS,
  "get",
  "post",
  "put",
  "patch",
  "delete",
  "del",
  "all",
  "use",
  "head",
  "options",
  "handle",
  "route",
  "createServer",
  "serve",
  "subscribe",
  "onmessage",
  "process",
]);
const ITEM_LOOP_METHODS = new Set(["forEach", "map", "flatMap", "filter", "reduce", "some", "every", "find"]);
const STARTUP_NAME =
  /^(main|start|init|initialize|bootstrap|listen|connect|run|serve|setup|boot|launch|begin)([A-Z_]|$)/;
const HANDLER_NAME = /^(handle|on[A-Z]|process[A-Z]|respond|fetch$|dispatch)/;
const REQUEST_PARAM =
  /^(req|request|res|response|ctx|context|message|msg|event|evt|job|socket|conn|connection|payload|packet|update)$/;
const LONG_LIVED_CLASS =
  /(Service|Server|Client|Manager|Worker|Scheduler|Pool|Queue|Watcher|Monitor|Daemon|Runner|Supervisor|Connection|Socket|Channel|Cache|Poller|Agent|Broker|Consumer|Producer|Listener)$/;

/**
 * Collects the placement signals for a site at `node`: test bodies, handler
 * callbacks, promise executors, item loops, the enclosing named function
 * (startup, handler, constructor) and its request-like parameters, or
 * module top level.
 *
 * Walks outwards through callbacks, IIFEs and local functions (declared in
 * another function's body, so called within it); stops at the first named
 * function or method of a module or class, whose own lifetime depends on
 * callers not followed.
 *
 * @param node the site's node.
 * @param loopsThrough the enclosing functions on the cycle the site's work
 *   recurs through (see `Detection.loopsThrough`): their names, request-like
 *   parameters and registration as a handler give no signal, since the loop
 *   itself re-enters them.
 */
export function placementSignals(node: ts.Node, loopsThrough: readonly ts.Node[] = []): Signal[] {
  const signals: Signal[] = [];
  if (ts.isCallExpression(node) && isTestCall(callName(node))) {
    signals.push(signal("inside-test-body", `${callName(node)}(...)`));
    return signals;
  }
  for (
    let current: ts.Node | undefined = node.parent, child: ts.Node = node;
    current !== undefined;
    child = current, current = current.parent
  ) {
    const itemLoop = itemLoopLabel(current, child);
    if (itemLoop !== undefined) signals.push(signal("loop-over-items", itemLoop));
    if (!isFunctionNode(current)) continue;
    if (settlesGivenPromise(current)) {
      signals.push(signal("inside-promise-executor"));
      return signals;
    }
    if (!loopsThrough.includes(current)) addRequestParameters(current, signals);
    const call = callTakingCallback(current);
    if (call !== undefined) {
      const name = callName(call);
      if (
        ts.isNewExpression(call) && /(^|\.)Promise$/.test(name) && call.arguments?.[0] !== undefined &&
        skipOuterExpressions(call.arguments[0]) === current
      ) {
        signals.push(signal("inside-promise-executor"));
        return signals;
      }
      if (isTestCall(name)) {
        signals.push(signal("inside-test-body", `${name}(...)`));
        return signals;
      }
      const method = name.split(".").pop()!;
      // A handler on the loop's own cycle (a close handler that reconnects) is part of the loop, not its starter.
      if (HANDLER_METHODS.has(method) && !loopsThrough.includes(current)) {
        signals.push(signal("inside-request-handler", `${name}(...)`));
        return signals;
      }
      if (ITEM_LOOP_METHODS.has(method)) signals.push(signal("loop-over-items", `.${method}(...)`));
      continue;
    }
    if (isInvokedImmediately(current)) continue;
    const assignedTo = handlerPropertyAssignment(current);
    if (assignedTo !== undefined && !loopsThrough.includes(current)) {
      signals.push(signal("inside-request-handler", assignedTo));
      return signals;
    }
    if (!loopsThrough.includes(current)) addNamedFunctionSignals(current, signals);
    // A local function is called within the function that declares it: keep walking outwards.
    if (isLocalFunction(current)) continue;
    return signals;
  }
  signals.push(signal("module-top-level"));
  return signals;
}

function addNamedFunctionSignals(fn: FunctionNode, signals: Signal[]): void {
  const name = functionName(fn);
  if (name === "constructor") {
    const className = owningClass(fn)?.name?.text ?? "anonymous class";
    signals.push(
      LONG_LIVED_CLASS.test(className) ? signal("long-lived-constructor", className) : signal("constructor", className),
    );
    return;
  }
  if (name === undefined) return;
  if (STARTUP_NAME.test(name)) signals.push(signal("startup-function", name));
  else if (HANDLER_NAME.test(name)) signals.push(signal("handler-function-name", name));
}

function addRequestParameters(fn: FunctionNode, signals: Signal[]): void {
  for (const parameter of fn.parameters) {
    if (ts.isIdentifier(parameter.name) && REQUEST_PARAM.test(parameter.name.text)) {
      signals.push(signal("request-like-parameter", parameter.name.text));
      return;
    }
  }
}

/** A function handed a promise's settle functions (parameters named `resolve` and `reject`): it works for that one promise. */
function settlesGivenPromise(fn: FunctionNode): boolean {
  const names = new Set(fn.parameters.map((parameter) => ts.isIdentifier(parameter.name) ? parameter.name.text : ""));
  return names.has("resolve") && names.has("reject");
}

/** A function declared in another function's body: `function step() {}` or `const step = () => {}` inside it. */
function isLocalFunction(fn: FunctionNode): boolean {
  if (ts.isMethodDeclaration(fn) || ts.isConstructorDeclaration(fn) || ts.isGetAccessor(fn) || ts.isSetAccessor(fn)) {
    return false;
  }
  const declaration = ts.isFunctionDeclaration(fn) ? fn : fn.parent;
  if (declaration === undefined || !(ts.isFunctionDeclaration(declaration) || ts.isVariableDeclaration(declaration))) {
    return false;
  }
  for (let node: ts.Node | undefined = declaration.parent; node !== undefined; node = node.parent) {
    if (isFunctionNode(node)) return true;
    if (ts.isClassLike(node) || ts.isSourceFile(node)) return false;
  }
  return false;
}

/** The call a function is passed to as an argument, if it is one. */
function callTakingCallback(fn: ts.Node): ts.CallExpression | ts.NewExpression | undefined {
  let child = fn;
  let parent = fn.parent;
  while (parent !== undefined && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) {
    child = parent;
    parent = parent.parent;
  }
  if (
    parent !== undefined && (ts.isCallExpression(parent) || ts.isNewExpression(parent)) &&
    parent.arguments?.includes(child as ts.Expression)
  ) {
    return parent;
  }
  return undefined;
}

function isTestCall(name: string): boolean {
  return TEST_CALLS.has(name) || TEST_CALLS.has(name.split(".")[0]!);
}

/**
 * Whether `call` registers a test, suite or hook with a test framework
 * (`describe`, `it.only`, `test.each(...)(...)`, `Deno.test`, `t.step`):
 * the runner observes the promise such a call returns.
 */
export function isTestFrameworkCall(call: ts.CallExpression): boolean {
  return isTestCall(callName(call));
}

function callName(call: ts.CallExpression | ts.NewExpression): string {
  let callee = skipOuterExpressions(call.expression);
  // test.each(table)(name, fn) and describe.only(...) name the framework call by its head.
  while (ts.isCallExpression(callee)) callee = skipOuterExpressions(callee.expression);
  const parts: string[] = [];
  while (ts.isPropertyAccessExpression(callee)) {
    parts.unshift(callee.name.text);
    callee = skipOuterExpressions(callee.expression);
  }
  if (ts.isIdentifier(callee)) parts.unshift(callee.text);
  if (parts.length > 1 && TEST_CALLS.has(parts[0]!)) return parts[0]!;
  return parts.join(".");
}

function isInvokedImmediately(fn: ts.Node): boolean {
  let parent = fn.parent;
  let child: ts.Node = fn;
  while (parent !== undefined && ts.isParenthesizedExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  return parent !== undefined && ts.isCallExpression(parent) && parent.expression === child;
}

/** `worker.onmessage = (event) => …` or `{ onConnect() {…} }`-style handler slots. */
function handlerPropertyAssignment(fn: ts.Node): string | undefined {
  const parent = fn.parent;
  if (
    parent !== undefined && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isPropertyAccessExpression(parent.left) && /^on[a-z]/.test(parent.left.name.text)
  ) {
    return `.${parent.left.name.text} = ...`;
  }
  return undefined;
}
