/**
 * Async listeners: an async function (or one returning a promise) passed
 * where the callee expects a callback returning `void` — `emitter.on(...)`,
 * `addEventListener`, `arr.forEach`, a property of an object literal typed
 * to return `void`, a method an interface declares `void`. The caller drops
 * the promise, so a rejection is unhandled. The expected type decides (as typescript-eslint's
 * `no-misused-promises` "checksVoidReturn"); without types, well-known
 * listener methods are matched by name with lower confidence.
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { Detection, Rule, RuleContext } from "../../src/rule.ts";
import { fixAsyncListener } from "./fix.ts";
import { isPromiseLikeType, returnsPromiseLike } from "../../src/analysis/promise.ts";
import { LISTENER_METHODS, TIMER_KINDS } from "../../src/analysis/callbacks.ts";
import {
  calleeText,
  compiledAsyncFunction,
  type FunctionNode,
  isAsyncFunction,
  isFunctionNode,
  isGeneratorFunction,
  skipOuterExpressions,
  unwrapBind,
} from "../../src/analysis/functions.ts";
import { resolveFunction } from "../../src/analysis/calls.ts";
import { cannotFail, catchesEverything } from "../../src/analysis/failure.ts";
import { signal } from "../../src/classify/signals.ts";
import { onlySupervisorCall } from "../../src/classify/status.ts";
import type { Resolution, Signal } from "../../src/site.ts";

/** Listener registration plus `forEach`, whose callback's result is dropped too. */
const VOID_CALLBACK_METHODS: ReadonlySet<string> = new Set([...LISTENER_METHODS, "forEach"]);

/** The async-listener rule (kind `async-listener`). */
export const asyncListenerRule: Rule = {
  id: "async-listener",
  description: "Async functions passed where a void callback is expected.",
  kinds: ["async-listener"],
  messages: {
    "async-listener":
      "Async function passed where a void callback is expected: the caller drops its promise, so a rejection is unhandled. Wrap the body in try/catch or hand the work to spawnLogged.",
  },
  visits: [
    "CallExpression",
    "ArrowFunction",
    "FunctionExpression",
    "MethodDeclaration",
    "ShorthandPropertyAssignment",
    "PropertyAssignment",
  ],
  fix: fixAsyncListener,
  check(node: ts.Node, context: RuleContext): Detection | undefined {
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return propertyListener(node, context);
    if (ts.isShorthandPropertyAssignment(node) || ts.isPropertyAssignment(node)) {
      return propertyListenerByName(node, context);
    }
    if (ts.isMethodDeclaration(node)) return voidMethodImplementation(node, context);
    const call = node as ts.CallExpression;
    const callee = skipOuterExpressions(call.expression);
    const method = ts.isIdentifier(callee)
      ? callee.text
      : ts.isPropertyAccessExpression(callee)
      ? callee.name.text
      : undefined;
    if (method !== undefined && TIMER_KINDS.has(method)) return undefined;
    const listenerMethod = method !== undefined && VOID_CALLBACK_METHODS.has(method);
    for (const argument of call.arguments) {
      const fn = unwrapBind(skipOuterExpressions(argument));
      const inline = isFunctionNode(fn);
      const reference = !inline && (ts.isIdentifier(fn) || ts.isPropertyAccessExpression(fn));
      const declared = reference ? resolveFunction(context.checker, fn) : compiledAsyncFunction(fn);
      const isAsync = isAsyncFunction(fn) ||
        (declared !== undefined && (isAsyncFunction(declared) || isGeneratorFunction(declared)));
      // A listener rewritten to hand each event to the shim (`(m) => spawnLogged(...)`) is reported so it shows as supervised.
      const rewritten = !isAsync && inline && onlySupervisorCall(fn, context.supervisors) !== undefined;
      if (!isAsync && !rewritten && !(listenerMethod && reference)) continue;
      const resolution = expectsVoidCallback(context, argument);
      if (resolution === "no" && !rewritten) continue;
      if (resolution === "unknown" && !listenerMethod) continue;
      if (!isAsync && !rewritten && !returnsPromiseLike(context.checker, fn)) continue;
      const eventName = call.arguments[0] !== undefined && ts.isStringLiteralLike(call.arguments[0])
        ? call.arguments[0].text
        : undefined;
      const detection: Detection = {
        kind: "async-listener",
        node: argument,
        callee: calleeText(call, context.sourceFile),
        resolution: resolution === "yes" && !rewritten ? "type" : "syntax" satisfies Resolution,
        signals: listenerSignals(method, eventName),
      };
      const work = inline ? fn : declared;
      return work === undefined ? detection : withOutcome(context, detection, work);
    }
    return undefined;
  },
};

/**
 * An async function as a property of an object literal whose contextual
 * type expects a function returning `void` there (`const listener:
 * Listener = { onMessage: async (m) => … }`, `call.start({ onStatus: async
 * … })`): whoever calls it drops the promise.
 */
function propertyListener(fn: ts.ArrowFunction | ts.FunctionExpression, context: RuleContext): Detection | undefined {
  if (!isAsyncFunction(fn)) return undefined;
  let child: ts.Node = fn;
  let parent = fn.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if (
    !ts.isPropertyAssignment(parent) || parent.initializer !== child || !ts.isObjectLiteralExpression(parent.parent)
  ) return undefined;
  if (expectsVoidCallback(context, fn) !== "yes") return undefined;
  return propertySite(context, fn, parent.name.getText(context.sourceFile), fn);
}

/**
 * An async function passed by name as a property of an object literal
 * whose contextual type expects a function returning `void` there
 * (`createSocket({ onEnd, onError: handleError })` with `onEnd` a local
 * async arrow and `onEnd: () => void` declared): reported at the property,
 * as a listener passed by name to `.on(...)` is reported at the argument.
 */
