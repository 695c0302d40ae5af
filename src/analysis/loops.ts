/**
 * Loops that run until something else stops them, read by what their exit
 * depends on rather than by the words they use. A loop is background work
 * when it yields (awaits, or yields in a compiled async function) and
 * either has no exit in its condition (`while (true)`, `for (;;)`), or its
 * condition reads state that outlives one iteration and that the loop does
 * not drive to its end itself: a field changed by other methods, a variable
 * a callback or another function writes, a platform object's state
 * (`signal.aborted`). A loop whose condition is its own progress (a counter
 * it counts, a list it empties, a cursor it reads) is bounded, and so is a
 * `for await` over what the type says is finite (an array, a stream that
 * ends, a generator of the program, which is judged where it is declared).
 * "Written elsewhere" is answered with the checker's symbols, in the files
 * that declare the state.
 *
 * @module
 */
import { ts } from "./ts.ts";
import { ProgramMemo } from "./memo.ts";
import {
  enclosingFunction,
  type FunctionNode,
  isAsyncFunction,
  isFunctionNode,
  isGeneratorFunction,
  outermost,
  skipOuterExpressions,
  yieldsIn,
} from "./functions.ts";

/**
 * The kind of loop in `body` that keeps running until stopped from
 * outside, without descending into nested functions: `while (true)`,
 * `for (;;)`, `do … while (true)` that yield and do not drain a finite
 * collection (see {@link drainsItems}); a `for await` (or its compiled form,
 * `__asyncValues(x)`/`_asyncIterator(x)`) over something not known to end
 * (see {@link endsByType}); a `while`/`do`/`for` that yields and whose
 * condition depends on state changed from outside the loop and on none the
 * loop drives itself (see {@link dependsOnOutsideState}). A loop that never
 * yields runs to its end before anything else can run: it is not
 * background work. The body of an `async function*` has none: calling it
 * runs nothing, its loops are its consumer's (see {@link endsByType}).
 *
 * @param body a function body (or any node) to search.
 * @param checker the checker of the program `body` belongs to.
 * @returns a short description of the first such loop (`while (true)`,
 *   `for await`, `while (!this.stopped)`), or undefined.
 */
export function findUnboundedLoop(body: ts.Node, checker: ts.TypeChecker): string | undefined {
  return body.parent !== undefined && isAsyncGenerator(body.parent) ? undefined : loopInBody(body, checker);
}

/**
 * Whether a function is an `async function*`: calling one runs none of
 * its body; each step runs when its consumer pulls the next item (`for
 * await`), so its loops belong to that consumer (see {@link endsByType}).
 */
function isAsyncGenerator(fn: ts.Node): fn is FunctionNode {
  return isGeneratorFunction(fn) && isAsyncFunction(fn);
}

/** {@link findUnboundedLoop} for any body, an async generator's included; a body met again while it is searched (a generator iterating itself) has none. */
function loopInBody(body: ts.Node, checker: ts.TypeChecker): string | undefined {
  if (loopCache.has(body)) return loopCache.get(body);
  loopCache.set(body, undefined);
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || isFunctionNode(node)) return;
    found = unboundedLoop(node, checker);
    if (found === undefined) ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  loopCache.set(body, found);
  return found;
}

/** Loop findings per body: many call sites share one callee. */
const loopCache = new ProgramMemo<ts.Node, string | undefined>();

function unboundedLoop(node: ts.Node, checker: ts.TypeChecker): string | undefined {
  if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) {
    return endsByType(node.expression, checker) ? undefined : "for await";
  }
  let condition: ts.Expression | undefined;
  if (ts.isForStatement(node)) {
    const iterated = compiledForAwait(node);
    if (iterated !== undefined) return endsByType(iterated, checker) ? undefined : "for await";
    condition = node.condition;
  } else if (ts.isWhileStatement(node) || ts.isDoStatement(node)) condition = node.expression;
  else return undefined;
  if (!yieldsIn(node)) return undefined;
  const statement = (node as ts.IterationStatement).statement;
  if (condition === undefined || isConstantTrue(condition) || isTrueForever(condition, checker)) {
    if (drainsItems(statement)) return undefined;
    return condition === undefined ? "for (;;)" : "while (true)";
  }
  return dependsOnOutsideState(node as ts.IterationStatement, condition, checker)
    ? `while (${condition.getText().replace(/\s+/g, " ").slice(0, 60)})`
    : undefined;
}

