/**
 * Whether a failure can leave a function: the evidence behind the `handled`
 * and `benign` statuses that needs more than the site's own syntax. A
 * function *catches everything* when its body is wrapped in try/catch (or it
 * returns a chain ending in `.catch`); it *cannot fail* when every statement
 * is one that cannot throw — settling a promise, assigning, cleaning up,
 * clearing timers, registering a timer — or a call of a function that
 * catches everything or cannot fail. Calls are followed by symbol (see
 * `calls.ts`) as far as they go, with no depth limit; each fact is
 * memoised per function or expression in a `RecursiveMemo`, where a cycle
 * (a function that reaches itself) is no evidence that a failure cannot
 * leave.
 *
 * @module
 */
import { ts } from "./ts.ts";
import { RecursiveMemo } from "./memo.ts";
import { resolveFunction, wrappedFunction } from "./calls.ts";
import { valueGivenOnce } from "./declarations.ts";
import { isPromiseConstructor, PROMISE_CHAIN_METHODS } from "./promise.ts";
import { heldDeferreds, holderMembersRead, settleKindOf } from "./settle.ts";
import { TIMER_KINDS } from "./callbacks.ts";
import { isCollectionCall } from "./collections.ts";
import {
  calledName,
  compiledAsyncBody,
  enclosingFunction,
  type FunctionNode,
  isAsyncFunction,
  isFunctionNode,
  isGeneratorFunction,
  returnedExpressions,
  skipOuterExpressions,
} from "./functions.ts";

/**
 * Names of the platform's functions and methods whose call only releases or
 * detaches something, cleanup that does not throw in practice: clearing a
 * timer, `EventEmitter`/`EventTarget` listener removal, `Map`/`Set`
 * `delete`/`clear`, `AbortController.abort`, a timer or handle's
 * `unref`/`ref`. Matched by name (a receiver in untyped JavaScript has no
 * declaration to check), except that a call the checker resolves to the
 * program's own function of such a name is judged by its body instead.
 */
const CLEANUP_METHODS = new Set([
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
  "removeListener",
  "removeAllListeners",
  "off",
  "removeEventListener",
  "delete",
  "clear",
  "abort",
  "unref",
  "ref",
]);

/** Receivers whose methods do not throw in practice: logging to the console, reading the clock, arithmetic. */
const SAFE_RECEIVERS = new Set(["console", "Math", "Date"]);

/** Query methods by name (`getCurrentUsage()`, `isConnected()`, `hasPending()`): they read state. */
const QUERY_METHOD = /^(get|is|has|can|should)[A-Z]/;

/** Functions that only write a log line (the `debug` package's loggers, a local `log`). */
const LOG_FUNCTIONS = new Set(["debug", "log"]);

/** Receivers that are loggers: `logger.info(...)`, `this.log.warn(...)`, `this._logger.error(...)`. */
const LOGGER_NAMES = /^_*(log|logger)$/i;

/** Methods that read a collection or a value without side effects (`map.get(key)`, `set.has(x)`). */
const READ_METHODS = new Set(["get", "has", "includes", "indexOf", "toString", "valueOf", "now"]);

/**
 * Why `fn` lets no failure out, or undefined: its body is one try statement
 * with a catch clause that does not rethrow and returns no promise that may
 * reject (statements that cannot throw may come before and after it); it
 * is async and every `await` in it is inside such a try or waits on a
 * promise that cannot reject, with no `throw` outside one (see
 * {@link awaitsCaught}); a compiled async function,
 * `_asyncToGenerator(function* …)` or `__awaiter(…)`, is read through its
 * generator, `yield` for `await`. The reason says which: an async function
 * with no await inside a try whose statements all cannot throw is not said
 * to catch anything — it cannot fail (see {@link cannotFail}). Or it
 * returns (or is) a
 * promise chain ending in `.catch(h)` or `.then(a, b)`, or a call of a
 * function that catches everything.
 *
 * @param checker the program's type checker.
 * @param fn a function node.
 */
export function catchesEverything(
  checker: ts.TypeChecker,
  fn: FunctionNode,
): string | undefined {
  return catchMemo.answer(fn, () => {
    const body = fn.body;
    if (body === undefined) return undefined;
    if (!ts.isBlock(body)) return valueCatches(checker, body);
    const statements = body.statements.filter((statement) => !ts.isEmptyStatement(statement));
    const tryAt = statements.findIndex((statement) => ts.isTryStatement(statement));
    if (tryAt >= 0) {
      const attempt = statements[tryAt] as ts.TryStatement;
      const before = statements.slice(0, tryAt);
      const after = statements.slice(tryAt + 1);
      if (
        attempt.catchClause !== undefined && !rethrows(attempt.catchClause.block) &&
        !returnsRejectablePromise(checker, attempt) &&
        [...before, ...after].every((statement) => statementCannotThrow(checker, statement))
      ) {
        return "its body is wrapped in try/catch";
      }
    }
    if (isAsyncFunction(fn) || isGeneratorFunction(fn)) {
      const awaits = awaitsCaught(checker, body);
      // With no try/catch at work, a body whose statements all cannot throw cannot fail: {@link cannotFail} says so.
      if (awaits !== undefined && (awaits.guarded || cannotFail(checker, fn) === undefined)) {
        return awaits.guarded && awaits.unguarded
          ? "every await in it is inside try/catch or waits on a promise that cannot reject, and it throws nothing itself"
          : awaits.guarded
          ? "every await in it is inside try/catch and it throws nothing itself"
          : "every await in it waits on a promise that cannot reject, and it throws nothing itself";
      }
    }
    const last = statements[statements.length - 1];
    if (
      last !== undefined && statements.slice(0, -1).every((statement) => statementCannotThrow(checker, statement))
    ) {
      const value = ts.isReturnStatement(last) || ts.isExpressionStatement(last) ? last.expression : undefined;
      if (value !== undefined) return valueCatches(checker, value);
    }
    return undefined;
  });
}

/**
 * Why running `fn` cannot fail, or undefined: every statement of its body
 * cannot throw — waiting on a promise that cannot reject (`await sleep(ms)`,
 * `await` of a call of a function that catches everything), settling a
 * promise (`resolve(v)`, `reject(new Error(...))`),
 * assigning simple values, `delete`, cleanup calls (`clearTimeout`,
 * `removeListener`, `abort`, …), registering a timer, logging to the
 * console or a logger, reading a collection (`map.get(k)`), a platform
 * collection method whose callbacks cannot fail (`queue.push(job)`, see
 * `collections.ts`), `process.exit`,
 * creating a promise that can only resolve and whose executor cannot fail,
 * arithmetic and comparisons of values that cannot throw,
 * a promise chain that observes its rejection or that can only resolve
 * and is made without throwing (`Promise.allSettled(tasks).then(done)`),
 * `process.nextTick(cb)`, a library call that reports
 * its failure to a node-style callback that cannot fail, or a call of a
 * function that catches everything or itself cannot fail; `if` and loops
 * whose conditions cannot throw around such statements; a try/catch whose
 * catch does not rethrow.
 *
 * @param checker the program's type checker.
 * @param fn a function node.
 */
