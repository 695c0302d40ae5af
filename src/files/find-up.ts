/**
 * Looking up the directory tree: the first directory, from a start upwards,
 * that has what the caller looks for, and the installed binaries and npm
 * packages found that way (`node_modules/.bin/<name>`, `node_modules/<name>`).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The first value `found` returns for `dir` or one of its ancestors,
 * nearest first.
 *
 * @param dir absolute path of a directory.
 * @param found looks at one directory; undefined to go on upwards.
 * @returns the value, or undefined when no directory up to the file system root gives one.
 */
export function findUp<T>(dir: string, found: (dir: string) => T | undefined): T | undefined {
  for (let current = dir;; current = dirname(current)) {
    const value = found(current);
    if (value !== undefined || dirname(current) === current) return value;
  }
}

/**
 * The path of `node_modules/<relative>` in `dir` or the nearest ancestor that has it.
 *
 * @param dir absolute path of a directory.
 * @param relative a path inside `node_modules`, e.g. `.bin/prettier` or `@scope/name`.
 * @returns the absolute path, or undefined when no `node_modules` up to the root has it.
 */
export function inNodeModules(dir: string, relative: string): string | undefined {
  return findUp(dir, (current) => {
    const candidate = join(current, "node_modules", relative);
    return existsSync(candidate) ? candidate : undefined;
  });
}
