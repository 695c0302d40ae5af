/**
 * A promise's settle functions, recognised by where they come from rather
 * than by their names:
 *
 * - the executor handed to `new Promise(executor)` (also `new
 *   this.Promise(…)`, `new Bluebird.Promise(…)`: libraries with a
 *   configurable Promise) gets the promise's resolve function as its first
 *   parameter and its reject function as its second, whatever they are
 *   called (`(done, fail) => …`);
 * - a parameter of a function of the program is one when every call of that
 *   function in the program's own sources (at least one) passes a settle
 *   function of the same kind at its position (`new Promise((resolve,
 *   reject) => poll(resolve, reject))`: `poll`'s parameters), followed
 *   through any number of such hand-overs;
 * - a variable or property is one when every value the program stores in it
 *   is a settle function of one kind (a deferred: `this.finish = resolve`
 *   in the executor, then `this.finish()`; `null` or `undefined` stored
 *   after settling does not count), and so are the `resolve` and `reject`
 *   of `Promise.withResolvers()` (a platform API);
 * - a wrapper's value (`this.resolve = this.convert(resolve)`, where the
 *   program's `convert` calls the parameter it is given, see
 *   `wrappedFunction`) settles as what it wraps.
 *
 * A function named `resolve` that is none of these (`path.resolve`, a DNS
 * lookup) is an ordinary call.
 *
 * @module
 */
import { ts } from "./ts.ts";
import { ProgramMemo } from "./memo.ts";
import { readFile } from "./reads.ts";
import { scriptSymbol } from "./declarations.ts";
import { type FunctionNode, isFunctionNode, returnedExpressions, skipOuterExpressions } from "./functions.ts";
import { callersOf, resolveFunction, wrappedArguments } from "./calls.ts";
import { isPromiseExecutor } from "./promise.ts";

/** What a settle function does to its promise. */
export type SettleKind = "resolve" | "reject";

/**
 * What a value settles, when it is a settle function (see the module
 * documentation): an identifier naming a parameter, variable or
 * `Promise.withResolvers()` binding, or a property access (`this.reject`,
 * `deferred.resolve`) whose property holds only settle functions.
 *
 * @param checker the program's type checker.
 * @param value an expression (a callee, an argument, an assigned value).
 * @returns `resolve` or `reject`, or undefined when the value is no settle function.
 */
export function settleKindOf(checker: ts.TypeChecker, value: ts.Node): SettleKind | undefined {
  const known = settleKinds.get(value);
  if (known !== undefined) return known ?? undefined;
  const kind = kindOf(checker, value, new Set());
  const found = kind === CYCLE ? undefined : kind;
  settleKinds.set(value, found ?? null);
  return found;
}

/** Per value: what it settles, asked afresh ({@link settleKindOf}); every call expression the failure analysis weighs asks it of its callee. */
const settleKinds = new ProgramMemo<ts.Node, SettleKind | null>();

/** A value met again while its own kind is being worked out (`retry(resolve, reject)` inside `retry`): it adds nothing. */
const CYCLE = "cycle";

/** A kind, or {@link CYCLE}, or undefined (no settle function). */
type Found = SettleKind | typeof CYCLE | undefined;

/** The one kind `values` agree on, cycles left out; undefined when one is no settle function, they disagree, or none has a kind. */
function agreed(values: Iterable<Found>): SettleKind | undefined {
  let found: SettleKind | undefined;
  for (const value of values) {
    if (value === CYCLE) continue;
    if (value === undefined || (found !== undefined && value !== found)) return undefined;
    found = value;
  }
  return found;
}

/**
 * Whether `fn` works for one promise: it is that promise's executor (see
 * `isPromiseExecutor` in promise.ts), or one of its parameters is a settle
 * function (every caller hands it the same kind, see the module
 * documentation), so its work lasts until that promise settles.
 *
 * @param checker the program's type checker.
 * @param fn a function.
 */
