/**
 * Following calls to the functions they invoke, by symbol: the call graph
 * the classifier walks a few levels deep to see what a site's work does
 * (loops, starts itself again, catches everything). Memoised per function
 * node, so many sites sharing a callee cost one walk.
 *
 * @module
 */
import { ts } from "./ts.ts";
import { apartFromFiles, ProgramMemo } from "./memo.ts";
import { functionDeclaredBy, functionNamed, programOf, valueGivenOnce } from "./declarations.ts";
import { TIMER_KINDS } from "./callbacks.ts";
import { readCallers, readFile, readName, withoutReads } from "./reads.ts";
import {
  calledName,
  callOrApplyTarget,
  compiledAsyncFunction,
  fieldReference,
  functionName,
  type FunctionNode,
  indirectCallee,
  isAsyncFunction,
  isFunctionNode,
  skipOuterExpressions,
  unwrapBind,
} from "./functions.ts";
import { isRequestFlag, isRunCondition } from "./loops.ts";

/**
 * The function a call (or a function reference handed to a timer) invokes:
 * the declaration the checker resolves the callee's symbol to — function,
 * method (including `#private`), class-field or `const` arrow, imported
 * function — and, when the receiver has no type (`this` in untyped
 * JavaScript), the method or field of the same name of the enclosing class
 * for `this.name`; for `f.bind(thisArg)`, `f`; for a compiled async function passed as a value
 * (`_asyncToGenerator(function* () { … })`), its generator. A name the
 * program's own sources never declare as a
 * function (`items.push`) is not looked up at all (see
 * {@link declaresFunction}). A method called on a receiver without a type
 * (`job.doExecute()` where `job` is an untyped parameter) resolves to the
 * class method of that name when the program's own sources declare no other
 * function of that name: a name declared twice is ambiguous and stays
 * unresolved.
 *
 * @param checker the program's type checker.
 * @param callee the callee expression (or a reference like `this.tick`).
 * @returns the function node, or undefined when it is not in the program's own sources.
 */
export function resolveFunction(checker: ts.TypeChecker, callee: ts.Node): FunctionNode | undefined {
  return resolveDirect(checker, callee) ?? methodFromCallers(checker, callee);
}

/** {@link resolveFunction} without the callers' types: what the call index ({@link callsIn}) is built from. */
function resolveDirect(checker: ts.TypeChecker, callee: ts.Node): FunctionNode | undefined {
  const target = unwrapBind(indirectCallee(callee));
  if (isFunctionNode(target)) return target;
  if (ts.isCallExpression(target)) return compiledAsyncFunction(target);
  if (!ts.isIdentifier(target) && !ts.isPropertyAccessExpression(target)) return undefined;
  const cached = resolved.get(target);
  if (cached !== undefined) return cached ?? undefined;
  const name = ts.isIdentifier(target) ? target.text : target.name.text;
  const program = programOf(checker);
  if (program !== undefined && !declaresFunction(program, name)) {
    resolved.set(target, null);
    return undefined;
  }
  const found = functionNamed(checker, target) ?? ownClassMember(target) ??
    (program !== undefined && untypedReceiver(checker, target) ? uniqueMethod(program, name) : undefined);
  resolved.set(target, found ?? null);
  return found;
}

/**
 * The function a wrapped value runs: for `wrap(fn, …)` — or a variable
 * given such a call once (`const run = throttle(fn, 100)`, see
 * `valueGivenOnce`) — where `wrap` is one of the program's own functions
 * whose body calls the parameter `fn` is passed to (itself, with
 * `.call`/`.apply`, or by handing it to a timer), there or in a function it
 * returns, the function `fn` stands for ({@link resolveFunction}, or again a
 * wrapped value). A throttle, debounce, memoize or once is recognised by
 * what it does with its parameter, not by its name; a wrapper whose body is
 * not in the program (a package's `.d.ts`) is not guessed at.
 *
 * @param checker the program's type checker.
 * @param value a call expression or an identifier.
 * @returns the wrapped function, or undefined.
 */
export function wrappedFunction(checker: ts.TypeChecker, value: ts.Node): FunctionNode | undefined {
  let call = skipOuterExpressions(value);
  if (ts.isIdentifier(call)) {
    const given = valueGivenOnce(checker, call);
    if (given === undefined) return undefined;
    call = skipOuterExpressions(given);
  }
  if (!ts.isCallExpression(call)) return undefined;
  const cached = wrapped.get(call);
  if (cached !== undefined) return cached ?? undefined;
  wrapped.set(call, null); // also the answer while this call is being read (a wrapper of itself)
  let found: FunctionNode | undefined;
  for (const argument of wrappedArguments(checker, call)) {
    found = resolveFunction(checker, argument) ?? wrappedFunction(checker, argument);
    if (found !== undefined) break;
  }
  wrapped.set(call, found ?? null);
  return found;
}

/**
 * The arguments of `wrap(fn, …)` that the wrapper runs: those handed to a
 * parameter that `wrap`, one of the program's own functions, calls (see
 * {@link wrappedFunction}). Empty when the callee is not in the program.
 *
 * @param checker the program's type checker.
 * @param call a call expression.
 */
export function wrappedArguments(checker: ts.TypeChecker, call: ts.CallExpression): ts.Expression[] {
  const wrapper = resolveFunction(checker, call.expression);
  if (wrapper?.body === undefined) return [];
  const body = wrapper.body;
  return wrapper.parameters.flatMap((parameter, index) => {
    const argument = call.arguments[index];
    return argument !== undefined && ts.isIdentifier(parameter.name) &&
        callsParameter(checker, body, parameter.name)
      ? [argument]
      : [];
  });
}

