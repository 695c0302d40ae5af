import assert from "node:assert/strict";
import { test } from "node:test";
import { classify } from "../src/classify/classify.ts";
import { signal } from "../src/classify/signals.ts";

test("the group with the highest total weight wins", () => {
  const result = classify([signal("interval-timer"), signal("inside-request-handler", "on(...)"), signal("module-top-level")], "type");
  assert.equal(result.group, "durable");
  assert.equal(result.confidence, 0.63);
});

test("ties go to the more severe group", () => {
  assert.equal(classify([signal("interval-timer"), signal("debounce")], "type").group, "durable");
  assert.equal(classify([signal("one-shot-timer"), signal("constructor", "X")], "type").group, "durable");
});

test("test evidence outweighs any placement", () => {
  const result = classify([signal("test-file-path", "a.test.ts"), signal("interval-timer"), signal("module-top-level")], "type");
  assert.equal(result.group, "test");
});

test("no signal at all is per-request on no-lifetime-evidence", () => {
  const result = classify([], "type");
  assert.equal(result.group, "per-request");
  assert.deepEqual(result.signals.map((s) => s.id), ["no-lifetime-evidence"]);
  assert.equal(result.confidence, 0.56);
});

test("syntax-only recognition lowers confidence by a fifth", () => {
  const typed = classify([signal("interval-timer"), signal("module-top-level")], "type");
  const syntax = classify([signal("interval-timer"), signal("module-top-level")], "syntax");
  assert.equal(typed.confidence, 1);
  assert.equal(syntax.confidence, 0.8);
});

test("the same signals in another order give the same answer", () => {
  const signals = [signal("debounce"), signal("startup-function", "start"), signal("durable-callee-name", "poll")];
  const forward = classify(signals, "type");
  const backward = classify([...signals].reverse(), "type");
  assert.deepEqual([forward.group, forward.confidence], [backward.group, backward.confidence]);
});
