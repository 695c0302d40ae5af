/**
 * Finding the TypeScript that typescript-eslint's parser builds programs
 * with, so the analysis reads their syntax kinds with the same numbers
 * (`src/analysis/ts.ts`). typescript-eslint loads `typescript` from
 * `@typescript-eslint/typescript-estree`, so it is resolved along that
 * chain: `typescript-eslint` (or `@typescript-eslint/parser`) →
 * `@typescript-eslint/typescript-estree` → `typescript`, each from the one
 * before, which holds in flat and in strict (pnpm) installs alike.
 *
 * @module
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ts } from "../../src/analysis/ts.ts";

/**
 * The links from the project to the parser's TypeScript, each resolved from
 * the one before; a project may depend on the meta package or on the parser
 * alone, so the chain may start at any of the first two.
 */
const CHAIN = ["typescript-eslint", "@typescript-eslint/parser", "@typescript-eslint/typescript-estree", "typescript"];

/**
 * Loads the `typescript` module typescript-eslint's parser uses, looking
 * from each directory of `from` in turn.
 *
 * @param from absolute directories to resolve from, first match wins (the
 *   ESLint working directory, then this package's own place).
 * @returns the module and the path it was loaded from.
 * @throws {Error} when no directory resolves typescript-eslint's
 *   TypeScript: the message says what to install.
 */
export function parserTypeScript(from: readonly string[]): { module: typeof ts; path: string } {
  for (const dir of from) {
    for (const start of [0, 1]) {
      let resolver = createRequire(join(dir, "package.json"));
      let path: string | undefined;
      for (const name of CHAIN.slice(start)) {
        path = resolveFrom(resolver, name);
        if (path === undefined) break;
        resolver = createRequire(path);
      }
      if (path !== undefined) return { module: createRequire(import.meta.url)(path) as typeof ts, path };
    }
  }
  throw new Error(
    "eslint-plugin-spawn-audit: cannot find the typescript that typescript-eslint uses; install typescript-eslint " +
      "(or @typescript-eslint/parser) and typescript where ESLint runs",
  );
}

function resolveFrom(require: NodeJS.Require, specifier: string): string | undefined {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}
