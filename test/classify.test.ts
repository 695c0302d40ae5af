import assert from "node:assert/strict";
import { test } from "node:test";
import { classify } from "../src/classify/classify.ts";
import { signal } from "../src/classify/signals.ts";

test("recurring work started from a long-lived place is durable", () => {
  const result = classify([signal("interval-timer"), signal("module-top-level")], "type");
  assert.deepEqual([result.group, result.work, result.placement], ["durable", "recurring", "long-lived"]);
  assert.equal(result.confidence, 0.88);
});

test("one-shot work is per-request wherever it starts, even at startup", () => {
  for (
    const place of [
      signal("module-top-level"),
      signal("startup-function", "main"),
      signal("long-lived-constructor", "Server"),
    ]
  ) {
    const result = classify([signal("one-shot-timer"), place], "type");
    assert.deepEqual(
      [result.group, result.work, result.placement],
      ["per-request", "one-shot", "long-lived"],
      place.id,
    );
  }
});

test("placement alone never makes a site durable", () => {
  const result = classify([
    signal("startup-function", "start"),
    signal("long-lived-constructor", "PollService"),
    signal("module-top-level"),
  ], "type");
  assert.equal(result.group, "per-request");
  assert.equal(result.work, "one-shot");
  assert.ok(result.signals.some((item) => item.id === "no-lifetime-evidence"));
});

test("recurring work started per request, event or item is per-request", () => {
  const result = classify([signal("interval-timer"), signal("inside-request-handler", "on(...)")], "type");
  assert.deepEqual([result.group, result.work, result.placement], ["per-request", "recurring", "per-request"]);
});

test("recurring work with no placement evidence is durable, at lower confidence", () => {
  const result = classify([signal("starts-itself-again", "poll → poll")], "type");
  assert.deepEqual([result.group, result.placement], ["durable", "unknown"]);
  assert.equal(result.confidence, 0.8);
});

test("an interval cleared within its bounded flow is one-shot work", () => {
  const result = classify([
    signal("interval-timer"),
    signal("interval-cleared-nearby", "by its own callback"),
    signal("module-top-level"),
  ], "type");
  assert.deepEqual([result.group, result.work], ["per-request", "one-shot"]);
});

test("test evidence outweighs any other answer", () => {
  const result = classify(
    [signal("test-file-path", "a.test.ts"), signal("interval-timer"), signal("module-top-level")],
    "type",
  );
  assert.deepEqual([result.group, result.placement, result.work], ["test", "test", "unknown"]);
});

test("a config override sets the group outright", () => {
  const result = classify([
    signal("config-override", "per-request", "per-request"),
    signal("interval-timer"),
    signal("module-top-level"),
  ], "type");
  assert.equal(result.group, "per-request");
});

test("no work signal at all is one-shot on no-lifetime-evidence", () => {
  const result = classify([], "type");
  assert.equal(result.group, "per-request");
  assert.deepEqual(result.signals.map((s) => s.id), ["no-lifetime-evidence"]);
  assert.equal(result.confidence, 0.56);
});

test("syntax-only recognition lowers confidence by a fifth", () => {
  const typed = classify([signal("interval-timer"), signal("module-top-level")], "type");
  const syntax = classify([signal("interval-timer"), signal("module-top-level")], "syntax");
  assert.equal(typed.confidence, 0.88);
  assert.equal(syntax.confidence, 0.7);
});

test("the same signals in another order give the same answer", () => {
  const signals = [
    signal("debounce"),
    signal("startup-function", "start"),
    signal("constructor", "Poller"),
    signal("interval-timer"),
  ];
  const forward = classify(signals, "type");
  const backward = classify([...signals].reverse(), "type");
  assert.deepEqual([forward.group, forward.confidence, forward.work], [
    backward.group,
    backward.confidence,
    backward.work,
  ]);
});