/** `true`, or a non-zero number (`while (1)`, minified code). */
function isConstantTrue(condition: ts.Expression): boolean {
  const inner = skipOuterExpressions(condition);
  return inner.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(inner) && Number(inner.text) !== 0);
}

/**
 * Whether a condition is a flag (a field or variable) declared with the
 * initialiser `true` that nothing changes afterwards, a constructor
 * included (`#running = true` with no `stop()` written yet): it stays true,
 * so it reads as `while (true)` does.
 */
function isTrueForever(condition: ts.Expression, checker: ts.TypeChecker): boolean {
  const state = stateNode(skipOuterExpressions(condition) as ts.Expression);
  if (state === undefined || !(ts.isPropertyAccessExpression(state) || ts.isIdentifier(state))) return false;
  const key = stateKey(state, checker);
  if (key === undefined || typeof key === "string") return false;
  const declarations = key.getDeclarations() ?? [];
  const initialisedTrue = declarations.length === 1 &&
    (ts.isPropertyDeclaration(declarations[0]!) || ts.isVariableDeclaration(declarations[0]!)) &&
    declarations[0]!.initializer?.kind === ts.SyntaxKind.TrueKeyword;
  return initialisedTrue && changesOf(key, state, checker).length === 0;
}

/**
 * A `for` loop a compiler emitted for `for await (… of x)`: its initializer
 * calls TypeScript's `__asyncValues(x)` or Babel's `_asyncIterator(x)`.
 *
 * @returns `x`, or undefined for any other `for` loop.
 */
function compiledForAwait(loop: ts.ForStatement): ts.Expression | undefined {
  const initializer = loop.initializer;
  if (initializer === undefined || !ts.isVariableDeclarationList(initializer)) return undefined;
  for (const declaration of initializer.declarations) {
    const value = declaration.initializer === undefined ? undefined : skipOuterExpressions(declaration.initializer);
    if (value === undefined || !ts.isCallExpression(value)) continue;
    const callee = skipOuterExpressions(value.expression);
    if (ts.isIdentifier(callee) && /^_*async(Values|Iterator)$/i.test(callee.text)) return value.arguments[0];
  }
  return undefined;
}

/**
 * Whether what a `for await` iterates ends, as its type tells: an array,
 * a tuple or another synchronous iterable (a `for await` over promises), a
 * platform stream that ends (`Readable` and what extends it,
 * `ReadableStream`), or the call of a generator function of the program:
 * a synchronous one's loops are judged where it is declared, an `async
 * function*`'s here, since they run only as this loop pulls (it ends when
 * its own body has no loop that runs until stopped). Anything else — an event
 * stream, `on(emitter, …)`, a watch, a subscription, a value without a
 * type — is taken as running until stopped.
 *
 * @param iterated the expression after `of`.
 */
function endsByType(iterated: ts.Expression, checker: ts.TypeChecker): boolean {
  const inner = skipOuterExpressions(iterated);
  if (ts.isCallExpression(inner)) {
    const declaration = checker.getResolvedSignature(inner)?.getDeclaration();
    if (
      declaration !== undefined && !declaration.getSourceFile().isDeclarationFile &&
      (ts.isFunctionDeclaration(declaration) || ts.isFunctionExpression(declaration) ||
        ts.isMethodDeclaration(declaration)) &&
      declaration.asteriskToken !== undefined
    ) {
      return !isAsyncGenerator(declaration) || declaration.body === undefined ||
        loopInBody(declaration.body, checker) === undefined;
    }
  }
  const type = checker.getApparentType(checker.getTypeAtLocation(inner));
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  if (checker.isArrayType(type) || checker.isTupleType(type)) return true;
  const asyncIterator = type.getProperties().some((property) => property.name.startsWith("__@asyncIterator"));
  const iterator = type.getProperties().some((property) => property.name.startsWith("__@iterator"));
  if (iterator && !asyncIterator) return true;
  return extendsPlatformStream(type, checker, new Set());
}

