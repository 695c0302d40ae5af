/**
 * Whether a site's work runs code its library's users supplied: an event
 * emit (its listeners), a function passed in (a parameter; also run
 * through the platform's `fn.call(…)`/`fn.apply(…)`), a callback held
 * in a property (an option, a registered hook; not a platform object's,
 * as `process.hrtime`) or taken out of the object's own state (a queued job),
 * a method of an object a caller gave (held in a property assigned from a
 * parameter), or a member named like a hook — directly or
 * through the program's own functions it calls (not a call whose failure a try/catch
 * around it takes). In library code such a site is reported, not wrapped: a user's
 * listener that throws must still throw where it threw (to the user's test
 * runner, to their process), and a restart would run their code again.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import { callOrApplyTarget, type FunctionNode, isFunctionNode, skipOuterExpressions } from "../analysis/functions.ts";
import { isOwnSource, resolveFunction, startsOf } from "../analysis/calls.ts";
import { isSettleCall, rethrows } from "../analysis/failure.ts";
import { programOf } from "../analysis/declarations.ts";

/** Hooks and listeners by name: `onError`, `onCrash`, `beforeRun`, `errorHook`, `handler`, `callback`, `emit…`. */
const HOOK_NAME = /^(on[A-Z_]|emit(?![a-z])|before[A-Z]|after[A-Z])|([Hh]ook|[Hh]andler|[Cc]allback|[Ll]istener)$/;

/** Methods that run an event's listeners. */
const EMIT = new Set(["emit", "emitAsync", "emitSerial", "dispatchEvent"]);

/**
 * Why calling `callee` runs someone else's code, or undefined: an event
 * emit or a hook-named member, a parameter (`cb()`), a function held in a
 * property rather than a method of the program's own (`this.options.onTick`
 * holds a user's hook), or a member of an object that came from a caller
 * (`job.run()` where `job` is a parameter, `this._factory.destroy()` where
 * the constructor stored its `factory` parameter; not a class's method nor
 * one declared outside the program's own sources, as `items.push()`).
 *
 * @param callee the callee expression.
 * @param checker the program's type checker.
 */
export function foreignCode(callee: ts.Node, checker: ts.TypeChecker): string | undefined {
  const called = calledThrough(callee, checker);
  if (called !== undefined) return foreignCode(called, checker);
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
  if (ts.isPropertyAccessExpression(callee) && !knownMethod(callee, checker)) {
    const owner = fromCaller(callee.expression, checker, new Set());
    if (owner !== undefined) return `${owner}.${name} came from a caller`;
  }
  return undefined;
}

/**
 * The function `callee` calls when it is the platform's `call` or `apply`
 * of a function value (`fn.call(context, x)`, `fn.apply(context, args)`,
 * as a debounce runs the function it was given): `fn`. A `call`/`apply`
 * the program declares itself (`rpc.call("method")` on its own class) is
 * not: the checker resolves it to the program's sources.
 */
function calledThrough(callee: ts.Node, checker: ts.TypeChecker): ts.Node | undefined {
  const target = callOrApplyTarget(callee);
  const program = programOf(checker);
  if (target === undefined || program === undefined) return undefined;
  const declarations = checker.getSymbolAtLocation((callee as ts.PropertyAccessExpression).name)?.declarations ?? [];
  return declarations.every((declaration) => !isOwnSource(program, declaration.getSourceFile())) ? target : undefined;
}

/**
 * Whether the checker resolves `callee` to a method whose code is known
 * not to be a caller's, whoever gave the object: a method of a class (the
 * library's own, as cron's `this.cronTime.getTimeout()` on its `CronTime`;
 * what it runs is read by following it), or one declared only outside the
 * program's own sources (`isOwnSource`: the lib files, `@types/node`, a
 * dependency's declarations — `items.push(x)` on a caller's array,
 * `source.toString()`). A member of an interface or type literal of the
 * library's own sources (`factory: { destroy(r): void }`), or a method of
 * an untyped receiver, is not known, unless every object has it
 * ({@link objectMembers}).
 */
function knownMethod(callee: ts.PropertyAccessExpression, checker: ts.TypeChecker): boolean {
  const program = programOf(checker);
  const declarations = checker.getSymbolAtLocation(callee.name)?.declarations ?? [];
  if (declarations.length === 0) return objectMembers(checker, callee).has(callee.name.text);
  return declarations.some((declaration) =>
    ts.isMethodDeclaration(declaration) && ts.isClassLike(declaration.parent)
  ) ||
    (program !== undefined && declarations.length > 0 &&
      declarations.every((declaration) => !isOwnSource(program, declaration.getSourceFile())));
}

/**
 * The members every object has from the platform, by the lib's `Object`
 * interface (`toString`, `valueOf`, `hasOwnProperty`, …): on an untyped
 * receiver (`this.source.toString()` in JavaScript) such a call is taken
 * as the platform's. Read once per checker.
 */
