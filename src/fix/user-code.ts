/**
 * Whether a site's work runs code its library's users supplied: an event
 * emit (its listeners), a function passed in (a parameter), a callback held
 * in a property (an option, a registered hook; not a platform object's,
 * as `process.hrtime`) or taken out of the object's own state (a queued job), or a member named like a hook — directly or
 * through the program's own functions it calls. In library code such a site is reported, not wrapped: a user's
 * listener that throws must still throw where it threw (to the user's test
 * runner, to their process), and a restart would run their code again.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import { type FunctionNode, isFunctionNode, skipOuterExpressions } from "../analysis/functions.ts";
import { resolveFunction } from "../analysis/calls.ts";
import { isSettleCall } from "../analysis/failure.ts";

/** Hooks and listeners by name: `onError`, `onCrash`, `beforeRun`, `errorHook`, `handler`, `callback`, `emit…`. */
const HOOK_NAME = /^(on[A-Z_]|emit(?![a-z])|before[A-Z]|after[A-Z])|([Hh]ook|[Hh]andler|[Cc]allback|[Ll]istener)$/;

/** Methods that run an event's listeners. */
const EMIT = new Set(["emit", "emitAsync", "emitSerial", "dispatchEvent"]);

/**
 * Why calling `callee` runs someone else's code, or undefined: an event
 * emit or a hook-named member, a parameter (`cb()`), a function held in a
 * property rather than a method of the program's own (`this.options.onTick`
 * holds a user's hook), or a member of an object that came from a caller
 * (`job.run()` where `job` is a parameter).
 *
 * @param callee the callee expression.
 * @param checker the program's type checker.
 */
export function foreignCode(callee: ts.Node, checker: ts.TypeChecker): string | undefined {
  const name = ts.isIdentifier(callee)
    ? callee.text
    : ts.isPropertyAccessExpression(callee)
    ? callee.name.text
    : undefined;
  if (name === undefined) return undefined;
  if (EMIT.has(name)) return `${name}() runs its listeners`;
  if (HOOK_NAME.test(name)) return `${name} is an event emit or hook`;
  const declaration = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee)
    ?.valueDeclaration;
  if (declaration !== undefined && ts.isParameter(declaration)) return `${name} is a parameter: the caller's function`;
  if (
    declaration !== undefined && (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) &&
    !(ts.isPropertyDeclaration(declaration) && declaration.initializer !== undefined &&
      isFunctionNode(skipOuterExpressions(declaration.initializer))) &&
    !ofPlatformObject(callee, checker)
  ) {
    return `${name} is a callback held in a property`;
  }
  if (
    declaration !== undefined && ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined &&
    takenFromOwnState(declaration.initializer) && resolveFunction(checker, callee) === undefined
  ) {
    return `${name} is a function taken from ${shortText(declaration.initializer)}`;
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isPropertyAccessExpression(skipOuterExpressions(callee.expression))) {
    const owner = skipOuterExpressions(callee.expression) as ts.PropertyAccessExpression;
    const held = checker.getSymbolAtLocation(owner.name)?.valueDeclaration;
    if (held !== undefined && ts.isParameter(held)) return `${owner.name.text}.${name} came from a caller`;
  }
  return undefined;
}

/**
 * Whether `callee` is a member of an object the platform or a dependency
 * provides: its receiver starts at a name declared only in declaration
 * files (a global such as `process`, or an import of `node:process` or of
 * a package), as in `process.hrtime(start)`. Such a property holds the
 * platform's function, not one a user of the library put there; an object
 * reached from `this`, a parameter or the program's own variables may.
 */
function ofPlatformObject(callee: ts.Node, checker: ts.TypeChecker): boolean {
  if (!ts.isPropertyAccessExpression(callee)) return false;
  let root: ts.Node = skipOuterExpressions(callee.expression);
  while (ts.isPropertyAccessExpression(root) || ts.isNonNullExpression(root)) {
    root = skipOuterExpressions(root.expression);
  }
  if (!ts.isIdentifier(root)) return false;
  let symbol = checker.getSymbolAtLocation(root);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declarations = symbol?.declarations ?? [];
  return declarations.length > 0 && declarations.every((each) => each.getSourceFile().isDeclarationFile);
}

