/**
 * Timers and queues: `setTimeout`, `setInterval`, `setImmediate` and
 * `queueMicrotask` calls that resolve to the platform's declarations (lib,
 * `@types/node`'s globals or `node:timers`, Deno). A throw in the callback
 * ends a Node or Deno process and is lost in a browser.
 *
 * @module
 */
import { ts } from "ts-morph";
import type { Detection, Rule, RuleContext } from "../../src/rule.ts";
import { fixTimer } from "./fix.ts";
import type { Kind, Signal } from "../../src/site.ts";
import { originOf } from "../../src/analysis/platform.ts";
import { declarationsOf, functionNamed } from "../../src/analysis/declarations.ts";
import { TIMER_KINDS } from "../../src/analysis/callbacks.ts";
import { platformName } from "../../src/analysis/imports.ts";
import {
  bodyWrappedInTryCatch,
  callsFunctionNamed,
  enclosingFunction,
  findUnboundedLoop,
  functionName,
  isAsyncFunction,
  isFunctionNode,
  skipOuterExpressions,
} from "../../src/analysis/functions.ts";
import { durableNameSignal, signal } from "../../src/classify/signals.ts";

const TIMER_MODULES = /^(node:)?timers$/;

/** Receivers under which a timer name is the global one even when types cannot say so. */
const GLOBAL_RECEIVERS = new Set(["globalThis", "window", "self", "global"]);

/** The timers rule (kinds `timeout`, `interval`, `immediate`, `microtask`). */
export const timersRule: Rule = {
  id: "timers",
  description: "Timer and queue callbacks whose failure nobody observes.",
  kinds: ["timeout", "interval", "immediate", "microtask"],
  messages: {
    interval:
      "setInterval callback can throw or reject unobserved; a failure ends a Node/Deno process. Run each tick under spawnLogged or catch inside the callback.",
    timeout:
      "setTimeout callback can throw or reject unobserved. Catch inside the callback, or run it under spawnLogged.",
    immediate: "setImmediate callback can throw or reject unobserved. Catch inside the callback, or run it under spawnLogged.",
    microtask: "queueMicrotask callback can throw unobserved. Catch inside the callback, or run it under spawnLogged.",
  },
  visits: [ts.SyntaxKind.CallExpression],
  fix: fixTimer,
  check(node: ts.Node, context: RuleContext): Detection | undefined {
    const call = node as ts.CallExpression;
    const callee = skipOuterExpressions(call.expression);
    const nameNode = timerNameNode(callee, context.sourceFile);
    if (nameNode === undefined) return undefined;
    const timerName = ts.isIdentifier(callee) ? platformName(context.sourceFile, callee.text, TIMER_MODULES) : nameNode.text;
    const kind = TIMER_KINDS.get(timerName)!;
    const declarations = declarationsOf(context.checker, nameNode);
    const origin = originOf(context.program, declarations);
    if (origin === "user") return undefined;
    if (origin === "unresolved" && !(ts.isIdentifier(callee) || isGlobalReceiver(callee))) return undefined;
    if (origin === "platform" && isPromiseTimer(declarations)) return undefined;

    const callback = call.arguments[0] === undefined ? undefined : skipOuterExpressions(call.arguments[0]);
    const work = callback === undefined ? undefined : workFunction(context, callback);
    const detection: Detection = {
      kind,
      node: call,
      callee: timerName,
      resolution: origin === "platform" ? "type" : "syntax",
      signals: timerSignals(kind, call, callback, work),
    };
    if (work !== undefined) detection.work = work;
    if (callback !== undefined && cannotFail(context, callback)) {
      detection.status = "benign";
      detection.statusReason = "the callback only settles a promise or assigns a value";
    } else if (work !== undefined && bodyWrappedInTryCatch(work)) {
      detection.status = "handled";
      detection.statusReason = "try/catch wraps the whole callback body";
    }
    return detection;
  },
};

function timerNameNode(callee: ts.Node, sourceFile: ts.SourceFile): ts.Identifier | undefined {
  if (ts.isIdentifier(callee)) return TIMER_KINDS.has(platformName(sourceFile, callee.text, TIMER_MODULES)) ? callee : undefined;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) && TIMER_KINDS.has(callee.name.text)) {
    return callee.name;
  }
  return undefined;
}

function isGlobalReceiver(callee: ts.Node): boolean {
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) &&
    GLOBAL_RECEIVERS.has(callee.expression.text);
}

/**
 * `setTimeout`/`setInterval`/`setImmediate` from `node:timers/promises`
 * return a promise: awaited, they are sleeps, not callback timers. Decided
 * from the declaring module, which is cheaper than resolving the call's
 * overloads.
 */
function isPromiseTimer(declarations: readonly ts.Declaration[]): boolean {
  return declarations.some((declaration) => {
    for (let node: ts.Node | undefined = declaration.parent; node !== undefined; node = node.parent) {
      if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) return /^(node:)?timers\/promises$/.test(node.name.text);
    }
    return /[\\/]timers[\\/]promises\.d\.ts$/.test(declaration.getSourceFile().fileName);
  });
}

/** The function that runs when the timer fires: an inline callback, or the declaration a name refers to. */
function workFunction(context: RuleContext, callback: ts.Node): ts.Node | undefined {
  if (isFunctionNode(callback)) return callback;
  return ts.isIdentifier(callback) || ts.isPropertyAccessExpression(callback) ? functionNamed(context.checker, callback) : undefined;
}

