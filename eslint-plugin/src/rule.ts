/**
 * An ESLint rule made from a spawn-audit rule: the same detection, status
 * and classification as `scan` (see `./analysis.ts`), reporting the
 * unsupervised sites of the groups its options name, each with its kind,
 * group and the reason for the group in the message, and the edits of
 * `./suggestions.ts` as suggestions.
 *
 * @module
 */
import type { Rule as ESLintRule } from "eslint";
import { TaskNamer } from "../../src/fix/name.ts";
import { groupReasons } from "../../src/report/text.ts";
import { ruleDocUrl } from "../../src/report/rules.ts";
import type { Rule } from "../../src/rule.ts";
import { scanLintedFile } from "./analysis.ts";
import { DEFAULT_GROUPS, type RuleOptions, ruleOptionsSchema } from "./options.ts";
import { type SuggestionId, suggestionsFor } from "./suggestions.ts";

/** The suggestions' texts: what the edit does. */
const SUGGESTION_MESSAGES: Record<SuggestionId, string> = {
  supervise: "Rewrite it as `spawn-audit fix` would: {{supervisor}}.",
  catch: "Add .catch() that logs the rejection with console.error.",
  await: "Await it, so the rejection reaches the caller.",
};

/**
 * The finding's text for a kind: `<group> <kind>: ` before the rule's own
 * message (what is wrong and what to do), then why the site has its group.
 */
export function findingMessage(message: string): string {
  return `{{group}} {{kind}}: ${message} ({{reason}})`;
}

/**
 * The ESLint rule for a spawn-audit rule.
 *
 * - `meta.messages`: one message id per kind of the rule (its text by
 *   {@link findingMessage}, with data `kind`, `group`, `reason`), and one
 *   per suggestion.
 * - `meta.docs.url`: the rule's page.
 * - Options: see `RuleOptions` (`./options.ts`); default `{ groups: ["durable"] }`.
 *
 * @param rule a spawn-audit rule (one of `rules/mod.ts`'s).
 */
export function eslintRule(rule: Rule): ESLintRule.RuleModule {
  const messages: Record<string, string> = { ...SUGGESTION_MESSAGES };
  for (const kind of rule.kinds) messages[kind] = findingMessage(rule.messages[kind] ?? rule.description);
  return {
    meta: {
      type: "problem",
      docs: { description: rule.description, url: ruleDocUrl(rule.id), recommended: true },
      messages,
      hasSuggestions: true,
      schema: ruleOptionsSchema() as ESLintRule.RuleMetaData["schema"],
      defaultOptions: [{ groups: [...DEFAULT_GROUPS] }],
    },
    create(context) {
      const options = (context.options[0] ?? {}) as RuleOptions;
      const groups = new Set(options.groups ?? DEFAULT_GROUPS);
      return {
        Program() {
          const scan = scanLintedFile(context, rule, options);
          const findings = scan.located.filter(({ site }) => site.status === "unsupervised" && groups.has(site.group));
          for (const located of findings) {
            // A namer per site: each suggestion is applied alone, and names the task as `fix` would if it were the only one.
            const namer = new TaskNamer(scan.sourceFile);
            const { site } = located;
            context.report({
              loc: {
                start: { line: site.start.line, column: site.start.column - 1 },
                end: { line: site.end.line, column: site.end.column - 1 },
              },
              messageId: site.kind,
              data: { kind: site.kind, group: site.group, reason: groupReasons(site).join("; ") },
              suggest: suggestionsFor(located, scan, namer).map(({ messageId, data, edits }) => ({
                messageId,
                data,
                fix: (fixer) => edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.text)),
              })),
            });
          }
        },
      };
    },
  };
}
