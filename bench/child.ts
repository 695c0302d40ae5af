/**
 * One benchmark measurement in a fresh process: `node dist/bench/child.js
 * <floor|scan> <path>` prints `{ ms, typedOrSites, maxRssMiB }` as JSON.
 * A fresh process per measurement keeps one run's caches and heap from
 * helping or hurting the next.
 *
 * @module
 */
import process from "node:process";
import { DEFAULT_CONFIG } from "../src/config.ts";
import { buildProgram, planScan } from "../src/project.ts";
import { scanProject } from "../src/scan.ts";
import { floorScan } from "./floor.ts";

const [mode, path] = process.argv.slice(2);
if ((mode !== "floor" && mode !== "scan") || path === undefined) {
  process.stderr.write("usage: child.js <floor|scan> <path>\n");
  process.exit(2);
}
const cwd = process.cwd();
// Both sides get the same plan: the same files and compiler options.
const plan = planScan({ paths: [path], cwd });
const started = performance.now();
const count = mode === "floor"
  ? floorScan(plan.files, plan.compilerOptions as Parameters<typeof floorScan>[1])
  : scanProject(buildProgram(plan), DEFAULT_CONFIG, cwd).sites.length;
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, count, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");

