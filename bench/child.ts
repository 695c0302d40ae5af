/**
 * One benchmark measurement in a fresh process, printed as JSON
 * `{ ms, cpuMs, count, files, analysed, maxRssMiB }`. A fresh process per measurement keeps
 * one run's caches and heap from helping or hurting the next.
 *
 * - `floor <path>`: the floor (see floor.ts) over the plan's files with the root options;
 * - `scan <path>`: spawn-audit on the same plan (planning not timed);
 * - `floor-programs <path>`: the floor once per program of the plan, summed;
 * - `run <path> [--cache <dir>] [--changed]`: what the CLI does, planning
 *   included: the plan, then every file (or the files changed against the
 *   default branch), with the result cache in `<dir>` when given.
 *
 * @module
 */
import process from "node:process";
import { DEFAULT_CONFIG } from "../src/config.ts";
import { scanPart } from "../src/cache/scan.ts";
import { ResultCache } from "../src/cache/store.ts";
import { changedFiles } from "../src/files/changed.ts";
import { buildProgram, planScan } from "../src/project.ts";
import { scanProject } from "../src/scan.ts";
import { floorScan } from "./floor.ts";

const [mode, path, ...flags] = process.argv.slice(2);
const cwd = process.cwd();

/** When a measurement starts: the wall clock (ms) and the process's CPU time so far. */
interface Start {
  wall: number;
  cpu: NodeJS.CpuUsage;
}

/** Starts a measurement (after the modules are loaded: their loading is not measured). */
function begin(): Start {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}

/** Prints one measurement (`analysed`: the files analysed, of a run; the others came from the cache). */
function report(started: Start, count: number, files: number, analysed = files): void {
  const ms = performance.now() - started.wall;
  const used = process.cpuUsage(started.cpu);
  const cpuMs = (used.user + used.system) / 1000;
  process.stdout.write(
    JSON.stringify({ ms, cpuMs, count, files, analysed, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n",
  );
}

if (path === undefined || !["floor", "scan", "floor-programs", "run"].includes(mode ?? "")) {
  process.stderr.write("usage: child.js <floor|scan|floor-programs|run> <path> [--cache <dir>] [--changed]\n");
  process.exit(2);
} else if (mode === "run") {
  const started = begin();
  const cacheAt = flags.indexOf("--cache");
  const plan = planScan({ paths: [path], cwd });
  let analysed = 0;
  const result = scanPart(plan, {
    cwd,
    ...(cacheAt === -1 ? {} : { cache: new ResultCache(flags[cacheAt + 1]!) }),
    ...(flags.includes("--changed") ? { only: changedFiles(plan.root, undefined) } : {}),
    onFile: () => analysed++,
  });
  report(started, result.sites.length, result.scannedFiles.length, analysed);
} else {
  // Every side gets the same plan: the same files and compiler options.
  const plan = planScan({ paths: [path], cwd });
  const started = begin();
  if (mode === "floor") {
    report(started, floorScan(plan.files, plan.compilerOptions as Parameters<typeof floorScan>[1]), plan.files.length);
  } else if (mode === "floor-programs") {
    const typed = plan.programs.reduce(
      (sum, program) => sum + floorScan(program.rootNames, program.compilerOptions as Parameters<typeof floorScan>[1]),
      0,
    );
    report(started, typed, plan.files.length);
  } else {
    const result = scanProject(buildProgram(plan), DEFAULT_CONFIG, cwd);
    report(started, result.sites.length, result.scannedFiles.length);
  }
}