function objectMembers(checker: ts.TypeChecker, at: ts.Node): ReadonlySet<string> {
  let names = objectMemberNames.get(checker);
  if (names === undefined) {
    const object = checker.getSymbolsInScope(at.getSourceFile(), ts.SymbolFlags.Interface)
      .find((symbol) => symbol.name === "Object");
    names = new Set(
      object === undefined
        ? []
        : checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(object)).map((member) => member.name),
    );
    objectMemberNames.set(checker, names);
  }
  return names;
}

const objectMemberNames = new WeakMap<ts.TypeChecker, ReadonlySet<string>>();

/**
 * The name of the object `receiver` denotes when a caller gave it, or
 * undefined: a parameter a caller gave ({@link parameterFromCaller}:
 * `factory`), a property of such an object (`options.db`), or a property
 * of the program's own object that holds a caller's value
 * ({@link heldFromCaller}: `this._factory`). `seen`: the parameters and
 * properties already asked about on this path, which are not asked again.
 */
function fromCaller(receiver: ts.Expression, checker: ts.TypeChecker, seen: Set<unknown>): string | undefined {
  const node = skipOuterExpressions(receiver);
  if (ts.isIdentifier(node)) {
    const declaration = checker.getSymbolAtLocation(node)?.valueDeclaration;
    return declaration !== undefined && ts.isParameter(declaration) &&
        parameterFromCaller(declaration, checker, seen)
      ? node.text
      : undefined;
  }
  if (!ts.isPropertyAccessExpression(node)) return undefined;
  const held = checker.getSymbolAtLocation(node.name);
  if (held !== undefined && heldFromCaller(held, checker, seen)) return node.name.text;
  return fromCaller(node.expression, checker, seen) === undefined ? undefined : node.name.text;
}

/**
 * Files whose calls are the library's users' (its tests), by program: see
 * {@link useTestFiles}.
 */
const testFiles = new WeakMap<ts.Program, (fileName: string) => boolean>();

/**
 * Tells the user-code rule which files of a program are tests: their calls
 * of the library's functions are its users' calls (fix gives the scan's
 * test patterns). Without it, no file is.
 *
 * @param program the program.
 * @param isTest whether a file (by the program's file name) is a test.
 */
export function useTestFiles(program: ts.Program, isTest: (fileName: string) => boolean): void {
  testFiles.set(program, isTest);
}

/**
 * Whether the value of a parameter comes from the library's users: its
 * function is called (or constructed) nowhere in the program's own
 * non-test sources — only its users call it, as `createPool(factory)` —
 * or some such call passes a value that came from a caller itself (the
 * constructor `createPool` runs with its `factory`). A parameter of a
 * function passed as an argument (a callback) is given by whatever calls
 * the callback, and is not followed; one its own library always calls with
 * its own objects (`_destroy(pooledResource)`) is the library's.
 */
function parameterFromCaller(parameter: ts.ParameterDeclaration, checker: ts.TypeChecker, seen: Set<unknown>): boolean {
  const fn = parameter.parent;
  if (seen.has(parameter) || !isFunctionNode(fn)) return false;
  seen.add(parameter);
  const holder = fn.parent;
  if ((ts.isCallExpression(holder) || ts.isNewExpression(holder)) && holder.expression !== fn) return false;
  const program = programOf(checker);
  const isTest = program === undefined ? undefined : testFiles.get(program);
  const index = fn.parameters.indexOf(parameter);
  const starts = startsOf(checker, fn).filter((start) => isTest?.(start.getSourceFile().fileName) !== true);
  return starts.length === 0 || starts.some((start) => {
    const argument = start.arguments?.[index];
    return argument !== undefined && fromCaller(argument, checker, seen) !== undefined;
  });
}

/**
 * Whether a property holds an object a caller gave: a parameter property
 * (`constructor(private factory: Factory)`), or a property given a
 * caller's value (`this._factory = factory`, `this.db = options.db`) by
 * any assignment to it — in JavaScript each `this.x = …` declares the
 * property; a TypeScript property declaration is read with its initializer
 * and the assignments in its class's constructor. generic-pool's evictor
 * calls `this._factory.destroy(…)`, the user's function, through the
 * factory its constructor took.
 */
function heldFromCaller(property: ts.Symbol, checker: ts.TypeChecker, seen: Set<unknown>): boolean {
  if (seen.has(property)) return false;
  seen.add(property);
  const values = (property.declarations ?? []).flatMap((declaration): ts.Node[] => {
    if (ts.isParameter(declaration)) return [declaration];
    if (ts.isPropertyDeclaration(declaration)) {
      const constructor = declaration.parent.members.find(ts.isConstructorDeclaration);
      return [
        ...(declaration.initializer === undefined ? [] : [declaration.initializer]),
        ...(constructor?.body === undefined ? [] : assignedTo(constructor.body, property, checker)),
      ];
    }
    // JavaScript's `this.x = value` declares x by the assignment (or its left side).
    const assignment = ts.isBinaryExpression(declaration) ? declaration : declaration.parent;
    return assignment !== undefined && ts.isBinaryExpression(assignment) &&
        (assignment === declaration || assignment.left === (declaration as ts.Node)) &&
        assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken
      ? [assignment.right]
      : [];
  });
  return values.some((value) =>
    ts.isParameter(value)
      ? parameterFromCaller(value, checker, seen)
      : fromCaller(value as ts.Expression, checker, seen) !== undefined
  );
}

