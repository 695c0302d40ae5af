/**
 * Where a spawn site sits, as classification evidence: test file or test
 * body, module top level, startup function or constructor, a listener that
 * receives one item per event, loop over items. Deterministic; the checker
 * gives the type of what a listener receives.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { Signal } from "../site.ts";
import { LISTENER_METHODS } from "../analysis/callbacks.ts";
import { itemLoopLabel } from "../analysis/calls.ts";
import { settlesGivenPromise } from "../analysis/settle.ts";
import { signal } from "./signals.ts";
import { startedAs } from "./starters.ts";
import {
  enclosingFunction,
  functionName,
  type FunctionNode,
  isFunctionNode,
  outermost,
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
/**
 * Platform calls that register a function run once per event: the event
 * APIs (EventEmitter, EventTarget) and the servers' request handlers
 * (`node:http`/`https`/`http2`/`net` `createServer`, `Deno.serve`).
 */
const REGISTERS_HANDLER = new Set([...LISTENER_METHODS, "createServer", "serve"]);
const ITEM_LOOP_METHODS = new Set(["forEach", "map", "flatMap", "filter", "reduce", "some", "every", "find"]);

/**
 * Collects the placement signals for a site at `node`: test bodies, a
 * listener that receives one item per event (see {@link perItemListener}),
 * promise executors, item loops, the enclosing named function (startup,
 * constructor), or module top level. A function's or parameter's name is
 * no evidence of being started per request.
 *
 * Walks outwards through callbacks, IIFEs and local functions (declared in
 * another function's body, so called within it) to the first named
 * function or method of a module or class, whose placement is that of the
 * places that start it (see `starters.ts`: the same walk from each of its
 * calls, up through the callers).
 *
 * @param node the site's node.
 * @param checker the program's checker (the type of what a listener receives).
 * @param loopsThrough the enclosing functions on the cycle the site's work
 *   recurs through (see `Detection.loopsThrough`): their registration as a
 *   listener gives no signal, since the loop itself re-enters them.
 */
export function placementSignals(
  node: ts.Node,
  checker: ts.TypeChecker,
  loopsThrough: readonly ts.Node[] = [],
): Signal[] {
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
    const itemLoop = itemLoopLabel(current, child, checker);
    if (itemLoop !== undefined) signals.push(signal("loop-over-items", itemLoop));
    if (!isFunctionNode(current)) continue;
    if (settlesGivenPromise(checker, current)) {
      signals.push(signal("inside-promise-executor"));
      return signals;
    }
    const call = callTakingCallback(current);
    if (call !== undefined) {
      const name = callName(call);
      if (isTestCall(name)) {
        signals.push(signal("inside-test-body", `${name}(...)`));
        return signals;
      }
      const method = name.split(".").pop()!;
      // A handler on the loop's own cycle (a close handler that reconnects) is part of the loop, not its starter.
      if (REGISTERS_HANDLER.has(method) && !loopsThrough.includes(current)) {
        const item = perItemListener(current, checker);
        if (item !== undefined && !keptBeyond(node, current, checker)) {
          signals.push(signal("inside-request-handler", `${name}(...) receives ${item}`));
          return signals;
        }
        if (item !== undefined) return signals;
      }
      if (ITEM_LOOP_METHODS.has(method)) signals.push(signal("loop-over-items", `.${method}(...)`));
      continue;
    }
    if (isInvokedImmediately(current)) continue;
    const assignedTo = handlerPropertyAssignment(current);
    if (assignedTo !== undefined && !loopsThrough.includes(current)) {
      const item = perItemListener(current, checker);
      if (item !== undefined && !keptBeyond(node, current, checker)) {
        signals.push(signal("inside-request-handler", `${assignedTo} receives ${item}`));
      }
      if (item !== undefined) return signals;
    }
    // A local function is called within the function that declares it: keep walking outwards.
    if (isLocalFunction(current)) continue;
    signals.push(...startedSignals(current, checker, loopsThrough));
    const holder = heldByOneCall(node, checker);
    if (holder !== undefined) signals.push(signal("held-by-one-call", holder));
    return signals;
  }
  signals.push(signal("module-top-level"));
  return signals;
}

/**
 * The signals of the named function (or constructor) the walk stops at,
 * from the places that start it (see `starters.ts`): `started-per-request`
 * when every one runs per request, connection or message;
 * `startup-function` (`long-lived-constructor` for a constructor) when
 * every one runs once, at module top level or in a function or constructor
 * started that way; a constructor otherwise gives `constructor` (once per
 * instance), unless it is on the cycle the work recurs through.
 */
function startedSignals(fn: FunctionNode, checker: ts.TypeChecker, loopsThrough: readonly ts.Node[]): Signal[] {
  const started = startedAs(fn, checker, (start) => placementSignals(start, checker));
  const name = functionName(fn) ?? "the function";
  if (started?.placement === "per-request") {
    const own = ts.isConstructorDeclaration(fn) && !loopsThrough.includes(fn) ? [constructorSignal(fn)] : [];
    return [...own, signal("started-per-request", `${name} ← ${started.via}`)];
  }
  if (ts.isConstructorDeclaration(fn)) {
    if (started?.placement === "long-lived") {
      return [signal("long-lived-constructor", `${className(fn)} ← ${started.via}`)];
    }
    return loopsThrough.includes(fn) ? [] : [constructorSignal(fn)];
  }
  return started?.placement === "long-lived" ? [signal("startup-function", `${name} ← ${started.via}`)] : [];
}