export function cannotFail(checker: ts.TypeChecker, fn: FunctionNode): string | undefined {
  return failMemo.answer(fn, () => {
    const body = fn.body;
    if (body === undefined) return undefined;
    const harmless = ts.isBlock(body)
      ? body.statements.every((statement) => statementCannotThrow(checker, statement))
      : expressionCannotThrow(checker, body);
    if (!harmless) return undefined;
    return awaitsIn(body)
      ? "it only waits on promises that cannot reject, settles, assigns, cleans up or makes calls that cannot fail"
      : "it only settles, assigns, cleans up or makes calls that cannot fail";
  });
}

/**
 * Why the promise `expression` evaluates to can never reject, or undefined:
 * `Promise.allSettled(...)`, `Promise.resolve(simple)`, a platform method
 * that only fulfils (Node's `Worker.terminate()`), `new Promise(executor)`
 * whose executor never uses its `reject`, a `.then(f)`/`.finally(f)` on
 * such a promise whose callback cannot fail, a variable given such a
 * promise once (`const p = Promise.allSettled(…)`, see `valueGivenOnce`),
 * or a call of a function every return of which is such a promise
 * (`return Promise.resolve(result)`), followed as far as they go (a
 * cycle of variables or calls proves nothing, see `RecursiveMemo`).
 *
 * @param checker the program's type checker.
 * @param expression the promise-valued expression (the root of its chain).
 * @param strict when set, an executor must also be unable to fail (a throw in it rejects the promise).
 */
export function neverRejects(
  checker: ts.TypeChecker,
  expression: ts.Node,
  strict = false,
): string | undefined {
  const inner = skipOuterExpressions(expression);
  return (strict ? strictResolveMemo : resolveMemo).answer(inner, () => resolvingReason(checker, inner, strict));
}

/** {@link neverRejects} of `inner`, an expression with no parentheses or assertions around it, not memoised. */
function resolvingReason(checker: ts.TypeChecker, inner: ts.Node, strict: boolean): string | undefined {
  if (ts.isNewExpression(inner)) {
    return resolvingPromise(checker, inner, strict) ? "the promise can only resolve" : undefined;
  }
  if (ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner)) {
    const deferred = onlyResolvedDeferred(checker, inner);
    if (deferred !== undefined) return deferred;
  }
  if (ts.isIdentifier(inner)) {
    const value = valueGivenOnce(checker, inner);
    const reason = value === undefined ? undefined : neverRejects(checker, value, strict);
    return reason === undefined ? undefined : `${inner.text} holds a promise that cannot reject (${reason})`;
  }
  if (!ts.isCallExpression(inner)) return undefined;
  const callee = skipOuterExpressions(inner.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === "catch") {
    // Its handler runs only on a rejection, which cannot come.
    return neverRejects(checker, callee.expression, strict) === undefined
      ? undefined
      : "a .catch(...) on a promise that cannot reject";
  }
  if (
    ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Promise"
  ) {
    if (callee.name.text === "allSettled") return "Promise.allSettled never rejects";
    if (callee.name.text === "resolve" && inner.arguments.every(isSimpleValue)) {
      return "Promise.resolve of a plain value never rejects";
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(callee) && (callee.name.text === "then" || callee.name.text === "finally")) {
    return inner.arguments.length === 1 &&
        chainCallbackCannotFail(checker, inner.arguments[0]!) &&
        neverRejects(checker, callee.expression, strict) !== undefined
      ? `a .${callee.name.text}(...) whose callback cannot fail, on a promise that cannot reject`
      : undefined;
  }
  const platform = ts.isPropertyAccessExpression(callee) ? resolvingPlatformMethod(checker, callee) : undefined;
  if (platform !== undefined) return platform;
  const fn = resolveFunction(checker, callee);
  if (fn === undefined || fn.body === undefined) return undefined;
  const returned = returnedExpressions(fn);
  return returned.length > 0 &&
      returned.every((value) => neverRejects(checker, value, strict) !== undefined)
    ? "every promise the called function returns can only resolve"
    : undefined;
}

/**
 * Why the deferreds a holder (`d`, `this._done`) holds can only resolve,
 * or undefined: each is a `new Promise(executor)` whose executor cannot
 * fail and hands its reject function on only as a member of an object
 * (`methods = { resolve, reject }`), attached to the promise by
 * `Object.assign` (see `heldDeferreds`), and the files declaring the
 * holder, and the one reading it here, never read a member that rejects on
 * it nor hand the holder to a call (see `holderMembersRead`).
 */
function onlyResolvedDeferred(checker: ts.TypeChecker, holder: ts.Node): string | undefined {
  const deferreds = heldDeferreds(checker, holder);
  if (deferreds === undefined || !deferreds.every((deferred) => attachesOnly(checker, deferred.promise))) {
    return undefined;
  }
  const rejecting = new Set(
    deferreds.flatMap((deferred) => [...deferred.members].flatMap(([name, kind]) => kind === "reject" ? [name] : [])),
  );
  return holderMembersRead(checker, holder, rejecting)
    ? undefined
    : `${holder.getText()} holds a deferred whose reject function the code never calls`;
}

/**
 * Whether `promise` is `new Promise(executor)` (or a variable given one
 * once) whose executor cannot fail and mentions its reject parameter only
 * as a member of an object literal (`{ resolve, reject }`, `{ reject: r }`).
 */
function attachesOnly(checker: ts.TypeChecker, promise: ts.Node): boolean {
  let creation = skipOuterExpressions(promise);
  if (ts.isIdentifier(creation)) {
    const value = valueGivenOnce(checker, creation);
    if (value === undefined) return false;
    creation = skipOuterExpressions(value);
  }
  if (!ts.isNewExpression(creation) || !isPromiseConstructor(creation)) return false;
  const executor = creation.arguments?.[0] === undefined ? undefined : skipOuterExpressions(creation.arguments[0]);
  if (executor === undefined || !isFunctionNode(executor) || executor.body === undefined) return false;
  const reject = executor.parameters[1];
  if (reject !== undefined && !ts.isIdentifier(reject.name)) return false;
  const name = reject?.name as ts.Identifier | undefined;
  let loose = false;
  const visit = (node: ts.Node): void => {
    if (loose) return;
    if (name !== undefined && ts.isIdentifier(node) && node.text === name.text) {
      const parent = node.parent;
      const member = ts.isShorthandPropertyAssignment(parent) ||
        (ts.isPropertyAssignment(parent) && parent.initializer === node);
      if (!member) loose = true;
    } else ts.forEachChild(node, visit);
  };
  visit(executor.body);
  return !loose && cannotFail(checker, executor) !== undefined;
}

/** What a promise lets out when nothing: `benign` when it cannot reject, `handled` when its rejection is observed; and why. */
export interface PromiseFact {
  status: "handled" | "benign";
  reason: string;
}