const wrapped = new ProgramMemo<ts.Node, FunctionNode | null>();

/**
 * Whether `body` (with the functions nested in it) calls the parameter
 * `name`: `name(...)`, `name.call(...)`, `name.apply(...)`, or hands it to a
 * timer (`setTimeout(name, ms)`).
 */
function callsParameter(checker: ts.TypeChecker, body: ts.Node, name: ts.Identifier): boolean {
  const symbol = checker.getSymbolAtLocation(name);
  const isParameter = (node: ts.Node): boolean => {
    const inner = skipOuterExpressions(node);
    return ts.isIdentifier(inner) && inner.text === name.text && checker.getSymbolAtLocation(inner) === symbol;
  };
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      const through = callOrApplyTarget(callee);
      const invoked = isParameter(callee) || (through !== undefined && isParameter(through));
      const deferred = TIMER_KINDS.has(calledName(node)) && node.arguments[0] !== undefined &&
        isParameter(node.arguments[0]);
      if (invoked || deferred) {
        found = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/**
 * `receiver.name` whose receiver the checker knows nothing about (a
 * parameter of untyped JavaScript, `self` passed in by a caller): the
 * callee can only be found by its name.
 */
function untypedReceiver(checker: ts.TypeChecker, reference: ts.Node): boolean {
  if (!ts.isPropertyAccessExpression(reference) || reference.expression.kind === ts.SyntaxKind.ThisKeyword) {
    return false;
  }
  return (checker.getTypeAtLocation(reference.expression).flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
}

const resolved = new ProgramMemo<ts.Node, FunctionNode | null>();

/**
 * `receiver.name` on an untyped parameter that the direct lookup left
 * unresolved (a name several classes declare): the method `name` of the
 * type every caller passes for that parameter (see {@link typeFromCallers}).
 */
function methodFromCallers(checker: ts.TypeChecker, callee: ts.Node): FunctionNode | undefined {
  const target = skipOuterExpressions(callee);
  // Cheap tests first: only a parameter's type is read from callers, and only a name the program declares can be found.
  if (!ts.isPropertyAccessExpression(target) || !ts.isIdentifier(skipOuterExpressions(target.expression))) {
    return undefined;
  }
  const cached = fromCallers.get(target);
  if (cached !== undefined) return cached ?? undefined;
  fromCallers.set(target, null); // also the answer for a name the program never declares or a typed receiver
  const program = programOf(checker);
  if (
    program === undefined || !declaresFunction(program, target.name.text) || !untypedReceiver(checker, target)
  ) return undefined;
  const method = typeFromCallers(checker, target.expression)?.getProperty(target.name.text);
  const found = method === undefined ? undefined : functionDeclaredBy(checker, method.getDeclarations() ?? []);
  fromCallers.set(target, found ?? null);
  return found;
}

const fromCallers = new ProgramMemo<ts.Node, FunctionNode | null>();

/** `this.name` inside a class: the class's method or function-valued field `name`. */
function ownClassMember(reference: ts.Node): FunctionNode | undefined {
  if (!ts.isPropertyAccessExpression(reference) || reference.expression.kind !== ts.SyntaxKind.ThisKeyword) {
    return undefined;
  }
  const name = reference.name.text;
  for (let node: ts.Node | undefined = reference.parent; node !== undefined; node = node.parent) {
    if (!ts.isClassLike(node)) continue;
    for (const member of node.members) {
      const memberName =
        member.name !== undefined && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name))
          ? member.name.text
          : undefined;
      if (memberName !== name) continue;
      if (isFunctionNode(member)) return member;
      if (ts.isPropertyDeclaration(member) && member.initializer !== undefined) {
        const initializer = skipOuterExpressions(member.initializer);
        if (isFunctionNode(initializer)) return initializer;
      }
    }
    return undefined;
  }
  return undefined;
}

/** Array methods that call their callback synchronously, once per item. */
export const ITEM_METHODS: ReadonlySet<string> = new Set([
  "forEach",
  "map",
  "flatMap",
  "filter",
  "reduce",
  "some",
  "every",
  "find",
  "findIndex",
  "sort",
]);

/**
 * Whether `node` sits in the body of a loop over items (see
 * {@link itemLoopLabel}) or an array iteration callback inside `fn`.
 *
 * @param node a node inside `fn`.
 * @param fn a function containing `node`.
 * @param checker the program's type checker (see {@link pendingWork}).
 */
export function insideItemLoop(node: ts.Node, fn: FunctionNode, checker: ts.TypeChecker): boolean {
  for (
    let child: ts.Node = node, current = node.parent;
    current !== undefined && current !== fn;
    child = current, current = current.parent
  ) {
    if (itemLoopLabel(current, child, checker) !== undefined) return true;
    if (isFunctionNode(current) && isItemCallback(current)) return true;
  }
  return false;
}

/**
 * When `child` is the body of `loop` and `loop` goes over items, the loop's
 * label: `for…of` (not `for await`, which waits on a stream), `for…in`, a
 * counted `for`, or a `while`/`do` that takes the next item in its condition
 * (`while ((entry = next()) !== undefined)`) or runs while a collection has
 * items (`while (queue.length > 0)`). Undefined otherwise.
 *
 * @param loop any node.
 * @param child the child of `loop` on the way to the site.
 * @param checker the program's type checker (see {@link pendingWork}).
 */
export function itemLoopLabel(loop: ts.Node, child: ts.Node, checker: ts.TypeChecker): string | undefined {
  if (ts.isForOfStatement(loop)) {
    return loop.awaitModifier === undefined && loop.statement === child ? "for…of" : undefined;
  }
  if (ts.isForInStatement(loop)) return loop.statement === child ? "for…in" : undefined;
  if (ts.isForStatement(loop)) return loop.condition !== undefined && loop.statement === child ? "for" : undefined;
  if (
    (ts.isWhileStatement(loop) || ts.isDoStatement(loop)) && loop.statement === child &&
    (assignsInside(loop.expression) || pendingWork(loop.expression, checker) === true)
  ) {
    return "while over items";
  }
  return undefined;
}

/** Whether an expression assigns (`(entry = next()) !== undefined`). */
function assignsInside(expression: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionNode(node)) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/**
 * The limit that bounds `node` within `fn`, or undefined: `node` sits in an
 * `if`, `while` or `for` whose condition tests for pending work, or follows
 * an early exit (`if (cond) return;`/`throw`) in a block around it whose
 * condition does — a collection's size (`queue.length > 0`,
 * `if (pending.size)`) or a flag recording work requested meanwhile
 * (`if (this.pendingReset)`, `if (wasThrottled)`, `fetchAgain`: see
 * {@link pendingWork}) — the `if`
 * or loop holding while work is pending, the early exit while none is
 * (see `pendingWork`): work
 * started again only while a queue has items, or once more for what came
 * in during a run, drains and ends. So does one whose innermost `if` block then
 * returns (`if (socket.bufferedAmount > limit) { setTimeout(write, ms);
 * return; }`): the work is deferred until a condition clears, unless the
 * condition is a stop or run flag (`if (!this.stopped)`). So does a fixed
 * number of attempts written in the code (`if (tries === 5) return;`, see
 * {@link fixedLimit}). (An attempt limit read from configuration —
 * `attempts >= maxRetries` — does not count: reconnect loops have one too,
 * often configured to be unbounded.)
 *
 * @param node a node inside `fn`.
 * @param fn a function containing `node`.
 * The two bounds read from one `if` whose block returns — the deferral
 * inside it, and what follows an early exit on no pending work — come with
 * that `if` as their `fork`: when both of its ways start the work again
 * (`if (!found.length) { this.failure(); return; } this.success(found)`,
 * each rescheduling the poll) the condition only chooses how the loop goes
 * on, and the graph drops both limits (see `graph.ts`).
 *
 * @param checker the program's type checker (a run or stop flag is boolean state).
 * @returns the condition's text, for evidence, and the fork it may be one way of.
 */
export function boundedBy(node: ts.Node, fn: FunctionNode, checker: ts.TypeChecker): Bound | undefined {
  let innermostIf = true;
  for (
    let child: ts.Node = node, current = node.parent;
    current !== undefined && child !== fn;
    child = current, current = current.parent
  ) {
    if (ts.isIfStatement(current)) {
      const deferred = innermostIf && exits(current.thenStatement) && !isRunCondition(current.expression, checker);
      innermostIf = false;
      if (current.thenStatement === child) {
        const pending = pendingWork(current.expression, checker) === true;
        const fixed = fixedLimit(current.expression, true, fn);
        if (pending || deferred || fixed) {
          const bound: Bound = { condition: current.expression.getText() };
          if (!pending && !fixed) bound.fork = { guard: current.getStart(), then: true };
          return bound;
        }
      }
    }
    const loopCondition = ts.isWhileStatement(current)
      ? current.expression
      : ts.isForStatement(current)
      ? current.condition
      : undefined;
    if (
      loopCondition !== undefined && (current as ts.IterationStatement).statement === child &&
      pendingWork(loopCondition, checker) === true
    ) {
      return { condition: loopCondition.getText() };
    }
    if (ts.isBlock(current)) {
      const before = current.statements.slice(0, current.statements.indexOf(child as ts.Statement));
      const guard = before.find((statement) =>
        ts.isIfStatement(statement) && exits(statement.thenStatement) &&
        (pendingWork(statement.expression, checker) === false || fixedLimit(statement.expression, false, fn))
      );
      if (guard !== undefined) {
        const condition = (guard as ts.IfStatement).expression;
        const bound: Bound = { condition: condition.getText() };
        if (!fixedLimit(condition, false, fn)) bound.fork = { guard: guard.getStart(), then: false };
        return bound;
      }
    }
  }
  return undefined;
}

/** What bounds a start (see {@link boundedBy}). */
export interface Bound {
  /** The condition's text, for evidence. */
  condition: string;
  /** The `if` (by its start offset) of which the start is one way: inside its returning block (`then`), or after it. */
  fork?: { guard: number; then: boolean };
}

/**
 * Whether a condition compares a counter with a number written in the code
 * (`tries === 5`, `attempt >= 3`): a fixed number of attempts, which no
 * configuration can make endless (a limit read from options, `attempts >=
 * this.maxRetries`, does not count). The counter must be counted up in `fn`
 * (`tries + 1` handed to the restart, `attempt++`, `this.attempts += 1`):
 * a state compared with a constant (`readyState !== 3`) is no limit.
 * `below` asks for the condition that holds while attempts remain
 * (`tries < 5`, the guard of an `if` around the restart, possibly one term
 * of an `&&`); otherwise for the one that holds when they are used up (an
 * early exit's condition, possibly one term of an `||`).
 */
function fixedLimit(condition: ts.Expression, below: boolean, fn: FunctionNode): boolean {
  const inner = skipOuterExpressions(condition);
  if (!ts.isBinaryExpression(inner)) return false;
  const operator = inner.operatorToken.kind;
  if (operator === (below ? ts.SyntaxKind.AmpersandAmpersandToken : ts.SyntaxKind.BarBarToken)) {
    return fixedLimit(inner.left, below, fn) || fixedLimit(inner.right, below, fn);
  }
  const {
    EqualsEqualsEqualsToken,
    EqualsEqualsToken,
    GreaterThanEqualsToken,
    GreaterThanToken,
    LessThanToken,
    LessThanEqualsToken,
    ExclamationEqualsEqualsToken,
    ExclamationEqualsToken,
  } = ts.SyntaxKind;
  // Operators with the counter on the left; with the counter on the right the comparisons turn around.
  const counterLeft = below
    ? [LessThanToken, LessThanEqualsToken, ExclamationEqualsEqualsToken, ExclamationEqualsToken]
    : [EqualsEqualsEqualsToken, EqualsEqualsToken, GreaterThanEqualsToken, GreaterThanToken];
  const counterRight = below
    ? [GreaterThanToken, GreaterThanEqualsToken, ExclamationEqualsEqualsToken, ExclamationEqualsToken]
    : [EqualsEqualsEqualsToken, EqualsEqualsToken, LessThanEqualsToken, LessThanToken];
  const counter = isPositiveLiteral(inner.right) && counterLeft.includes(operator)
    ? inner.left
    : isPositiveLiteral(inner.left) && counterRight.includes(operator)
    ? inner.right
    : undefined;
  const value = counter === undefined ? undefined : skipOuterExpressions(counter);
  return value !== undefined && (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value)) &&
    countsUp(fn, value.getText());
}

