/**
 * Files the package ships beside its code (schema/, rules/<rule>/README.md),
 * found from this module whether it runs from sources (`src/`, Deno) or
 * compiled (`dist/src/`, Node).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The absolute path of a file shipped with the package.
 *
 * @param relative a path relative to the package root, with `/` separators
 *   (e.g. `schema/config.v1.json`).
 * @returns the path, or undefined when the file is not installed.
 */
export function packageFile(relative: string): string | undefined {
  return ["../", "../../"]
    .map((up) => fileURLToPath(new URL(up + relative, import.meta.url)))
    .find((candidate) => existsSync(candidate));
}