/**
 * Why the promise `expression` evaluates to lets no rejection go
 * unobserved, or undefined: it can only resolve (`benign`, see
 * {@link neverRejects}); it is a chain ending in `.catch(h)` or
 * `.then(a, b)` whose first call is handed no callback that may fail
 * (`handled`); a call of an async function that catches everything
 * (`handled`) or cannot fail (`benign`); a variable given such a promise
 * once (`const p = run().catch(log)`, see `valueGivenOnce`); a call of a
 * function (not async) every return of which is such a promise — `benign`
 * when every one can only resolve; or a call of a wrapped value whose
 * function catches everything or cannot fail (`run()` for `const run =
 * throttle(work, ms)`, see `wrappedFunction`). Followed as far as they go,
 * as {@link neverRejects} is.
 *
 * @param checker the program's type checker.
 * @param expression a promise-valued expression (the root of a chain).
 */
export function promiseFact(checker: ts.TypeChecker, expression: ts.Node): PromiseFact | undefined {
  const inner = skipOuterExpressions(expression);
  return factMemo.answer(inner, () => promiseFactOf(checker, inner));
}

/** {@link promiseFact} of `inner`, an expression with no parentheses or assertions around it, not memoised. */
function promiseFactOf(checker: ts.TypeChecker, inner: ts.Node): PromiseFact | undefined {
  const resolving = neverRejects(checker, inner, false);
  if (resolving !== undefined) return { status: "benign", reason: resolving };
  const chain = handledChain(inner);
  if (chain !== undefined) {
    return handsOverFailingCallback(checker, inner)
      ? undefined
      : { status: "handled", reason: chain.replace(/^it returns /, "") };
  }
  if (ts.isIdentifier(inner)) {
    const value = valueGivenOnce(checker, inner);
    const fact = value === undefined ? undefined : promiseFact(checker, value);
    return fact === undefined ? undefined : { status: fact.status, reason: `${inner.text} holds ${fact.reason}` };
  }
  if (!ts.isCallExpression(inner)) return undefined;
  const fn = resolveFunction(checker, inner.expression);
  if (fn === undefined) return wrappedFact(checker, inner.expression);
  if (fn.body === undefined) return undefined;
  if (isAsyncFunction(fn)) {
    const caught = catchesEverything(checker, fn);
    if (caught !== undefined) {
      return { status: "handled", reason: `a call of a function that catches everything (${caught})` };
    }
    const harmless = cannotFail(checker, fn);
    return harmless === undefined
      ? undefined
      : { status: "benign", reason: `a call of an async function that cannot fail (${harmless})` };
  }
  const returned = returnedExpressions(fn);
  const facts = returned.map((value) => promiseFact(checker, value));
  if (returned.length === 0 || facts.some((fact) => fact === undefined)) return undefined;
  return facts.every((fact) => fact!.status === "benign")
    ? { status: "benign", reason: "a call of a function every promise of which can only resolve" }
    : {
      status: "handled",
      reason: "a call of a function every promise of which has a rejection handler or cannot reject",
    };
}

/**
 * What calling a wrapped value (`run()` for `const run = throttle(work, ms)`,
 * see `wrappedFunction`) lets out: nothing when the function it wraps
 * catches everything (`handled`) or cannot fail (`benign`).
 */
function wrappedFact(checker: ts.TypeChecker, callee: ts.Node): PromiseFact | undefined {
  const fn = wrappedFunction(checker, callee);
  if (fn === undefined) return undefined;
  const caught = catchesEverything(checker, fn);
  if (caught !== undefined) {
    return { status: "handled", reason: `a call of a wrapper of a function that catches everything (${caught})` };
  }
  const harmless = cannotFail(checker, fn);
  return harmless === undefined
    ? undefined
    : { status: "benign", reason: `a call of a wrapper of a function that cannot fail (${harmless})` };
}

/**
 * Whether a `.then`/`.finally` callback cannot fail: `null`/`undefined`, or
 * a function (not async) that cannot fail (see {@link cannotFail}).
 *
 * @param checker the program's type checker.
 * @param callback the callback argument.
 */
export function chainCallbackCannotFail(checker: ts.TypeChecker, callback: ts.Node): boolean {
  const value = skipOuterExpressions(callback);
  if (value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === "undefined")) return true;
  const fn = resolveFunction(checker, value);
  return fn !== undefined && !isAsyncFunction(fn) && cannotFail(checker, fn) !== undefined;
}

/**
 * Platform methods whose promise only ever fulfils, by declaring file (of
 * `@types/node`), class and method: Node's `Worker.terminate()` resolves
 * with the exit code once the thread has stopped, whatever the thread did.
 */
const RESOLVING_PLATFORM_METHODS: readonly { file: RegExp; owner: string; method: string; reason: string }[] = [
  {
    file: /[\\/]@types[\\/]node[\\/]worker_threads\.d\.ts$/,
    owner: "Worker",
    method: "terminate",
    reason: "Node's Worker.terminate() only fulfils, with the thread's exit code",
  },
];

/** Why the platform method `callee` names can only fulfil (see {@link RESOLVING_PLATFORM_METHODS}), or undefined. */
function resolvingPlatformMethod(checker: ts.TypeChecker, callee: ts.PropertyAccessExpression): string | undefined {
  const declarations = checker.getSymbolAtLocation(callee.name)?.declarations ?? [];
  for (const entry of RESOLVING_PLATFORM_METHODS) {
    if (callee.name.text !== entry.method) continue;
    const matches = declarations.length > 0 && declarations.every((declaration) => {
      const owner = declaration.parent;
      return entry.file.test(declaration.getSourceFile().fileName) && ts.isClassDeclaration(owner) &&
        owner.name?.text === entry.owner;
    });
    if (matches) return entry.reason;
  }
  return undefined;
}

/**
 * Why the promise a call of `fn` returns is already observed, or undefined:
 * `fn` is not async and every value it returns is a promise it holds (a
 * variable or property, or `Promise.resolve` of one, not a new promise) on which a rejection handler is
 * attached somewhere in its file (`promise.then(onStop, onError)`,
 * `this.done.catch(log)`) or that its file awaits inside a try/catch, or that `caller` — the function making the
 * call — itself returns (`execute(); return this.promise;` where `execute`
 * returns `this.promise`): its caller gets the same promise. Dropping such a
 * promise loses nothing.
 *
 * @param checker the program's type checker.
 * @param fn the called function.
 * @param caller the function containing the call, if any.
 */
export function returnsObservedPromise(
  checker: ts.TypeChecker,
  fn: FunctionNode,
  caller?: FunctionNode,
): string | undefined {
  if (fn.body === undefined || isAsyncFunction(fn) || isGeneratorFunction(fn)) return undefined;
  const returned = returnedExpressions(fn).map(unwrapPromiseResolve);
  if (
    returned.length === 0 || !returned.every((value) => ts.isIdentifier(value) || ts.isPropertyAccessExpression(value))
  ) return undefined;
  const handled = observedHolders(checker, fn.getSourceFile());
  if (returned.every((value) => handled.has(holderKey(checker, value)))) {
    return "it returns a promise it holds, whose rejection is already handled where it is stored";
  }
  const handedOn = caller === undefined || caller.body === undefined
    ? new Set<unknown>()
    : new Set(returnedExpressions(caller).map(unwrapPromiseResolve).map((value) => holderKey(checker, value)));
  return returned.every((value) => handedOn.has(holderKey(checker, value)))
    ? "it returns a promise it holds, which the calling function returns to its own caller"
    : undefined;
}