/** Whether a class or interface type is, or extends, a platform stream that ends (`Readable`, `ReadableStream`). */
function extendsPlatformStream(type: ts.Type, checker: ts.TypeChecker, seen: Set<ts.Type>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  const symbol = type.getSymbol();
  if (
    symbol !== undefined && /^(Readable|ReadableStream)$/.test(symbol.name) &&
    (symbol.getDeclarations() ?? []).every((declaration) => declaration.getSourceFile().isDeclarationFile)
  ) return true;
  const target = (type as ts.Type & { target?: ts.Type }).target ?? type;
  const classLike = ((symbol?.flags ?? 0) & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) !== 0;
  if (!(target.flags & ts.TypeFlags.Object) || !classLike) return false;
  return (checker.getBaseTypes(target as ts.InterfaceType) ?? []).some((base) =>
    extendsPlatformStream(base, checker, seen)
  );
}

/**
 * Whether a loop's exit depends on state changed from outside the loop and
 * on none of the loop's own progress. Each piece of state the condition
 * reads (a variable, a field `this.x`/`this.#x`, what a `const` copied from
 * a field, the receiver of a method it calls) is:
 *
 * - *progress* when the loop's own statements (condition and increment
 *   included, nested functions excluded) change it — assign it or a
 *   property of it, count it up or down, delete from it, call a method on
 *   it (`queue.shift()`) — and nothing outside the function holding the
 *   loop does: a counter, a cursor, a list the loop empties;
 * - *outside* when another function, or a callback nested in the loop's
 *   function, changes it (`stop() { this.stopped = true }`, `onClose(() =>
 *   { closed = true })`, `enqueue(x) { this.pending.add(x) }`), or when it
 *   is a property the platform or a library declares and the loop does not
 *   drive (`signal.aborted`, `socket.destroyed`). A constructor's writes
 *   and initialisers set state up, they do not change it later: an option
 *   stored once is neither.
 *
 * A read of a constant, a parameter nobody changes or a call's result is
 * neither.
 */
function dependsOnOutsideState(
  loop: ts.IterationStatement,
  condition: ts.Expression,
  checker: ts.TypeChecker,
): boolean {
  const owner = enclosingFunction(loop);
  let outside = false;
  for (const read of readsOf(condition)) {
    const role = roleOf(read, loop, owner, checker);
    if (role === "progress") return false;
    if (role === "outside") outside = true;
  }
  return outside;
}

/**
 * What a state read is to the code in `region` (a loop, or the function
 * `owner` itself): its `progress` (changed there and by nothing outside
 * `owner`), state changed from `outside` (see {@link dependsOnOutsideState}),
 * or neither (undefined). A constructor's writes and initialisers set the
 * state up; they do not change it later.
 */
function roleOf(
  read: ts.Expression,
  region: ts.Node,
  owner: ts.Node | undefined,
  checker: ts.TypeChecker,
): "progress" | "outside" | undefined {
  const state = stateNode(read);
  const key = state === undefined ? undefined : stateKey(state, checker);
  if (state === undefined || key === undefined) return undefined;
  const changes = changesOf(key, state, checker);
  const here = changes.some((change) => within(change, region) && enclosingFunction(change) === owner);
  const elsewhere = changes.some((change) => {
    const fn = enclosingFunction(change);
    return fn !== owner && (fn === undefined || !ts.isConstructorDeclaration(fn));
  });
  if (here && !elsewhere) return "progress";
  return elsewhere || (!here && platformProperty(read, checker)) ? "outside" : undefined;
}

/** The state reads of a condition: chains of property or element accesses, identifiers, and the receivers of the methods it calls (not the methods). */
function readsOf(condition: ts.Expression): ts.Expression[] {
  const reads: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) return;
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) visit(callee.expression);
      node.arguments.forEach(visit);
    } else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isIdentifier(node)) {
      reads.push(node);
    } else ts.forEachChild(node, visit);
  };
  visit(condition);
  return reads;
}

