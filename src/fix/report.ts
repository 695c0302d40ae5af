/**
 * The human report of a fix run: in a dry run, a unified diff per changed
 * file; then what was (or would be) rewritten, per transform, with one line
 * per site saying why it restarts or where its failures now go; what
 * `--install` ran, notes; whether the formatter and the linter ran; what was skipped and
 * why, which files were refused and why, and which could not be analysed.
 *
 * @module
 */
import type { ChalkInstance } from "chalk";
import type { FixResult } from "./fix.ts";
import { unifiedDiff } from "./diff.ts";
import { plural } from "../report/plural.ts";

/**
 * Counts of rewritten sites by transform id, over files that were (or would
 * be) written, sorted by transform.
 *
 * @param result a fix result.
 */
export function rewritesByTransform(result: FixResult): Map<string, number> {
  const counts = new Map<string, number>();
  for (const change of result.changes) {
    if (change.refused !== null) continue;
    for (const { transform } of change.rewrites) counts.set(transform, (counts.get(transform) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Renders the report.
 *
 * @param result the fix result.
 * @param color a chalk instance (level 0 for plain text).
 * @returns the report, ending with a newline.
 */
export function formatFixReport(result: FixResult, color: ChalkInstance): string {
  const out: string[] = [];
  if (!result.write) {
    for (const change of result.changes) {
      if (change.refused === null) out.push(unifiedDiff(change.file, change.before, change.after, color));
    }
  }
  const accepted = result.changes.filter((change) => change.refused === null);
  const counts = rewritesByTransform(result);
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const verb = result.write ? "Rewrote" : "Would rewrite";
  const detail = [...counts].map(([transform, count]) => `${count} ${transform}`).join(", ");
  out.push(
    color.bold(
      `${verb} ${plural(total, "site")} in ${plural(accepted.length, "file")}${total > 0 ? ` (${detail})` : ""}.`,
    ),
  );
  for (const change of accepted) {
    if (result.write) out.push(`  ${change.file}: ${plural(change.rewrites.length, "site")}`);
    const indent = result.write ? "    " : "  ";
    for (const { site, restarts, channel, transform } of change.rewrites) {
      if (restarts !== null) out.push(`${indent}restarts ${change.file}:${site.start.line}: ${restarts}`);
      else if (channel !== null) {
        out.push(`${indent}${transform} ${change.file}:${site.start.line}: failures to ${channel}`);
      }
    }
  }
  if (result.installed !== null) out.push(`Installed @spawn-audit/shim: ${result.installed}.`);
  for (const note of result.notes) out.push(color.yellow(`Note: ${note}.`));
  const vendor = result.vendor;
  if (vendor !== null && vendor.files.length > 0 && vendor.refused === null) {
    out.push(
      `${vendor.written ? "Vendored" : "Would vendor"} the shim into ${vendor.dir} (${
        plural(vendor.files.length, "file")
      }).`,
    );
  }
  const format = result.format;
  if (format !== null) {
    out.push(
      format.failed === null
        ? `Formatted ${plural(format.files, "edited file")} with ${format.formatter}.`
        : color.red(`${format.formatter} failed; the files it failed on are refused: ${format.failed}.`),
    );
  }
  const lint = result.lint;
  if (lint !== null) {
    out.push(
      `Linted ${plural(lint.files, "edited file")} with ${lint.linters.join(", ")}${
        lint.fixed > 0 ? ` (its fixer changed ${lint.fixed})` : ""
      }.`,
    );
  }
  if (result.skipped.length > 0) {
    out.push("", color.yellow(`Skipped ${plural(result.skipped.length, "site")}:`));
    for (const { site, reason } of result.skipped) {
      out.push(`  ${site.file}:${site.start.line}:${site.start.column}  ${site.kind}  ${reason}`);
    }
  }
  const refused = result.changes.filter((change) => change.refused !== null);
  if (refused.length > 0) {
    out.push(
      "",
      color.red(
        `Refused ${plural(refused.length, "file")} (left as ${refused.length === 1 ? "it was" : "they were"}):`,
      ),
    );
    for (const change of refused) out.push(`  ${change.file}  ${change.refused}`);
  }
  if (result.problems.length > 0) {
    out.push(
      "",
      color.yellow(`Not analysed: ${plural(result.problems.length, "file")} (their sites, if any, were not seen):`),
    );
    for (const problem of result.problems) out.push(`  ${problem.file}  ${problem.message}`);
  }
  if (result.unselected > 0) {
    out.push("", `${plural(result.unselected, "unsupervised site")} outside the selected groups, kinds and files.`);
  }
  if (!result.write && accepted.length > 0) {
    out.push("", "Dry run: nothing was written. Run again with --write to apply.");
  }
  return `${out.join("\n")}\n`;
}