/** `Promise.resolve(p)` → `p`: for a native promise it returns `p` itself. */
function unwrapPromiseResolve(value: ts.Node): ts.Node {
  const inner = skipOuterExpressions(value);
  if (!ts.isCallExpression(inner) || inner.arguments.length !== 1) return inner;
  const callee = skipOuterExpressions(inner.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === "resolve" &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === "Promise"
    ? skipOuterExpressions(inner.arguments[0]!)
    : inner;
}

/** A held promise's identity: its variable's symbol, or the text of a property access (`this.promise`). */
function holderKey(checker: ts.TypeChecker, value: ts.Node): unknown {
  if (ts.isIdentifier(value)) return checker.getSymbolAtLocation(value) ?? value.text;
  return value.getText().replace(/^_this\./, "this.");
}

/**
 * The holders (see {@link holderKey}) whose rejection a file observes: it
 * attaches a rejection handler (`x.catch(h)`, `x.then(a, b)`) or awaits
 * them inside the `try` block of a try/catch whose catch does not rethrow.
 */
function observedHolders(checker: ts.TypeChecker, file: ts.SourceFile): ReadonlySet<unknown> {
  const cached = holdersCache.get(file);
  if (cached !== undefined) return cached;
  const found = new Set<unknown>();
  const add = (value: ts.Node): void => {
    const holder = skipOuterExpressions(value);
    if (ts.isIdentifier(holder) || ts.isPropertyAccessExpression(holder)) found.add(holderKey(checker, holder));
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && handledChain(node) !== undefined) {
      add((skipOuterExpressions(node.expression) as ts.PropertyAccessExpression).expression);
    }
    if (ts.isAwaitExpression(node) && insideCatchingTry(node)) add(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(file);
  holdersCache.set(file, found);
  return found;
}

const holdersCache = new WeakMap<ts.SourceFile, ReadonlySet<unknown>>();

/** Whether `node` is in the `try` block of a try/catch whose catch does not rethrow, within its own function. */
function insideCatchingTry(node: ts.Node): boolean {
  for (let child = node, parent = node.parent; parent !== undefined; child = parent, parent = parent.parent) {
    if (isFunctionNode(parent)) return false;
    if (
      ts.isTryStatement(parent) && parent.tryBlock === child && parent.catchClause !== undefined &&
      !rethrows(parent.catchClause.block)
    ) return true;
  }
  return false;
}

/**
 * `new Promise((resolve) => …)` whose executor never uses a reject
 * parameter: a deferred that only ever resolves. When `strict`, the
 * executor must also be unable to fail (a throw in it rejects the promise);
 * otherwise such a throw is not counted.
 */
function resolvingPromise(checker: ts.TypeChecker, creation: ts.NewExpression, strict: boolean): boolean {
  if (!isPromiseConstructor(creation)) return false;
  const executor = creation.arguments?.[0] === undefined ? undefined : skipOuterExpressions(creation.arguments[0]);
  if (executor === undefined || !isFunctionNode(executor) || executor.body === undefined) return false;
  const reject = executor.parameters[1];
  const unused = reject === undefined || (ts.isIdentifier(reject.name) && !mentions(executor.body, reject.name.text));
  return unused && (!strict || cannotFail(checker, executor) !== undefined);
}

function statementCannotThrow(checker: ts.TypeChecker, statement: ts.Node): boolean {
  if (ts.isEmptyStatement(statement)) return true;
  if (ts.isReturnStatement(statement)) {
    return statement.expression === undefined || expressionCannotThrow(checker, statement.expression);
  }
  if (ts.isExpressionStatement(statement)) return expressionCannotThrow(checker, statement.expression);
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.every((declaration) =>
      declaration.initializer === undefined || expressionCannotThrow(checker, declaration.initializer)
    );
  }
  if (ts.isIfStatement(statement)) {
    return expressionCannotThrow(checker, statement.expression) &&
      statementCannotThrow(checker, statement.thenStatement) &&
      (statement.elseStatement === undefined || statementCannotThrow(checker, statement.elseStatement));
  }
  if (ts.isBlock(statement)) return statement.statements.every((inner) => statementCannotThrow(checker, inner));
  if (ts.isTryStatement(statement)) {
    return statement.catchClause !== undefined && !rethrows(statement.catchClause.block) &&
      !returnsRejectablePromise(checker, statement);
  }
  if (ts.isForStatement(statement)) {
    return [statement.initializer, statement.condition, statement.incrementor].every((part) =>
      part === undefined ||
      (ts.isVariableDeclarationList(part)
        ? part.declarations.every((declaration) =>
          declaration.initializer === undefined || isSimpleValue(declaration.initializer)
        )
        : isSimpleValue(part) || isCounterStep(part))
    ) && statementCannotThrow(checker, statement.statement);
  }
  if (
    ts.isForOfStatement(statement) || ts.isForInStatement(statement) || ts.isWhileStatement(statement) ||
    ts.isDoStatement(statement)
  ) {
    const awaits = ts.isForOfStatement(statement) && statement.awaitModifier !== undefined;
    return !awaits && expressionCannotThrow(checker, statement.expression) &&
      statementCannotThrow(checker, statement.statement);
  }
  if (ts.isBreakOrContinueStatement(statement)) return true;
  return isFunctionNode(statement);
}

/** `i++`, `--i`, `i += 1`: a counted loop's step. */
function isCounterStep(node: ts.Node): boolean {
  const inner = skipOuterExpressions(node);
  if (ts.isPostfixUnaryExpression(inner) || ts.isPrefixUnaryExpression(inner)) return isAssignable(inner.operand);
  return ts.isBinaryExpression(inner) && (inner.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken ||
    inner.operatorToken.kind === ts.SyntaxKind.MinusEqualsToken) &&
    isAssignable(inner.left) && isSimpleValue(inner.right);
}

function expressionCannotThrow(checker: ts.TypeChecker, expression: ts.Node): boolean {
  const inner = skipOuterExpressions(expression);
  if (isSimpleValue(inner) || isFunctionNode(inner)) return true;
  if (ts.isVoidExpression(inner)) return expressionCannotThrow(checker, inner.expression);
  if (ts.isAwaitExpression(inner) || ts.isYieldExpression(inner)) {
    // Waiting on a promise that cannot reject (`await sleep(ms)`, `yield` of a compiled async function).
    return inner.expression === undefined ||
      (expressionCannotThrow(checker, inner.expression) && awaitCannotReject(checker, inner.expression));
  }
  if (ts.isDeleteExpression(inner) || isCounterStep(inner)) return true;
  if (ts.isBinaryExpression(inner)) {
    const operator = inner.operatorToken.kind;
    if (operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment) {
      return isAssignable(inner.left) && expressionCannotThrow(checker, inner.right);
    }
    // Logical operators, the comma, arithmetic and comparison of values that cannot throw (`random() * span`, `delay < max`).
    return expressionCannotThrow(checker, inner.left) && expressionCannotThrow(checker, inner.right);
  }
  if (ts.isConditionalExpression(inner)) {
    return isSimpleValue(inner.condition) && expressionCannotThrow(checker, inner.whenTrue) &&
      expressionCannotThrow(checker, inner.whenFalse);
  }
  if (ts.isNewExpression(inner)) return isErrorConstruction(checker, inner) || resolvingPromise(checker, inner, true);
  if (!ts.isCallExpression(inner)) return false;
  if (handledChain(inner) !== undefined) return !handsOverFailingCallback(checker, inner);
  if (resolvingChain(checker, inner)) return true;
  const name = calledName(inner);
  if (isDeferral(inner) || isSettleCall(checker, inner)) return true;
  if (CLEANUP_METHODS.has(name) && resolveFunction(checker, inner.expression) === undefined) return true;
  if (callbackCannotFail(checker, inner)) return true;
  const simpleArguments = inner.arguments.every((argument) => expressionCannotThrow(checker, argument));
  const callee = skipOuterExpressions(inner.expression);
  if (isSafeCall(callee)) return simpleArguments;
  if (isCollectionCall(checker, inner)) return collectionCallCannotThrow(checker, inner);
  if (!simpleArguments) return false;
  const fn = resolveFunction(checker, callee);
  return fn !== undefined &&
    (catchesEverything(checker, fn) !== undefined || cannotFail(checker, fn) !== undefined);
}

/** `Promise.x`: a static method of the platform's `Promise`. */
function isPromiseStatic(callee: ts.Node): boolean {
  const inner = skipOuterExpressions(callee);
  return ts.isPropertyAccessExpression(inner) && ts.isIdentifier(inner.expression) &&
    inner.expression.text === "Promise";
}

/**
 * A call that only registers a callback to run later: a timer or queue
 * function (`setTimeout`, `queueMicrotask`, …) or `process.nextTick`.
 */
function isDeferral(call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (TIMER_KINDS.has(calledName(call))) return true;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === "nextTick" &&
    ts.isIdentifier(callee.expression) && callee.expression.text === "process";
}

/**
 * A promise chain that can only resolve, with `.then`/`.finally` callbacks
 * that cannot fail (see {@link neverRejects}), made without throwing: its
 * root is a `Promise` static whose arguments cannot throw
 * (`Promise.allSettled(drains).then(() => done.resolve())`,
 * `Promise.resolve()`), a `new Promise` whose executor cannot fail, or a
 * call that itself cannot throw (`settled(tasks).then(log)`, `settled` only
 * returning `Promise.allSettled(tasks)`). A function that may throw before
 * it returns its promise does not count.
 */
function resolvingChain(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  let root: ts.Node = call;
  for (;;) {
    const callee = ts.isCallExpression(root) ? skipOuterExpressions(root.expression) : undefined;
    if (callee === undefined || !ts.isPropertyAccessExpression(callee)) break;
    if (!PROMISE_CHAIN_METHODS.has(callee.name.text)) break;
    root = skipOuterExpressions(callee.expression);
  }
  const made = root !== call ? expressionCannotThrow(checker, root) : isPromiseStatic(call.expression) &&
    call.arguments.every((argument) => expressionCannotThrow(checker, argument));
  return made && neverRejects(checker, call, true) !== undefined;
}

/**
 * A call of a platform collection method (see `collections.ts`) lets no
 * failure out when its receiver and arguments cannot throw and every
 * function it is handed (`list.forEach(notify)`, `items.map((x) => …)`),
 * which it runs now, catches everything or cannot fail.
 */
function collectionCallCannotThrow(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  const receiver = (skipOuterExpressions(call.expression) as ts.PropertyAccessExpression).expression;
  if (!expressionCannotThrow(checker, receiver)) return false;
  return call.arguments.every((argument) => {
    const fn = resolveFunction(checker, argument);
    if (fn === undefined) return expressionCannotThrow(checker, argument);
    return catchesEverything(checker, fn) !== undefined || cannotFail(checker, fn) !== undefined;
  });
}

/** A returned, awaited, voided or concise-body value that lets no failure out: a handled chain, or a call of a function that catches everything. */
function valueCatches(checker: ts.TypeChecker, value: ts.Node): string | undefined {
  const outer = skipOuterExpressions(value);
  const inner = ts.isAwaitExpression(outer) || ts.isVoidExpression(outer)
    ? skipOuterExpressions(outer.expression)
    : outer;
  const compiled = compiledAsyncBody(inner);
  if (compiled !== undefined) return catchesEverything(checker, compiled);
  const chain = handledChain(inner);
  if (chain !== undefined) return handsOverFailingCallback(checker, inner) ? undefined : chain;
  return returnedCallCatches(checker, inner);
}

/**
 * Whether the first call of the chain `expression` (`this.info(cb)` in
 * `this.info(cb).catch(noop)`) is handed a callback that may fail: a
 * dual promise/callback API calls it outside the promise chain, so the
 * chain's rejection handler does not see its failure.
 */
function handsOverFailingCallback(checker: ts.TypeChecker, expression: ts.Node): boolean {
  let root = skipOuterExpressions(expression);
  while (ts.isCallExpression(root)) {
    const callee = skipOuterExpressions(root.expression);
    if (!ts.isPropertyAccessExpression(callee) || !PROMISE_CHAIN_METHODS.has(callee.name.text)) break;
    root = skipOuterExpressions(callee.expression);
  }
  if (!ts.isCallExpression(root)) return false;
  return root.arguments.some((argument) => {
    const value = skipOuterExpressions(argument);
    if (!isFunctionNode(value)) return false;
    return catchesEverything(checker, value) === undefined &&
      cannotFail(checker, value) === undefined;
  });
}

/**
 * Whether an async body lets no rejection out through its awaits, and where
 * its awaits are: undefined when it has no await (`await`, `yield` of a
 * compiled async function, `for await`; not in nested functions) or when
 * something escapes — an await outside the `try` block of a try/catch whose
 * catch does not rethrow of a promise that may reject (see
 * {@link awaitCannotReject}), a `throw` outside such a block, an event
 * emitted outside one (`emit…(...)` runs listeners, which may
 * throw), or a promise returned without `await` that may reject (`return
 * this.onCrash(e)` in the catch clause). Otherwise `guarded` tells whether
 * an await sits in such a block, `unguarded` whether one waits outside.
 * What is left to reject is synchronous bookkeeping between the awaits
 * (DESIGN.md "handled": a body wrapped in try/catch covering every await).
 */
function awaitsCaught(
  checker: ts.TypeChecker,
  body: ts.Block,
): { guarded: boolean; unguarded: boolean } | undefined {
  const found = { guarded: false, unguarded: false };
  for (const step of failureSteps(body)) {
    if (step.kind === "escape") return undefined;
    if (step.kind === "return") {
      if (rejectable(checker, step.value)) return undefined;
    } else if (step.guarded) found.guarded = true;
    else if (step.awaited !== undefined && awaitCannotReject(checker, step.awaited)) found.unguarded = true;
    else return undefined;
  }
  return found.guarded || found.unguarded ? found : undefined;
}

/**
 * What {@link awaitsCaught} weighs in a body, read from its syntax alone, in
 * source order (outside nested functions; a catch clause's binding is not
 * read): each wait (`await`, `yield`, `for await`) with whether it sits in
 * the `try` block of a try/catch whose catch does not rethrow and what it
 * waits on; a `throw` or an `emit…(...)` call outside such a block (which
 * lets a failure out whatever else holds); each `return` of a value.
 */
type FailureStep =
  | { kind: "wait"; guarded: boolean; awaited: ts.Expression | undefined }
  | { kind: "escape" }
  | { kind: "return"; value: ts.Expression };

/**
 * The {@link FailureStep}s of a body, up to its first escape (nothing after
 * it is weighed), memoised per body: each function's body is weighed once
 * by many sites.
 */
function failureSteps(body: ts.Block): readonly FailureStep[] {
  const cached = stepsCache.get(body);
  if (cached !== undefined) return cached;
  const steps: FailureStep[] = [];
  let escaped = false;
  const visit = (node: ts.Node, guarded: boolean): void => {
    if (escaped || isFunctionNode(node)) return;
    if (ts.isTryStatement(node)) {
      const catches = node.catchClause !== undefined && !rethrows(node.catchClause.block);
      visit(node.tryBlock, guarded || catches);
      if (node.catchClause !== undefined) visit(node.catchClause.block, guarded);
      if (node.finallyBlock !== undefined) visit(node.finallyBlock, guarded);
      return;
    }
    if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
      steps.push({ kind: "wait", guarded, awaited: node.expression });
    } else if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) {
      steps.push({ kind: "wait", guarded, awaited: undefined });
    } else if (
      !guarded && (ts.isThrowStatement(node) || (ts.isCallExpression(node) && /^emit/.test(calledName(node))))
    ) {
      steps.push({ kind: "escape" });
      escaped = true;
      return;
    } else if (ts.isReturnStatement(node) && node.expression !== undefined) {
      steps.push({ kind: "return", value: node.expression });
    }
    ts.forEachChild(node, (child) => visit(child, guarded));
  };
  ts.forEachChild(body, (child) => visit(child, false));
  stepsCache.set(body, steps);
  return steps;
}

