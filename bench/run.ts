/**
 * `npm run bench`: the scan benchmark (spawn-audit vs the TypeScript floor),
 * the multi-package workspace benchmark (cold, cached, changed), re-runs on
 * one real single-program package and on a generated single-program
 * application (cold, cached, one edit, changed), the ESLint
 * plugin against typescript-eslint's no-floating-promises, the shim
 * benchmark (spawnLogged vs a bare `.catch`, spawn and restart cost,
 * memory per task), each shim adapter's cost per task and fix's cost on
 * two pools' hot path (100,000 jobs), printed in one run. Run with
 * `--expose-gc` for the shim's memory figure.
 *
 * @module
 */
import process from "node:process";
import { benchAdapters } from "./adapters.bench.ts";
import { benchEslint } from "./eslint.bench.ts";
import { benchFixOverhead } from "./fix-overhead.bench.ts";
import { benchIncremental } from "./incremental.bench.ts";
import { benchScan } from "./scan.bench.ts";
import { benchShim } from "./shim.bench.ts";
import { benchWorkspace } from "./workspace.bench.ts";

process.stdout.write(benchScan() + "\n\n");
process.stdout.write(benchWorkspace() + "\n\n");
process.stdout.write(benchIncremental() + "\n\n");
process.stdout.write(benchEslint() + "\n\n");
process.stdout.write(await benchShim() + "\n\n");
process.stdout.write(await benchAdapters() + "\n\n");
process.stdout.write(benchFixOverhead() + "\n");
