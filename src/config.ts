/**
 * The user's configuration file, `spawn-audit.config.json`, found at the scan
 * root or given with `--config`. Every field is optional:
 *
 * ```json
 * {
 *   "supervisors": ["runInBackground"],
 *   "ignore": ["scripts/**"],
 *   "testPatterns": ["e2e/**"],
 *   "overrides": [{ "files": ["src/jobs/**"], "callees": ["pollJobs"], "group": "durable" }]
 * }
 * ```
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./errors.ts";
import { GROUPS, type Group } from "./site.ts";

/**
 * One group override: sites in files matching any `files` glob (relative to
 * the scan root) and/or calling any of `callees` (by name, last segment, e.g.
 * `pollJobs` matches `this.pollJobs`) get `group`. When both are given, both
 * must match.
 */
export interface GroupOverride {
  files?: string[];
  callees?: string[];
  group: Group;
}

/**
 * The resolved configuration.
 *
 * - `supervisors`: function names whose arguments count as supervised, in
 *   addition to the shim's `spawnSupervised`, `spawnLogged`,
 *   `superviseWorker` and `TaskSupervisor` methods.
 * - `ignore`: path globs whose sites get status `ignored`.
 * - `testPatterns`: extra path globs that mark test files.
 * - `overrides`: group overrides, first match wins.
 */
export interface Config {
  supervisors: string[];
  ignore: string[];
  testPatterns: string[];
  overrides: GroupOverride[];
}

/** The default file name looked up at the scan root. */
export const CONFIG_FILE_NAME = "spawn-audit.config.json";

/** An empty configuration: the defaults. */
export const DEFAULT_CONFIG: Config = { supervisors: [], ignore: [], testPatterns: [], overrides: [] };

/**
 * Loads the configuration.
 *
 * @param explicitPath the `--config` path, which must exist; when undefined,
 *   `spawn-audit.config.json` in `root` is used if present.
 * @param root the scan root directory.
 * @throws {UsageError} when the file is missing (explicit path), is not JSON,
 *   or a field has the wrong shape; the message names the file and field.
 */
export function loadConfig(explicitPath: string | undefined, root: string): Config {
  const path = explicitPath ?? join(root, CONFIG_FILE_NAME);
  if (!existsSync(path)) {
    if (explicitPath !== undefined) throw new UsageError(`config file not found: ${explicitPath}`);
    return DEFAULT_CONFIG;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(raw, path);
}

/**
 * Validates a parsed configuration object.
 *
 * @param raw the parsed JSON.
 * @param source the file name used in error messages.
 * @throws {UsageError} naming the first field with the wrong shape or an unknown key.
 */
export function parseConfig(raw: unknown, source: string): Config {
  if (!isRecord(raw)) throw new UsageError(`config ${source}: expected a JSON object`);
  const known = new Set(["$schema", "supervisors", "ignore", "testPatterns", "overrides"]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) throw new UsageError(`config ${source}: unknown key "${key}" (known: ${[...known].slice(1).join(", ")})`);
  }
  const overrides = raw["overrides"] === undefined ? [] : raw["overrides"];
  if (!Array.isArray(overrides)) throw new UsageError(`config ${source}: "overrides" must be an array`);
  return {
    supervisors: stringList(raw["supervisors"], "supervisors", source),
    ignore: stringList(raw["ignore"], "ignore", source),
    testPatterns: stringList(raw["testPatterns"], "testPatterns", source),
    overrides: overrides.map((entry, index) => parseOverride(entry, `overrides[${index}]`, source)),
  };
}

function parseOverride(raw: unknown, field: string, source: string): GroupOverride {
  if (!isRecord(raw)) throw new UsageError(`config ${source}: "${field}" must be an object`);
  const group = raw["group"];
  if (typeof group !== "string" || !(GROUPS as readonly string[]).includes(group)) {
    throw new UsageError(`config ${source}: "${field}.group" must be one of ${GROUPS.join(", ")}`);
  }
  const override: GroupOverride = { group: group as Group };
  if (raw["files"] !== undefined) override.files = stringList(raw["files"], `${field}.files`, source);
  if (raw["callees"] !== undefined) override.callees = stringList(raw["callees"], `${field}.callees`, source);
  if (override.files === undefined && override.callees === undefined) {
    throw new UsageError(`config ${source}: "${field}" needs "files" or "callees"`);
  }
  return override;
}

function stringList(value: unknown, field: string, source: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new UsageError(`config ${source}: "${field}" must be an array of strings`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
