/**
 * The human report, laid out as ESLint's and oxlint's: findings grouped by
 * file (the path on a line of its own), one aligned line per finding —
 * `line:col  group  kind  short message  rule` — then, once, the full
 * message of every kind listed with a link to its rule's page, the summary
 * table of unsupervised sites per group × kind, and files that could not be
 * analysed. `verbose` adds the code and the evidence under each finding.
 *
 * @module
 */
import type { ChalkInstance } from "chalk";
import { type Group, GROUPS, type Kind, KINDS, type SpawnSite } from "../site.ts";
import type { ScanResult } from "../scan.ts";
import { skippedCounts } from "../files/skipped.ts";
import { type FailOn, failsThreshold, summarize } from "./summary.ts";
import { ruleDocUrl, shortMessage } from "./rules.ts";
import { plural } from "./plural.ts";

/**
 * Which sites the text report lists: `findings` (unsupervised sites, the
 * default), `failing` (only the findings that fail the run: `--quiet`) or
 * `all` (every site with its status: `--all`).
 */
export type TextScope = "findings" | "failing" | "all";

/**
 * How to render the text report.
 *
 * - `color`: a chalk instance (level 0 for plain text).
 * - `scope`: which sites to list (see {@link TextScope}).
 * - `verbose`: add under each site its code line, how it was grouped and every signal.
 * - `failOn`: the run's threshold, which `failing` lists against.
 * - `accepted`: findings a baseline accepts: tagged `[baseline]`, counted apart, never `failing`.
 */
export interface TextOptions {
  color: ChalkInstance;
  scope: TextScope;
  verbose: boolean;
  failOn: FailOn;
  accepted?: ReadonlySet<SpawnSite> | undefined;
}

/**
 * Renders the text report.
 *
 * @param result the scan result (sites sorted by file and position).
 * @param options what to list and how (see {@link TextOptions}).
 * @returns the report, ending with a newline.
 */
export function formatText(result: ScanResult, options: TextOptions): string {
  const { color, accepted } = options;
  const listed = result.sites.filter((site) => isListed(site, options));
  const rows = listed.map((site) => rowOf(site, accepted?.has(site) === true));
  const widths = [0, 1, 2, 3].map((column) => Math.max(0, ...rows.map((row) => row[column]!.length)));
  const out: string[] = [];
  let file: string | undefined;
  for (const [index, site] of listed.entries()) {
    if (site.file !== file) {
      if (file !== undefined) out.push("");
      file = site.file;
      out.push(color.underline(site.file));
    }
    out.push(findingLine(site, accepted?.has(site) === true, rows[index]!, widths, color));
    if (options.verbose) out.push(...evidenceLines(site, color));
  }
  if (listed.length > 0) out.push("", ...legend(listed, color), "");
  const summary = summarize(result.sites);
  out.push(...summaryTable(summary.unsupervised, color));
  const others = (["handled", "supervised", "benign", "ignored"] as const)
    .map((status) => `${summary.byStatus[status]} ${status}`).join(", ");
  out.push(
    "",
    `${summary.byStatus.unsupervised} unsupervised of ${plural(summary.total, "spawn site")} (${others}) in ${
      plural(result.scannedFiles.length, "file")
    }`,
  );
  if (accepted !== undefined) {
    out.push(
      `${accepted.size} of the unsupervised sites ${accepted.size === 1 ? "is" : "are"} accepted by the baseline`,
    );
  }
  if (result.skipped.length > 0) out.push(`not scanned: ${skippedCounts(result.skipped)} (--format json lists each)`);
  for (const warning of result.warnings) out.push(color.yellow(`warning: ${warning.file}: ${warning.message}`));
  if (result.problems.length > 0) {
    out.push("", color.yellow(`${plural(result.problems.length, "problem")}:`));
    for (const problem of result.problems) {
      const at = problem.line === null ? problem.file : `${problem.file}:${problem.line}:${problem.column}`;
      out.push(`  ${at}  ${problem.message}`);
    }
  }
  return out.join("\n") + "\n";
}

function isListed(site: SpawnSite, options: TextOptions): boolean {
  if (options.scope === "all") return true;
  if (site.status !== "unsupervised") return false;
  return options.scope === "findings" || (!options.accepted?.has(site) && failsThreshold([site], options.failOn));
}

