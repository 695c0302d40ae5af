/**
 * Scan speed and memory against the floor (see `floor.ts`): each target is
 * measured in fresh processes, floor and spawn-audit alternating, and the
 * median of the runs is reported with the ratio spawn-audit / floor. Targets:
 * two real packages and a generated 2,500-module application run with
 * Node's default heap limit.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { floorVersusScan, formatTable } from "./measure.ts";
import { writeSyntheticApp } from "./synthetic.ts";

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
      rows.push([label, ...floorVersusScan("floor", path, runs).cells]);
    }
    const table = formatTable(rows);
    return [
      `Scan vs floor (bare TypeScript program + checker types of expression-statement calls), median of ${runs} fresh-process runs, default heap:`,
      ...table,
    ].join("\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
