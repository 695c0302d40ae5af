/**
 * Whether the shim resolves from the files the codemod is about to edit,
 * and what to tell the user when it does not: the install command for the
 * project's package manager, or `--vendor-shim`.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { ts } from "ts-morph";

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

/**
 * The command that installs spawn-audit in the project at `dir`, by the
 * lockfile found walking up: pnpm, yarn, bun or deno; npm otherwise.
 *
 * @param dir the project's directory.
 */
export function installCommand(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, "pnpm-lock.yaml"))) return "pnpm add spawn-audit";
    if (existsSync(join(current, "yarn.lock"))) return "yarn add spawn-audit";
    if (existsSync(join(current, "bun.lock")) || existsSync(join(current, "bun.lockb"))) return "bun add spawn-audit";
    if (existsSync(join(current, "deno.lock"))) return "deno add npm:spawn-audit";
    if (existsSync(join(current, "package-lock.json")) || existsSync(join(current, "package.json")) || dirname(current) === current) {
      return "npm install spawn-audit";
    }
  }
}

function underDenoConfig(dir: string): boolean {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, "deno.json")) || existsSync(join(current, "deno.jsonc"))) return true;
    if (existsSync(join(current, "package.json")) || dirname(current) === current) return false;
  }
}
