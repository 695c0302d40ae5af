/**
 * The human report: findings grouped by group, then file (sites are sorted
 * by file), one line per site
 * with `file:line:col`, kind and code, then the message and the signals; a
 * summary table of unsupervised sites per group × kind; problems last.
 *
 * @module
 */
import type { ChalkInstance } from "chalk";
import { GROUPS, KINDS, type Group, type SpawnSite } from "../site.ts";
import type { ScanResult } from "../scan.ts";
import { summarize } from "./summary.ts";

/** Which sites the text report lists: only findings (default), or every site with its status. */
export type TextScope = "findings" | "all";

/**
 * Renders the text report.
 *
 * @param result the scan result.
 * @param color a chalk instance (level 0 for plain text).
 * @param scope `findings` lists unsupervised sites; `all` lists every site.
 * @param accepted findings a baseline accepts: listed with a `[baseline]` tag and counted apart.
 * @returns the report, ending with a newline.
 */
export function formatText(result: ScanResult, color: ChalkInstance, scope: TextScope, accepted?: ReadonlySet<SpawnSite>): string {
  const out: string[] = [];
  const listed = result.sites.filter((site) => scope === "all" || site.status === "unsupervised");
  for (const group of GROUPS) {
    const sites = listed.filter((site) => site.group === group);
    if (sites.length === 0) continue;
    out.push(groupHeading(group, sites.length, color), "");
    for (const site of sites) out.push(...siteLines(site, color, accepted?.has(site) === true), "");
  }
  const summary = summarize(result.sites);
  out.push(...summaryTable(summary.unsupervised, color));
  const others = (["handled", "supervised", "benign", "ignored"] as const)
    .map((status) => `${summary.byStatus[status]} ${status}`).join(", ");
  out.push("", `${summary.byStatus.unsupervised} unsupervised of ${summary.total} spawn sites (${others}) in ${result.filesScanned} files`);
  if (accepted !== undefined) out.push(`${accepted.size} of the unsupervised sites are accepted by the baseline`);
  if (result.problems.length > 0) {
    out.push("", color.yellow(`${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}:`));
    for (const problem of result.problems) {
      const at = problem.line === null ? problem.file : `${problem.file}:${problem.line}:${problem.column}`;
      out.push(`  ${at}  ${problem.message}`);
    }
  }
  return out.join("\n") + "\n";
}

function groupHeading(group: Group, count: number, color: ChalkInstance): string {
  const paint = group === "durable" ? color.red.bold : group === "per-request" ? color.yellow.bold : color.cyan.bold;
  return paint(`${group} (${count})`);
}

function siteLines(site: SpawnSite, color: ChalkInstance, inBaseline: boolean): string[] {
  const where = `${site.file}:${site.start.line}:${site.start.column}`;
  const status = site.status === "unsupervised"
    ? (inBaseline ? ` ${color.dim("[baseline]")}` : "")
    : ` ${color.green(`[${site.status}${site.statusReason === null ? "" : `: ${site.statusReason}`}]`)}`;
  const lines = [
    `  ${color.bold(where)}  ${color.magenta(site.kind)}${status}  ${color.dim(truncate(site.code, 100))}`,
    `    ${site.message}`,
  ];
  lines.push(color.dim(`    ${site.group} (confidence ${site.confidence.toFixed(2)}, ${site.resolution}): ${groupReasons(site).join("; ")}`));
  return lines;
}

/**
 * The evidence behind the group, by question: for a test or overridden site
 * the signals that decided it; otherwise the work answer with the signals
 * that gave it, then the placement answer with its signals (placement only
 * when it decided: recurring work).
 */
function groupReasons(site: SpawnSite): string[] {
  if (site.work === "unknown") return site.signals.filter((signal) => signal.group === site.group).map((signal) => signal.message);
  const recurring = site.work === "recurring";
  const work = site.signals.filter((signal) => signal.question === "work" && (signal.group === "durable") === recurring);
  const reasons = [`work ${site.work}: ${work.map((signal) => signal.message).join(", ")}`];
  if (recurring) {
    const placed = site.signals.filter((signal) => signal.question === "placement" &&
      (site.placement === "long-lived" ? signal.group === "durable" : signal.group === "per-request"));
    reasons.push(placed.length === 0 ? "started from an unknown place" : `started ${site.placement}: ${placed.map((signal) => signal.message).join(", ")}`);
  }
  return reasons;
}

function summaryTable(counts: Record<Group, Record<string, number>>, color: ChalkInstance): string[] {
  const kinds = KINDS.filter((kind) => GROUPS.some((group) => counts[group][kind]! > 0));
  if (kinds.length === 0) return [color.green("No unsupervised spawn sites.")];
  const header = ["unsupervised", ...kinds, "total"];
  const rows = GROUPS.map((group) => {
    const cells = kinds.map((kind) => counts[group][kind]!);
    return [group, ...cells.map(String), String(cells.reduce((a, b) => a + b, 0))];
  });
  const widths = header.map((cell, index) => Math.max(cell.length, ...rows.map((row) => row[index]!.length)));
  const render = (row: string[]): string =>
    row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join("  ");
  return [color.bold(render(header)), ...rows.map(render)];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}
