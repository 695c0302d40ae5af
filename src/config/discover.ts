/**
 * Finding the configuration that applies to a path: the nearest directory at
 * or above it that holds a config file or a manifest with a `"spawnAudit"`
 * key, searching no higher than the repository root (a directory with
 * `.git`) or the file system root.
 *
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError } from "../errors.ts";
import { readRegularFile } from "../files/read.ts";
import { type ConfigDocument, MANIFEST_KEY, MANIFEST_NAMES, readConfigDocument } from "./read.ts";

/**
 * Files that hold only spawn-audit's configuration, looked for in this order.
 * `spawn-audit.config.json` is the name read before discovery existed, still
 * accepted.
 */
const CONFIG_FILE_NAMES: readonly string[] = ["spawn-audit.json", "spawn-audit.jsonc", "spawn-audit.config.json"];

/**
 * The configuration nearest to `start`.
 *
 * @param start an existing file or directory (absolute); a file's directory
 *   is searched first.
 * @returns the document found, or undefined when no directory up to the
 *   repository or file system root has one.
 * @throws {UsageError} when one directory has more than one configuration
 *   (which one applies would be a guess), or one cannot be read or parsed.
 */
export function discoverConfig(start: string): ConfigDocument | undefined {
  let dir = existsSync(start) && !statSync(start).isDirectory() ? dirname(start) : start;
  for (;;) {
    const found = configsIn(dir);
    if (found.length > 1) {
      const names = found.map((document) =>
        document.key === undefined ? document.path : `${document.path} ("${document.key}")`
      );
      throw new UsageError(`more than one spawn-audit configuration in ${dir}: ${names.join(", ")}; keep one`);
    }
    if (found.length === 1) return found[0];
    const parent = dirname(dir);
    if (existsSync(join(dir, ".git")) || parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The configurations in one directory: config files, and manifests that
 * have the key.
 *
 * @param dir an absolute directory path.
 * @throws {UsageError} when one cannot be read or parsed.
 */
export function configsIn(dir: string): ConfigDocument[] {
  const files = CONFIG_FILE_NAMES.map((name) => join(dir, name)).filter((path) => existsSync(path));
  const manifests = MANIFEST_NAMES.map((name) => join(dir, name)).filter((path) =>
    existsSync(path) && mentionsKey(path)
  )
    .map((path) => readConfigDocument(path))
    .filter((document) => document.value !== undefined);
  return [...files.map((path) => readConfigDocument(path)), ...manifests];
}

/**
 * Whether a manifest's text mentions the key, so a manifest of another tool
 * that does not parse as JSONC is not our error unless it claims our key.
 * An unreadable manifest counts as mentioning it, so the read error is shown.
 */
function mentionsKey(path: string): boolean {
  try {
    return readRegularFile(path).includes(`"${MANIFEST_KEY}"`);
  } catch {
    return true;
  }
}
