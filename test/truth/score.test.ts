import assert from "node:assert/strict";
import { test } from "node:test";
import type { SpawnSite } from "../../src/site.ts";
import { figuresOf, matchPackage, type TruthFile, type TruthSite } from "./score.ts";

function site(file: string, line: number, endLine: number, overrides: Partial<SpawnSite> = {}): SpawnSite {
  return {
    file,
    start: { line, column: 1 },
    end: { line: endLine, column: 2 },
    kind: "floating-promise",
    rule: "floating-promise",
    code: "",
    callee: null,
    status: "unsupervised",
    statusReason: null,
    group: "per-request",
    confidence: 1,
    work: "one-shot",
    placement: "unknown",
    resolution: "type",
    signals: [],
    message: "",
    ...overrides,
  };
}

function label(line: number, overrides: Partial<TruthSite> = {}): TruthSite {
  return {
    file: "lib/a.js",
    line,
    kind: "floating-promise",
    group: "per-request",
    handled: false,
    reason: "r",
    ...overrides,
  };
}

const truth = (sites: TruthSite[]): TruthFile => ({
  package: "pkg",
  version: "1.0.0",
  scope: ["node_modules/pkg/lib"],
  labelledBy: "test",
  sites,
});

test("a label matches the tool site of its kind family that starts on its line before one that only spans it", () => {
  const spanning = site("node_modules/pkg/lib/a.js", 1, 9);
  const exact = site("node_modules/pkg/lib/a.js", 5, 5, { kind: "void-promise" });
  const timer = site("node_modules/pkg/lib/a.js", 5, 5, { kind: "timeout" });
  const matched = matchPackage(truth([label(5)]), [spanning, timer, exact]);
  assert.equal(matched.matches[0]!.site, exact);
  assert.deepEqual(matched.unlabelled, [spanning, timer]);
});

test("figures count reported unhandled sites, reported handled sites, groups and durable precision and recall", () => {
  const file = "node_modules/pkg/lib/a.js";
  const sites = [
    site(file, 1, 1, { group: "durable" }),
    site(file, 2, 2, { status: "handled" }),
    site(file, 3, 3),
    site(file, 9, 9),
  ];
  const labels = [label(1, { group: "durable" }), label(2), label(3, { handled: true, group: "durable" }), label(4)];
  const figures = figuresOf([matchPackage(truth(labels), sites)]);
  assert.deepEqual([figures.recall.hits, figures.recall.of], [1, 3]);
  assert.deepEqual([figures.handledReported.hits, figures.handledReported.of], [1, 1]);
  assert.deepEqual([figures.groupAccuracy.hits, figures.groupAccuracy.of], [2, 3]);
  assert.deepEqual([figures.durablePrecision.hits, figures.durablePrecision.of], [1, 1]);
  assert.deepEqual([figures.durableRecall.hits, figures.durableRecall.of], [1, 2]);
  assert.equal(figures.unlabelledReported, 1);
});
