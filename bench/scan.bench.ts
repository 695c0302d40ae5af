/**
 * Scan speed and memory against the floor (see `floor.ts`): each target is
 * measured in fresh processes, floor and spawn-audit alternating, and the
 * median of the runs is reported with the ratio spawn-audit / floor. Targets:
 * two real packages and a generated 2,500-module application run with
 * Node's default heap limit.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { writeSyntheticApp } from "./synthetic.ts";

interface Measurement {
  ms: number;
  count: number;
  maxRssMiB: number;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "child.js");

function measure(mode: "floor" | "scan", path: string): Measurement {
  const output = execFileSync(process.execPath, [CHILD, mode, path], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(output) as Measurement;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Runs the scan benchmark.
 *
 * @param runs measurements per side and target (the median is reported).
 * @returns a printable table: target, floor ms, spawn-audit ms, ratio, peak RSS of each.
 */
export function benchScan(runs = 3): string {
  const work = mkdtempSync(join(tmpdir(), "spawn-audit-bench-"));
  try {
    const synthetic = join(work, "app");
    writeSyntheticApp(synthetic, 2500);
    const targets: Array<[string, string]> = [
      ["@supabase/realtime-js src (TS)", "node_modules/@supabase/realtime-js/src"],
      ["graphile-worker dist (JS)", "node_modules/graphile-worker/dist"],
      ["generated app, 2,500 modules", synthetic],
    ];
    const rows = [["target", "floor ms", "scan ms", "ratio", "floor RSS MiB", "scan RSS MiB", "sites"]];
    for (const [label, path] of targets) {
      const floor: Measurement[] = [];
      const scan: Measurement[] = [];
      for (let run = 0; run < runs; run++) {
        floor.push(measure("floor", path));
        scan.push(measure("scan", path));
      }
      const floorMs = median(floor.map((m) => m.ms));
      const scanMs = median(scan.map((m) => m.ms));
      rows.push([
        label,
        floorMs.toFixed(0),
        scanMs.toFixed(0),
        (scanMs / floorMs).toFixed(2) + "×",
        median(floor.map((m) => m.maxRssMiB)).toFixed(0),
        median(scan.map((m) => m.maxRssMiB)).toFixed(0),
        String(scan[0]!.count),
      ]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    const table = rows.map((row) => row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)).join("  "));
    return [
      `Scan vs floor (bare TypeScript program + checker types of expression-statement calls), median of ${runs} fresh-process runs, default heap:`,
      ...table,
    ].join("\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
