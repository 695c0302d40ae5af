/**
 * Timers and queues: `setTimeout`, `setInterval`, `setImmediate` and
 * `queueMicrotask` calls that resolve to the platform's declarations (lib,
 * `@types/node`'s globals or `node:timers`, Deno). A throw in the callback
 * ends a Node or Deno process and is lost in a browser.
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { Detection, Rule, RuleContext } from "../../src/rule.ts";
import { fixTimer } from "./fix.ts";
import type { Kind, Resolution, Signal } from "../../src/site.ts";
import { originOf } from "../../src/analysis/platform.ts";
import { declarationsOf } from "../../src/analysis/declarations.ts";
import { pendingWork, resolveFunction, wrappedFunction } from "../../src/analysis/calls.ts";
import {
  firstTickOf,
  loopIn,
  onOneCycle,
  passedAs,
  type Recurrence,
  recurrenceOf,
  restartsThrough,
} from "../../src/analysis/graph.ts";
import { cannotFail, catchesEverything } from "../../src/analysis/failure.ts";
import { settleKindOf } from "../../src/analysis/settle.ts";
import { TIMER_KINDS } from "../../src/analysis/callbacks.ts";
import { platformName } from "../../src/analysis/imports.ts";
import {
  calledName,
  enclosingFunction,
  enclosingFunctions,
  functionName,
  type FunctionNode,
  indirectCallee,
  isFunctionNode,
  skipOuterExpressions,
} from "../../src/analysis/functions.ts";
import { signal } from "../../src/classify/signals.ts";

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
    immediate:
      "setImmediate callback can throw or reject unobserved. Catch inside the callback, or run it under spawnLogged.",
    microtask: "queueMicrotask callback can throw unobserved. Catch inside the callback, or run it under spawnLogged.",
  },
  visits: ["CallExpression"],
  fix: fixTimer,
  check(node: ts.Node, context: RuleContext): Detection | undefined {
    const call = node as ts.CallExpression;
    const callee = indirectCallee(call.expression);
    // `setTimeout.bind(null, callback, ms)`: a timer started whenever the bound function is called.
    const bound = ts.isPropertyAccessExpression(callee) && callee.name.text === "bind";
    const timer = timerCalled(context, bound ? skipOuterExpressions(callee.expression) : callee);
    if (timer === undefined) return undefined;
    const { timerName, resolution } = timer;
    const kind = TIMER_KINDS.get(timerName)!;

    const callbackArgument = call.arguments[bound ? 1 : 0];
    const callback = callbackArgument === undefined ? undefined : skipOuterExpressions(callbackArgument);
    // The function that runs when the timer fires: the inline callback, or what a name resolves to.
    const work = callback === undefined ? undefined : resolveFunction(context.checker, callback);
    // A callback parameter (`monitor(callback)` → `queueMicrotask(callback)`) stands for what the callers pass.
    const works = work !== undefined ? [work] : callback === undefined ? [] : passedCallbacks(context, call, callback);
    // The loop the callback lies on, when the timer is one of its starts or the loop goes on through timers too.
    const onCycle = works.map((fn) => recurrenceOf(context.program, fn)).find((found) => found !== undefined);
    const loopsThrough = onCycle === undefined
      ? []
      : [...enclosingFunctions(call)].filter((fn) => works.some((item) => onOneCycle(context.program, fn, item)));
    const recurrence = loopsThrough.length > 0 ||
        works.some((fn) => restartsThrough(context.program, fn, "deferral"))
      ? onCycle
      : undefined;
    const detection: Detection = {
      kind,
      node: call,
      callee: timerName,
      resolution,
      signals: timerSignals(context, kind, call, works, recurrence),
    };
    if (work !== undefined) detection.work = work;
    if (recurrence !== undefined) detection.loopsThrough = loopsThrough;
    // A callback made by a wrapper (`throttle(tick, ms)`) fails as the function it wraps.
    const outcome = callback === undefined
      ? undefined
      : callbackOutcome(context, callback, work ?? wrappedFunction(context.checker, callback));
    if (outcome !== undefined) {
      detection.status = outcome.status;
      detection.statusReason = outcome.reason;
    }
    return detection;
  },
};

/**
 * The platform timer a callee stands for, and how that was decided:
 *
 * - a global timer name, or one imported from `timers`/`node:timers`
 *   (renamed or destructured from `require`), resolving to the platform's
 *   declarations (`type`), or to nothing at all (`syntax`: no types loaded);
 * - `globalThis.setTimeout`, `window.setTimeout`, … (a global receiver), or a
 *   property whose declaration is the language's lib;
 * - a module-level alias of one: `const schedule = typeof setImmediate ===
 *   "function" ? setImmediate : process.nextTick`, `const setImmediate =
 *   globalThis.setImmediate || fallback` (`type`).
 *
 * Not a timer: a function of the user's or of another package that happens
 * to be named `setTimeout` (`safe-timers`, a scheduler library), a method of
 * an object (`server.setTimeout(ms)`), the promise timers of
 * `node:timers/promises`.
 */