/** Failure steps per body: syntax alone, so shared by every program and file. */
const stepsCache = new WeakMap<ts.Block, readonly FailureStep[]>();

/** Whether `body` awaits (`await`, `yield`, `for await`) outside the functions nested in it. */
function awaitsIn(body: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionNode(node)) return;
    if (
      ts.isAwaitExpression(node) || ts.isYieldExpression(node) ||
      (ts.isForOfStatement(node) && node.awaitModifier !== undefined)
    ) {
      found = true;
    } else ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/** Whether a `return` in `node` (not in nested functions) returns a promise that may reject (see {@link rejectable}). */
function returnsRejectablePromise(checker: ts.TypeChecker, node: ts.Node): boolean {
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found || isFunctionNode(child)) return;
    if (ts.isReturnStatement(child) && child.expression !== undefined && rejectable(checker, child.expression)) {
      found = true;
    } else ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/**
 * A returned value that may be a rejecting promise: a call of an async
 * function or of anything typed `Promise`, that is not a handled chain and
 * cannot be shown not to reject. (An untyped value is not counted: most are
 * settle calls and plain values.)
 */
function rejectable(checker: ts.TypeChecker, value: ts.Node): boolean {
  const inner = skipOuterExpressions(value);
  if (!ts.isCallExpression(inner) || handledChain(inner) !== undefined || awaitCannotReject(checker, inner)) {
    return false;
  }
  const fn = resolveFunction(checker, inner.expression);
  if (fn !== undefined) return isAsyncFunction(fn);
  return checker.getTypeAtLocation(inner).getSymbol()?.getName() === "Promise";
}

