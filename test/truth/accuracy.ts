/**
 * `npm run accuracy`: the scoreboard. Scans every package of the truth set
 * and prints, per package, per half of the split (`split.ts`) and overall, recall of unhandled non-test sites,
 * the share of handled sites still reported, group accuracy, and durable
 * precision and recall (definitions in `score.ts`). `--details` adds one
 * line per disagreement of the tuning half (the evaluation half is scored,
 * never explored); `--json` prints the figures as JSON.
 *
 * @module
 */
import process from "node:process";
import { disagreements, type Figures, figuresOf, type Ratio } from "./score.ts";
import { measureTruthSet } from "./measure.ts";
import { repoRoot } from "../support/repo.ts";
import { halfOf, HALVES } from "./split.ts";

const packages = measureTruthSet(repoRoot());
const halves = HALVES.map((half) => ({ half, members: packages.filter((entry) => halfOf(entry.package) === half) }));
const rows = [
  ...packages.map((entry) => ({ name: `${entry.package} (${halfOf(entry.package)})`, figures: figuresOf([entry]) })),
  ...halves.map(({ half, members }) => ({ name: `${half} half`, figures: figuresOf(members) })),
  { name: "overall", figures: figuresOf(packages) },
];

if (process.argv.includes("--json")) {
  process.stdout.write(JSON.stringify(Object.fromEntries(rows.map((row) => [row.name, row.figures])), null, 2) + "\n");
} else {
  const header = [
    "package",
    "sites",
    "recall",
    "handled reported",
    "group acc.",
    "durable prec.",
    "durable recall",
    "unlabelled reported",
  ];
  const [tuning, evaluation] = halves.map(({ members }) => figuresOf(members));
  const table = [header, ...rows.map(({ name, figures }) => formatRow(name, figures)), gapRow(tuning!, evaluation!)];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) {
    process.stdout.write(
      row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)).join(
        "  ",
      ) +
        "\n",
    );
  }
  if (process.argv.includes("--details")) {
    // Only the tuning half's disagreements are shown: the evaluation half is scored, never explored.
    for (const entry of halves[0]!.members) {
      const lines = disagreements(entry);
      if (lines.length > 0) {
        process.stdout.write(`\n${entry.package}\n${lines.map((line) => `  ${line}`).join("\n")}\n`);
      }
    }
  }
}

function formatRow(name: string, figures: Figures): string[] {
  return [
    name,
    String(figures.sites),
    percent(figures.recall),
    percent(figures.handledReported),
    percent(figures.groupAccuracy),
    percent(figures.durablePrecision),
    percent(figures.durableRecall),
    String(figures.unlabelledReported),
  ];
}

/** The gap between the halves on each ratcheted figure, in percentage points (tuning minus evaluation). */
function gapRow(tuning: Figures, evaluation: Figures): string[] {
  const gap = (key: keyof Figures): string => {
    const a = (tuning[key] as Ratio).share;
    const b = (evaluation[key] as Ratio).share;
    return a === null || b === null ? "-" : `${((a - b) * 100).toFixed(0)} pts`;
  };
  return [
    "gap (tuning - evaluation)",
    "",
    gap("recall"),
    gap("handledReported"),
    gap("groupAccuracy"),
    gap("durablePrecision"),
    gap("durableRecall"),
    "",
  ];
}

function percent(ratio: Ratio): string {
  return ratio.share === null ? "-" : `${(ratio.share * 100).toFixed(0)}% (${ratio.hits}/${ratio.of})`;
}
