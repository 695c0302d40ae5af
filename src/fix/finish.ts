/**
 * The last step before fix writes (or, in a dry run, shows) a file's new
 * text: the project's formatter (`--format`), then its linter's fixer and
 * check, all on the text in memory. A file the formatter fails on, or whose
 * new text breaks a lint rule the original did not, is refused — nothing of
 * it is written — so every file on disk is either the original or a text
 * that passed both.
 *
 * @module
 */
import { dirname } from "node:path";
import { type Formatter, formatText } from "./format.ts";
import { findLinter, type Linter, lintText, newProblems } from "./lint.ts";

/** A text to finish: its absolute `path`, the original (`before`), the new text (`after`, replaced by the finished one) and why it is refused (null: it is not). */
export interface Finishable {
  path: string;
  before: string;
  after: string;
  refused: string | null;
}

/** The formatter run: its name, how many files it formatted, and why it failed on one (null when it did not). */
export interface FormatRun {
  formatter: string;
  files: number;
  failed: string | null;
}

/** The linter run: the linters' names, how many files they checked, and how many of those their fixer changed. */
export interface LintRun {
  linters: string[];
  files: number;
  fixed: number;
}

/**
 * Formats (when `formatter` is given) and lints (when `lint`) each change
 * not refused, in place: `after` becomes the finished text; a formatter
 * failure refuses the file ("not written: …") and is the run's `failed`;
 * a rule the new text breaks more often than the original refuses it
 * ("would break the project's lint (ESLint): rule at line:column, …").
 * A linter that is not installed or does not answer is a note (the file is
 * kept: its lint is the project's to run).
 *
 * @param changes the changes, mutated.
 * @param formatter the project's formatter, or undefined for none.
 * @param lint whether to run the project's linter (`--no-lint` turns it off).
 * @returns the runs (null when nothing ran) and notes for the report.
 */
export function finishChanges(
  changes: readonly Finishable[],
  formatter: Formatter | undefined,
  lint: boolean,
): { format: FormatRun | null; lint: LintRun | null; notes: string[] } {
  const notes = new Set<string>();
  let format: FormatRun | null = null;
  const linted: LintRun = { linters: [], files: 0, fixed: 0 };
  const linters = new Map<string, ReturnType<typeof findLinter>>();
  for (const change of changes) {
    if (change.refused !== null) continue;
    if (formatter !== undefined) {
      format ??= { formatter: formatter.name, files: 0, failed: null };
      const formatted = formatText(formatter, change.path, change.after);
      if (typeof formatted !== "string") {
        change.refused = `not written: ${formatted.failed}`;
        format.failed ??= formatted.failed;
        continue;
      }
      change.after = formatted;
      format.files += 1;
    }
    if (!lint) continue;
    const dir = dirname(change.path);
    if (!linters.has(dir)) linters.set(dir, findLinter(dir));
    const linter = linters.get(dir);
    if (linter === undefined) continue;
    if ("missing" in linter) {
      notes.add(`${linter.missing}: the rewritten files were not linted`);
      continue;
    }
    const outcome = lintChange(linter, change);
    if (typeof outcome === "string") {
      notes.add(`${outcome}; ${change.path} was not linted`);
      continue;
    }
    if (!linted.linters.includes(linter.name)) linted.linters.push(linter.name);
    linted.files += 1;
    if (outcome) linted.fixed += 1;
  }
  return { format, lint: linted.files === 0 ? null : linted, notes: [...notes] };
}

/**
 * Without `--format`: the changes whose original text the project's
 * formatter leaves as it is (it passes the project's format check) but
 * whose finished text it would change — the diff would fail that check.
 * A formatter that fails on a text counts as no verdict.
 *
 * @param changes the finished changes (refused ones are passed over).
 * @param formatter the formatter the project is set up with.
 * @returns their paths, in order.
 */
export function unformattedChanges(changes: readonly Finishable[], formatter: Formatter): string[] {
  return changes.filter((change) => {
    if (change.refused !== null) return false;
    const after = formatText(formatter, change.path, change.after);
    if (typeof after !== "string" || after === change.after) return false;
    return formatText(formatter, change.path, change.before) === change.before;
  }).map((change) => change.path);
}

/**
 * Runs `linter`'s fixer and check on one change. Returns whether the fixer
 * changed the text, or why the linter could not be used (a string); a
 * refusal is set on the change when the new text breaks rules the original
 * did not.
 */
function lintChange(linter: Linter, change: Finishable): boolean | string {
  const after = lintText(linter, change.path, change.after, true);
  if ("failed" in after) return after.failed;
  let added = after.problems;
  if (added.length > 0) {
    const before = lintText(linter, change.path, change.before, false);
    if ("failed" in before) return before.failed;
    added = newProblems(after.problems, before.problems);
  }
  if (added.length > 0) {
    const rules = added.slice(0, 3).map((problem) => `${problem.rule} at ${problem.line}:${problem.column}`);
    change.refused = `would break the project's lint (${linter.name}): ${rules.join(", ")}${
      added.length > 3 ? ` and ${added.length - 3} more` : ""
    }; fix its rule or lint settings, or run fix with --no-lint and fix the lint by hand`;
    return false;
  }
  const fixed = after.text !== change.after;
  change.after = after.text;
  return fixed;
}