/** An awaited value that cannot reject: a promise that can only resolve, or a call of a function that catches everything. */
function awaitCannotReject(checker: ts.TypeChecker, awaited: ts.Node): boolean {
  if (
    neverRejects(checker, awaited, true) !== undefined || returnedCallCatches(checker, awaited) !== undefined
  ) {
    return true;
  }
  const call = skipOuterExpressions(awaited);
  const fn = !ts.isCallExpression(call) ? undefined : resolveFunction(checker, call.expression);
  return fn !== undefined && isAsyncFunction(fn) && cannotFail(checker, fn) !== undefined;
}

/**
 * Why the chain `expression` observes its rejection: it ends in `.catch(h)` or `.then(a, b)`
 * whose handler does not throw again (see {@link throwsAgain}).
 *
 * @param expression an expression, parentheses and type assertions allowed around it
 * @returns the reason, or undefined when the outermost call is neither
 */
export function handledChain(expression: ts.Node): string | undefined {
  const inner = skipOuterExpressions(expression);
  if (!ts.isCallExpression(inner)) return undefined;
  const callee = skipOuterExpressions(inner.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  if (callee.name.text === "catch" && inner.arguments.length >= 1 && !throwsAgain(inner.arguments[0]!)) {
    return "it returns a chain ending in .catch(handler)";
  }
  if (callee.name.text === "then" && inner.arguments.length >= 2 && !throwsAgain(inner.arguments[1]!)) {
    return "it returns a chain ending in .then(onFulfilled, onRejected)";
  }
  return undefined;
}

/**
 * Whether a rejection handler written inline always throws again: a
 * statement of its body itself (not under an `if`, a loop or a try) is a
 * `throw` with no `return` before it — `.catch((error) => { log(error);
 * throw error; })` logs and passes every rejection on, to a promise nobody
 * observes. A handler that throws only some errors again (`if (error.code
 * !== "ABORT_ERR") throw error;`, or `if (…) return;` before the `throw`)
 * handles the others.
 *
 * @param handler the handler argument of `.catch` or `.then`.
 */
export function throwsAgain(handler: ts.Node): boolean {
  const fn = skipOuterExpressions(handler);
  if (!isFunctionNode(fn) || fn.body === undefined || !ts.isBlock(fn.body)) return false;
  const statements = fn.body.statements;
  const thrown = statements.findIndex((statement) => ts.isThrowStatement(statement));
  // An early `return` before it (`if (err.code === "X") return;`) handles the errors it filters out.
  return thrown >= 0 && !statements.slice(0, thrown).some(returnsSomewhere);
}

/** Whether a statement has a `return` outside the functions nested in it. */
function returnsSomewhere(statement: ts.Node): boolean {
  return reachesOwnNode(statement, ts.isReturnStatement);
}

/** Whether `root` or a node inside it, outside the functions nested in it, passes `test`. */
function reachesOwnNode(root: ts.Node, test: (node: ts.Node) => boolean): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionNode(node)) return;
    if (test(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

/** `return g()` / `await g()` where `g` catches everything. */
function returnedCallCatches(checker: ts.TypeChecker, expression: ts.Node): string | undefined {
  const inner = skipOuterExpressions(expression);
  if (!ts.isCallExpression(inner)) return undefined;
  const fn = resolveFunction(checker, inner.expression);
  const reason = fn === undefined ? undefined : catchesEverything(checker, fn);
  return reason === undefined ? undefined : `it only calls a function that catches everything (${reason})`;
}

/**
 * Whether a block has a `throw` statement outside the functions nested in it
 * (a `catch` block that has one may throw again).
 *
 * @param block e.g. a catch clause's block
 * @returns true when a `throw` is reached without entering a nested function
 */
export function rethrows(block: ts.Block): boolean {
  return reachesOwnNode(block, ts.isThrowStatement);
}

function mentions(body: ts.Node, name: string): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node.text === name) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

function isAssignable(node: ts.Node): boolean {
  const inner = skipOuterExpressions(node);
  return ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner);
}

