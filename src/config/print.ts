/**
 * `--print-config FILE`: the configuration that applies to a file, as JSON,
 * with every default filled in and the file it came from, so a user can see
 * which config file discovery picked and what it resolves to.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { resolveConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { displayPath } from "../files/paths.ts";

/**
 * The effective configuration for `file` as pretty JSON ending in a newline:
 * `{ "file", "configFile", "config" }`, paths relative to `cwd` with `/`
 * separators (`configFile` is null when only the defaults apply).
 *
 * @param file the file (or directory) to resolve for, relative to `cwd`.
 * @param explicitPath the `--config` file (absolute), or undefined to discover.
 * @param cwd the working directory.
 * @throws {UsageError} when `file` does not exist, or as {@link resolveConfig}.
 */
export function formatEffectiveConfig(file: string, explicitPath: string | undefined, cwd: string): string {
  const target = resolve(cwd, file);
  if (!existsSync(target)) throw new UsageError(`path not found: ${file}`);
  const { path, config } = resolveConfig(explicitPath, target);
  return `${
    JSON.stringify(
      { file: displayPath(target, cwd), configFile: path === null ? null : displayPath(path, cwd), config },
      null,
      2,
    )
  }\n`;
}