export function settlesGivenPromise(checker: ts.TypeChecker, fn: FunctionNode): boolean {
  return isPromiseExecutor(fn) ||
    fn.parameters.some((parameter) => {
      const kind = parameterKind(checker, parameter, new Set());
      return kind !== undefined && kind !== CYCLE;
    });
}

function kindOf(checker: ts.TypeChecker, value: ts.Node, seen: Set<ts.Node>): Found {
  const inner = skipOuterExpressions(value);
  // A wrapper's value runs what it wraps: `this.resolve = this.convert(resolve)` settles as `resolve` does.
  if (ts.isCallExpression(inner)) {
    return agreed(wrappedArguments(checker, inner).map((argument) => kindOf(checker, argument, seen)));
  }
  if (!ts.isIdentifier(inner) && !ts.isPropertyAccessExpression(inner)) return undefined;
  // `d.reject` where `d` holds deferreds: the member those deferreds carry.
  if (ts.isPropertyAccessExpression(inner)) {
    const held = heldDeferreds(checker, inner.expression, seen);
    if (held !== undefined) return agreed(held.map((deferred) => deferred.members.get(inner.name.text)));
  }
  // `{ resolve }`: the value is the variable of that name, not the property it makes.
  const symbol = ts.isShorthandPropertyAssignment(inner.parent) && inner.parent.name === inner
    ? checker.getShorthandAssignmentValueSymbol(inner.parent)
    : checker.getSymbolAtLocation(ts.isIdentifier(inner) ? inner : inner.name);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (declaration === undefined) return undefined;
  if (ts.isParameter(declaration)) return parameterKind(checker, declaration, seen);
  if (ts.isBindingElement(declaration)) return bindingKind(checker, declaration, seen);
  return storedKind(checker, symbol!, seen);
}

/** What a parameter settles: an executor's first or second, or what every caller passes there. */
function parameterKind(checker: ts.TypeChecker, parameter: ts.ParameterDeclaration, seen: Set<ts.Node>): Found {
  const fn = parameter.parent;
  if (!isFunctionNode(fn)) return undefined;
  const index = fn.parameters.indexOf(parameter);
  if (isPromiseExecutor(fn)) return index === 0 ? "resolve" : index === 1 ? "reject" : undefined;
  if (seen.has(parameter)) return CYCLE;
  const known = parameterKinds.get(parameter);
  if (known !== undefined) return known ?? undefined;
  seen.add(parameter);
  const found = agreed(
    callersOf(checker, fn).map((call) => {
      const argument = call.arguments[index];
      return argument === undefined ? undefined : kindOf(checker, argument, seen);
    }),
  );
  seen.delete(parameter);
  // Only an answer reached outside any cycle is final: inside one, a caller still being worked out was left out.
  if (seen.size === 0) parameterKinds.set(parameter, found ?? null);
  return found;
}

const parameterKinds = new ProgramMemo<ts.ParameterDeclaration, SettleKind | null>();

/**
 * A binding of an object pattern (`const { resolve } = value`): the
 * property it reads, as a stored value (`const { promise, resolve } =
 * createDeferred()` with `createDeferred` returning `{ promise, resolve }`),
 * or for `Promise.withResolvers()` the platform's names for its settle
 * functions.
 */
function bindingKind(checker: ts.TypeChecker, binding: ts.BindingElement, seen: Set<ts.Node>): Found {
  const declaration = binding.parent.parent;
  const property = binding.propertyName ?? binding.name;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer === undefined || !ts.isIdentifier(property)) {
    return undefined;
  }
  const init = skipOuterExpressions(declaration.initializer);
  const callee = ts.isCallExpression(init) ? skipOuterExpressions(init.expression) : undefined;
  if (
    callee !== undefined && ts.isPropertyAccessExpression(callee) && callee.name.text === "withResolvers" &&
    ts.isIdentifier(callee.expression) && callee.expression.text === "Promise"
  ) {
    return property.text === "resolve" || property.text === "reject" ? property.text : undefined;
  }
  const symbol = checker.getTypeAtLocation(init).getProperty(property.text);
  return symbol === undefined ? undefined : storedKind(checker, symbol, seen);
}

