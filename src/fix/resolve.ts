/**
 * Whether the shim resolves from the files the codemod is about to edit
 * (the install command to suggest when it does not comes from
 * `./manifest.ts`).
 *
 * @module
 */
import { dirname } from "node:path";
import { ts } from "ts-morph";
import { underDenoConfig } from "./manifest.ts";

/**
 * The files (of `files`) from which `specifierOf(file)` does not resolve to
 * a module, with TypeScript's module resolution under the scan's compiler
 * options (so `paths` and `node_modules`, `exports` and `types` count as the
 * compiler and bundlers see them). Deno specifiers (`npm:`, `jsr:`, URLs,
 * import-map aliases under a deno.json) are resolved by Deno at run time and
 * are not checked here.
 *
 * @param files absolute paths of the files to edit.
 * @param specifierOf the shim specifier each file would import.
 * @param options the scan's compiler options.
 */
export function unresolvedShim(
  files: readonly string[],
  specifierOf: (file: string) => string,
  options: ts.CompilerOptions,
): string[] {
  return files.filter((file) => {
    const specifier = specifierOf(file);
    if (/^(npm|jsr|node|https?):/.test(specifier) || underDenoConfig(dirname(file))) return false;
    return ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule === undefined;
  });
}
