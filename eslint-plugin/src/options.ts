/**
 * The ESLint rules' options and the configuration they resolve to. One
 * configuration serves the CLI and the plugin: by default a rule reads the
 * spawn-audit config that applies to the linted file (found upwards from
 * it, as `spawn-audit scan` finds it: `spawn-audit.json`, or the
 * `"spawnAudit"` key of package.json / deno.json); options set in the ESLint
 * config replace that file's value key by key.
 *
 * ```js
 * "spawn-audit/timers": ["error", {
 *   groups: ["durable", "per-request"], // which groups are reported (default: durable)
 *   supervisors: ["runSafely"],          // as the config file's keys of the same names
 *   testPatterns: ["**\/scripts/**"],
 *   overrides: [{ callees: ["poll"], group: "durable" }],
 *   shimImport: "./src/supervision.ts",
 *   configFile: "spawn-audit.json",      // this file instead of the nearest one; false: none
 * }]
 * ```
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Config, DEFAULT_CONFIG, resolveConfig } from "../../src/config.ts";
import { CONFIG_SCHEMA_FILE } from "../../src/config/validate.ts";
import { packageFile } from "../../src/package-files.ts";
import { type Group, GROUPS } from "../../src/site.ts";

/** The config keys a rule's options may set (the rest are the CLI's: `ignore`, `rules`, `format`, ...). */
export const CONFIG_OPTION_KEYS = ["supervisors", "testPatterns", "overrides", "shimImport"] as const;

/**
 * One rule's options, as written in the ESLint config.
 *
 * - `groups`: the groups whose unsupervised sites are reported (default `["durable"]`).
 * - `configFile`: the spawn-audit config to read (relative to ESLint's
 *   working directory) instead of the nearest one; `false` reads none.
 * - `supervisors`, `testPatterns`, `overrides`, `shimImport`: as in the
 *   config file (`schema/config.v1.json`); each given replaces the file's.
 */
export interface RuleOptions {
  groups?: Group[];
  configFile?: string | false;
  supervisors?: string[];
  testPatterns?: string[];
  overrides?: Config["overrides"];
  shimImport?: string;
}

/** The groups reported when a rule's options name none: those `scan` fails on by default. */
export const DEFAULT_GROUPS: readonly Group[] = ["durable"];

/**
 * The rules' option schema for ESLint (JSON Schema draft-07, as ESLint
 * validates): an optional object of {@link RuleOptions}, whose config keys
 * are taken from `schema/config.v1.json` so the two cannot drift.
 *
 * @throws {Error} when the package's schema file is missing (a broken install).
 */
export function ruleOptionsSchema(): object {
  const path = packageFile(CONFIG_SCHEMA_FILE);
  if (path === undefined) throw new Error(`eslint-plugin-spawn-audit: ${CONFIG_SCHEMA_FILE} is missing; reinstall`);
  // Draft 2020-12's $defs, renamed to draft-07's definitions (the references follow).
  const config = JSON.parse(readFileSync(path, "utf8").replaceAll("#/$defs/", "#/definitions/")) as {
    properties: Record<string, object>;
    $defs: Record<string, object>;
  };
  const properties: Record<string, object> = {
    groups: {
      type: "array",
      items: { enum: [...GROUPS] },
      uniqueItems: true,
      description: "The groups whose unsupervised sites are reported (default: durable).",
    },
    configFile: {
      anyOf: [{ type: "string", minLength: 1 }, { enum: [false] }],
      description: "The spawn-audit config file to read instead of the nearest one, or false for none.",
    },
  };
  for (const key of CONFIG_OPTION_KEYS) properties[key] = config.properties[key]!;
  return {
    type: "array",
    minItems: 0,
    maxItems: 1,
    items: [{ type: "object", additionalProperties: false, properties }],
    definitions: config.$defs,
  };
}

/**
 * The configuration for one linted file: the config file that applies (or
 * the defaults), then the options' keys.
 *
 * @param options the rule's options (ESLint has checked them against {@link ruleOptionsSchema}).
 * @param file the linted file (absolute).
 * @param cwd ESLint's working directory (absolute), which `configFile` is relative to.
 * @param read finds and reads the config for a directory (`resolveConfig`, or a cache of it).
 * @throws {UsageError} as `resolveConfig`, when the config file is missing or invalid.
 */
export function configFor(
  options: RuleOptions,
  file: string,
  cwd: string,
  read: (explicit: string | undefined, start: string) => Config = (explicit, start) =>
    resolveConfig(explicit, start).config,
): Config {
  const base = options.configFile === false
    ? DEFAULT_CONFIG
    : read(options.configFile === undefined ? undefined : resolve(cwd, options.configFile), dirname(file));
  const config: Config = { ...base };
  if (options.supervisors !== undefined) config.supervisors = options.supervisors;
  if (options.testPatterns !== undefined) config.testPatterns = options.testPatterns;
  if (options.overrides !== undefined) config.overrides = options.overrides;
  if (options.shimImport !== undefined) config.shimImport = options.shimImport;
  return config;
}