/**
 * `console.error(...)`, `Date.now()`, `process.exit(1)`, `map.get(key)`,
 * query methods (`this.pool.getUsage()`, `client.isConnected()`), logging (`debug(...)`, `logger.warn(...)`, `this.logError(...)`): calls
 * that do not fail in practice.
 */
function isSafeCall(callee: ts.Node): boolean {
  if (ts.isIdentifier(callee)) return LOG_FUNCTIONS.has(callee.text);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const receiver = skipOuterExpressions(callee.expression);
  if (ts.isIdentifier(receiver) && SAFE_RECEIVERS.has(receiver.text)) return true;
  if (/^log[A-Z]/.test(callee.name.text)) return true;
  const receiverName = ts.isIdentifier(receiver)
    ? receiver.text
    : ts.isPropertyAccessExpression(receiver)
    ? receiver.name.text
    : "";
  if (LOGGER_NAMES.test(receiverName)) return true;
  if (ts.isIdentifier(receiver) && receiver.text === "process" && callee.name.text === "exit") return true;
  return (READ_METHODS.has(callee.name.text) || QUERY_METHOD.test(callee.name.text)) && isSimpleValue(receiver);
}

/**
 * Whether `call` settles a promise: it calls a settle function, recognised
 * by where it comes from (see `settle.ts`): an executor's first or second
 * parameter whatever its name, a parameter every caller hands one, a
 * deferred's stored one (`this.finish = resolve; … this.finish()`); not
 * `Promise.reject(...)`, which makes a new rejected promise, nor a function
 * merely named `resolve`. Its argument's evaluation is not counted as a
 * way to fail, and it starts no work, whatever it returns.
 *
 * @param checker the program's type checker.
 * @param call a call expression.
 */
export function isSettleCall(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  return settleKindOf(checker, call.expression) !== undefined;
}

/**
 * Why `call` reports its failure to a node-style callback, or undefined.
 * Its last argument is one when it is a function (inline, or resolved by
 * symbol) that takes an error first ({@link takesErrorFirst}), or a
 * reference whose type is a function declared to take an Error first, or a
 * reference to a parameter or stored function that the code around it calls
 * with an error or `null` first ({@link calledWithErrorFirst}). Names play
 * no part. Libraries with a dual promise/callback API (ioredis, pg,
 * mongodb) then attach the rejection handler themselves.
 *
 * @param checker the program's type checker.
 * @param call a call expression.
 */
export function reportsToCallback(checker: ts.TypeChecker, call: ts.CallExpression): string | undefined {
  const last = call.arguments[call.arguments.length - 1];
  if (last === undefined) return undefined;
  const argument = skipOuterExpressions(last);
  const fn = isFunctionNode(argument) ? argument : resolveFunction(checker, argument);
  if (fn !== undefined && takesErrorFirst(checker, fn)) {
    return "its failure goes to the node-style callback (its last argument takes the error first)";
  }
  // Only a reference (a name, a property) is asked for its type: typing an object literal or a call there makes
  // the checker resolve the whole call it is an argument of (13 % of a scan of the bench's generated app).
  if (!ts.isIdentifier(argument) && !ts.isPropertyAccessExpression(argument)) return undefined;
  const declared = checker.getTypeAtLocation(argument).getCallSignatures()
    .some((signature) => {
      const first = signature.getParameters()[0];
      return first !== undefined && isErrorType(checker.getTypeOfSymbolAtLocation(first, argument));
    });
  return declared || calledWithErrorFirst(checker, argument)
    ? `its failure goes to the node-style callback ${argument.getText()}`
    : undefined;
}

/**
 * Whether `fn` takes an error as its first parameter: the parameter is
 * declared with an Error-like type, or its body checks it — reads
 * it as a condition (`if (e)`, `e ? … : …`, `!e`, `e != null`, `e && …`) or
 * hands it on first to a function called with errors first elsewhere
 * (`(e) => next(e)`).
 */
function takesErrorFirst(checker: ts.TypeChecker, fn: FunctionNode): boolean {
  const first = fn.parameters[0];
  if (first === undefined || !ts.isIdentifier(first.name)) return false;
  if (first.type !== undefined && isErrorType(checker.getTypeFromTypeNode(first.type))) return true;
  const symbol = checker.getSymbolAtLocation(first.name);
  return symbol !== undefined && fn.body !== undefined &&
    referencesIn(checker, fn.body, symbol).some((reference) =>
      readAsCondition(reference) || handedOnFirst(checker, reference)
    );
}

/** Whether the type, without `null`/`undefined`, is (or has a member that is) Error-like: it has `message` and `stack`. */
function isErrorType(type: ts.Type): boolean {
  const members = type.isUnion() ? type.types : [type];
  return members.some((member) =>
    member.getProperty("message") !== undefined && member.getProperty("stack") !== undefined
  );
}

