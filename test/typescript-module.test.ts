/**
 * The analysis works with the TypeScript that built the program it is given
 * (src/analysis/ts.ts): a program built by TypeScript 5.5, whose syntax kinds
 * are numbered differently from ts-morph's 6.0, gives the sites the CLI's
 * own program gives once `useTypeScript` is called with 5.5, and is refused
 * before it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { checkBuiltBy, ts, useTypeScript } from "../src/analysis/ts.ts";
import { DEFAULT_CONFIG } from "../src/config.ts";
import { type LoadedProject, loadProject } from "../src/project.ts";
import { scanProject } from "../src/scan.ts";
import type { SpawnSite } from "../src/site.ts";
import { repoRoot } from "./support/repo.ts";

/** TypeScript 5.5, the plugin package's development copy (the lowest release it supports). */
const ts55 = createRequire(join(repoRoot(), "eslint-plugin", "package.json"))("typescript") as typeof ts;
const bundled = ts;

/** A site of every rule, each status, durable and per-request work; DOM and ES types only, so the programs build fast. */
const SOURCE = `
declare function poll(): Promise<void>;
declare function save(data: string): Promise<void>;
async function loop(): Promise<void> {
  while (true) await poll();
}
loop();
setInterval(() => { if (Math.random() > 0.5) throw new Error("tick"); }, 1000);
const worker = new Worker("./indexer.js");
worker.postMessage("start");
document.addEventListener("click", async () => { await save("click"); });
save("once").then(() => undefined);
save("handled").catch(() => undefined);
// spawn-audit-ignore-next-line floating-promise -- flushed at exit
save("ignored");
[1, 2].forEach(async (n) => { await save(String(n)); });
void save("void");
setTimeout(() => { JSON.parse("{"); }, 10);
queueMicrotask(() => { JSON.parse("{"); });
(async () => { await poll(); })();
export {};
`;

const root = mkdtempSync(join(tmpdir(), "spawn-audit-ts-module-"));
writeFileSync(
  join(root, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: { target: "es2022", lib: ["es2022", "dom"], types: [], strict: true, noEmit: true },
  }),
);
writeFileSync(join(root, "main.ts"), SOURCE);
after(() => rmSync(root, { recursive: true, force: true }));

/** What must agree between the two programs: where each site is, what it is, and its verdicts. */
function summary(sites: readonly SpawnSite[]): string[] {
  return sites.map((site) =>
    `${site.file}:${site.start.line}:${site.start.column} ${site.kind} ${site.status} ${site.group} ${site.confidence}`
  );
}

/** The CLI's plan for the project, its program rebuilt by TypeScript 5.5 from the same tsconfig. */
function builtBy55(project: LoadedProject): LoadedProject {
  const programs = project.programs.map(({ tsconfig, targets }) => {
    const host = { ...ts55.sys, onUnRecoverableConfigFileDiagnostic() {} };
    const config = ts55.getParsedCommandLineOfConfigFile(tsconfig!, {}, host)!;
    const program = ts55.createProgram({ rootNames: config.fileNames, options: config.options });
    const checker = program.getTypeChecker();
    return { tsconfig, program, checker, targets: targets.map((target) => program.getSourceFile(target.fileName)!) };
  });
  return { ...project, programs };
}

test("a program built by TypeScript 5.5 gives the CLI's sites once the analysis uses 5.5, and is refused before", () => {
  assert.equal(ts55.version, "5.5.4");
  assert.notEqual(ts55.SyntaxKind.CallExpression, ts.SyntaxKind.CallExpression, "the releases number kinds apart");
  const project = loadProject({ paths: [root], cwd: root });
  const expected = summary(scanProject(project, DEFAULT_CONFIG, root).sites);
  const kinds = new Set(expected.map((line) => line.split(" ")[1]));
  assert.ok(kinds.size >= 9, `a site of most kinds: ${[...kinds].join(", ")}`);
  const project55 = builtBy55(project);
  assert.throws(() => scanProject(project55, DEFAULT_CONFIG, root), /parsed by another TypeScript.*useTypeScript/);
  useTypeScript(ts55);
  try {
    assert.equal(ts.version, "5.5.4", "the live binding follows useTypeScript");
    assert.deepEqual(summary(scanProject(project55, DEFAULT_CONFIG, root).sites), expected);
  } finally {
    useTypeScript(bundled);
  }
});

test("useTypeScript refuses what is not the typescript module; checkBuiltBy accepts the module's own files", () => {
  assert.throws(() => useTypeScript({} as typeof ts), TypeError);
  assert.equal(ts, bundled);
  checkBuiltBy(ts.createSourceFile("a.ts", "f();", ts.ScriptTarget.Latest));
});
