/**
 * A Deno project (a deno.json, no tsconfig): Deno's global types come
 * from `deno types`, so a child process's `status.then(...)` and a
 * server's `finished.then(...)` are typed findings; the import map's local
 * entries resolve; imports Deno resolves remotely are one warning; a file
 * the config excludes is not typed as Deno code.
 * Skipped, saying so, when no `deno` can be run.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInProcess } from "./support/cli.ts";
import { writeTree } from "./support/tree.ts";

let dir = "";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-deno-"));
  writeTree(dir, {
    "deno.json": `{
  // JSON with comments, as Deno reads it
  "imports": { "@std/assert": "jsr:@std/assert@1", "lib/": "./src/lib/" },
  "compilerOptions": { "lib": ["deno.window"] },
  "exclude": ["scripts/"],
}
`,
    // Left out by the config's exclude: not typed as Deno code.
    "scripts/excluded.ts": `export function go(): void {\n  new Deno.Command("x").spawn().status.then(() => {});\n}\n`,
    "src/main.ts": `import { assert } from "@std/assert";
import { refresh } from "lib/refresh.ts";

export function run(): void {
  const child = new Deno.Command("x").spawn();
  child.status.then((status) => assert(status.success));
  Deno.serve(() => new Response("ok")).finished.then(() => console.log("stopped"));
  refresh();
}
`,
    "src/lib/refresh.ts": `import { assertEquals } from "jsr:@std/assert@1/equals";
export async function refresh(): Promise<void> {
  assertEquals(await Deno.readTextFile("x"), "y");
}
`,
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  sites: Array<{ file: string; kind: string; resolution: string; callee: string | null; start: { line: number } }>;
  warnings: Array<{ file: string; message: string }>;
}

test("Deno globals, the import map and unresolved remote imports", async (t) => {
  const run = await runInProcess(["scan", "--all", "--format", "json", "--fail-on", "none", "."], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  const absent = report.warnings.find((warning) => /Deno's global types are not loaded/.test(warning.message));
  if (absent !== undefined) {
    t.skip(`no deno to ask for Deno's global types: ${absent.message}`);
    return;
  }
  assert.ok(
    report.sites.filter((site) => site.file === "scripts/excluded.ts").every((site) => site.resolution !== "type"),
  );
  const deno = report.sites.filter((site) => site.file !== "scripts/excluded.ts");
  assert.deepEqual(deno.map((site) => [site.file, site.start.line, site.kind, site.resolution]), [
    ["src/main.ts", 6, "then-without-catch", "type"],
    ["src/main.ts", 7, "then-without-catch", "type"],
    ["src/main.ts", 8, "floating-promise", "type"],
  ]);
  assert.equal(deno[2]!.callee, "refresh");
  assert.deepEqual(report.warnings, [{
    file: "deno.json",
    message: "2 imports that Deno resolves did not resolve locally (@std/assert, jsr:@std/assert@1/equals); " +
      "what they export is untyped in this scan (deno install puts npm: packages in node_modules)",
  }]);
});

test("with --stdin-filepath, the imports checked are those of the text on standard input, not of the file on disk", async (t) => {
  const text =
    `import { exists } from "jsr:@std/fs@1/exists";\nexport async function refresh(): Promise<boolean> {\n  return await exists("x");\n}\n`;
  const run = await runInProcess([
    "scan",
    "--stdin-filepath",
    "src/lib/refresh.ts",
    "--format",
    "json",
    "--fail-on",
    "none",
  ], { cwd: dir, stdin: text });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  if (report.warnings.some((warning) => /Deno's global types are not loaded/.test(warning.message))) {
    t.skip("no deno to ask for Deno's global types");
    return;
  }
  const unresolved = report.warnings.filter((warning) => warning.file === "deno.json").map((warning) =>
    warning.message
  );
  assert.equal(unresolved.length, 1, JSON.stringify(report.warnings));
  assert.match(unresolved[0]!, /\(jsr:@std\/fs@1\/exists\)/);
});

test("a deno.json that does not parse is one warning naming the line and column; the rest of the scan goes on", async () => {
  const broken = mkdtempSync(join(tmpdir(), "spawn-audit-deno-broken-"));
  try {
    writeTree(broken, {
      "deno.json": `{\n  "imports": {\n    "x": "./x.ts",,\n  }\n}\n`,
      "main.ts": `export function go(): void {\n  Promise.reject(new Error("x"));\n}\n`,
    });
    const run = await runInProcess(["scan", "--format", "json", "--fail-on", "none", "."], { cwd: broken });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    const warning = report.warnings.find((found) => found.file === "deno.json" && /not valid JSON/.test(found.message));
    assert.match(
      warning?.message ?? JSON.stringify(report.warnings),
      /not valid JSON \(\w+ at line 3, column 19\); the rest of the config is used/,
    );
    assert.equal(report.sites.length, 1);
  } finally {
    rmSync(broken, { recursive: true, force: true });
  }
});
