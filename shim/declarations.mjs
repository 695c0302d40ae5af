/**
 * Build step of the shim's package (`npm run build`, after tsc): rewrites
 * the declarations tsc emitted in the folders named on the command line so
 * that a project type-checks them under any `target`. tsc writes `#private;`
 * in the declaration of a class with private fields, which TypeScript
 * rejects below target es2015 (TS18028) even in a library's declarations; it
 * becomes `private "#private";`, which keeps the class nominal as the marker
 * did. The vendored bundle's declarations get the same rewrite
 * (`portableDeclarations` in src/fix/shim-bundle.ts).
 *
 * Usage: `node declarations.mjs DIR…`; exits 2 with a one-line message when
 * a folder cannot be read.
 *
 * @module
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/**
 * The `.d.ts` / `.d.cts` / `.d.mts` files under `dir`, at any depth.
 *
 * @param {string} dir
 * @returns {string[]}
 */
function declarationFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return /\.d\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

try {
  for (const file of process.argv.slice(2).flatMap(declarationFiles)) {
    const text = readFileSync(file, "utf8");
    const portable = text.replace(/^(\s*)#private;$/gm, '$1private "#private";');
    if (portable !== text) writeFileSync(file, portable);
  }
} catch (error) {
  console.error(`declarations.mjs: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