function timerCalled(context: RuleContext, callee: ts.Node): { timerName: string; resolution: Resolution } | undefined {
  if (ts.isPropertyAccessExpression(callee)) {
    if (!ts.isIdentifier(callee.name) || !TIMER_KINDS.has(callee.name.text)) return undefined;
    const declarations = declarationsOf(context.checker, callee.name);
    const origin = originOf(context.program, declarations);
    if (isGlobalReceiver(callee)) {
      return origin === "user"
        ? undefined
        : { timerName: callee.name.text, resolution: origin === "platform" ? "type" : "syntax" };
    }
    // A module's function (`timers.setInterval`; `timers.setTimeout` is also a namespace holding `__promisify__`)
    // or the lib's global, not an object's method (`server.setTimeout(ms)`).
    return origin === "platform" && !isPromiseTimer(declarations) &&
        declarations.every((declaration) =>
          ts.isFunctionDeclaration(declaration) || ts.isModuleDeclaration(declaration) ||
          context.program.isSourceFileDefaultLibrary(declaration.getSourceFile())
        )
      ? { timerName: callee.name.text, resolution: "type" }
      : undefined;
  }
  if (!ts.isIdentifier(callee)) return undefined;
  const timerName = platformName(context.sourceFile, callee.text, TIMER_MODULES);
  const aliased = TIMER_KINDS.has(timerName) ? undefined : moduleTimerAliases(context).get(callee.text);
  if (!TIMER_KINDS.has(timerName) && aliased === undefined) return undefined;
  const declarations = declarationsOf(context.checker, callee);
  const origin = originOf(context.program, declarations);
  if (origin === "platform") return isPromiseTimer(declarations) ? undefined : { timerName, resolution: "type" };
  if (origin === "unresolved") return TIMER_KINDS.has(timerName) ? { timerName, resolution: "syntax" } : undefined;
  const declaration = declarations[0]!;
  const module = requiredFrom(declaration);
  if (module !== undefined) {
    return TIMER_MODULES.test(module) && TIMER_KINDS.has(timerName) ? { timerName, resolution: "type" } : undefined;
  }
  const alias = ts.isVariableDeclaration(declaration) && declaration.parent.parent.parent === context.sourceFile
    ? moduleTimerAliases(context).get(callee.text)
    : undefined;
  return alias === undefined ? undefined : { timerName: alias, resolution: "type" };
}

/** The module a binding comes from when it is an import or destructured from `require("…")`. */
function requiredFrom(declaration: ts.Declaration): string | undefined {
  if (ts.isImportSpecifier(declaration)) {
    const specifier = declaration.parent.parent.parent.moduleSpecifier;
    return ts.isStringLiteral(specifier) ? specifier.text : undefined;
  }
  if (!ts.isBindingElement(declaration)) return undefined;
  const variable = declaration.parent.parent;
  const initializer = ts.isVariableDeclaration(variable) && variable.initializer !== undefined
    ? skipOuterExpressions(variable.initializer)
    : undefined;
  return initializer !== undefined && ts.isCallExpression(initializer) && ts.isIdentifier(initializer.expression) &&
      initializer.expression.text === "require" && initializer.arguments[0] !== undefined &&
      ts.isStringLiteral(initializer.arguments[0])
    ? initializer.arguments[0].text
    : undefined;
}

/**
 * Module-level `const` aliases of platform timers in the rule's file, by
 * the alias name: the initializer is a timer (a global name not declared by
 * the user, or a global receiver's property), possibly behind `||`,
 * `??` or either branch of a conditional. Computed once per file.
 */
function moduleTimerAliases(context: RuleContext): ReadonlyMap<string, string> {
  const cached = aliasCache.get(context.sourceFile);
  if (cached !== undefined) return cached;
  const aliases = new Map<string, string>();
  for (const statement of context.sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.initializer === undefined) continue;
      const timer = aliasedTimer(context, declaration.initializer);
      if (timer !== undefined) aliases.set(declaration.name.text, timer);
    }
  }
  aliasCache.set(context.sourceFile, aliases);
  return aliases;
}