/**
 * Whether `initializer` takes a value out of the object's own state: a call
 * of a member of something held by `this` (`this.#queue.dequeue()`,
 * `this.jobs.shift()`). A function kept there was put there by a caller —
 * a queued job, a registered callback — unlike one a module gives
 * (`debuglog("x")`).
 */
function takenFromOwnState(initializer: ts.Expression): boolean {
  const call = skipOuterExpressions(initializer);
  if (!ts.isCallExpression(call)) return false;
  let root: ts.Node = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(root) && !ts.isElementAccessExpression(root)) return false;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isNonNullExpression(root)) {
    root = skipOuterExpressions(root.expression);
  }
  return root.kind === ts.SyntaxKind.ThisKeyword;
}

/** The first line of a node's text, at most 40 characters (for a reason). */
function shortText(node: ts.Node): string {
  const text = node.getText().split("\n")[0]!;
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * Why the work of a site runs user code, or undefined: a call in the
 * callback's body (nested callbacks included) or, for a promise, its callee
 * or a call made by the async function it calls, that {@link foreignCode}
 * names — or such a call in a function of the program those calls reach
 * (`this.#onInterval()` that emits "active" runs the user's listeners), to
 * any depth. A callee's own callbacks are not followed (passing one along
 * runs nothing now). Settling a promise (`resolve(v)`) is not user code.
 *
 * @param work the callback (a function node) or the promise expression.
 * @param checker the program's type checker.
 */
export function userCodeIn(work: ts.Node, checker: ts.TypeChecker): string | undefined {
  if (isFunctionNode(work)) return work.body === undefined ? undefined : callsIn(work.body, checker, true, new Set());
  const target = skipOuterExpressions(ts.isVoidExpression(work) ? work.expression : work);
  if (!ts.isCallExpression(target)) return undefined;
  const callee = skipOuterExpressions(target.expression);
  if (isFunctionNode(callee)) {
    return callee.body === undefined ? undefined : callsIn(callee.body, checker, true, new Set());
  }
  const direct = foreignCode(callee, checker);
  if (direct !== undefined) return direct;
  const called = ownFunction(checker, callee);
  return called === undefined ? undefined : callsIn(called.body!, checker, false, new Set([called]));
}

/** The function of the program (with a body, not in a declaration file) that `callee` calls, or undefined. */
function ownFunction(checker: ts.TypeChecker, callee: ts.Node): FunctionNode | undefined {
  const called: FunctionNode | undefined = resolveFunction(checker, callee);
  return called?.body === undefined || called.getSourceFile().isDeclarationFile ? undefined : called;
}

/**
 * The first call under `body` that runs user code, itself or through the
 * program's functions it calls (each read once: `seen`); `nested` says
 * whether callbacks inside count (a callee's own body is read without
 * them).
 */
function callsIn(body: ts.Node, checker: ts.TypeChecker, nested: boolean, seen: Set<FunctionNode>): string | undefined {
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || (!nested && isFunctionNode(node))) return;
    if (ts.isCallExpression(node) && !isSettleCall(checker, node)) {
      const callee = skipOuterExpressions(node.expression);
      found = foreignCode(callee, checker);
      if (found !== undefined) return;
      const called = isFunctionNode(callee) ? undefined : ownFunction(checker, callee);
      if (called !== undefined && !seen.has(called)) {
        seen.add(called);
        const inner = callsIn(called.body!, checker, false, seen);
        if (inner !== undefined) {
          // Only the first step is named: "emit() runs its listeners, reached through #next()".
          found = inner.includes(", reached through ") ? inner.replace(/, reached through .*$/, "") : inner;
          found += `, reached through ${functionLabel(called)}`;
          return;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/** A function's name for a reason (`#onInterval()`), or `a function` when it has none. */
function functionLabel(node: FunctionNode): string {
  const name = node.name !== undefined && !ts.isComputedPropertyName(node.name)
    ? node.name.getText()
    : ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent)
    ? node.parent.name.getText()
    : undefined;
  return name === undefined ? "a function" : `${name}()`;
}