/** The values `body` assigns to `property` through `this` (`this.name = value`), at any depth. */
function assignedTo(body: ts.Node, property: ts.Symbol, checker: ts.TypeChecker): ts.Expression[] {
  const values: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) && node.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
      checker.getSymbolAtLocation(node.left.name) === property
    ) values.push(node.right);
    ts.forEachChild(node, visit);
  };
  visit(body);
  return values;
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
 * callback's body (nested callbacks included) or, for a promise, a call in
 * the promise's expression — its callee, the calls that make its receiver
 * (`this.load().then(…)`) and the functions written in it (the callbacks
 * of `.then(…)`, `Promise.all(paths.map(async (p) => …))`), whose failures
 * all reach the rejection — that {@link foreignCode}
 * names — or such a call in a function of the program those calls reach
 * (`this.#onInterval()` that emits "active" runs the user's listeners), to
 * any depth. A callee's own callbacks are not followed (passing one along
 * runs nothing now), except those given to an array's methods
 * (`listeners.forEach((listener) => …)`), which run before the method
 * returns. Settling a promise (`resolve(v)`) is not user code, nor is a
 * call in the `try` block of a try/catch whose catch does not rethrow: its
 * failure goes to that catch, not to the site (cron 4.4.0's
 * `_executeOnComplete` awaits the user's `onComplete` in one and prints
 * what it throws); a callback written in such a block is still read, as it
 * runs later, outside the `try`.
 *
 * A callback given by name (`setImmediate(cb)`) is user code when
 * {@link foreignCode} names it, as its call `cb()` would be.
 *
 * @param work the callback (a function node, or the name a timer is given)
 *   or the promise expression.
 * @param checker the program's type checker.
 */
export function userCodeIn(work: ts.Node, checker: ts.TypeChecker): string | undefined {
  if (isFunctionNode(work)) return work.body === undefined ? undefined : callsIn(work.body, checker, true, new Set());
  if (ts.isIdentifier(work) || ts.isPropertyAccessExpression(work)) return foreignCode(work, checker);
  const target = skipOuterExpressions(ts.isVoidExpression(work) ? work.expression : work);
  return ts.isCallExpression(target) ? callsIn(target, checker, true, new Set()) : undefined;
}

/** The function of the program (with a body, not in a declaration file) that `callee` calls, or undefined. */
function ownFunction(checker: ts.TypeChecker, callee: ts.Node): FunctionNode | undefined {
  const called: FunctionNode | undefined = resolveFunction(checker, callee);
  return called?.body === undefined || called.getSourceFile().isDeclarationFile ? undefined : called;
}

/**
 * The first call under `body` that runs user code, itself or through the
 * program's functions it calls (each read once: `seen`), leaving out calls
 * whose failure a try/catch around them takes; `nested` says whether
 * callbacks inside count (a callee's own body is read without them).
 */
function callsIn(body: ts.Node, checker: ts.TypeChecker, nested: boolean, seen: Set<FunctionNode>): string | undefined {
  let found: string | undefined;
  const visit = (node: ts.Node, caught = false): void => {
    if (found !== undefined) return;
    if (isFunctionNode(node) && !givenToArrayMethod(node, checker)) {
      // A callback runs later, outside any try around where it is written.
      if (nested) ts.forEachChild(node, (child) => visit(child));
      return;
    }
    if (ts.isTryStatement(node) && node.catchClause !== undefined && !rethrows(node.catchClause.block)) {
      // What the try block calls fails into the catch, not to the site: read the try only for callbacks.
      visit(node.tryBlock, true);
      visit(node.catchClause, caught);
      if (node.finallyBlock !== undefined) visit(node.finallyBlock, caught);
      return;
    }
    if (!caught && ts.isCallExpression(node) && !isSettleCall(checker, node)) {
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
    ts.forEachChild(node, (child) => visit(child, caught));
  };
  visit(body);
  return found;
}

/**
 * Whether `fn` is an argument of a method called on an array or tuple
 * (`items.forEach(fn)`, `paths.map(fn)`): the array's methods call their
 * callbacks before they return, so `fn` runs as part of the call.
 */
function givenToArrayMethod(fn: FunctionNode, checker: ts.TypeChecker): boolean {
  const call = fn.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(fn as ts.Expression)) return false;
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const receiver = checker.getTypeAtLocation(callee.expression);
  return checker.isArrayType(receiver) || checker.isTupleType(receiver);
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
