/**
 * `--changed[=REF]`: only the files changed against a git ref (by default
 * the merge base with the default branch) and untracked files are
 * scanned, with types from the files that did not change (the whole
 * project without a cache, said in one line; with one, the changed files
 * and what they import); outside a git repository or with an unknown ref,
 * exit 2 with one line.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInProcess } from "./support/cli.ts";
import { writeTree } from "./support/tree.ts";

let repo = "";

function git(...args: string[]): void {
  execFileSync("git", [
    "-c",
    "user.name=test",
    "-c",
    "user.email=test@example.com",
    "-c",
    "commit.gpgsign=false",
    ...args,
  ], { cwd: repo, stdio: "ignore" });
}

interface Report {
  filesScanned: number;
  sites: Array<{ file: string; kind: string; resolution: string; start: { line: number } }>;
}

async function scan(...flags: string[]): Promise<{ code: number; report: Report | undefined; stderr: string }> {
  const run = await runInProcess(["scan", "--format", "json", "--fail-on", "none", ...flags], { cwd: repo });
  return { code: run.code, report: run.code === 2 ? undefined : JSON.parse(run.stdout) as Report, stderr: run.stderr };
}

before(() => {
  repo = mkdtempSync(join(tmpdir(), "spawn-audit-changed-"));
  writeTree(repo, {
    "package.json": JSON.stringify({ name: "app", private: true }),
    "tsconfig.json": JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        allowImportingTsExtensions: true,
        strict: true,
      },
      include: ["src"],
    }),
    ".gitignore": "node_modules/\n",
    // The promise type lives in a file that does not change: the changed file needs it.
    "src/jobs.ts": "export interface Queue {\n  drain(): PromiseLike<void>;\n}\n",
    "src/worker.ts":
      'import type { Queue } from "./jobs.ts";\nexport function start(queue: Queue): void {\n  setTimeout(() => {}, 10);\n}\n',
    "src/idle.ts": "export function idle(): void {\n  setInterval(() => {}, 1000);\n}\n",
  });
  git("init", "--quiet", "--initial-branch=main");
  git("add", ".");
  git("commit", "--quiet", "-m", "initial");
  git("checkout", "--quiet", "-b", "feature");
  writeFileSync(
    join(repo, "src/worker.ts"),
    'import type { Queue } from "./jobs.ts";\nexport function start(queue: Queue): void {\n  queue.drain();\n}\n',
  );
  git("commit", "--quiet", "-am", "drain");
  writeFileSync(join(repo, "src/fresh.ts"), "export function later(): void {\n  queueMicrotask(() => {});\n}\n");
});

after(() => rmSync(repo, { recursive: true, force: true }));

describe("--changed", () => {
  test("without a ref: files changed since the merge base with main, plus untracked files, typed with the whole project", async () => {
    const { code, report, stderr } = await scan("--changed");
    assert.equal(code, 0);
    assert.match(
      stderr,
      /^spawn-audit: --changed: no cache in .+ \(--cache makes one\), so the whole project is type-checked\n$/,
    );
    assert.equal(report!.filesScanned, 2);
    assert.deepEqual(report!.sites.map((site) => [site.file, site.kind, site.resolution]), [
      ["src/fresh.ts", "microtask", "type"],
      ["src/worker.ts", "floating-promise", "type"],
    ]);
  });

  test("against a ref: only what differs from it (committed changes before it are not scanned)", async () => {
    const { report } = await scan("--changed=HEAD");
    assert.deepEqual(report!.sites.map((site) => site.file), ["src/fresh.ts"]);
    assert.equal(report!.filesScanned, 1);
  });

  test("a path after a bare --changed is a path, not a ref", async () => {
    const { code, report } = await scan("--changed", "src");
    assert.equal(code, 0);
    assert.equal(report!.filesScanned, 2);
  });

  test("with a cache, the same report, without the line", async () => {
    assert.equal((await scan("--cache")).code, 0);
    // An edit after the cache was written: the file is analysed again, in a program of it and what it imports.
    const worker = join(repo, "src/worker.ts");
    const original = readFileSync(worker, "utf8");
    writeFileSync(worker, original + "export function again(queue: Queue): void {\n  queue.drain();\n}\n");
    const cached = await scan("--changed");
    rmSync(join(repo, "node_modules"), { recursive: true, force: true });
    const cold = await scan("--changed");
    writeFileSync(worker, original);
    assert.equal(cached.stderr, "");
    assert.deepEqual(cached.report, cold.report);
    assert.deepEqual(cached.report!.sites.map((site) => [site.file, site.start.line]), [
      ["src/fresh.ts", 2],
      ["src/worker.ts", 3],
      ["src/worker.ts", 6],
    ]);
  });

  test("an unknown ref is exit 2 with one line", async () => {
    const { code, stderr } = await scan("--changed=no-such-branch");
    assert.equal(code, 2);
    assert.equal(stderr, 'spawn-audit: --changed: unknown git ref "no-such-branch"\n');
  });

  test("outside a git repository is exit 2 with one line", async () => {
    const outside = mkdtempSync(join(tmpdir(), "spawn-audit-nogit-"));
    try {
      writeTree(outside, { "package.json": "{}", "main.ts": "setTimeout(() => {}, 1);\n" });
      const run = await runInProcess(["scan", "--changed"], { cwd: outside });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^spawn-audit: --changed needs a git repository, and .+ is not in one\n$/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
