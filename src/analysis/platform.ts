/**
 * Whether a name resolves to the platform (the language's lib files, Node's
 * `@types/node`, Deno's or Bun's declarations) or to the user's own code.
 * Rules use it so that a local function named `setTimeout` is not a timer.
 *
 * @module
 */
import type { ts } from "./ts.ts";

/**
 * Where a name was declared: `platform` (lib, `@types/node`, Deno, Bun),
 * `user` (any other declaration), or `unresolved` (the checker found no
 * declaration, e.g. no lib or types for it in this program).
 */
export type Origin = "platform" | "user" | "unresolved";

const PLATFORM_PATH =
  /[\\/]node_modules[\\/](@types[\\/](node|deno|bun)|bun-types|@deno[\\/]types)[\\/]|lib\.deno[\w.]*\.d\.ts$/;

/**
 * Where the declarations of a name (from `declarationsOf`, so import
 * aliases are already followed) come from.
 *
 * @param program the program the declarations belong to.
 * @param declarations the name's declarations.
 */
export function originOf(program: ts.Program, declarations: readonly ts.Declaration[]): Origin {
  if (declarations.length === 0) return "unresolved";
  const platform = declarations.every((declaration) => {
    const file = declaration.getSourceFile();
    return program.isSourceFileDefaultLibrary(file) || PLATFORM_PATH.test(file.fileName);
  });
  return platform ? "platform" : "user";
}