function constructorSignal(fn: FunctionNode): Signal {
  return signal("constructor", className(fn));
}

function className(fn: FunctionNode): string {
  return owningClass(fn)?.name?.text ?? "anonymous class";
}

/**
 * What a listener receives when it is called once per item: the type name
 * of its first parameter (declared, or given by the API it is registered
 * through: `http.Server`'s `"request"` gives an `IncomingMessage`, a
 * WebSocket server's `"connection"` a socket) when that is an object that
 * is neither a function nor an error, else undefined. A listener with no
 * parameter, or one given a primitive (`"close"` with a code), an error or
 * an untyped value, runs on a state change of its emitter, or nothing says
 * what it receives.
 */
function perItemListener(fn: FunctionNode, checker: ts.TypeChecker): string | undefined {
  const first = fn.parameters[0];
  if (first === undefined) return undefined;
  const type = checker.getNonNullableType(checker.getTypeAtLocation(first));
  if ((type.flags & ts.TypeFlags.Object) === 0 || type.getCallSignatures().length > 0) return undefined;
  if (type.getProperty("stack") !== undefined && type.getProperty("message") !== undefined) return undefined;
  return checker.typeToString(type);
}

/** The platform calls that stop a timer by its handle. */
const CLEARS_TIMER = new Set(["clearTimeout", "clearInterval", "clearImmediate"]);

/**
 * The variable holding the handle of the timer started at `site`, and the
 * function declaring it, when that variable is a local of a function that
 * is not a constructor (see {@link isConstructing}) and is cleared there
 * (`let timer; … timer = setTimeout(step, ms); … clearTimeout(timer)` in
 * one of its closures), else undefined: only that call's closures can
 * reach the handle, so the work lives and stops with that call, not with
 * the process.
 */
