/**
 * Promise-likeness from the checker: a value is Promise-like when its type has
 * a callable `then` property (the same test the language uses for `await`),
 * not when a name looks asynchronous.
 *
 * @module
 */
import { ts } from "./ts.ts";
import { outermost, skipOuterExpressions } from "./functions.ts";

/**
 * Whether `creation` constructs a promise: `new Promise(…)`, also
 * `new this.Promise(…)`, `new Bluebird.Promise(…)` or `new this._Promise(…)`
 * of libraries with a configurable Promise (the platform's name, with any
 * leading underscores).
 *
 * @param creation a `new` expression.
 */
export function isPromiseConstructor(creation: ts.NewExpression): boolean {
  const callee = skipOuterExpressions(creation.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
  return /^_*Promise$/.test(name);
}

/**
 * Whether `fn` is a promise executor: the function passed first to a
 * promise's constructor (see {@link isPromiseConstructor}); its parameters
 * settle that promise, by position (resolve, then reject).
 *
 * @param fn a node, typically a function.
 */
export function isPromiseExecutor(fn: ts.Node): boolean {
  const [wrapped, parent] = outermost(fn);
  return parent !== undefined && ts.isNewExpression(parent) && isPromiseConstructor(parent) &&
    parent.arguments?.[0] === wrapped;
}

/** The methods that link a promise chain: `p.then(…).catch(…).finally(…)`. */
export const PROMISE_CHAIN_METHODS: ReadonlySet<string> = new Set(["then", "catch", "finally"]);

/**
 * Whether `type` (or any member of a union) has a callable `then`.
 * `any` and `unknown` are not Promise-like: nothing can be said of them.
 *
 * @param checker the program's type checker.
 * @param type the type to test.
 * @param at a node the type was read at (needed to read property types).
 * @returns true when awaiting a value of this type would wait on it.
 */
export function isPromiseLikeType(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  if (type.isUnion()) return type.types.some((member) => isPromiseLikeType(checker, member, at));
  const known = promiseLikeCache.get(type);
  if (known !== undefined) return known;
  const then = type.getProperty("then");
  const result = then !== undefined && checker.getTypeOfSymbolAtLocation(then, at).getCallSignatures().length > 0;
  promiseLikeCache.set(type, result);
  return result;
}

/**
 * Answers per type object: the checker interns types, so the many calls
 * returning `Promise<void>` share one entry. Keyed weakly, so one program's
 * types do not outlive it.
 */
const promiseLikeCache = new WeakMap<ts.Type, boolean>();

/**
 * Whether the expression `node` evaluates to a Promise-like value.
 *
 * @param checker the program's type checker.
 * @param node any expression.
 */
export function isPromiseLikeExpression(checker: ts.TypeChecker, node: ts.Node): boolean {
  return isPromiseLikeType(checker, checker.getTypeAtLocation(node), node);
}

/**
 * Whether a function-typed value returns a Promise-like value from any of its
 * call signatures (an `async` function, or one declared to return a promise).
 *
 * @param checker the program's type checker.
 * @param node an expression whose type is a function.
 */
export function returnsPromiseLike(checker: ts.TypeChecker, node: ts.Node): boolean {
  const signatures = checker.getTypeAtLocation(node).getCallSignatures();
  return signatures.some((signature) => isPromiseLikeType(checker, signature.getReturnType(), node));
}

/**
 * Whether `type` is a Promise as typescript-eslint's `no-floating-promises`
 * sees it with its default `checkThenables: false`: the built-in `Promise`
 * or `PromiseLike` of the language's lib files, a class or interface that
 * extends one, or a union or intersection with such a member. A thenable of
 * a library's own (a query builder, an animation's controls) is not.
 *
 * @param program the program (to tell lib files).
 * @param type the type to test.
 */
export function isBuiltinPromiseType(program: ts.Program, type: ts.Type): boolean {
  if (type.isUnionOrIntersection()) return type.types.some((member) => isBuiltinPromiseType(program, member));
  const known = builtinCache.get(type);
  if (known !== undefined) return known;
  builtinCache.set(type, false);
  const symbol = type.getSymbol();
  let result = symbol !== undefined && (symbol.getName() === "Promise" || symbol.getName() === "PromiseLike") &&
    (symbol.getDeclarations() ?? []).some((declaration) =>
      program.isSourceFileDefaultLibrary(declaration.getSourceFile())
    );
  if (!result && type.isClassOrInterface()) {
    result = (type.getBaseTypes() ?? []).some((base) => isBuiltinPromiseType(program, base));
  }
  builtinCache.set(type, result);
  return result;
}

const builtinCache = new WeakMap<ts.Type, boolean>();

/** Whether the checker knows nothing of `type` (`any`, `unknown`, or an error type). */
export function isUntyped(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
}
