/**
 * `spawn-audit init [dir]`: writes a starting `spawn-audit.json` with
 * `$schema` and the test files found in the project, so test sites are
 * recognised from the first scan and the patterns are there to edit.
 *
 * @module
 */
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { writeAtomically } from "./atomic-write.ts";
import { configsIn } from "./config/discover.ts";
import { CONFIG_SCHEMA_FILE } from "./config/validate.ts";
import { UsageError } from "./errors.ts";

/** The file `init` writes. */
export const INIT_FILE_NAME = "spawn-audit.json";

/** The schema's published address (its `$id`), used when the package is not installed in the project. */
const SCHEMA_URL = "https://spawn-audit.dev/schema/config.v1.json";

/** Folder names that hold tests (Jest's `__tests__`, Mocha's and others' `test`/`tests`). */
const TEST_FOLDERS = new Set(["test", "tests", "__tests__"]);

/** Test file names: `x.test.ts`, `x.spec.js` (Jest, Vitest, Mocha); the capture is `test.ts` / `spec.js`. */
const TEST_FILE = /\.((?:test|spec)\.[cm]?[jt]sx?)$/;

/** Directories never searched for tests. */
const SKIPPED_FOLDERS = new Set(["node_modules", "dist", "build", "coverage"]);

/** How deep under the project directory test folders and files are looked for. */
const MAX_DEPTH = 4;

/** What `init` wrote: the file's absolute path and the test patterns found. */
export interface InitResult {
  path: string;
  testPatterns: string[];
}

/**
 * Writes `spawn-audit.json` in `dir`.
 *
 * @param dir the project directory (absolute).
 * @param force overwrite an existing `spawn-audit.json`.
 * @throws {UsageError} when `dir` is not a directory, `spawn-audit.json` exists
 *   and `force` is false, another spawn-audit configuration is in `dir`
 *   (two would make discovery ambiguous), or the file cannot be written.
 */
export function initConfig(dir: string, force: boolean): InitResult {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const path = join(dir, INIT_FILE_NAME);
  const other = configsIn(dir).find((document) => document.path !== path);
  if (other !== undefined) throw new UsageError(`${dir} already has a spawn-audit configuration: ${other.path}`);
  if (existsSync(path) && !force) throw new UsageError(`${path} already exists; pass --force to overwrite it`);
  const testPatterns = findTestPatterns(dir);
  const installed = join(dir, "node_modules", "spawn-audit", ...CONFIG_SCHEMA_FILE.split("/"));
  const config = {
    $schema: existsSync(installed) ? `./node_modules/spawn-audit/${CONFIG_SCHEMA_FILE}` : SCHEMA_URL,
    testPatterns,
    supervisors: [],
    ignore: [],
    overrides: [],
  };
  const text = `${JSON.stringify(config, null, 2)}\n`;
  try {
    if (force) writeAtomically(path, text);
    else writeFileSync(path, text, { flag: "wx" });
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return { path, testPatterns };
}

/**
 * Globs for the test folders and test files under `dir` (hidden and build
 * folders skipped, {@link MAX_DEPTH} levels): a test folder found once gives
 * its path (`test/**`), one found in several places `**\/<name>/**`; each
 * test file suffix gives `**\/*.<suffix>` (`**\/*.test.ts`).
 */
function findTestPatterns(dir: string): string[] {
  const folders = new Map<string, string[]>();
  const suffixes = new Set<string>();
  const walk = (at: string, depth: number): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name.startsWith(".") || SKIPPED_FOLDERS.has(entry.name)) continue;
        const path = join(at, entry.name);
        if (TEST_FOLDERS.has(entry.name)) folders.set(entry.name, [...(folders.get(entry.name) ?? []), path]);
        else if (depth < MAX_DEPTH) walk(path, depth + 1);
      } else if (entry.isFile()) {
        const suffix = TEST_FILE.exec(entry.name)?.[1];
        if (suffix !== undefined) suffixes.add(suffix);
      }
    }
  };
  walk(dir, 1);
  const folderPatterns = [...folders].map(([name, paths]) =>
    paths.length === 1 ? `${relative(dir, paths[0]!).split(sep).join("/")}/**` : `**/${name}/**`
  );
  return [...folderPatterns.sort(), ...[...suffixes].sort().map((suffix) => `**/*.${suffix}`)];
}
