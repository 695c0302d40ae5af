/**
 * Running one measurement of bench/child.ts in a fresh process, and the
 * median the tables report.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/**
 * What a child prints: wall time in ms; CPU time in ms (user and system, of
 * every thread of the process) over the same span, steadier than wall time
 * on a machine other work shares; sites (or typed calls for the floor),
 * files scanned, files analysed (the others came from a cache), peak RSS in
 * MiB.
 */
export interface Measurement {
  ms: number;
  cpuMs: number;
  count: number;
  files: number;
  analysed: number;
  maxRssMiB: number;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "child.js");

/**
 * Runs `child.js <mode> <path> ...flags` in a fresh Node process with the
 * default heap limit and returns what it measured.
 */
export function measure(
  mode: "floor" | "scan" | "floor-programs" | "run",
  path: string,
  ...flags: string[]
): Measurement {
  const output = execFileSync(process.execPath, [CHILD, mode, path, ...flags], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  return JSON.parse(output) as Measurement;
}

/** The median of `values` (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Rows of cells as a table: the first column left-aligned, the others right-aligned. */
export function formatTable(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)).join("  ")
  );
}

/**
 * Measures the floor (`floorMode`) and the scan of `path` in `runs`
 * interleaved rounds (so a change in the machine's load shifts both alike)
 * and returns the comparison cells: floor ms, scan ms, ratio, floor and
 * scan peak RSS in MiB (medians), sites; with the scan measurements.
 */
export function floorVersusScan(
  floorMode: "floor" | "floor-programs",
  path: string,
  runs: number,
): { cells: string[]; scan: Measurement[] } {
  const floor: Measurement[] = [];
  const scan: Measurement[] = [];
  for (let run = 0; run < runs; run++) {
    floor.push(measure(floorMode, path));
    scan.push(measure("scan", path));
  }
  const floorMs = median(floor.map((m) => m.ms));
  const scanMs = median(scan.map((m) => m.ms));
  const cells = [
    floorMs.toFixed(0),
    scanMs.toFixed(0),
    (scanMs / floorMs).toFixed(2) + "×",
    median(floor.map((m) => m.maxRssMiB)).toFixed(0),
    median(scan.map((m) => m.maxRssMiB)).toFixed(0),
    String(scan[0]!.count),
  ];
  return { cells, scan };
}

/** Runs `git` in `cwd` with a fixed identity, quietly. */
export function git(cwd: string, ...args: string[]): void {
  execFileSync("git", [
    "-c",
    "user.name=bench",
    "-c",
    "user.email=bench@example.com",
    "-c",
    "commit.gpgsign=false",
    ...args,
  ], { cwd, stdio: "ignore" });
}
