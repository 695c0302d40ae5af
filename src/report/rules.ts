/**
 * What every report says about a rule beyond one finding: where its
 * documentation lives and the short form of a finding's message.
 *
 * @module
 */

/**
 * Where the repository's files are published, ending with `/`: rule pages
 * are `rules/<rule>/README.md` under it. The repository is package.json's
 * `repository` (test/package.test.ts checks that they agree).
 */
export const DOCS_BASE_URL = "https://github.com/spawn-audit/spawn-audit/blob/main/";

/** Where bugs are reported: package.json's `bugs` (test/package.test.ts checks that they agree). */
export const ISSUES_URL = "https://github.com/spawn-audit/spawn-audit/issues";

/**
 * The documentation page of a rule.
 *
 * @param ruleId a rule id (`timers`, `floating-promise`, ...).
 * @returns an absolute URL to `rules/<ruleId>/README.md`.
 */
export function ruleDocUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}rules/${ruleId}/README.md`;
}

/**
 * The short form of a finding message for a one-line listing: its first
 * clause, up to the first `: `, `; ` or end of sentence. Rule messages are
 * written as "what is wrong: why. What to do.", so this keeps what is wrong.
 *
 * @param message a rule message.
 */
export function shortMessage(message: string): string {
  const end = message.search(/[:;] |\.(?: |$)/);
  return end <= 0 ? message : message.slice(0, end);
}