/**
 * The plain cells of a site's line: position, group, kind, and the short
 * message — or, for a site that is not a finding, its status and why.
 */
function rowOf(site: SpawnSite, inBaseline: boolean): string[] {
  const what = site.status === "unsupervised"
    ? shortMessage(site.message) + (inBaseline ? " [baseline]" : "")
    : `[${site.status}${site.statusReason === null ? "" : `: ${site.statusReason}`}]`;
  return [`${site.start.line}:${site.start.column}`, site.group, site.kind, what, site.rule];
}

/** A site's line: its {@link rowOf} cells padded to `widths` and coloured (a finding a baseline accepts dimmed). */
function findingLine(
  site: SpawnSite,
  inBaseline: boolean,
  row: string[],
  widths: number[],
  color: ChalkInstance,
): string {
  const [where, group, kind, what, rule] = row as [string, string, string, string, string];
  const paintWhat = site.status !== "unsupervised" ? color.green : inBaseline ? color.dim : (text: string) => text;
  return [
    "  " + color.dim(where.padEnd(widths[0]!)),
    groupColor(site.group, color)(group.padEnd(widths[1]!)),
    color.magenta(kind.padEnd(widths[2]!)),
    paintWhat(what.padEnd(widths[3]!)),
    color.dim(rule),
  ].join("  ");
}

function groupColor(group: Group, color: ChalkInstance): ChalkInstance {
  return group === "durable" ? color.red : group === "per-request" ? color.yellow : color.cyan;
}

/**
 * `--verbose`: the site's code line, its group with confidence and how the
 * site was recognised, the answers to the two questions with the signals
 * behind them, then every signal with its id, question, group and weight.
 */
function evidenceLines(site: SpawnSite, color: ChalkInstance): string[] {
  const indent = "      ";
  return [
    indent + color.dim(truncate(site.code, 100)),
    indent +
    `${site.group} (confidence ${site.confidence.toFixed(2)}, ${site.resolution}): ${groupReasons(site).join("; ")}`,
    ...site.signals.map((signal) =>
      indent +
      color.dim(`- ${signal.id} (${signal.question} → ${signal.group}, weight ${signal.weight}): ${signal.message}`)
    ),
  ];
}

/**
 * The evidence behind the group, by question: for a test or overridden site
 * the signals that decided it; otherwise the work answer with the signals
 * that gave it, then the placement answer with its signals (placement only
 * when it decided: recurring work). `--verbose` and the ESLint plugin's
 * messages show them joined with `; `.
 *
 * @param site a classified site.
 * @returns one reason per question answered, e.g. `work recurring: setInterval repeats`.
 */
export function groupReasons(site: SpawnSite): string[] {
  if (site.work === "unknown") {
    return site.signals.filter((signal) => signal.group === site.group).map((signal) => signal.message);
  }
  const recurring = site.work === "recurring";
  const work = site.signals.filter((signal) =>
    signal.question === "work" && (signal.group === "durable") === recurring
  );
  const reasons = [`work ${site.work}: ${work.map((signal) => signal.message).join(", ")}`];
  if (recurring) {
    const placed = site.signals.filter((signal) =>
      signal.question === "placement" &&
      (site.placement === "long-lived" ? signal.group === "durable" : signal.group === "per-request")
    );
    reasons.push(
      placed.length === 0
        ? "started from an unknown place"
        : `started ${site.placement}: ${placed.map((signal) => signal.message).join(", ")}`,
    );
  }
  return reasons;
}

/** Each kind listed, once, in report order: its full message and its rule's page. */
function legend(listed: readonly SpawnSite[], color: ChalkInstance): string[] {
  const byKind = new Map<Kind, SpawnSite>();
  for (const site of listed) byKind.set(site.kind, site);
  const kinds = KINDS.filter((kind) => byKind.has(kind));
  const width = Math.max(...kinds.map((kind) => kind.length));
  return kinds.flatMap((kind) => [
    `${color.magenta(kind.padEnd(width))}  ${byKind.get(kind)!.message}`,
    `${" ".repeat(width)}  ${color.dim(ruleDocUrl(byKind.get(kind)!.rule))}`,
  ]);
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