/** A numeric literal of at least 1. */
function isPositiveLiteral(node: ts.Node): boolean {
  const value = skipOuterExpressions(node);
  return ts.isNumericLiteral(value) && Number(value.text) >= 1;
}

/** Whether `fn` counts up the variable or property written `counter`: `counter++`, `++counter`, `counter += n`, `counter + n`. */
function countsUp(fn: FunctionNode, counter: string): boolean {
  let found = false;
  const isCounter = (node: ts.Node): boolean => skipOuterExpressions(node).getText() === counter;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      (ts.isPostfixUnaryExpression(node) || ts.isPrefixUnaryExpression(node)) &&
      node.operator === ts.SyntaxKind.PlusPlusToken
    ) {
      found = isCounter(node.operand);
    } else if (
      ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.PlusToken ||
        node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)
    ) {
      found = isCounter(node.left) && ts.isNumericLiteral(skipOuterExpressions(node.right));
    }
    if (!found) ts.forEachChild(node, visit);
  };
  if (fn.body !== undefined) visit(fn.body);
  return found;
}

/**
 * What a condition says about pending work — a collection's size
 * (`.length`, `.size`, or an accessor returning one: see `readsSize`) or a request flag, one that other code raises and
 * the function holding the condition lowers (see `isRequestFlag` in
 * `loops.ts`; its name plays no part): `true` when it holds while
 * work is pending (`queue.length > 0`, `if (this.pendingReset)`), `false`
 * when it holds while none is (`!queue.length`, `pending === null`,
 * `size === 0`), undefined when it reads neither. The first mention
 * decides; each `!` and each comparison with `null`, `undefined` or `0`
 * turns it around.
 *
 * @param condition a condition.
 * @param checker the checker of the program `condition` belongs to.
 */