/**
 * The piece of state a chain reads: for `this.a.b`, `this.a`; for `x.a.b`,
 * `x`; undefined when the chain starts at a call or a literal.
 */
function stateNode(chain: ts.Node): ts.Expression | undefined {
  let current = skipOuterExpressions(chain) as ts.Expression;
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) {
    const base = skipOuterExpressions(current.expression) as ts.Expression;
    if (base.kind === ts.SyntaxKind.ThisKeyword) return current;
    current = base;
  }
  return ts.isIdentifier(current) ? current : undefined;
}

/** What identifies a piece of state across the program: its symbol, or for an untyped `this[key]` its text. */
type StateKey = ts.Symbol | string;

/**
 * The key of a piece of state (see {@link stateNode}). A `const` initialised
 * from a field (`const queue = this.#queue`) stands for the field.
 */
function stateKey(state: ts.Expression, checker: ts.TypeChecker): StateKey | undefined {
  if (stateKeys.has(state)) return stateKeys.get(state) ?? undefined;
  const key = keyOfState(state, checker);
  stateKeys.set(state, key ?? null);
  return key;
}

/** {@link stateKey}'s answers (`null`: none), per program and file: the checker does not keep what a name resolves to. */
const stateKeys = new ProgramMemo<ts.Expression, StateKey | null>();

/** Works out {@link stateKey}'s answer. */
function keyOfState(state: ts.Expression, checker: ts.TypeChecker): StateKey | undefined {
  const named = ts.isPropertyAccessExpression(state) ? state.name : ts.isIdentifier(state) ? state : undefined;
  let symbol = named === undefined ? undefined : checker.getSymbolAtLocation(named);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  if (symbol === undefined) return ts.isIdentifier(state) ? undefined : state.getText().replace(/\s+/g, "");
  const declaration = symbol.valueDeclaration;
  if (
    declaration !== undefined && ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined &&
    ts.isVariableDeclarationList(declaration.parent) && declaration.parent.flags & ts.NodeFlags.Const
  ) {
    const copied = stateNode(declaration.initializer);
    if (copied !== undefined && !ts.isIdentifier(copied)) return stateKey(copied, checker) ?? symbol;
  }
  return symbol;
}

/**
 * Every change of the state `key` names, in the files that declare it and
 * the file of `read`: the state nodes changed (see {@link changedStates}).
 */
function changesOf(key: StateKey, read: ts.Expression, checker: ts.TypeChecker): ts.Node[] {
  const files = new Set<ts.SourceFile>([read.getSourceFile()]);
  if (typeof key !== "string") {
    for (const declaration of key.getDeclarations() ?? []) {
      const file = declaration.getSourceFile();
      if (!file.isDeclarationFile) files.add(file);
    }
  }
  // A `const` copied from a field is changed through either name (`queue.shift()`, `this.#queue.push(x)`).
  const names = new Set([stateName(read)]);
  if (typeof key === "string") names.add(key);
  for (const declaration of typeof key === "string" ? [] : key.getDeclarations() ?? []) {
    const name = (declaration as ts.NamedDeclaration).name;
    if (name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name))) names.add(name.text);
  }
  const found: ts.Node[] = [];
  for (const file of files) {
    for (const changed of [...names].flatMap((name) => changedStates(file).get(name) ?? [])) {
      if (changed === read) continue;
      const changedKey = stateKey(changed, checker);
      if (changedKey === key) found.push(changed);
    }
  }
  return found;
}

/** The name a state node is indexed by: an identifier's or property's name, an element access's text. */
function stateName(state: ts.Expression): string {
  if (ts.isIdentifier(state)) return state.text;
  if (ts.isPropertyAccessExpression(state)) return state.name.text;
  return state.getText().replace(/\s+/g, "");
}

/**
 * The state nodes a file changes, by name: targets of assignments
 * (destructuring included), of `++`/`--` and `delete`, and receivers of
 * method calls (`queue.push(x)`, `this.pending.clear()`), each reduced to
 * its state (see {@link stateNode}). Syntax only, so kept per file.
 */
