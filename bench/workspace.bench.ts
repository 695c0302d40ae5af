/**
 * The multi-package benchmark: the workspace of workspace.ts (six packages,
 * each with its own config, under a solution-style root), scanned cold
 * against the floor summed over its programs, then as the CLI runs it —
 * without a cache, with an unchanged cache, after one file changed with
 * the cache, and with `--changed` after that change — each in fresh
 * processes, the four runs interleaved round by round, medians reported.
 *
 * @module
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CACHE_FILE } from "../src/cache/store.ts";
import { floorVersusScan, formatTable, git, measure, type Measurement, median } from "./measure.ts";
import { CHANGED_FILE, writeWorkspace } from "./workspace.ts";

/**
 * Runs the workspace benchmark.
 *
 * @param runs measurements per row (the median is reported).
 * @returns a printable report: the cold scan against the floor, then the
 *   CLI's runs with wall time (ms, planning included), the ratio to the
 *   cold run, peak RSS (MiB) and files scanned.
 */
export function benchWorkspace(runs = 3): string {
  const work = mkdtempSync(join(tmpdir(), "spawn-audit-bench-workspace-"));
  try {
    const repo = join(work, "workspace");
    const cache = join(work, "cache");
    writeWorkspace(repo, resolve("node_modules"));
    git(repo, "init", "--quiet", "--initial-branch=main");
    git(repo, "add", ".");
    git(repo, "commit", "--quiet", "-m", "workspace");

    const { cells, scan } = floorVersusScan("floor-programs", repo, runs);
    const versusFloor = formatTable([
      ["target", "files", "floor ms", "scan ms", "ratio", "floor RSS MiB", "scan RSS MiB", "sites"],
      ["workspace, 6 packages", String(scan[0]!.files), ...cells],
    ]);

    // Rounds interleave the four runs, so a change in the machine's load shifts them alike; before each run
    // the source and the cache are set to what the run is about (the cache as the original source left it).
    const changedPath = join(repo, CHANGED_FILE);
    const original = readFileSync(changedPath, "utf8");
    const edited = original + "\nexport function benchTouched(): void {\n  setTimeout(() => {}, 1);\n}\n";
    const cacheFile = join(cache, CACHE_FILE);
    const cacheOfOriginal = join(work, "cache-of-original.json");
    measure("run", repo, "--cache", cache);
    copyFileSync(cacheFile, cacheOfOriginal);
    const cold: Measurement[] = [];
    const cached: Measurement[] = [];
    const cachedChange: Measurement[] = [];
    const changed: Measurement[] = [];
    for (let run = 0; run < runs; run++) {
      writeFileSync(changedPath, original);
      cold.push(measure("run", repo));
      copyFileSync(cacheOfOriginal, cacheFile);
      cached.push(measure("run", repo, "--cache", cache));
      writeFileSync(changedPath, edited);
      copyFileSync(cacheOfOriginal, cacheFile);
      cachedChange.push(measure("run", repo, "--cache", cache));
      changed.push(measure("run", repo, "--changed"));
    }

    const coldMs = median(cold.map((m) => m.ms));
    const row = (label: string, measured: Measurement[]): string[] => {
      const ms = median(measured.map((m) => m.ms));
      return [
        label,
        ms.toFixed(0),
        (ms / coldMs).toFixed(2) + "×",
        median(measured.map((m) => m.maxRssMiB)).toFixed(0),
        String(measured[0]!.files),
      ];
    };
    const runsTable = formatTable([
      ["run (planning included)", "ms", "vs cold", "RSS MiB", "files scanned"],
      row("cold, no cache", cold),
      row("--cache, nothing changed", cached),
      row("--cache, one file changed", cachedChange),
      row("--changed, one file changed", changed),
    ]);
    return [
      `Multi-package workspace vs floor (bare TypeScript program per config, summed), median of ${runs} fresh-process runs:`,
      ...versusFloor,
      "",
      `Re-runs on the workspace (targets: --cache unchanged ≤ 0.1× cold, --changed ≤ 0.5× cold), median of ${runs}:`,
      ...runsTable,
    ].join("\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