export function pendingWork(condition: ts.Node, checker: ts.TypeChecker): boolean | undefined {
  const inner = skipOuterExpressions(condition);
  if (isFunctionNode(inner)) return undefined;
  if (ts.isPropertyAccessExpression(inner) && readsSize(inner, checker, new Set())) return true;
  const propertyName = ts.isPropertyAccessExpression(inner.parent) && inner.parent.name === inner;
  if (
    (ts.isPropertyAccessExpression(inner) || (ts.isIdentifier(inner) && !propertyName)) && isRequestFlag(inner, checker)
  ) {
    return true;
  }
  if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
    const operand = pendingWork(inner.operand, checker);
    return operand === undefined ? undefined : !operand;
  }
  if (ts.isBinaryExpression(inner)) {
    const left = pendingWork(inner.left, checker);
    const mention = left ?? pendingWork(inner.right, checker);
    if (mention === undefined) return undefined;
    const other = skipOuterExpressions(left !== undefined ? inner.right : inner.left);
    const empty = other.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(other) && other.text === "undefined") ||
      (ts.isNumericLiteral(other) && other.text === "0");
    const operator = inner.operatorToken.kind;
    const equality = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
    // `size <= 0`, `queue.length < 1`: nothing pending.
    const atMostEmpty = left !== undefined && ((operator === ts.SyntaxKind.LessThanEqualsToken && empty) ||
      (operator === ts.SyntaxKind.LessThanToken && ts.isNumericLiteral(other) && other.text === "1"));
    return (equality && empty) || atMostEmpty ? !mention : mention;
  }
  let found: boolean | undefined;
  ts.forEachChild(inner, (child) => {
    found ??= pendingWork(child, checker);
  });
  return found;
}

/**
 * Whether a property read is a collection's size: `.length` or `.size`, or
 * an accessor of the program's own sources that returns one (`get
 * waitQueueSize() { return this.waitQueue.length; }`), followed through
 * accessors returning accessors; `seen` keeps a cycle of them finite.
 */