/**
 * What a variable or property settles: every value stored in it (its
 * initialiser, assignments `x = v`/`a.x = v`, object literal entries `{ x:
 * v }`/`{ x }` in the files that declare it) is a settle function of one
 * kind; values `null`/`undefined` are not counted, and at least one must be
 * a settle function.
 */
function storedKind(checker: ts.TypeChecker, symbol: ts.Symbol, seen: Set<ts.Node>): Found {
  const first = symbol.declarations?.[0];
  if (first === undefined) return undefined;
  if (seen.has(first)) return CYCLE;
  // Only an answer asked outside any other question is final, and only such a question reads it (see `parameterKind`).
  const outermost = seen.size === 0;
  const known = outermost ? storedKinds.get(symbol) : undefined;
  if (known !== undefined) return known ?? undefined;
  const values = storedValues(checker, symbol);
  seen.add(first);
  const kinds = values?.map((value) => kindOf(checker, value, seen));
  seen.delete(first);
  const found = kinds === undefined ? undefined : agreed(kinds);
  if (outermost) storedKinds.set(symbol, found ?? null);
  return found;
}

/** Per variable or property symbol (stores are matched to the symbol itself): what it settles, asked outside any other question ({@link storedKind}). */
const storedKinds = new ProgramMemo<ts.Symbol, SettleKind | null>();

/**
 * The values the program stores in a variable or property (see
 * {@link storesIn}; `null`/`undefined` left out), or undefined when it is
 * declared in a declaration file (its stores are not in the program).
 */
