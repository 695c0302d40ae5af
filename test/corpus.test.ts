/**
 * The CLI on real code nobody here wrote: sources of pinned npm packages
 * installed as devDependencies (see package.json).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import type { SpawnSite } from "../src/site.ts";
import { repoRoot } from "./support/repo.ts";
import { runChild } from "./support/cli.ts";

interface Report {
  sites: SpawnSite[];
  problems: unknown[];
  filesScanned: number;
}

function scanPackage(path: string): Report {
  const run = runChild(["scan", path, "--format", "json", "--fail-on", "none"]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Report;
}

/** 1-based line of the first occurrence of `snippet` in a file under the repository. */
function lineOf(path: string, snippet: string, after = 0): number {
  const lines = readFileSync(join(repoRoot(), path), "utf8").split("\n");
  const index = lines.findIndex((line, at) => at >= after && line.includes(snippet));
  assert.notEqual(index, -1, `${snippet} not found in ${path}`);
  return index + 1;
}

function sitesAt(report: Report, file: string, line: number): SpawnSite[] {
  return report.sites.filter((site) => site.file === file && site.start.line === line);
}

describe("@supabase/realtime-js (TypeScript sources)", () => {
  const root = "node_modules/@supabase/realtime-js/src";
  const client = `${root}/RealtimeClient.ts`;
  let report: Report;
  before(() => {
    report = scanPackage(root);
  });

  test("scans every source file without problems", () => {
    assert.deepEqual(report.problems, []);
    assert.ok(report.filesScanned >= 10, `scanned ${report.filesScanned}`);
  });

  test("the setInterval inside the WORKER_SCRIPT string is not a site", () => {
    const line = lineOf(client, "setInterval(() => postMessage");
    assert.ok(lineOf(client, "WORKER_SCRIPT") < line);
    assert.deepEqual(sitesAt(report, client, line), []);
  });

  test("new Worker(objectUrl) in _startWorkerHeartbeat is handled by the onerror assigned after it", () => {
    const line = lineOf(client, "new Worker(objectUrl)", lineOf(client, "private _startWorkerHeartbeat") - 1);
    const [site, ...rest] = sitesAt(report, client, line);
    assert.equal(rest.length, 0);
    assert.equal(site?.kind, "worker");
    assert.equal(site?.status, "handled");
    assert.match(site?.statusReason ?? "", /onerror/);
    assert.equal(site?.group, "durable");
  });

  test("every site has a group, signals and a type-resolved kind", () => {
    assert.ok(report.sites.length > 0);
    for (const site of report.sites) {
      assert.ok(site.signals.length > 0, `${site.file}:${site.start.line}`);
      assert.ok(site.confidence > 0 && site.confidence <= 1);
    }
  });
});

describe("graphile-worker (compiled JavaScript)", () => {
  const root = "node_modules/graphile-worker/dist";
  let report: Report;
  before(() => {
    report = scanPackage(root);
  });

  test("scans the JavaScript files, not the declaration files", () => {
    assert.deepEqual(report.problems, []);
    assert.ok(report.sites.every((site) => site.file.endsWith(".js")));
    assert.ok(report.filesScanned >= 20, `scanned ${report.filesScanned}`);
  });

  test("the sleep helper's setTimeout(resolve, ms) in lib.js is benign", () => {
    const file = `${root}/lib.js`;
    const [site] = sitesAt(report, file, lineOf(file, "new Promise((resolve) => setTimeout(resolve, ms))"));
    assert.equal(site?.kind, "timeout");
    assert.equal(site?.status, "benign");
  });

  test("the polling timers in worker.js are durable and handled: doNext catches every failure", () => {
    const file = `${root}/worker.js`;
    const polls = report.sites.filter((site) =>
      site.file === file && site.code.includes("setTimeout(() => doNext(), pollInterval)")
    );
    assert.equal(polls.length, 2);
    for (const site of polls) {
      assert.equal(site.kind, "timeout");
      assert.equal(site.status, "handled");
      assert.match(site.statusReason ?? "", /catches every failure/);
      assert.equal(site.group, "durable");
      assert.ok(site.signals.some((signal) => signal.id === "starts-itself-again"));
    }
  });

  test("the recursive doNext() calls in worker.js are durable floating promises", () => {
    const file = `${root}/worker.js`;
    const calls = report.sites.filter((site) =>
      site.file === file && site.callee === "doNext" && site.kind === "floating-promise"
    );
    assert.ok(calls.length >= 2);
    assert.ok(calls.every((site) => site.group === "durable"));
  });
});