const aliasCache = new WeakMap<ts.SourceFile, ReadonlyMap<string, string>>();

function aliasedTimer(context: RuleContext, expression: ts.Node): string | undefined {
  const inner = skipOuterExpressions(expression);
  if (ts.isConditionalExpression(inner)) {
    return aliasedTimer(context, inner.whenTrue) ?? aliasedTimer(context, inner.whenFalse);
  }
  if (
    ts.isBinaryExpression(inner) &&
    (inner.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
      inner.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
  ) {
    return aliasedTimer(context, inner.left) ?? aliasedTimer(context, inner.right);
  }
  if (ts.isPropertyAccessExpression(inner) && isGlobalReceiver(inner) && TIMER_KINDS.has(inner.name.text)) {
    return inner.name.text;
  }
  if (
    ts.isIdentifier(inner) && TIMER_KINDS.has(inner.text) &&
    originOf(context.program, declarationsOf(context.checker, inner)) !== "user"
  ) {
    return inner.text;
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
      if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
        return /^(node:)?timers\/promises$/.test(node.name.text);
      }
    }
    return /[\\/]timers[\\/]promises\.d\.ts$/.test(declaration.getSourceFile().fileName);
  });
}

/** The functions a timer's callback parameter stands for: what the callers of the enclosing function pass there. */
function passedCallbacks(context: RuleContext, call: ts.CallExpression, callback: ts.Node): FunctionNode[] {
  const owner = enclosingFunction(call);
  if (owner === undefined || !ts.isIdentifier(callback)) return [];
  const index = owner.parameters.findIndex((parameter) =>
    ts.isIdentifier(parameter.name) && parameter.name.text === callback.text
  );
  return index < 0 ? [] : passedAs(context.program, owner, index);
}

function timerSignals(
  context: RuleContext,
  kind: Kind,
  call: ts.CallExpression,
  works: readonly FunctionNode[],
  recurrence: Recurrence | undefined,
): Signal[] {
  const signals: Signal[] = [];
  const loop = works.map((fn) => loopIn(context.program, fn)).find((found) => found !== undefined);
  if (loop !== undefined) signals.push(signal("unbounded-loop-in-callback", loop));
  const outer = enclosingFunction(call);
  if (kind === "interval") {
    signals.push(signal("interval-timer"));
    const cleared = clearedNearby(call, works[0], context.checker);
    if (cleared !== undefined) signals.push(signal("interval-cleared-nearby", cleared));
  } else if (recurrence !== undefined) signals.push(signal("starts-itself-again", recurrence.cycle.join(" → ")));
  else {
    const first = works.map((fn) => firstTickOf(context.program, fn, outer)).find((found) => found !== undefined);
    if (first !== undefined) signals.push(signal("first-tick", first));
    else if (kind === "timeout" && isDebounced(call)) signals.push(signal("debounce"));
    else signals.push(signal("one-shot-timer"));
  }
  return signals;
}

/**
 * Where an interval is cleared within a bounded flow: `clearInterval(id)`
 * inside its own callback (it stops itself on a condition), or in a
 * statement that runs after it in the function that started it (a ticker
 * around one operation: a later statement, or the `catch`/`finally` of a
 * try around it). A clear before the start (restarting a ticker) or in
 * another method (`stop()`) does not bound it. The id is the variable or
 * property the interval's result is assigned to.
 */
function clearedNearby(
  call: ts.CallExpression,
  work: FunctionNode | undefined,
  checker: ts.TypeChecker,
): string | undefined {
  let parent: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent)) parent = parent.parent;
  const binding = ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)
    ? parent.name.text
    : ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken
    ? parent.left.getText()
    : undefined;
  if (binding === undefined) return undefined;
  if (work !== undefined && clearsTimer(work, binding, "own callback", checker)) return "by its own callback";
  const scope = enclosingFunction(call);
  if (scope === undefined) return undefined;
  for (
    let child: ts.Node = call, parent = call.parent;
    parent !== undefined && child !== scope;
    child = parent, parent = parent.parent
  ) {
    const later = ts.isBlock(parent) || ts.isSourceFile(parent)
      ? parent.statements.slice(parent.statements.indexOf(child as ts.Statement) + 1)
      : ts.isTryStatement(parent) && child === parent.tryBlock
      ? [parent.catchClause, parent.finallyBlock].filter((block) => block !== undefined)
      : [];
    if (later.some((statement) => clearsTimer(statement, binding, "later", checker))) {
      return `later in ${functionName(scope) ?? "the function"} that started it`;
    }
  }
  return undefined;
}

