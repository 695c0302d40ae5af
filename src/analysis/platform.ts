/**
 * Whether a name resolves to the platform (the language's lib files, Node's
 * `@types/node`, Deno's or Bun's declarations) or to the user's own code.
 * Rules use it so that a local function named `setTimeout` is not a timer.
 *
 * @module
 */
import { ts } from "ts-morph";

/**
 * Where a name was declared: `platform` (lib, `@types/node`, Deno, Bun),
 * `user` (any other declaration), or `unresolved` (the checker found no
 * declaration, e.g. no lib or types for it in this program).
 */
export type Origin = "platform" | "user" | "unresolved";

const PLATFORM_PATH = /[\\/]node_modules[\\/](@types[\\/](node|deno|bun)|bun-types|@deno[\\/]types)[\\/]|lib\.deno[\w.]*\.d\.ts$/;

/**
 * Resolves `name` (an identifier, or the name of a property access such as
 * `globalThis.setTimeout` / `timers.setTimeout`) to where it was declared,
 * following import aliases.
 *
 * @param program the program the node belongs to.
 * @param checker its type checker.
 * @param name the identifier to resolve.
 */
export function originOf(program: ts.Program, checker: ts.TypeChecker, name: ts.Node): Origin {
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol === undefined) return "unresolved";
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declarations = symbol.getDeclarations() ?? [];
  if (declarations.length === 0) return "unresolved";
  const platform = declarations.every((declaration) => {
    const file = declaration.getSourceFile();
    return program.isSourceFileDefaultLibrary(file) || PLATFORM_PATH.test(file.fileName);
  });
  return platform ? "platform" : "user";
}
