/**
 * What `fix` costs a library on its hot path: two pools of the pinned
 * devDependencies whose per-job code fix rewrote with `--group all` (tarn:
 * each acquire's promise and its retry callback when measured; fix now
 * takes the `resolve` its `defer()` keeps in an object for a user's
 * callback and rewrites only its two retry timers; generic-pool: `use()`'s
 * release and destroy got a `.catch` until fix counted the user's factory,
 * which they call, as user code: it now rewrites none of them, so that row
 * reports 0 sites and measures only the noise), copied twice under
 * node_modules/.cache, one copy fixed with the built CLI (the shim linked
 * in as an installed dependency, as test/fix/installed-behaviour does).
 * One driver runs 100,000 CPU-bound jobs (a short synchronous loop; no
 * I/O, so the pool's own code is as large a share of each job as it gets)
 * from 64 concurrent callers through each copy, all loaded in one fresh
 * Node process per run and alternating in batches (a change in the
 * machine's load shifts both alike); 5 runs. Reported per pool: sites
 * rewritten, the median CPU time per job of each copy in µs, the fixed
 * copy's batches against the original's, and the same for a second
 * original copy (A/A: what the measurement cannot tell from 1). Issue 22's
 * target is ≤ 1.05×.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { builtCli, repoRoot } from "../test/support/repo.ts";
import { formatTable, median } from "./measure.ts";

/** Jobs per run. */
const JOBS = 100_000;
/** Runs, each in a fresh process. */
const RUNS = 5;

/** A pool: its package, the files and folders of its code, and the driver's lines that make one and run one job through it. */
interface PoolCase {
  name: string;
  sources: string[];
  /** Defines, from `lib` (the package's exports), `runJob(job)`, which runs `job()` holding a resource, and `close()`. */
  driver: string;
}

const POOLS: PoolCase[] = [
  {
    name: "generic-pool",
    sources: ["index.js", "lib"],
    driver: `const pool = lib.createPool({ create: async () => ({}), destroy: async () => {} }, { max: 4 });
const runJob = (job) => pool.use(async () => job());
const close = async () => { await pool.drain(); await pool.clear(); };`,
  },
  {
    name: "tarn",
    sources: ["dist"],
    driver: `const pool = new lib.Pool({ create: () => ({}), destroy: () => {}, min: 0, max: 4 });
const runJob = async (job) => {
  const resource = await pool.acquire().promise;
  try { job(); } finally { pool.release(resource); }
};
const close = () => pool.destroy();`,
  },
];

/** Batches per copy in a run (of {@link JOBS} / BATCHES jobs each). */
const BATCHES = 50;

/** The copies a run drives: `control` is a second copy of the original, for the noise floor. */
const COPIES = ["original", "control", "fixed"] as const;

/**
 * The driver around a pool's lines: loads the three copies in one process
 * and runs {@link JOBS} jobs through each in {@link BATCHES} batches, the
 * copies taking turns within a batch (each going first in turn), so all see
 * the same load from moment to moment: on a shared machine the load swings
 * more between runs than the difference measured. Prints, per copy, the CPU
 * µs per job, and the median over batches of the batch's CPU time against
 * the original's.
 */
function driverProgram(pool: PoolCase): string {
  const setup = (copy: string) =>
    `(() => { const lib = require("./${copy}/${pool.name}");\n${pool.driver}\nreturn { runJob, close }; })()`;
  const copies = COPIES.map((copy) => `${copy}: ${setup(copy)}`).join(",\n");
  return `const copies = {\n${copies}\n};
const names = ${JSON.stringify(COPIES)};
let sink = 0;
const work = (n) => { let x = n; for (let i = 0; i < 200; i++) x = (x * 31 + i) | 0; sink ^= x; };
async function caller(runJob, from, count) { for (let i = from; i < from + count; i++) await runJob(() => work(i)); }
async function run(runJob, jobs) {
  const callers = 64;
  await Promise.all(Array.from({ length: callers }, (_, c) => caller(runJob, c * jobs / callers, jobs / callers)));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
(async () => {
  const used = { original: [], control: [], fixed: [] };
  for (const name of names) await run(copies[name].runJob, 6400);
  for (let batch = 0; batch < ${BATCHES}; batch++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(batch + turn) % names.length];
      const started = process.cpuUsage();
      await run(copies[name].runJob, ${JOBS / BATCHES});
      const cpu = process.cpuUsage(started);
      used[name].push(cpu.user + cpu.system);
    }
  }
  for (const name of names) await copies[name].close();
  const result = { sink };
  for (const name of names) {
    result[name] = {
      usPerJob: used[name].reduce((sum, us) => sum + us, 0) / ${JOBS},
      ratio: median(used[name].map((us, batch) => us / used.original[batch])),
    };
  }
  console.log(JSON.stringify(result));
})();
`;
}