function readsSize(read: ts.PropertyAccessExpression, checker: ts.TypeChecker, seen: Set<ts.Node>): boolean {
  if (read.name.text === "length" || read.name.text === "size") return true;
  const declarations = checker.getSymbolAtLocation(read.name)?.getDeclarations() ?? [];
  return declarations.length > 0 && declarations.every((declaration) => {
    if (!ts.isGetAccessorDeclaration(declaration) || declaration.body === undefined || seen.has(declaration)) {
      return false;
    }
    seen.add(declaration);
    const [only] = declaration.body.statements;
    const value = declaration.body.statements.length === 1 && only !== undefined && ts.isReturnStatement(only) &&
        only.expression !== undefined
      ? skipOuterExpressions(only.expression)
      : undefined;
    return value !== undefined && ts.isPropertyAccessExpression(value) && readsSize(value, checker, seen);
  });
}

/** A `return` or `throw`, alone or as the last statement of a block. */
function exits(statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true;
  if (!ts.isBlock(statement)) return false;
  const last = statement.statements[statement.statements.length - 1];
  return last !== undefined && (ts.isReturnStatement(last) || ts.isThrowStatement(last));
}

/**
 * Whether `node` runs only on failure within `fn`: in a `catch` clause of
 * `fn`'s own body (a function handed over as a rejection handler, `.catch(f)`,
 * is started only on failure by the edge that hands it over, see `summary.ts`).
 *
 * @param node a node inside `fn`.
 * @param fn a function containing `node`.
 */
export function onFailurePath(node: ts.Node, fn: FunctionNode): boolean {
  for (let current = node.parent; current !== undefined && current !== fn; current = current.parent) {
    if (ts.isCatchClause(current)) return true;
  }
  return false;
}

function isItemCallback(fn: FunctionNode): boolean {
  const parent = fn.parent;
  if (parent === undefined || !ts.isCallExpression(parent) || !parent.arguments.includes(fn as ts.Expression)) {
    return false;
  }
  const callee = skipOuterExpressions(parent.expression);
  return ts.isPropertyAccessExpression(callee) && ITEM_METHODS.has(callee.name.text);
}

/** A method, accessor or function-valued field of a class. */
function isClassMember(fn: FunctionNode): boolean {
  const parent = ts.isPropertyDeclaration(fn.parent) ? fn.parent.parent : fn.parent;
  return parent !== undefined && ts.isClassLike(parent);
}

/**
 * Every function declaration and `require` binding of a program's own
 * sources, by name: for each, its file (absolute) and what
 * {@link declaredNames} says of it (`async`, `plain` or `require`;
 * `member` or `free`).
 */
export type DeclarationIndex = ReadonlyMap<string, ReadonlyArray<readonly [string, string, string]>>;

/**
 * Gives the declarations by name of a program's own sources from outside:
 * for a program built from part of a plan's files (src/cache/), the index
 * of the whole plan, so the lookups by name answer as in the whole
 * program. Without it, a program's index is built from its own sources on
 * first use.
 *
 * @param program the program.
 * @param index its declarations by name (see {@link DeclarationIndex}).
 */
export function useDeclarationIndex(program: ts.Program, index: DeclarationIndex): void {
  declarationIndexes.set(program, index);
}

/**
 * Whether the program's own sources declare a function named `name`
 * (function, method, accessor, function-valued variable or property) or
 * bind it to a `require(…)` (a CommonJS module may export a function).
 * Lets {@link resolveFunction} skip, without asking the checker, the many
 * calls that cannot reach the program's own code (`items.push(x)` when
 * nothing here declares `push`). A lookup across the program: recorded
 * (src/analysis/reads.ts).
 *
 * @param program the program.
 * @param name a function name.
 */
function declaresFunction(program: ts.Program, name: string): boolean {
  readName(name);
  return declarationsIn(program).has(name);
}

/**
 * Whether every function the program's own sources declare under `name`
 * is `async` (and there is at least one): the fallback for a method called
 * on an object of the project's own whose type is unknown. A lookup across
 * the program: recorded (src/analysis/reads.ts).
 *
 * @param program the program.
 * @param name a function name.
 */
export function declaredOnlyAsync(program: ts.Program, name: string): boolean {
  readName(name);
  const functions = functionsNamed(program, name);
  return functions.length > 0 && functions.every(([, kind]) => kind === "async");
}

/**
 * The method or function-valued field of a class that is the only function
 * the program's own sources declare under `name` (a plain function's name
 * is too often a library's method name too: `query`, `connect`): the
 * fallback for a call whose receiver has no type (`this.fsw._emit(...)`,
 * `job.doExecute()` in untyped JavaScript). A lookup across the program:
 * recorded, with the file of the function found (src/analysis/reads.ts),
 * also when that file is not in the program (then undefined: the program
 * was built from part of the files, and its builder builds a larger one).
 *
 * @param program the program.
 * @param name a function name.
 */
function uniqueMethod(program: ts.Program, name: string): FunctionNode | undefined {
  readName(name);
  const functions = functionsNamed(program, name);
  if (functions.length !== 1 || functions[0]![2] !== "member") return undefined;
  const file = functions[0]![0];
  readFile(file);
  const sourceFile = program.getSourceFile(file);
  return sourceFile === undefined
    ? undefined
    : namesDeclaredIn(sourceFile).functions.find(([declared]) => declared === name)?.[1];
}

