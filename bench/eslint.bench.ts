/**
 * The ESLint plugin against typescript-eslint's `no-floating-promises`
 * alone, each side in fresh processes, sides interleaved round by round,
 * medians reported (see eslint-child.ts):
 *
 * - whole run: `eslint` over the scan benchmark's real packages, typed by a
 *   tsconfig that lists them (Node's types), with `no-floating-promises`
 *   alone and with the four plugin rules added (target ≤ 1.25×);
 * - editor: one long-lived ESLint on the generated 2,500-module app, as an
 *   editor keeps it: the first lint of a file once the program is warm
 *   (target ≤ 1.2× `no-floating-promises` alone) and the re-lint of that
 *   file after each edit (target ≤ 250 ms at the median; process CPU time
 *   beside it, which a busy machine inflates less than wall time).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { formatTable, median } from "./measure.ts";
import { writeSyntheticApp } from "./synthetic.ts";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "eslint-child.js");

/** Runs eslint-child.js with `args` in a fresh process and returns what it printed. */
function child<T>(...args: string[]): T {
  return JSON.parse(execFileSync(process.execPath, [CHILD, ...args], { encoding: "utf8", maxBuffer: 1 << 24 })) as T;
}

/** A tsconfig in `dir` typing the JavaScript and TypeScript under `scope` (relative to the working directory) with Node's types. */
function tsconfigFor(dir: string, name: string, scope: string): string {
  const path = join(dir, `${name}.tsconfig.json`);
  writeFileSync(
    path,
    JSON.stringify({
      compilerOptions: {
        allowJs: true,
        checkJs: false,
        target: "esnext",
        module: "esnext",
        moduleResolution: "bundler",
        skipLibCheck: true,
        noEmit: true,
        types: ["node"],
        typeRoots: [resolve("node_modules", "@types")],
      },
      include: [resolve(scope, "**/*")],
    }),
  );
  return path;
}

/**
 * Runs the ESLint benchmark.
 *
 * @param runs fresh processes per side and row (the median is reported).
 * @returns a printable report: the whole-run table and the editor table.
 */
export function benchEslint(runs = 3): string {
  const work = mkdtempSync(join(tmpdir(), "spawn-audit-bench-eslint-"));
  try {
    const targets: Array<[string, string]> = [
      ["@supabase/realtime-js src (TS)", "node_modules/@supabase/realtime-js/src"],
      ["graphile-worker dist (JS)", "node_modules/graphile-worker/dist"],
    ];
    const rows = [["target", "nfp ms", "nfp + plugin ms", "ratio", "nfp findings", "with plugin"]];
    for (const [label, scope] of targets) {
      const tsconfig = tsconfigFor(work, label.replace(/\W+/g, "-"), scope);
      const sides: Record<"nfp" | "plugin", { ms: number; messages: number }[]> = { nfp: [], plugin: [] };
      for (let run = 0; run < runs; run++) {
        for (const side of ["nfp", "plugin"] as const) {
          sides[side].push(child("run", tsconfig, side, `${scope}/**/*.{ts,js,mjs,cjs}`));
        }
      }
      const [nfp, both] = [median(sides.nfp.map((m) => m.ms)), median(sides.plugin.map((m) => m.ms))];
      rows.push([
        label,
        nfp.toFixed(0),
        both.toFixed(0),
        (both / nfp).toFixed(2) + "×",
        String(sides.nfp[0]!.messages),
        String(sides.plugin[0]!.messages),
      ]);
    }

    const app = join(work, "app");
    writeSyntheticApp(app, 2500);
    type Editor = { coldMs: number; firstMs: number; relintMs: number[]; relintCpuMs: number[] };
    const editor: Record<"nfp" | "plugin", Editor[]> = { nfp: [], plugin: [] };
    for (let run = 0; run < runs; run++) {
      for (const side of ["nfp", "plugin"] as const) editor[side].push(child("editor", app, side, "9"));
    }
    const of = (side: "nfp" | "plugin", pick: (m: Editor) => number[]): number => median(editor[side].flatMap(pick));
    const editorRows = [["editor, 2,500 modules", "nfp ms", "nfp + plugin ms", "ratio"]];
    for (
      const [label, pick] of [
        ["cold: first lint, program built", (m: Editor) => [m.coldMs]],
        ["first lint of a file, program warm", (m: Editor) => [m.firstMs]],
        ["re-lint after an edit (median)", (m: Editor) => m.relintMs],
        ["re-lint after an edit, CPU (median)", (m: Editor) => m.relintCpuMs],
      ] as const
    ) {
      const [nfp, both] = [of("nfp", pick), of("plugin", pick)];
      editorRows.push([label, nfp.toFixed(0), both.toFixed(0), (both / nfp).toFixed(2) + "×"]);
    }
    return [
      `ESLint: no-floating-promises (nfp) alone vs with the four spawn-audit rules, median of ${runs} fresh-process runs:`,
      ...formatTable(rows),
      "",
      `ESLint in an editor (one long-lived ESLint, lintText, project service), median of ${runs} processes × 9 edits:`,
      ...formatTable(editorRows),
    ].join("\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
