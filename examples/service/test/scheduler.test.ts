import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "../src/db.ts";
import { pollJobs } from "../src/scheduler.ts";

test("pollJobs stops when aborted", async () => {
  const controller = new AbortController();
  const db = connect("memory://");
  const done = pollJobs(db, new Map(), controller.signal);
  setTimeout(() => controller.abort(), 50);
  await done;
  assert.ok(controller.signal.aborted);
});