/** The functions (not `require` bindings nor fields given one by reference) the program's own sources declare under `name`. */
function functionsNamed(program: ts.Program, name: string): ReadonlyArray<readonly [string, string, string]> {
  return (declarationsIn(program).get(name) ?? []).filter(isFunctionEntry);
}

/**
 * Whether an entry of {@link declaredNames} (`[file or name, kind, place]`)
 * declares a function, not a `require` binding or a field given one by
 * reference: the entries the lookups by name count (the result cache keys
 * on the same ones).
 */
export function isFunctionEntry(entry: readonly [string, string, string]): boolean {
  return entry[1] !== "require" && entry[1] !== "stored";
}

/**
 * The declarations by name of the program's own sources (not declaration
 * files, the language's lib or packages' files): given by
 * {@link useDeclarationIndex}, else built once per program, on first use.
 */
function declarationsIn(program: ts.Program): DeclarationIndex {
  let index = declarationIndexes.get(program);
  if (index === undefined) {
    const built = new Map<string, Array<readonly [string, string, string]>>();
    for (const file of program.getSourceFiles()) {
      if (!isOwnSource(program, file)) continue;
      for (const [name, kind, member] of declaredNames(file)) {
        const list = built.get(name);
        if (list === undefined) built.set(name, [[file.fileName, kind, member]]);
        else list.push([file.fileName, kind, member]);
      }
    }
    declarationIndexes.set(program, index = built);
  }
  return index;
}

const declarationIndexes = new WeakMap<ts.Program, DeclarationIndex>();

/** A file of the program's own sources: not a declaration file, the language's lib or a package's file (found through `node_modules`). */
export function isOwnSource(program: ts.Program, file: ts.SourceFile): boolean {
  return !file.isDeclarationFile && !program.isSourceFileDefaultLibrary(file) &&
    !program.isSourceFileFromExternalLibrary(file);
}

/**
 * What one file declares for the lookups by name: its named functions in
 * order (name, node, async), its `require` bindings and the fields it gives
 * a function by reference (see {@link storedField}).
 */
interface FileNames {
  functions: [string, FunctionNode, boolean][];
  required: string[];
  stored: string[];
}

/**
 * The name of a field `node` gives a function by reference, bound or not
 * (`this.boundTick = this.tick.bind(this)`, a class field `handler =
 * this.onTick`): a call of it may run a function of the program (resolved
 * in `declarations.ts`). Syntax only.
 */
function storedField(node: ts.Node): string | undefined {
  const name = fieldReference(node)?.name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;
}

/**
 * The names one file declares, read from its syntax alone and so kept per
 * parsed file: a language service's next program reuses the files that did
 * not change, and only the changed ones are read again.
 */
function namesDeclaredIn(file: ts.SourceFile): FileNames {
  const cached = fileNames.get(file);
  if (cached !== undefined) return cached;
  const names: FileNames = { functions: [], required: [], stored: [] };
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer !== undefined &&
      ts.isCallExpression(node.initializer) && calledName(node.initializer) === "require"
    ) {
      names.required.push(node.name.text);
    }
    if (isFunctionNode(node) && !ts.isConstructorDeclaration(node)) {
      const name = functionName(node);
      if (name !== undefined) names.functions.push([name, node, isAsyncFunction(node)]);
    }
    const field = storedField(node);
    if (field !== undefined) names.stored.push(field);
    ts.forEachChild(node, visit);
  };
  visit(file);
  fileNames.set(file, names);
  return names;
}

const fileNames = new WeakMap<ts.SourceFile, FileNames>();

/**
 * What the lookups by name ({@link declaresFunction},
 * {@link declaredOnlyAsync}, {@link uniqueMethod}) read of one file: each
 * function it declares as `[name, "async" | "plain", "member" | "free"]`,
 * each `require` binding as `[name, "require", "free"]` and each field
 * given a function by reference as `[name, "stored", "member"]`, in order. Their
 * answer for a name changes only when some file's entries for that name
 * change (the result cache keys on them, src/cache/keys.ts).
 *
 * @param file a parsed source file (parent pointers set).
 */
export function declaredNames(file: ts.SourceFile): Array<[string, string, string]> {
  const names = namesDeclaredIn(file);
  return [
    ...names.functions.map(([name, fn, async]): [string, string, string] => [
      name,
      async ? "async" : "plain",
      isClassMember(fn) ? "member" : "free",
    ]),
    ...names.required.map((name): [string, string, string] => [name, "require", "free"]),
    ...names.stored.map((name): [string, string, string] => [name, "stored", "member"]),
  ];
}

/**
 * The type of `expression`, read from callers where the checker has none:
 * the checker's type when it is not `any` or `unknown`; else, when
 * `expression` is a parameter without a type (`self` in
 * `function readyHandler(self) { … }` of untyped JavaScript), the one type
 * every caller passes for it: each argument is either of a known type or
 * itself a parameter without a type whose callers are read in turn, as far
 * as the calls go. A call that passes a function's own parameter back to
 * that function (`loop(self)` inside `loop`, or through a cycle of callers)
 * adds no type: only what enters the cycle from outside counts. Undefined
 * when an argument has neither a known type nor callers to read it from
 * (an untyped parameter nobody calls, an argument left out, an expression
 * of no type), or when two known types differ. Memoised per parameter and
 * program (see `memo.ts`), so each parameter's callers are read once.
 *
 * @param checker the program's type checker.
 * @param expression an expression, typically the receiver of a method call.
 */