function changedStates(file: ts.SourceFile): Map<string, ts.Expression[]> {
  const index = changeIndex.get(file);
  if (index !== undefined) return index;
  const built = new Map<string, ts.Expression[]>();
  const add = (target: ts.Node): void => {
    if (ts.isObjectLiteralExpression(target) || ts.isArrayLiteralExpression(target)) {
      const elements: readonly ts.Node[] = ts.isObjectLiteralExpression(target) ? target.properties : target.elements;
      for (const element of elements) {
        if (ts.isPropertyAssignment(element)) add(element.initializer);
        else if (ts.isShorthandPropertyAssignment(element)) add(element.name);
        else if (ts.isSpreadAssignment(element) || ts.isSpreadElement(element)) add(element.expression);
        else add(element);
      }
      return;
    }
    if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      add(target.left);
      return;
    }
    const state = stateNode(target);
    if (state === undefined) return;
    const name = stateName(state);
    const list = built.get(name);
    if (list === undefined) built.set(name, [state]);
    else list.push(state);
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) add(skipOuterExpressions(node.left));
    else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    ) add(node.operand);
    else if (ts.isDeleteExpression(node)) add(node.expression);
    else if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) add(callee.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  changeIndex.set(file, built);
  return built;
}

/** Changed state nodes per file: syntax only, valid for every program that shares the parsed file. */
const changeIndex = new WeakMap<ts.SourceFile, Map<string, ts.Expression[]>>();

/** Whether `node` lies inside `container` (same file). */
function within(node: ts.Node, container: ts.Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.pos >= container.pos && node.end <= container.end;
}

/** Whether a read is of a property declared only by the platform or a library (`signal.aborted`, `socket.destroyed`): state something else changes. */
function platformProperty(read: ts.Expression, checker: ts.TypeChecker): boolean {
  if (!ts.isPropertyAccessExpression(read)) return false;
  const declarations = checker.getSymbolAtLocation(read.name)?.getDeclarations() ?? [];
  return declarations.length > 0 &&
    declarations.every((declaration) => declaration.getSourceFile().isDeclarationFile);
}

/**
 * Whether an endless loop's body drains a finite collection or reads a
 * cursor to its end: one of its own statements takes the next item into a
 * local (`const path = paths[index]`, `const job = queue.shift()`, `const
 * step = it.next()`, `const { done, value } = await reader.read()`) and a
 * following `if` leaves the loop (`break`/`return`, alone or ending its
 * block) when there is none (`if (!path) break;`, `if (job === undefined)
 * return;`, `if (step.done) break;`, `if (done) { finish(); return; }`): a
 * worker taking files from a shared list stops when the list is used up.
 */
function drainsItems(body: ts.Statement): boolean {
  if (!ts.isBlock(body)) return false;
  const items = new Set<string>();
  for (const statement of body.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (declaration.initializer === undefined || !takesNextItem(declaration.initializer)) continue;
        if (ts.isIdentifier(declaration.name)) items.add(declaration.name.text);
        else if (ts.isObjectBindingPattern(declaration.name)) {
          // `const { done, value } = await reader.read()`: `done` says the cursor is used up.
          for (const element of declaration.name.elements) {
            const property = element.propertyName ?? element.name;
            if (ts.isIdentifier(property) && property.text === "done" && ts.isIdentifier(element.name)) {
              items.add(`!${element.name.text}`);
            }
          }
        }
      }
    } else if (
      ts.isIfStatement(statement) && leavesLoop(statement.thenStatement) && testsAbsence(statement.expression, items)
    ) {
      return true;
    }
  }
  return false;
}

/** `list[i]`, `queue.shift()`, `stack.pop()`, `iterator.next()`, `queue.dequeue()`, `await reader.read()`: reading the next item of a collection or cursor. */
function takesNextItem(value: ts.Expression): boolean {
  let inner = skipOuterExpressions(value);
  if (ts.isAwaitExpression(inner)) inner = skipOuterExpressions(inner.expression);
  if (ts.isElementAccessExpression(inner)) return true;
  if (!ts.isCallExpression(inner)) return false;
  const callee = skipOuterExpressions(inner.expression);
  return ts.isPropertyAccessExpression(callee) && /^(shift|pop|next|dequeue|take|read)$/.test(callee.name.text);
}

