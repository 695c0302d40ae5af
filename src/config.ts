/**
 * The user's configuration: where it is found, how it is read and checked,
 * and the resolved shape the scanner uses. Every key is optional:
 *
 * ```jsonc
 * // spawn-audit.json (or spawn-audit.jsonc, or "spawnAudit" in package.json / deno.json)
 * {
 *   "$schema": "./node_modules/spawn-audit/schema/config.v1.json",
 *   "supervisors": ["runInBackground"],
 *   "ignore": ["scripts/**"],
 *   "testPatterns": ["e2e/**"],
 *   "shimImport": "./src/supervision.js",
 *   "fix": { "errorChannel": "auto" },
 *   "overrides": [{ "files": ["src/jobs/**"], "callees": ["pollJobs"], "group": "durable" }],
 *   "rules": { "timers": "off" },
 *   "ignoreComments": { "requireReason": true, "reportUnused": true },
 *   "maxProblems": 0,
 * }
 * ```
 *
 * The shape is `schema/config.v1.json`; discovery is in `config/discover.ts`.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { UsageError } from "./errors.ts";
import type { Group } from "./site.ts";
import { RULES } from "../rules/mod.ts";
import { discoverConfig } from "./config/discover.ts";
import { type ConfigDocument, readConfigDocument } from "./config/read.ts";
import { validateConfig } from "./config/validate.ts";
import type { ErrorChannelSetting } from "./fix/channel.ts";

/**
 * One group override: sites in files matching any `files` glob (relative to
 * the project root) and/or calling any of `callees` (by name, last segment,
 * e.g. `pollJobs` matches `this.pollJobs`) get `group`. When both are given,
 * both must match.
 */
export interface GroupOverride {
  files?: string[];
  callees?: string[];
  group: Group;
}

/** Whether a rule runs: `on` (the default) or `off` (it reports no site). */
export type RuleSetting = "on" | "off";

/**
 * Which problems about `spawn-audit-ignore` comments are reported (each fails
 * the run like a finding): `requireReason`, a comment without `-- reason`
 * (deno lint's `ban-untagged-ignore` is the same idea for rule names);
 * `reportUnused`, a rule name in a comment that silences no finding (deno
 * lint's `ban-unused-ignore`, ESLint's `--report-unused-disable-directives`).
 */
export interface IgnoreCommentOptions {
  requireReason: boolean;
  reportUnused: boolean;
}

/**
 * The resolved configuration.
 *
 * - `supervisors`: function names whose arguments count as supervised, in
 *   addition to the shim's `spawnSupervised`, `spawnLogged`,
 *   `superviseWorker` and `logWorker`.
 * - `ignore`: path globs (relative to the project root) of files left out of the scan before they are loaded; they are listed as skipped (`ignore-pattern`).
 * - `testPatterns`: extra path globs that mark test files.
 * - `shimImport`: where `fix` imports the shim's functions from
 *   (`--shim-import`; a `./` or `../` path is relative to the project root),
 *   or null for the default.
 * - `format`: whether `fix --write` runs the project's formatter on the
 *   files it wrote (as `--format`).
 * - `errorChannel`: where `fix` reports a rewritten site's failure
 *   (`fix.errorChannel`; see `fix/channel.ts`).
 * - `overrides`: group overrides, first match wins.
 * - `rules`: every registered rule id with its setting.
 * - `ignoreComments`: which ignore-comment problems are reported.
 * - `maxProblems`: how many files that could not be analysed (syntax
 *   errors, binary, too large, unreadable) a scan tolerates before it fails
 *   as a finding would (`--max-problems` wins).
 */
export interface Config {
  supervisors: string[];
  ignore: string[];
  testPatterns: string[];
  shimImport: string | null;
  format: boolean;
  errorChannel: ErrorChannelSetting;
  overrides: GroupOverride[];
  rules: Record<string, RuleSetting>;
  ignoreComments: IgnoreCommentOptions;
  maxProblems: number;
}

/** The defaults: every rule on, ignore-comment problems reported, no file that could not be analysed tolerated, nothing else. */
export const DEFAULT_CONFIG: Config = {
  supervisors: [],
  ignore: [],
  testPatterns: [],
  shimImport: null,
  format: false,
  errorChannel: "auto",
  overrides: [],
  rules: Object.fromEntries(RULES.map((rule) => [rule.id, "on"])),
  ignoreComments: { requireReason: true, reportUnused: true },
  maxProblems: 0,
};

/**
 * A configuration and where it came from: `path` is the file it was read
 * from (absolute), or null when none applies and `config` is the default.
 */
export interface ResolvedConfig {
  path: string | null;
  config: Config;
}

/**
 * Finds, reads and validates the configuration.
 *
 * @param explicitPath the `-c/--config` file (absolute, or relative to the
 *   process's working directory), which must exist and, for a
 *   `package.json`/`deno.json(c)`, must have a `"spawnAudit"` key; when
 *   undefined the configuration is discovered upward from `start`.
 * @param start the scanned path (a file or directory) discovery starts at.
 * @throws {UsageError} when the file cannot be read, is not JSON(C), or does
 *   not match `schema/config.v1.json`; the message names the file and the
 *   JSON path (`overrides[0]`) of the first problem.
 */
export function resolveConfig(explicitPath: string | undefined, start: string): ResolvedConfig {
  let document: ConfigDocument | undefined;
  if (explicitPath !== undefined) {
    if (!existsSync(explicitPath)) throw new UsageError(`config file not found: ${explicitPath}`);
    document = readConfigDocument(explicitPath);
    if (document.value === undefined) throw new UsageError(`config ${explicitPath}: no "${document.key}" key`);
  } else {
    document = discoverConfig(start);
  }
  if (document === undefined) return { path: null, config: DEFAULT_CONFIG };
  return { path: document.path, config: parseConfig(document.value, document.path, document.key) };
}

/**
 * The configuration for `start`: {@link resolveConfig} without its origin.
 *
 * @param explicitPath the `--config` file, or undefined to discover one.
 * @param start the scanned path discovery starts at.
 * @throws {UsageError} as {@link resolveConfig}.
 */
export function loadConfig(explicitPath: string | undefined, start: string): Config {
  return resolveConfig(explicitPath, start).config;
}

/**
 * Validates a parsed configuration object against `schema/config.v1.json`
 * and fills in the defaults.
 *
 * @param raw the parsed JSON.
 * @param source the file name used in error messages.
 * @param key the manifest key the object came from (`spawnAudit`), prefixed
 *   to JSON paths in errors.
 * @throws {UsageError} naming the first key or value that does not match.
 */
export function parseConfig(raw: unknown, source: string, key?: string): Config {
  validateConfig(raw, source, key);
  const value = raw as Partial<Omit<Config, "ignoreComments">> & {
    ignoreComments?: Partial<IgnoreCommentOptions>;
    fix?: { errorChannel?: ErrorChannelSetting };
  };
  return {
    supervisors: value.supervisors ?? [],
    ignore: value.ignore ?? [],
    testPatterns: value.testPatterns ?? [],
    shimImport: value.shimImport ?? null,
    format: value.format ?? false,
    errorChannel: value.fix?.errorChannel ?? "auto",
    overrides: value.overrides ?? [],
    rules: { ...DEFAULT_CONFIG.rules, ...value.rules },
    ignoreComments: { ...DEFAULT_CONFIG.ignoreComments, ...value.ignoreComments },
    maxProblems: value.maxProblems ?? DEFAULT_CONFIG.maxProblems,
  };
}