export function typeFromCallers(checker: ts.TypeChecker, expression: ts.Node): ts.Type | undefined {
  const own = checker.getTypeAtLocation(expression);
  if (!(own.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return own;
  const parameter = untypedParameter(checker, expression);
  if (parameter === undefined) return undefined;
  const cached = passedTypes.get(parameter);
  if (cached !== undefined) return cached ?? undefined;
  const found = typePassedTo(checker, parameter);
  passedTypes.set(parameter, found ?? null);
  return found;
}

const passedTypes = new ProgramMemo<ts.ParameterDeclaration, ts.Type | null>();

/** The parameter of a function `expression` names, when it is one (an identifier declared as a parameter). */
function untypedParameter(checker: ts.TypeChecker, expression: ts.Node): ts.ParameterDeclaration | undefined {
  const inner = skipOuterExpressions(expression);
  if (!ts.isIdentifier(inner)) return undefined;
  const declaration = checker.getSymbolAtLocation(inner)?.valueDeclaration;
  return declaration !== undefined && ts.isParameter(declaration) && isFunctionNode(declaration.parent)
    ? declaration
    : undefined;
}

/**
 * The one known type reaching `start` through the calls of its function
 * (see {@link typeFromCallers}): a walk over parameters, each visited once,
 * following the arguments that are untyped parameters themselves.
 */
function typePassedTo(checker: ts.TypeChecker, start: ts.ParameterDeclaration): ts.Type | undefined {
  const seen = new Set<ts.ParameterDeclaration>([start]);
  const waiting = [start];
  let found: ts.Type | undefined;
  for (let parameter = waiting.pop(); parameter !== undefined; parameter = waiting.pop()) {
    const fn = parameter.parent as FunctionNode;
    const index = fn.parameters.indexOf(parameter);
    const calls = callersOf(checker, fn);
    if (calls.length === 0) return undefined;
    for (const call of calls) {
      const argument = call.arguments[index];
      if (argument === undefined) return undefined;
      const type = checker.getTypeAtLocation(argument);
      if (!(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) {
        if (found !== undefined && found !== type) return undefined;
        found = type;
        continue;
      }
      const next = untypedParameter(checker, argument);
      if (next === undefined) return undefined;
      if (!seen.has(next)) {
        seen.add(next);
        waiting.push(next);
      }
    }
  }
  return found;
}

/**
 * Which files of a program can hold a call of a function declared in
 * `file` (absolute) under `name` (undefined when anonymous): for a program
 * built from part of a plan's files (src/cache/), the files the result
 * cache keys a lookup of the function's callers on (every file whose import
 * closure holds `file`, and for the only function of its name, when a class
 * member, the files with a property access of it: {@link uniqueMethod}'s
 * case), so the lookup keeps the calls in those files only. A collection
 * given again for another function is taken to hold the same files.
 */
export type CallerFiles = (file: string, name: string | undefined) => Iterable<string>;

/**
 * Gives a program the files its lookups of callers ({@link callersOf}) read
 * (see {@link CallerFiles}). Without it, a lookup reads every file of the
 * program's own sources.
 *
 * @param program the program.
 * @param files the files that can call a function.
 */
export function useCallerFiles(program: ts.Program, files: CallerFiles): void {
  callerFiles.set(program, files);
}

const callerFiles = new WeakMap<ts.Program, CallerFiles>();

/**
 * Every call of `fn` in the program's own sources (resolved by symbol, see
 * {@link resolveFunction}), or in the files {@link useCallerFiles} gave for
 * it; empty when the checker's program is unknown.
 *
 * @param checker the program's type checker.
 * @param fn a function node of the program's own sources.
 */
export function callersOf(checker: ts.TypeChecker, fn: FunctionNode): readonly ts.CallExpression[] {
  return startsOf(checker, fn).filter((start): start is ts.CallExpression =>
    ts.isCallExpression(start) && start.expression.kind !== ts.SyntaxKind.SuperKeyword
  );
}

/**
 * Every place of the program's own sources (or of the files
 * {@link useCallerFiles} gave for it) that runs `fn`: its calls (see
 * {@link callersOf}) and, for a constructor, each `new C(…)` of its class
 * and each `super(…)` of a class extending it. Empty when the checker's
 * program is unknown.
 *
 * @param checker the program's type checker.
 * @param fn a function node of the program's own sources.
 */
export function startsOf(
  checker: ts.TypeChecker,
  fn: FunctionNode,
): readonly (ts.CallExpression | ts.NewExpression)[] {
  const program = programOf(checker);
  const file = fn.getSourceFile().fileName;
  const name = functionName(fn);
  readCallers(file, name);
  if (program === undefined) return [];
  const calls = callsInProgram(checker, program).get(fn) ?? [];
  const given = callerFiles.get(program);
  if (given === undefined || calls.length === 0) return calls;
  const allowed = fileNamesIn(program, given(file, name));
  return calls.filter((call) => allowed.has(call.getSourceFile().fileName));
}

/**
 * The names, as `program` has them, of the files of `paths` it holds;
 * memoised per program and collection (the result cache gives one set for
 * every function of a file), so the files are looked up once.
 */
function fileNamesIn(program: ts.Program, paths: Iterable<string>): ReadonlySet<string> {
  let known = fileNameSets.get(program);
  if (known === undefined) fileNameSets.set(program, known = new WeakMap());
  const cached = known.get(paths);
  if (cached !== undefined) return cached;
  const found = new Set<string>();
  for (const path of paths) {
    const each = program.getSourceFile(path);
    if (each !== undefined) found.add(each.fileName);
  }
  known.set(paths, found);
  return found;
}

const fileNameSets = new WeakMap<ts.Program, WeakMap<Iterable<string>, ReadonlySet<string>>>();

/**
 * Every call, `new` and `super(…)` of the program's own sources by the
 * function it runs: each file's {@link callsIn}, merged in the program's
 * file order. Built once per program, so a caller lookup costs one map
 * read, not one per file.
 */
function callsInProgram(
  checker: ts.TypeChecker,
  program: ts.Program,
): ReadonlyMap<FunctionNode, readonly (ts.CallExpression | ts.NewExpression)[]> {
  const cached = programCallIndex.get(program);
  if (cached !== undefined) return cached;
  const merged = new Map<FunctionNode, (ts.CallExpression | ts.NewExpression)[]>();
  for (const each of program.getSourceFiles()) {
    if (!isOwnSource(program, each)) continue;
    for (const [fn, calls] of callsIn(checker, program, each)) {
      const known = merged.get(fn);
      if (known === undefined) merged.set(fn, [...calls]);
      else known.push(...calls);
    }
  }
  programCallIndex.set(program, merged);
  return merged;
}

/**
 * Every call, `new` and `super(…)` in one file of the program's own
 * sources, by the function it runs. Built once per program and file, on
 * first use; the lookups made building it are not the reads of the file
 * being analysed (a caller lookup is recorded and keyed as one, see
 * {@link startsOf}).
 */
function callsIn(
  checker: ts.TypeChecker,
  program: ts.Program,
  file: ts.SourceFile,
): ReadonlyMap<FunctionNode, readonly (ts.CallExpression | ts.NewExpression)[]> {
  let files = callIndex.get(program);
  if (files === undefined) callIndex.set(program, files = new WeakMap());
  const cached = files.get(file);
  if (cached !== undefined) return cached;
  const index = new Map<FunctionNode, (ts.CallExpression | ts.NewExpression)[]>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const target = ts.isNewExpression(node)
        ? constructorRun(checker, skipOuterExpressions(node.expression))
        : node.expression.kind === ts.SyntaxKind.SuperKeyword
        ? baseConstructor(checker, node)
        : resolveDirect(checker, node.expression);
      if (target !== undefined) {
        const calls = index.get(target);
        if (calls === undefined) index.set(target, [node]);
        else calls.push(node);
      }
    }
    ts.forEachChild(node, visit);
  };
  apartFromFiles(program, () => withoutReads(() => visit(file)));
  files.set(file, index);
  return index;
}

/**
 * The constructor `new C(…)` runs, when `C` is a class of the program's own
 * sources with one.
 *
 * @param checker the program's type checker.
 * @param callee the expression after `new`.
 */
export function constructorOf(checker: ts.TypeChecker, callee: ts.Node): FunctionNode | undefined {
  return classesNamed(checker, callee).map(ownConstructor).find((found) => found !== undefined);
}

/** The classes of the program's own sources `callee` (an identifier or `a.B`) names. */
function classesNamed(checker: ts.TypeChecker, callee: ts.Node): ts.ClassLikeDeclaration[] {
  if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return [];
  let symbol = checker.getSymbolAtLocation(ts.isIdentifier(callee) ? callee : callee.name);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return (symbol?.declarations ?? []).filter((declaration): declaration is ts.ClassLikeDeclaration =>
    ts.isClassLike(declaration) && !declaration.getSourceFile().isDeclarationFile
  );
}

function ownConstructor(declaration: ts.ClassLikeDeclaration): FunctionNode | undefined {
  const constructor = declaration.members.find(ts.isConstructorDeclaration);
  return constructor?.body !== undefined ? constructor : undefined;
}

/**
 * The constructor that `new C(…)` (or `super(…)` in a class extending `C`)
 * runs first: `C`'s own, else the nearest one up its `extends` chain.
 */
function constructorRun(checker: ts.TypeChecker, callee: ts.Node): FunctionNode | undefined {
  const seen = new Set<ts.ClassLikeDeclaration>();
  for (let classes = classesNamed(checker, callee); classes.length > 0;) {
    const declaration = classes[0]!;
    if (seen.has(declaration)) return undefined;
    seen.add(declaration);
    const own = ownConstructor(declaration);
    if (own !== undefined) return own;
    const base = extendedBy(declaration);
    classes = base === undefined ? [] : classesNamed(checker, base);
  }
  return undefined;
}

/** The expression a class extends (`B` in `class A extends B`), if any. */
function extendedBy(declaration: ts.ClassLikeDeclaration): ts.Node | undefined {
  const base = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  return base === undefined ? undefined : skipOuterExpressions(base.expression);
}

/** The constructor a `super(…)` call runs: the first one up the `extends` chain of the enclosing class. */
function baseConstructor(checker: ts.TypeChecker, call: ts.CallExpression): FunctionNode | undefined {
  let node: ts.Node | undefined = call.parent;
  while (node !== undefined && !ts.isClassLike(node)) node = node.parent;
  const base = node === undefined ? undefined : extendedBy(node);
  return base === undefined ? undefined : constructorRun(checker, base);
}

/** {@link callsInProgram}'s index of each program. */
const programCallIndex = new WeakMap<
  ts.Program,
  ReadonlyMap<FunctionNode, readonly (ts.CallExpression | ts.NewExpression)[]>
>();

const callIndex = new WeakMap<
  ts.Program,
  WeakMap<ts.SourceFile, ReadonlyMap<FunctionNode, readonly (ts.CallExpression | ts.NewExpression)[]>>
>();
