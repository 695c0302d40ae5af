/**
 * eslint-plugin-spawn-audit: spawn-audit's rules inside ESLint, on the
 * program typescript-eslint builds, so findings show in the editor while
 * typing. One ESLint rule per spawn-audit rule (`spawn-audit/timers`,
 * `spawn-audit/floating-promise`, `spawn-audit/async-listener`,
 * `spawn-audit/worker`), and two flat configs:
 *
 * - `configs.recommended`: the four rules as errors, durable sites only
 *   (those `spawn-audit scan` fails on by default);
 * - `configs.strict`: durable and per-request sites.
 *
 * ```js
 * // eslint.config.js
 * import tseslint from "typescript-eslint";
 * import spawnAudit from "eslint-plugin-spawn-audit";
 *
 * export default [
 *   { languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true } } },
 *   spawnAudit.configs.recommended,
 * ];
 * ```
 *
 * The rules need type information (typescript-eslint's `projectService` or
 * `project`); see docs/eslint.md.
 *
 * @module
 */
import type { ESLint, Linter, Rule as ESLintRule } from "eslint";
import { RULES } from "../../rules/mod.ts";
import type { Group } from "../../src/site.ts";
import { VERSION } from "../../src/version.ts";
import { eslintRule } from "./rule.ts";

/** The prefix of the plugin's rules in configs and disable comments. */
const PLUGIN_PREFIX = "spawn-audit";

/** The plugin object, as ESLint's flat config takes it: `meta`, `rules` by spawn-audit rule id, and `configs`. */
export interface SpawnAuditPlugin extends ESLint.Plugin {
  meta: { name: string; version: string };
  rules: Record<string, ESLintRule.RuleModule>;
  configs: { recommended: Linter.Config; strict: Linter.Config };
}

const rules = Object.fromEntries(RULES.map((rule) => [rule.id, eslintRule(rule)]));

/** A config that turns every rule on as an error, reporting `groups`. */
function configReporting(name: string, groups: readonly Group[]): Linter.Config {
  return {
    name: `${PLUGIN_PREFIX}/${name}`,
    plugins: { [PLUGIN_PREFIX]: plugin },
    rules: Object.fromEntries(RULES.map((rule) => [`${PLUGIN_PREFIX}/${rule.id}`, ["error", { groups: [...groups] }]])),
  };
}

const plugin: SpawnAuditPlugin = {
  meta: { name: "eslint-plugin-spawn-audit", version: VERSION },
  rules,
  configs: {} as SpawnAuditPlugin["configs"],
};
plugin.configs.recommended = configReporting("recommended", ["durable"]);
plugin.configs.strict = configReporting("strict", ["durable", "per-request"]);

export default plugin;