function heldByOneCall(site: ts.Node, checker: ts.TypeChecker): string | undefined {
  const [child, parent] = outermost(site);
  let name: ts.Identifier | undefined;
  if (
    parent !== undefined && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    parent.right === child && ts.isIdentifier(parent.left)
  ) {
    name = parent.left;
  } else if (parent !== undefined && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    name = parent.name;
  }
  const symbol = name === undefined ? undefined : checker.getSymbolAtLocation(name);
  const declaration = symbol?.declarations?.[0];
  const owner = declaration === undefined ? undefined : enclosingFunction(declaration);
  if (symbol === undefined || owner === undefined || isConstructing(owner, checker)) return undefined;
  let cleared = false;
  const visit = (node: ts.Node): void => {
    if (cleared) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && CLEARS_TIMER.has(node.expression.text)) {
      const argument = node.arguments[0];
      if (
        argument !== undefined && ts.isIdentifier(argument) && checker.getSymbolAtLocation(argument) === symbol &&
        !handedOut(node, owner, checker)
      ) {
        cleared = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(owner);
  return cleared ? `${symbol.name} in ${functionName(owner) ?? "a function"}` : undefined;
}

/**
 * Whether `node` (in `owner`) is handed out of `owner`: part of what it
 * returns (`return { stop: () => clearInterval(id) }`), of a value
 * assigned to something longer-lived (`this.stop = () => clearTimeout(t)`),
 * or of an object literal that leaves the function building it (see
 * {@link objectHandedOver}: `run({ onStop() { clearTimeout(t); } })`).
 */
function handedOut(node: ts.Node, owner: FunctionNode, checker: ts.TypeChecker): boolean {
  for (
    let child = node, parent = node.parent;
    parent !== undefined && parent !== owner;
    child = parent, parent = parent.parent
  ) {
    if (ts.isReturnStatement(parent) && enclosingFunction(parent) === owner) return true;
    if (ts.isObjectLiteralExpression(parent) && objectHandedOver(parent)) return true;
    if (
      ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      parent.right === child && heldOutside(parent.left, owner, checker)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Whether the object literal `literal` leaves the function that builds it:
 * it is an argument of a call or `new` (an options or hooks object, which the
 * callee may keep and call whenever it likes: `_runTaskList(tasks, {
 * onDeactivate() { clearTimeout(t); } })`), or that function's returned
 * value (`return { … }`, an arrow's `() => ({ … })`). Parentheses and casts
 * around it do not count; an object nested in such a one leaves with it.
 */
function objectHandedOver(literal: ts.ObjectLiteralExpression): boolean {
  const [child, parent] = outermost(literal);
  if (parent === undefined) return false;
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    return parent.arguments?.includes(child as ts.Expression) ?? false;
  }
  return ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === child);
}

/**
 * Whether one call of `fn` builds an instance, so that call lives as long as
 * the instance does: a class constructor, a factory (see
 * {@link returnsClosures}), or a plain function whose own body (not a
 * nested function's) uses `this` (a JavaScript constructor function).
 */
function isConstructing(fn: FunctionNode, checker: ts.TypeChecker): boolean {
  if (ts.isConstructorDeclaration(fn) || returnsClosures(fn, checker)) return true;
  if (!ts.isFunctionDeclaration(fn) && !ts.isFunctionExpression(fn)) return false;
  if (fn.parent !== undefined && (ts.isPropertyAssignment(fn.parent) || ts.isClassLike(fn.parent))) return false;
  let usesThis = false;
  const visit = (node: ts.Node): void => {
    if (usesThis || (node !== fn && isFunctionNode(node) && !ts.isArrowFunction(node))) return;
    if (node.kind === ts.SyntaxKind.ThisKeyword) usesThis = true;
    else ts.forEachChild(node, visit);
  };
  visit(fn);
  return usesThis;
}

/**
 * Whether `fn` is a factory: it returns a function, or an object with a
 * function among its properties, built in its body (`return { release,
 * stop: () => … }`, also through a local `const worker = { … }; return
 * worker`). What it returns keeps that call's closures, and the state they
 * hold, alive after the call. A returned name counts by the declaration the
 * checker resolves it to, which must be in `fn`'s own body.
 */
function returnsClosures(fn: FunctionNode, checker: ts.TypeChecker): boolean {
  const localFunction = (node: ts.Expression): boolean => {
    const inner = skipOuterExpressions(node) as ts.Expression;
    if (ts.isFunctionExpression(inner) || ts.isArrowFunction(inner)) return true;
    const declaration = declaredIn(inner, fn, checker);
    return declaration !== undefined && (ts.isFunctionDeclaration(declaration) ||
      (ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined &&
        (ts.isFunctionExpression(declaration.initializer) || ts.isArrowFunction(declaration.initializer))));
  };
  const builtHere = (value: ts.Expression, through: boolean): boolean => {
    const inner = skipOuterExpressions(value) as ts.Expression;
    if (localFunction(inner)) return true;
    if (ts.isObjectLiteralExpression(inner)) {
      return inner.properties.some((property) =>
        ts.isMethodDeclaration(property) || ts.isGetAccessorDeclaration(property) ||
        (ts.isPropertyAssignment(property) && localFunction(property.initializer)) ||
        (ts.isShorthandPropertyAssignment(property) && localFunction(property.name))
      );
    }
    if (!through) return false;
    const declaration = declaredIn(inner, fn, checker);
    return declaration !== undefined && ts.isVariableDeclaration(declaration) &&
      declaration.initializer !== undefined && builtHere(declaration.initializer, false);
  };
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) return builtHere(fn.body, true);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (node !== fn && isFunctionNode(node))) return;
    if (ts.isReturnStatement(node) && node.expression !== undefined && builtHere(node.expression, true)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/**
 * The declaration the identifier `name` resolves to (by the checker's
 * symbol), when it is a variable or function declared in `fn`'s own body,
 * not in a nested function's; else undefined.
 */
function declaredIn(name: ts.Node, fn: FunctionNode, checker: ts.TypeChecker): ts.Declaration | undefined {
  if (!ts.isIdentifier(name)) return undefined;
  // A shorthand property's name resolves to the property; its value is the variable.
  const symbol = ts.isShorthandPropertyAssignment(name.parent)
    ? checker.getShorthandAssignmentValueSymbol(name.parent)
    : checker.getSymbolAtLocation(name);
  const declaration = symbol?.valueDeclaration;
  if (
    declaration === undefined || !(ts.isVariableDeclaration(declaration) || ts.isFunctionDeclaration(declaration))
  ) {
    return undefined;
  }
  return enclosingFunction(declaration) === fn ? declaration : undefined;
}

/** Whether `node` lies inside `owner` (same file, within its text). */
function within(node: ts.Node, owner: ts.Node): boolean {
  return node.getSourceFile() === owner.getSourceFile() && node.pos >= owner.pos && node.end <= owner.end;
}

/**
 * Whether the work started at `site` is kept beyond one run of `owner`:
 * its handle is assigned to `this`, to a variable declared outside `owner`
 * or to a property of one (`this.heartbeat = setInterval(…)`,
 * `node.timer = setTimeout(…)`): something longer-lived holds it, so it
 * does not stop with the item `owner` was called for.
 */
function keptBeyond(site: ts.Node, owner: FunctionNode, checker: ts.TypeChecker): boolean {
  const [child, parent] = outermost(site);
  if (
    parent === undefined || !ts.isBinaryExpression(parent) ||
    parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken || parent.right !== child
  ) {
    return false;
  }
  return heldOutside(parent.left, owner, checker);
}

/** Whether an assignment to `left` stores into `this`, a variable declared outside `owner`, or a property of one. */
function heldOutside(left: ts.Expression, owner: FunctionNode, checker: ts.TypeChecker): boolean {
  let target = left;
  while (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) target = target.expression;
  if (target.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(target)) return false;
  const declaration = checker.getSymbolAtLocation(target)?.declarations?.[0];
  return declaration !== undefined && !within(declaration, owner);
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
  const [child, parent] = outermost(fn);
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