function storedValues(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Node[] | undefined {
  const files = new Set((symbol.declarations ?? []).map((declaration) => declaration.getSourceFile()));
  if (files.size === 0 || [...files].some((file) => file.isDeclarationFile)) return undefined;
  const values: ts.Node[] = [];
  for (const file of files) {
    readFile(file.fileName);
    for (const [target, value] of storesIn(file).get(symbol.name) ?? []) {
      const stored = skipOuterExpressions(value);
      const empty = stored.kind === ts.SyntaxKind.NullKeyword ||
        (ts.isIdentifier(stored) && stored.text === "undefined");
      if (!empty && storesInto(checker, target, symbol)) values.push(stored);
    }
  }
  return values;
}

/**
 * A deferred: a promise handed out with settle functions attached to it as
 * members, `Object.assign(promise, { resolve, reject })` (the members of an
 * object literal, or of every object literal stored in the variable given
 * there: `methods = { resolve, reject }` in the executor), by member name.
 */
export interface Deferred {
  /** The promise the members are attached to (`Object.assign`'s first argument). */
  promise: ts.Node;
  /** What each member that is a settle function settles, by member name. */
  members: ReadonlyMap<string, SettleKind>;
}

/**
 * The deferreds a holder — a variable or property (`d`, `this._done`) —
 * holds: every value the program stores in it (at least one) is a call
 * that makes a deferred, `Object.assign(promise, members)` itself or a call
 * of the program's function every return of which makes one (`deferred()`).
 * Undefined when a stored value is anything else.
 *
 * @param checker the program's type checker.
 * @param holder an identifier or property access.
 */
export function heldDeferreds(
  checker: ts.TypeChecker,
  holder: ts.Node,
  seen: Set<ts.Node> = new Set(),
): Deferred[] | undefined {
  const symbol = holderSymbol(checker, holder);
  const first = symbol?.declarations?.[0];
  if (symbol === undefined || first === undefined || seen.has(first)) return undefined;
  const known = deferredHolders.get(first);
  if (known !== undefined) return known ?? undefined;
  const values = storedValues(checker, symbol);
  if (values === undefined || values.length === 0) {
    deferredHolders.set(first, null); // whoever asks: nothing is stored there
    return undefined;
  }
  const outermost = seen.size === 0;
  seen.add(first);
  const made = values.map((value) => madeDeferreds(checker, value, seen));
  seen.delete(first);
  const found = made.every((deferreds) => deferreds !== undefined) ? made.flat() : undefined;
  // Only an answer reached outside any other question is final (see `parameterKind`).
  if (outermost) deferredHolders.set(first, found ?? null);
  return found;
}

const deferredHolders = new ProgramMemo<ts.Node, Deferred[] | null>();

/** The variable or property `holder` names (an identifier, or a property access's property), if the checker knows it. */
function holderSymbol(checker: ts.TypeChecker, holder: ts.Node): ts.Symbol | undefined {
  const inner = skipOuterExpressions(holder);
  const symbol = ts.isIdentifier(inner)
    ? checker.getSymbolAtLocation(inner)
    : ts.isPropertyAccessExpression(inner)
    ? checker.getSymbolAtLocation(inner.name)
    : undefined;
  // A compiled package's `.d.ts` stands for the script beside it.
  return symbol === undefined ? undefined : scriptSymbol(checker, symbol);
}

/** The deferreds the expression `value` makes (see {@link heldDeferreds}), or undefined when it is not known to make one. */
function madeDeferreds(checker: ts.TypeChecker, value: ts.Node, seen: Set<ts.Node>): Deferred[] | undefined {
  const call = skipOuterExpressions(value);
  if (!ts.isCallExpression(call)) return undefined;
  const callee = skipOuterExpressions(call.expression);
  if (
    ts.isPropertyAccessExpression(callee) && callee.name.text === "assign" && ts.isIdentifier(callee.expression) &&
    callee.expression.text === "Object" && call.arguments.length >= 2
  ) {
    const members = new Map<string, SettleKind>();
    for (const source of call.arguments.slice(1)) {
      for (const [name, member] of sourceMembers(checker, source)) {
        const kind = kindOf(checker, member, seen);
        if (kind === "resolve" || kind === "reject") members.set(name, kind);
      }
    }
    return members.size > 0 ? [{ promise: call.arguments[0]!, members }] : undefined;
  }
  const fn = resolveFunction(checker, callee);
  if (fn === undefined || fn.body === undefined || seen.has(fn)) return undefined;
  const returned = returnedExpressions(fn);
  seen.add(fn);
  const made = returned.map((expression) => madeDeferreds(checker, expression, seen));
  seen.delete(fn);
  return returned.length > 0 && made.every((found) => found !== undefined) ? made.flat() : undefined;
}

/**
 * The members an `Object.assign` source gives, as `[name, value]`: the
 * properties of an object literal (`{ resolve, reject }`, `{ cancel: fn }`),
 * or of every object literal stored in the variable named there.
 */
function sourceMembers(checker: ts.TypeChecker, source: ts.Node): [string, ts.Node][] {
  const inner = skipOuterExpressions(source);
  const literals = ts.isObjectLiteralExpression(inner)
    ? [inner]
    : ts.isIdentifier(inner)
    ? (storedValuesOf(checker, inner) ?? []).filter(ts.isObjectLiteralExpression)
    : [];
  return literals.flatMap((literal) =>
    literal.properties.flatMap((property): [string, ts.Node][] =>
      ts.isPropertyAssignment(property) && ts.isIdentifier(property.name)
        ? [[property.name.text, property.initializer]]
        : ts.isShorthandPropertyAssignment(property)
        ? [[property.name.text, property.name]]
        : []
    )
  );
}

/** {@link storedValues} of the variable `name` refers to. */
function storedValuesOf(checker: ts.TypeChecker, name: ts.Identifier): ts.Node[] | undefined {
  const symbol = checker.getSymbolAtLocation(name);
  return symbol === undefined ? undefined : storedValues(checker, symbol);
}

/**
 * Whether the files that declare the holder `holder` (see
 * {@link heldDeferreds}), or the file `holder` is read in, read one of `members` on it (`d.reject`, also
 * through `this.done` in another method) or hand the holder itself to a
 * call (the callee could settle it): either may reject its promise.
 *
 * @param checker the program's type checker.
 * @param holder an identifier or property access.
 * @param members the names of the members to look for.
 */
export function holderMembersRead(checker: ts.TypeChecker, holder: ts.Node, members: ReadonlySet<string>): boolean {
  const symbol = holderSymbol(checker, holder);
  if (symbol === undefined) return true;
  const files = new Set((symbol.declarations ?? []).map((declaration) => declaration.getSourceFile()));
  files.add(holder.getSourceFile());
  for (const file of files) {
    const uses = holderUses(file).get(symbol.name) ?? [];
    if (
      uses.some((use) =>
        (use.member === undefined || members.has(use.member)) && holderSymbol(checker, use.holder) === symbol
      )
    ) return true;
  }
  return false;
}

/**
 * Per file, by holder name: each member read on a name or property access
 * (`d.reject` → `{ holder: d, member: "reject" }`), and each name or
 * property access handed to a call as an argument (`member` undefined).
 * Syntax only, so kept per file.
 */
function holderUses(file: ts.SourceFile): Map<string, { holder: ts.Node; member: string | undefined }[]> {
  const known = usesIndex.get(file);
  if (known !== undefined) return known;
  const index = new Map<string, { holder: ts.Node; member: string | undefined }[]>();
  const add = (holder: ts.Node, member: string | undefined): void => {
    const inner = skipOuterExpressions(holder);
    const name = ts.isIdentifier(inner) ? inner : ts.isPropertyAccessExpression(inner) ? inner.name : undefined;
    if (name === undefined || ts.isPrivateIdentifier(name)) return;
    const list = index.get(name.text);
    if (list === undefined) index.set(name.text, [{ holder: inner, member }]);
    else list.push({ holder: inner, member });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) add(node.expression, node.name.text);
    else if (ts.isCallExpression(node)) node.arguments.forEach((argument) => add(argument, undefined));
    ts.forEachChild(node, visit);
  };
  visit(file);
  usesIndex.set(file, index);
  return index;
}