/** The identifiers under `scope` that refer to `symbol`. */
function referencesIn(checker: ts.TypeChecker, scope: ts.Node, symbol: ts.Symbol): ts.Identifier[] {
  const found: ts.Identifier[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === symbol.name && checker.getSymbolAtLocation(node) === symbol) {
      found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

/** Whether `reference` is read as a condition: tested by `if`/`?:`/a loop, negated, compared with `null`/`undefined`, or the left of `&&`/`||`/`??`. */
function readAsCondition(reference: ts.Identifier): boolean {
  let node: ts.Node = reference;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isIfStatement(parent) || ts.isWhileStatement(parent)) return parent.expression === node;
  if (ts.isConditionalExpression(parent)) return parent.condition === node;
  if (ts.isPrefixUnaryExpression(parent)) return parent.operator === ts.SyntaxKind.ExclamationToken;
  if (!ts.isBinaryExpression(parent)) return false;
  switch (parent.operatorToken.kind) {
    case ts.SyntaxKind.AmpersandAmpersandToken:
    case ts.SyntaxKind.BarBarToken:
    case ts.SyntaxKind.QuestionQuestionToken:
      return parent.left === node;
    case ts.SyntaxKind.EqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsToken:
    case ts.SyntaxKind.EqualsEqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsEqualsToken: {
      const other = skipOuterExpressions(parent.left === node ? parent.right : parent.left);
      return other.kind === ts.SyntaxKind.NullKeyword ||
        (ts.isIdentifier(other) && other.text === "undefined");
    }
    default:
      return false;
  }
}

/** Whether `reference` is the first argument of a call of a callback that is called with errors first elsewhere (`next(e)`). */
function handedOnFirst(checker: ts.TypeChecker, reference: ts.Identifier): boolean {
  const parent = reference.parent;
  return ts.isCallExpression(parent) && parent.arguments[0] === reference &&
    calledWithErrorFirst(checker, parent.expression, parent);
}

/**
 * Whether `reference` (a parameter, a variable or a field) is, somewhere in
 * the function that declares it (for a field, its class), called with an
 * error-like value or `null` first (`cb(null, rows)`, `cb(new Error(…))`,
 * `this.done(error)` with an Error-typed or caught `error`). The call
 * `except` (the one being judged) does not count.
 */
function calledWithErrorFirst(checker: ts.TypeChecker, reference: ts.Node, except?: ts.CallExpression): boolean {
  const name = ts.isPropertyAccessExpression(reference) ? reference.name : reference;
  if (!ts.isIdentifier(name)) return false;
  const symbol = checker.getSymbolAtLocation(name);
  const declaration = symbol?.valueDeclaration;
  if (symbol === undefined || declaration === undefined) return false;
  const scope = ts.isParameter(declaration) || ts.isVariableDeclaration(declaration)
    ? enclosingFunction(declaration)
    : ts.isClassElement(declaration) || ts.isPropertyAccessExpression(declaration)
    ? ts.findAncestor(reference, ts.isClassLike)
    : undefined;
  if (scope === undefined || scope.getSourceFile() !== reference.getSourceFile()) return false;
  return referencesIn(checker, scope, symbol).some((found) => {
    const callee = ts.isPropertyAccessExpression(found.parent) && found.parent.name === found ? found.parent : found;
    const call = callee.parent;
    return ts.isCallExpression(call) && call !== except && call.expression === callee &&
      call.arguments[0] !== undefined && isErrorValue(checker, call.arguments[0]);
  });
}

/** `null`, `new Error(…)` (see {@link isErrorConstruction}), a caught exception, or a value of an Error-like type. */
function isErrorValue(checker: ts.TypeChecker, value: ts.Expression): boolean {
  const inner = skipOuterExpressions(value);
  if (inner.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isNewExpression(inner)) return isErrorConstruction(checker, inner);
  if (ts.isIdentifier(inner)) {
    const declaration = checker.getSymbolAtLocation(inner)?.valueDeclaration;
    if (declaration !== undefined && ts.isVariableDeclaration(declaration) && ts.isCatchClause(declaration.parent)) {
      return true;
    }
  }
  return isErrorType(checker.getTypeAtLocation(inner));
}

/**
 * A call of a library function (not one of the program's own) that reports
 * its failure to a node-style callback which itself cannot fail: nothing
 * of it can throw later either.
 */
function callbackCannotFail(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  const given = call.arguments[call.arguments.length - 1];
  if (given === undefined || resolveFunction(checker, call.expression) !== undefined) return false;
  const last = skipOuterExpressions(given);
  const callback = isFunctionNode(last) ? last : resolveFunction(checker, last);
  // The memoised lookups first: asking reportsToCallback types the argument, which costs more.
  return callback !== undefined && reportsToCallback(checker, call) !== undefined &&
    (catchesEverything(checker, callback) !== undefined ||
      cannotFail(checker, callback) !== undefined);
}

/** `new Error(...)`, or `new X(...)` of a class named `…Error` or whose instances are Error-like (`message` and `stack`). */
function isErrorConstruction(checker: ts.TypeChecker | undefined, creation: ts.NewExpression): boolean {
  if (/Error$/.test(calledName(creation))) return true;
  if (checker === undefined) return false;
  const type = checker.getTypeAtLocation(creation);
  return type.getProperty("message") !== undefined && type.getProperty("stack") !== undefined;
}

/**
 * A value whose evaluation cannot throw in practice: identifiers, literals,
 * templates of such, property and element reads, `this`, `!x`, comparisons, `typeof`,
 * object and array literals of such, `new …Error(...)`.
 */
export function isSimpleValue(node: ts.Node): boolean {
  const inner = skipOuterExpressions(node);
  switch (inner.kind) {
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.UndefinedKeyword:
    case ts.SyntaxKind.ThisKeyword:
      return true;
  }
  if (ts.isIdentifier(inner) || ts.isLiteralExpression(inner) || ts.isNoSubstitutionTemplateLiteral(inner)) return true;
  if (ts.isTemplateExpression(inner)) return inner.templateSpans.every((span) => isSimpleValue(span.expression));
  if (ts.isPropertyAccessExpression(inner)) return isSimpleValue(inner.expression);
  if (ts.isElementAccessExpression(inner)) {
    return isSimpleValue(inner.expression) && isSimpleValue(inner.argumentExpression);
  }
  if (ts.isPrefixUnaryExpression(inner) || ts.isTypeOfExpression(inner) || ts.isVoidExpression(inner)) {
    return isSimpleValue(ts.isPrefixUnaryExpression(inner) ? inner.operand : inner.expression);
  }
  if (ts.isBinaryExpression(inner)) {
    const operator = inner.operatorToken.kind;
    return !(operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment) &&
      isSimpleValue(inner.left) && isSimpleValue(inner.right);
  }
  if (ts.isArrayLiteralExpression(inner)) return inner.elements.every(isSimpleValue);
  if (ts.isObjectLiteralExpression(inner)) {
    return inner.properties.every((property) =>
      (ts.isPropertyAssignment(property) && isSimpleValue(property.initializer)) ||
      ts.isShorthandPropertyAssignment(property)
    );
  }
  if (ts.isNewExpression(inner)) return isErrorConstruction(undefined, inner);
  return false;
}

/** Per function: why it catches everything ({@link catchesEverything}). */
const catchMemo = new RecursiveMemo<ts.Node, string>();
/** Per function: why it cannot fail ({@link cannotFail}). */
const failMemo = new RecursiveMemo<ts.Node, string>();
/** Per expression: why its promise cannot reject ({@link neverRejects}), when its executor may fail and when it may not. */
const resolveMemo = new RecursiveMemo<ts.Node, string>();
const strictResolveMemo = new RecursiveMemo<ts.Node, string>();
/** Per expression: what its promise lets out ({@link promiseFact}). */
const factMemo = new RecursiveMemo<ts.Node, PromiseFact>();