/** Copies the installed `pool` to `original/`, `control/` and `fixed/` under `dir`, fixes the last; returns fix's summary line. */
function prepare(dir: string, pool: PoolCase): string {
  const installed = join(repoRoot(), "node_modules", pool.name);
  for (const copy of COPIES) {
    cpSync(join(installed, "package.json"), join(dir, copy, pool.name, "package.json"));
    for (const source of pool.sources) {
      cpSync(join(installed, source), join(dir, copy, pool.name, source), { recursive: true });
    }
  }
  const manifest = join(dir, "fixed", pool.name, "package.json");
  const published = JSON.parse(readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> };
  const dependencies = { ...published.dependencies, "@spawn-audit/shim": "^0.1.0" };
  writeFileSync(manifest, JSON.stringify({ ...published, dependencies }));
  const fix = execFileSync(
    process.execPath,
    [builtCli(), "fix", ".", "--write", "--group", "all", "--allow-dirty", "--no-lint"],
    { cwd: join(dir, "fixed", pool.name), encoding: "utf8" },
  );
  writeFileSync(join(dir, `${pool.name}.cjs`), driverProgram(pool));
  return fix.split("\n")[0]!;
}

/** What one run measured of a copy: CPU µs per job, and the median batch's CPU time against the original's. */
interface CopyRun {
  usPerJob: number;
  ratio: number;
}

/** What one run of `pool`'s driver measured, per copy. */
function runOnce(dir: string, pool: PoolCase): Record<(typeof COPIES)[number], CopyRun> {
  const output = execFileSync(process.execPath, [`${pool.name}.cjs`], { cwd: dir, encoding: "utf8" });
  return JSON.parse(output) as Record<(typeof COPIES)[number], CopyRun>;
}

/** The table: per pool, what fix rewrote, the per-job CPU time of each copy and their ratio (medians of {@link RUNS}). */
export function benchFixOverhead(): string {
  const cache = join(repoRoot(), "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "spawn-audit-fix-bench-"));
  try {
    mkdirSync(join(dir, "node_modules", "@spawn-audit"), { recursive: true });
    symlinkSync(join(repoRoot(), "shim"), join(dir, "node_modules", "@spawn-audit", "shim"), "dir");
    const rows = [["pool", "fix --group all", "original µs/job", "fixed µs/job", "fixed / original", "A/A"]];
    for (const pool of POOLS) {
      const summary = prepare(dir, pool);
      const runs = Array.from({ length: RUNS }, () => runOnce(dir, pool));
      const of = (copy: (typeof COPIES)[number], key: keyof CopyRun) => median(runs.map((run) => run[copy][key]));
      rows.push([
        pool.name,
        summary.replace(/^Rewrote /, "").replace(/\.$/, ""),
        of("original", "usPerJob").toFixed(2),
        of("fixed", "usPerJob").toFixed(2),
        `${of("fixed", "ratio").toFixed(3)}×`,
        `${of("control", "ratio").toFixed(3)}×`,
      ]);
    }
    return [
      `fix's cost on a pool's hot path: ${
        JOBS.toLocaleString("en-US")
      } CPU-bound jobs from 64 callers, CPU time, medians of ${RUNS} runs`,
      "(the copies interleaved in batches; ratios: median batch; A/A: a second original copy against the first)",
      ...formatTable(rows),
    ].join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(benchFixOverhead());
}