function propertyListenerByName(
  property: ts.ShorthandPropertyAssignment | ts.PropertyAssignment,
  context: RuleContext,
): Detection | undefined {
  if (!ts.isObjectLiteralExpression(property.parent)) return undefined;
  const value = ts.isShorthandPropertyAssignment(property) ? property.name : skipOuterExpressions(property.initializer);
  if (!ts.isIdentifier(value) && !ts.isPropertyAccessExpression(value)) return undefined;
  const declared = ts.isShorthandPropertyAssignment(property)
    ? shorthandFunction(context.checker, property)
    : resolveFunction(context.checker, value);
  if (declared === undefined || !isAsyncFunction(declared)) return undefined;
  const name = property.name.getText(context.sourceFile);
  if (!propertyExpectsVoid(context, property.parent, name)) return undefined;
  return propertySite(context, value, name, declared);
}

/** The site of a listener given as the object-literal property `name`, reported at `node`, whose work is `work`. */
function propertySite(context: RuleContext, node: ts.Node, name: string, work: FunctionNode): Detection {
  return withOutcome(context, {
    kind: "async-listener",
    node,
    callee: name,
    resolution: "type",
    signals: [signal("listener-callback", name)],
  }, work);
}

/** The function a shorthand property `{ onEnd }` stands for: the variable's initializer, or a function declaration. */
function shorthandFunction(
  checker: ts.TypeChecker,
  property: ts.ShorthandPropertyAssignment,
): FunctionNode | undefined {
  const declaration = checker.getShorthandAssignmentValueSymbol(property)?.valueDeclaration;
  if (declaration === undefined) return undefined;
  if (isFunctionNode(declaration)) return declaration;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer === undefined) return undefined;
  const initializer = skipOuterExpressions(declaration.initializer);
  return isFunctionNode(initializer) ? initializer : undefined;
}

/** Whether the contextual type of `literal` declares its property `name` as a function returning `void`. */
function propertyExpectsVoid(context: RuleContext, literal: ts.ObjectLiteralExpression, name: string): boolean {
  const expected = context.checker.getContextualType(literal);
  if (expected === undefined) return false;
  const members = expected.isUnion() ? expected.types : [expected];
  const signatures = members.flatMap((member) => {
    const property = member.getProperty(name);
    return property === undefined
      ? []
      : context.checker.getTypeOfSymbolAtLocation(property, literal).getNonNullableType().getCallSignatures();
  });
  return signatures.length > 0 &&
    signatures.every((signature) => (signature.getReturnType().flags & ts.TypeFlags.Void) !== 0);
}

/**
 * An async method of a class that implements an interface (or overrides a
 * base class method) declaring it to return `void`: callers through that
 * type drop the promise (typescript-eslint's `no-misused-promises`
 * "checksVoidReturn" for inherited methods).
 */
function voidMethodImplementation(method: ts.MethodDeclaration, context: RuleContext): Detection | undefined {
  if (!isAsyncFunction(method) || method.body === undefined || !ts.isClassLike(method.parent)) return undefined;
  const name = method.name.getText(context.sourceFile);
  const heritage = method.parent.heritageClauses?.flatMap((clause) => clause.types) ?? [];
  const declaredVoid = heritage.some((base) => {
    const property = context.checker.getTypeAtLocation(base).getProperty(name);
    if (property === undefined) return false;
    const signatures = context.checker.getTypeOfSymbolAtLocation(property, method).getCallSignatures();
    return signatures.length > 0 &&
      signatures.every((signature) => (signature.getReturnType().flags & ts.TypeFlags.Void) !== 0);
  });
  if (!declaredVoid) return undefined;
  return withOutcome(context, {
    kind: "async-listener",
    node: method,
    callee: name,
    resolution: "type",
    signals: [signal("listener-callback", `${name}, declared to return void`)],
  }, method);
}

/**
 * Sets the work and, when the function catches everything, the handled
 * status; when nothing in it can fail (an async listener that only waits on
 * promises that cannot reject and does what cannot throw), the benign one.
 */
function withOutcome(context: RuleContext, detection: Detection, work: FunctionNode): Detection {
  detection.work = work;
  const caught = catchesEverything(context.checker, work);
  if (caught !== undefined) {
    detection.status = "handled";
    detection.statusReason = `the listener catches every failure: ${caught}`;
    return detection;
  }
  const harmless = cannotFail(context.checker, work);
  if (harmless !== undefined) {
    detection.status = "benign";
    detection.statusReason = `the listener cannot fail: ${harmless}`;
  }
  return detection;
}

/**
 * Whether the parameter `argument` is passed to expects a function returning
 * `void`: `yes`, `no` (it accepts a promise, `any` or `unknown`), or
 * `unknown` (no contextual type, e.g. untyped JavaScript).
 */
function expectsVoidCallback(context: RuleContext, argument: ts.Expression): "yes" | "no" | "unknown" {
  const expected = context.checker.getContextualType(argument);
  if (expected === undefined || expected.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return "unknown";
  const members = expected.isUnion() ? expected.types : [expected];
  const signatures = members.flatMap((member) => member.getCallSignatures());
  if (signatures.length === 0) return "unknown";
  let sawVoid = false;
  for (const signature of signatures) {
    const returned = signature.getReturnType();
    if (returned.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return "no";
    if (isPromiseLikeType(context.checker, returned, argument)) return "no";
    if (returned.flags & ts.TypeFlags.Void) sawVoid = true;
  }
  return sawVoid ? "yes" : "no";
}

function listenerSignals(method: string | undefined, eventName: string | undefined): Signal[] {
  if (method === "forEach") return [signal("loop-over-items", "forEach")];
  return [signal("listener-callback", eventName)];
}