/** `break`, `return`, alone or as the last statement of a block. */
function leavesLoop(statement: ts.Statement): boolean {
  const last = ts.isBlock(statement) ? statement.statements[statement.statements.length - 1] : statement;
  return last !== undefined && (ts.isBreakStatement(last) || ts.isReturnStatement(last));
}

/** `!item`, `item === undefined`, `item == null`, `item.done`, `done` (read with the item): no item was taken. */
function testsAbsence(condition: ts.Expression, items: ReadonlySet<string>): boolean {
  const inner = skipOuterExpressions(condition);
  if (ts.isIdentifier(inner) && items.has(`!${inner.text}`)) return true;
  const isItem = (node: ts.Node): boolean =>
    ts.isIdentifier(skipOuterExpressions(node)) && items.has((skipOuterExpressions(node) as ts.Identifier).text);
  if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
    return isItem(inner.operand);
  }
  if (ts.isPropertyAccessExpression(inner) && inner.name.text === "done") return isItem(inner.expression);
  if (
    ts.isBinaryExpression(inner) &&
    [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(inner.operatorToken.kind)
  ) {
    const absent = (node: ts.Node): boolean => {
      const value = skipOuterExpressions(node);
      return value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === "undefined");
    };
    return (isItem(inner.left) && absent(inner.right)) || (isItem(inner.right) && absent(inner.left));
  }
  return false;
}

/**
 * Whether an `if` condition is a run or stop flag: `true`, or boolean state
 * (the checker types it `boolean`) — a field (`this.stopped`,
 * `this.#running`), a platform object's (`signal.aborted`) or a variable —
 * negated or combined with `&&`/`||` (`!(this.stopping ||
 * this.suspended)`), with no comparison or call, at least one of them
 * changed from outside the function holding the `if` (by another method
 * than the constructor, a callback, the platform: see
 * {@link dependsOnOutsideState}), and there only switched to `true` or
 * `false` (see {@link switchedOutside}): what keeps a loop going until it is
 * stopped from outside, as opposed to a condition on an amount that clears
 * by itself (`socket.bufferedAmount > limit`), on an object being there
 * (`!this.socket`) or on an option set once (`this.loadBalanced`).
 *
 * @param condition an `if` condition.
 * @param checker the checker of the program `condition` belongs to.
 */
export function isRunCondition(condition: ts.Expression, checker: ts.TypeChecker): boolean {
  const inner = skipOuterExpressions(condition) as ts.Expression;
  if (isConstantTrue(inner) || isTrueForever(inner, checker)) return true;
  const owner = enclosingFunction(condition);
  const flags: ts.Expression[] = [];
  const isFlag = (node: ts.Expression): boolean => {
    const expression = skipOuterExpressions(node) as ts.Expression;
    if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.ExclamationToken) {
      return isFlag(expression.operand);
    }
    if (
      ts.isBinaryExpression(expression) && (expression.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ||
        expression.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    ) return isFlag(expression.left) && isFlag(expression.right);
    flags.push(expression);
    return (ts.isPropertyAccessExpression(expression) || ts.isIdentifier(expression)) &&
      (checker.getNonNullableType(checker.getTypeAtLocation(expression)).flags & ts.TypeFlags.BooleanLike) !== 0;
  };
  return isFlag(inner) &&
    flags.some((flag) =>
      roleOf(flag, owner ?? condition.getSourceFile(), owner, checker) === "outside" &&
      switchedOutside(flag, owner, checker)
    );
}

/**
 * Whether a read in a condition is a request flag: state that other code
 * raises and the work it guards lowers, so the flag records work asked for
 * while a run was busy. The function holding the condition lowers it
 * itself (assigns it `false`, `null`, `undefined` or `0`, or deletes it:
 * `this.fetchAgain = false` at the start of a fetch, `again = false` before
 * the restart), and another function — a method, a callback, not the
 * constructor, which only sets it up — raises it (assigns it any other
 * value or counts it up: `ask() { this.rerun = true }`), or the function
 * itself does where it refuses a run and returns (`if (this.busy) {
 * this.rerun = true; return; }`).
 * Each run consumes the request, so a start guarded by the flag happens
 * once per request and the work drains. What the flag is called plays no
 * part; a flag the guarded work raises itself on a run it goes on with, or
 * that only other code lowers (a run flag `stop()` clears), is no request.
 *
 * @param read an identifier or `this.x`/`this.#x` read in a condition.
 * @param checker the checker of the program `read` belongs to.
 */
