// Property test of the task status state machine under random spawns, aborts, failures and time.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { TaskSupervisor } from "../../shim/supervisor.ts";
import { setup } from "./helpers.ts";

type Behaviour = "return" | "throw" | "reject-string" | "until-abort" | "ignore-abort" | "fail-after-abort";

type Action =
  | { kind: "spawn"; name: string; behaviour: Behaviour; restart: "on-failure" | "always" | "never" }
  | { kind: "logged"; name: string; behaviour: Behaviour }
  | { kind: "abort"; name: string }
  | { kind: "advance"; ms: number };

const names = fc.constantFrom("a", "b", "c", "d");
const behaviours = fc.constantFrom<Behaviour>(
  "return",
  "throw",
  "reject-string",
  "until-abort",
  "ignore-abort",
  "fail-after-abort",
);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant("spawn" as const),
    name: names,
    behaviour: behaviours,
    restart: fc.constantFrom("on-failure" as const, "always" as const, "never" as const),
  }),
  fc.record({ kind: fc.constant("logged" as const), name: names, behaviour: behaviours }),
  fc.record({ kind: fc.constant("abort" as const), name: names }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 500 }) }),
);

function factoryFor(behaviour: Behaviour) {
  return (signal: AbortSignal): unknown => {
    switch (behaviour) {
      case "return":
        return "value";
      case "throw":
        throw new Error("sync failure");
      case "reject-string":
        return Promise.reject("string failure");
      case "until-abort":
        return new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      case "ignore-abort":
        return new Promise(() => {});
      case "fail-after-abort":
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    }
  };
}

function checkInvariants(supervisor: TaskSupervisor, liveIds: Set<number>): void {
  const snapshot = supervisor.snapshot();
  const ids = snapshot.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length, "no task is duplicated in the registry");
  const active = snapshot.filter((s) => s.status === "running" || s.status === "restarting");
  assert.equal(supervisor.activeCount(), active.length, "activeCount() equals running + restarting");
  for (const id of liveIds) assert.ok(ids.includes(id), `active task ${id} is not lost from the registry`);
  assert.equal(active.length, liveIds.size, "every active registry entry is a task that has not exited");
}

test("no task is lost or duplicated; activeCount matches; nothing runs after shutdown (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(action, { maxLength: 30 }),
      fc.integer({ min: 0, max: 300 }),
      async (actions, timeoutMs) => {
        const { supervisor, clock } = setup({
          defaults: { backoff: { initialMs: 10, maxMs: 100 }, maxConsecutiveFailures: 4 },
        });
        // Tasks that have not exited yet; `exit` fires synchronously as a task leaves running/restarting.
        const live = new Set<number>();
        const settled = new Set<number>();
        let spawned = 0;
        // A factory that throws synchronously may exit before spawn() returns.
        const exited = new Set<number>();
        supervisor.on("exit", (e) => {
          exited.add(e.id);
          live.delete(e.id);
        });
        const namedIds = new Map<string, number>();
        const track = (id: number, done: Promise<unknown>): void => {
          if (!exited.has(id)) live.add(id);
          spawned++;
          void done.then(() => settled.add(id));
        };
        for (const step of actions) {
          if (step.kind === "spawn") {
            const handle = supervisor.spawn(step.name, factoryFor(step.behaviour), { restart: step.restart });
            const previous = namedIds.get(step.name);
            if (previous !== undefined) assert.ok(!live.has(previous) || handle.id !== previous);
            namedIds.set(step.name, handle.id);
            track(handle.id, handle.done);
          } else if (step.kind === "logged") {
            const handle = supervisor.spawnLogged(step.name, factoryFor(step.behaviour));
            track(handle.id, handle.done);
          } else if (step.kind === "abort") {
            supervisor.abort(step.name);
          } else {
            await clock.advance(step.ms);
          }
          await Promise.resolve();
          checkInvariants(supervisor, live);
        }
        const shutdown = supervisor.shutdown({ timeoutMs });
        await clock.advance(timeoutMs);
        const summary = await shutdown;
        await clock.advance(0);
        const snapshot = supervisor.snapshot();
        assert.equal(supervisor.activeCount(), 0);
        assert.ok(
          snapshot.every((s) => s.status !== "running" && s.status !== "restarting"),
          "nothing is running after shutdown",
        );
        assert.equal(live.size, 0, "every task exited");
        assert.equal(settled.size, spawned, "every handle's done settled");
        assert.equal(clock.pending, 0, "no timer outlives the shutdown");
        const stragglers = snapshot.filter((s) => s.status === "aborted").map((s) => s.name).sort();
        assert.deepEqual([...summary.aborted].sort(), stragglers);
      },
    ),
    { numRuns: 150 },
  );
});