function timerSignals(kind: Kind, call: ts.CallExpression, callback: ts.Node | undefined, work: ts.Node | undefined): Signal[] {
  const signals: Signal[] = [];
  if (kind === "interval") signals.push(signal("interval-timer"));
  const loop = work !== undefined && isFunctionNode(work) && work.body !== undefined ? findUnboundedLoop(work.body) : undefined;
  if (loop !== undefined) signals.push(signal("unbounded-loop-in-callback", loop));
  const outer = enclosingFunction(call);
  const named = durableNameSignal(outer === undefined ? undefined : functionName(outer)) ??
    durableNameSignal(callback !== undefined && (ts.isIdentifier(callback) || ts.isPropertyAccessExpression(callback)) ? callback.getText() : undefined);
  if (named !== undefined) signals.push(named);
  if (kind === "timeout") {
    if (reschedulesItself(call, callback, work)) signals.push(signal("self-rescheduling-timer"));
    else if (isDebounced(call)) signals.push(signal("debounce"));
    else signals.push(signal("one-shot-timer"));
  } else if (kind === "immediate" || kind === "microtask") {
    signals.push(signal("one-shot-timer"));
  }
  return signals;
}

/**
 * A timeout that starts one of its enclosing functions again (`function
 * tick() { …; setTimeout(tick, ms) }`, `setTimeout(() => doNext(), ms)`
 * inside `doNext`), also through one intermediate function (`fetch` calls
 * `_fetch`, which schedules `this.fetch`), or whose named callback schedules
 * itself: a polling loop.
 *
 * @param work the callback's function (inline, or the declaration a name resolves to).
 */
function reschedulesItself(call: ts.CallExpression, callback: ts.Node | undefined, work: ts.Node | undefined): boolean {
  if (callback === undefined) return false;
  for (let outer = enclosingFunction(call); outer !== undefined; outer = enclosingFunction(outer)) {
    const outerName = functionName(outer);
    if (outerName === undefined) continue;
    if (ts.isIdentifier(callback) && callback.text === outerName) return true;
    if (ts.isPropertyAccessExpression(callback) && callback.name.text === outerName) return true;
    if (work !== undefined && callsFunctionNamed(work, outerName)) return true;
  }
  if (isFunctionNode(callback)) {
    const ownName = functionName(callback);
    if (ownName !== undefined && callsFunctionNamed(callback, ownName)) return true;
  }
  return false;
}

/** `clearTimeout(t)` earlier in the same function, then `t = setTimeout(...)`: a debounce. */
function isDebounced(call: ts.CallExpression): boolean {
  let parent: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent)) parent = parent.parent;
  if (!ts.isBinaryExpression(parent) || parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = parent.left.getText();
  const scope = enclosingFunction(call) ?? call.getSourceFile();
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || node.pos >= call.pos) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) &&
      (node.expression.text === "clearTimeout") && node.arguments[0]?.getText() === target) {
      found = true;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

/**
 * A callback that cannot throw: a promise executor's `resolve`/`reject`, or a
 * function whose statements only call those or assign simple values.
 */
function cannotFail(context: RuleContext, callback: ts.Node): boolean {
  if (ts.isIdentifier(callback)) return isExecutorSettler(context, callback);
  if (!isFunctionNode(callback) || callback.body === undefined) return false;
  if (isAsyncFunction(callback)) return false;
  const body = callback.body;
  if (!ts.isBlock(body)) return isHarmlessExpression(context, body);
  return body.statements.every((statement) =>
    ts.isEmptyStatement(statement) ||
    (ts.isExpressionStatement(statement) && isHarmlessExpression(context, statement.expression)) ||
    (ts.isReturnStatement(statement) && (statement.expression === undefined || isSimpleValue(statement.expression)))
  );
}

function isHarmlessExpression(context: RuleContext, expression: ts.Node): boolean {
  const inner = skipOuterExpressions(expression);
  if (ts.isCallExpression(inner)) {
    const callee = skipOuterExpressions(inner.expression);
    return ts.isIdentifier(callee) && isExecutorSettler(context, callee) && inner.arguments.every(isSimpleValue);
  }
  if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return (ts.isIdentifier(inner.left) || (ts.isPropertyAccessExpression(inner.left) && inner.left.expression.kind === ts.SyntaxKind.ThisKeyword)) &&
      isSimpleValue(inner.right);
  }
  return isSimpleValue(inner);
}

function isSimpleValue(node: ts.Node): boolean {
  const inner = skipOuterExpressions(node);
  return ts.isIdentifier(inner) || ts.isLiteralExpression(inner) || ts.isNoSubstitutionTemplateLiteral(inner) ||
    inner.kind === ts.SyntaxKind.TrueKeyword || inner.kind === ts.SyntaxKind.FalseKeyword ||
    inner.kind === ts.SyntaxKind.NullKeyword || inner.kind === ts.SyntaxKind.UndefinedKeyword ||
    (ts.isVoidExpression(inner) && ts.isLiteralExpression(skipOuterExpressions(inner.expression)));
}

/** Whether `name` is a parameter of a `new Promise((resolve, reject) => …)` executor. */
function isExecutorSettler(context: RuleContext, name: ts.Identifier): boolean {
  const symbol = context.checker.getSymbolAtLocation(name);
  const declaration = symbol?.valueDeclaration;
  if (declaration === undefined || !ts.isParameter(declaration)) return false;
  const executor = declaration.parent;
  let parent = executor.parent;
  while (parent !== undefined && ts.isParenthesizedExpression(parent)) parent = parent.parent;
  return parent !== undefined && ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) &&
    parent.expression.text === "Promise" && parent.arguments?.[0] !== undefined &&
    skipOuterExpressions(parent.arguments[0]) === executor;
}