const usesIndex = new WeakMap<ts.SourceFile, Map<string, { holder: ts.Node; member: string | undefined }[]>>();

/** Whether a store's target (see {@link storesIn}) is the variable or property `symbol`. */
function storesInto(checker: ts.TypeChecker, target: ts.Node, symbol: ts.Symbol): boolean {
  if (symbol.declarations?.includes(target as ts.Declaration)) return true;
  if (!ts.isIdentifier(target) && !ts.isPropertyAccessExpression(target)) return false;
  return checker.getSymbolAtLocation(ts.isPropertyAccessExpression(target) ? target.name : target) === symbol;
}

/**
 * The stores of one file, by the name stored under: `[target, value]` for
 * `x = v`, `a.x = v` (target the name or access), `let x = v`, a class
 * field's initialiser, `{ x: v }` and `{ x }` (target the declaration).
 * Syntax only, so kept per file.
 */
function storesIn(file: ts.SourceFile): Map<string, [ts.Node, ts.Node][]> {
  const known = storeIndex.get(file);
  if (known !== undefined) return known;
  const index = new Map<string, [ts.Node, ts.Node][]>();
  const add = (name: ts.Identifier | ts.PrivateIdentifier, target: ts.Node, value: ts.Node): void => {
    const list = index.get(name.text);
    if (list === undefined) index.set(name.text, [[target, value]]);
    else list.push([target, value]);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = skipOuterExpressions(node.left);
      if (ts.isIdentifier(left)) add(left, left, node.right);
      else if (ts.isPropertyAccessExpression(left)) add(left.name, left, node.right);
    } else if (
      (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && node.initializer !== undefined &&
      (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))
    ) {
      add(node.name, node, node.initializer);
    } else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      add(node.name, node, node.initializer);
    } else if (ts.isShorthandPropertyAssignment(node)) add(node.name, node, node.name);
    ts.forEachChild(node, visit);
  };
  visit(file);
  storeIndex.set(file, index);
  return index;
}

const storeIndex = new WeakMap<ts.SourceFile, Map<string, [ts.Node, ts.Node][]>>();