export function isRequestFlag(read: ts.Expression, checker: ts.TypeChecker): boolean {
  let answer = requestFlags.get(read);
  if (answer === undefined) requestFlags.set(read, answer = readsRequestFlag(read, checker));
  return answer;
}

/** {@link isRequestFlag}'s answers, per program and file. */
const requestFlags = new ProgramMemo<ts.Expression, boolean>();

/** Works out {@link isRequestFlag}'s answer. */
function readsRequestFlag(read: ts.Expression, checker: ts.TypeChecker): boolean {
  const state = stateNode(read);
  const owner = enclosingFunction(read);
  if (state !== skipOuterExpressions(read) || owner === undefined) return false;
  const key = stateKey(state, checker);
  if (key === undefined) return false;
  let lowered = false;
  let raised = false;
  for (const change of changesOf(key, state, checker)) {
    const fn = enclosingFunction(change);
    const lowers = lowersState(change);
    if (fn === owner && lowers) lowered = true;
    else if (
      !lowers && fn !== undefined && !ts.isConstructorDeclaration(fn) && (fn !== owner || refusesRun(change, owner))
    ) raised = true;
  }
  return lowered && raised;
}

/**
 * Whether a change sits in a conditional block of `owner` that then leaves
 * it (its last statement a `return` or `throw`): a run refused, with the
 * request recorded for later (`if (this.isResetting) { this.pendingReset =
 * args; return; }`).
 */
function refusesRun(change: ts.Node, owner: FunctionNode): boolean {
  let statement: ts.Node = change;
  while (statement.parent !== undefined && !ts.isBlock(statement.parent) && statement.parent !== owner) {
    statement = statement.parent;
  }
  const block = statement.parent;
  if (block === undefined || !ts.isBlock(block) || block === owner.body) return false;
  const last = block.statements[block.statements.length - 1];
  return last !== undefined && (ts.isReturnStatement(last) || ts.isThrowStatement(last));
}

/** Whether a change of state (see {@link changedStates}) empties it: `= false`, `= null`, `= undefined`, `= 0`, `delete`. */
function lowersState(change: ts.Node): boolean {
  const [, parent] = outermost(change);
  if (parent !== undefined && ts.isDeleteExpression(parent)) return true;
  if (
    parent === undefined || !ts.isBinaryExpression(parent) ||
    parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken || skipOuterExpressions(parent.left) !== change
  ) return false;
  const value = skipOuterExpressions(parent.right);
  return value.kind === ts.SyntaxKind.FalseKeyword || value.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(value) && value.text === "undefined") || (ts.isNumericLiteral(value) && Number(value.text) === 0);
}

/**
 * Whether every change of a flag's state outside `owner` switches it to
 * `true` or `false` (`stop() { this.running = false }`): a flag something
 * turns on and off, not a value computed from data (`this.compressed =
 * (byte & 0x40) !== 0` per frame). A constructor only sets it up. A
 * platform property nobody in the program changes is switched by the
 * platform.
 */
function switchedOutside(flag: ts.Expression, owner: ts.Node | undefined, checker: ts.TypeChecker): boolean {
  const state = stateNode(flag);
  const key = state === undefined ? undefined : stateKey(state, checker);
  if (state === undefined || key === undefined) return false;
  return changesOf(key, state, checker).every((change) => {
    const fn = enclosingFunction(change);
    if (fn === owner || (fn !== undefined && ts.isConstructorDeclaration(fn))) return true;
    const parent = change.parent;
    if (!ts.isBinaryExpression(parent) || parent.left !== change) return false;
    const value = skipOuterExpressions(parent.right);
    return parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword);
  });
}
