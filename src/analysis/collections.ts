/**
 * Calls of the language's own collection methods (`list.push(x)`,
 * `queue.shift()`, `map.set(k, v)`, `Object.keys(o)`), known by where the
 * checker finds their declaration — an interface of TypeScript's lib
 * (`lib.es5.d.ts`, `lib.es2015.collection.d.ts`, …) — never by the method's
 * name alone: a project's own `push` or `add` is an ordinary call. These
 * methods do not throw on well-formed arguments; the callbacks some of them
 * run (`forEach`, `map`, `every`, …) are the caller's to judge.
 *
 * @module
 */
import { ts } from "./ts.ts";
import { skipOuterExpressions } from "./functions.ts";
import { programOf } from "./declarations.ts";
import { originOf } from "./platform.ts";

/** The lib interfaces every method of which is a collection method: arrays, maps and sets. */
const COLLECTION_INTERFACES: ReadonlySet<string> = new Set([
  "Array",
  "ReadonlyArray",
  "Map",
  "ReadonlyMap",
  "Set",
  "ReadonlySet",
  "WeakMap",
  "WeakSet",
]);

/** Static methods of the lib's constructors that only read or copy a collection. */
const STATIC_COLLECTION_METHODS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["ObjectConstructor", new Set(["keys", "values", "entries", "getOwnPropertyNames"])],
  ["ArrayConstructor", new Set(["isArray", "from", "of"])],
]);

/** Methods that throw when the array is empty and no initial value is given. */
const NEEDS_INITIAL_VALUE: ReadonlySet<string> = new Set(["reduce", "reduceRight"]);

/**
 * Whether `call` calls a collection method of the platform (see the module
 * doc): every declaration the checker finds for the called property is a
 * member of `Array`, `ReadonlyArray`, `Map`, `Set` (and their read-only and
 * weak forms) in the platform's declarations (`originOf`: the lib files, `@types/node`, Deno's), or `Object.keys`/`values`/`entries`/
 * `getOwnPropertyNames`, `Array.isArray`/`from`/`of`. `reduce` and
 * `reduceRight` count only with an initial value (without one they throw
 * on an empty array). A receiver the checker cannot type (`any`) has no
 * declaration and does not count.
 *
 * @param checker the program's type checker.
 * @param call a call expression.
 */
export function isCollectionCall(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const name = callee.name.text;
  if (NEEDS_INITIAL_VALUE.has(name) && call.arguments.length < 2) return false;
  const program = programOf(checker);
  const declarations = checker.getSymbolAtLocation(callee.name)?.declarations ?? [];
  if (program === undefined || originOf(program, declarations) !== "platform") return false;
  return declarations.every((declaration) => {
    const owner = declaration.parent;
    if (!ts.isInterfaceDeclaration(owner)) return false;
    return COLLECTION_INTERFACES.has(owner.name.text) ||
      STATIC_COLLECTION_METHODS.get(owner.name.text)?.has(name) === true;
  });
}