/**
 * Whether `clearInterval(binding)` or `clearTimeout(binding)` in `scope`
 * bounds the timer. In its `own callback`: a clear anywhere, except one
 * under a condition on pending work (`if (buffer.length === 0)
 * clearInterval(id)`): an interval that stops when idle is started again
 * when work comes, a drain loop for the owner's life. In a statement that
 * runs `later` in the flow that started it: only a clear that runs whenever
 * the statement does — not inside a condition, a loop or a nested function
 * (a `stop()` handed out, a clear on a `flush` message).
 */
function clearsTimer(
  scope: ts.Node,
  binding: string,
  where: "own callback" | "later",
  checker: ts.TypeChecker,
): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (where === "own callback" && ts.isIfStatement(node) && pendingWork(node.expression, checker) !== undefined) {
      return;
    }
    if (
      where === "later" &&
      (isFunctionNode(node) || ts.isIfStatement(node) || ts.isConditionalExpression(node) ||
        ts.isSwitchStatement(node) || ts.isIterationStatement(node, false) ||
        (ts.isBinaryExpression(node) && isShortCircuit(node.operatorToken.kind)))
    ) return;
    if (ts.isCallExpression(node) && node.arguments[0] !== undefined && node.arguments[0].getText() === binding) {
      const name = calledName(node);
      if (name === "clearInterval" || name === "clearTimeout") found = true;
    }
    ts.forEachChild(node, visit);
  };
  if (where === "later") visit(scope);
  else ts.forEachChild(scope, visit);
  return found;
}

/** `&&`, `||`, `??`: the right side runs only on a condition. */
function isShortCircuit(operator: ts.SyntaxKind): boolean {
  return operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken ||
    operator === ts.SyntaxKind.QuestionQuestionToken;
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
    if (
      ts.isCallExpression(node) && ts.isIdentifier(node.expression) &&
      (node.expression.text === "clearTimeout") && node.arguments[0]?.getText() === target
    ) {
      found = true;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

/**
 * The name of the error a callback whose only statement is `throw error`
 * rethrows, when `error` comes from outside the callback (a `catch`
 * binding or a parameter of an enclosing function):
 * `queueMicrotask(() => { throw error; })`, `process.nextTick(() => { throw err; })`
 * move a caught error out of a promise chain on purpose, so that it ends
 * the process or surfaces as a worker's `error` event.
 */
function rethrownError(work: FunctionNode): string | undefined {
  const body = work.body;
  if (body === undefined || !ts.isBlock(body) || body.statements.length !== 1) return undefined;
  const only = body.statements[0]!;
  if (!ts.isThrowStatement(only) || only.expression === undefined) return undefined;
  const thrown = skipOuterExpressions(only.expression);
  if (!ts.isIdentifier(thrown) || work.parameters.some((parameter) => parameter.name.getText() === thrown.text)) {
    return undefined;
  }
  return thrown.text;
}

/**
 * What the timer's callback lets out: `benign` when it cannot fail (it only
 * settles a promise, assigns, cleans up, or calls functions that cannot
 * fail — also a promise executor's `resolve` passed by name), `handled`
 * when it catches everything (its body wrapped in try/catch, or only an
 * already handled promise chain) or only rethrows an error it was handed
 * (see {@link rethrownError}).
 */
function callbackOutcome(
  context: RuleContext,
  callback: ts.Node,
  work: FunctionNode | undefined,
): { status: "benign" | "handled"; reason: string } | undefined {
  if (settleKindOf(context.checker, callback) !== undefined) {
    return { status: "benign", reason: "the callback only settles a promise" };
  }
  if (work === undefined) return undefined;
  const rethrown = rethrownError(work);
  if (rethrown !== undefined) {
    return {
      status: "handled",
      reason:
        `the callback only rethrows ${rethrown}, which it was handed: a deliberate escalation to the runtime's uncaught-exception handling`,
    };
  }
  const caught = catchesEverything(context.checker, work);
  if (caught !== undefined) return { status: "handled", reason: `the callback catches every failure: ${caught}` };
  const harmless = cannotFail(context.checker, work);
  if (harmless !== undefined) return { status: "benign", reason: `the callback cannot fail: ${harmless}` };
  return undefined;
}
