import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createProgress, type ProgressOptions, REDRAW_INTERVAL_MS } from "./progress.ts";

/** A status line writing into an array, on a clock the test moves. */
function recorded(
  options: Partial<ProgressOptions>,
): { writes: string[]; clock: { ms: number }; progress: ReturnType<typeof createProgress> } {
  const writes: string[] = [];
  const clock = { ms: 0 };
  const progress = createProgress({
    write: (text) => writes.push(text),
    isTTY: true,
    env: {},
    now: () => clock.ms,
    ...options,
  });
  return { writes, clock, progress };
}

function run(progress: ReturnType<typeof createProgress>, clock: { ms: number }): void {
  progress.phase("scanning");
  for (let done = 1; done <= 50; done++) {
    clock.ms += 9;
    progress.advance(done, 50);
  }
  progress.finish();
}

describe("status line", () => {
  test("writes nothing when stderr is not a terminal", () => {
    const { writes, clock, progress } = recorded({ isTTY: false });
    run(progress, clock);
    assert.deepEqual(writes, []);
  });

  test("writes nothing in CI, even on a terminal", () => {
    const { writes, clock, progress } = recorded({ env: { CI: "true" } });
    run(progress, clock);
    assert.deepEqual(writes, []);
  });

  test("on a terminal: redraws one line at most once per interval, always shows the last count, and erases itself", () => {
    const { writes, clock, progress } = recorded({});
    run(progress, clock);
    const redraws = writes.filter((text) => text.includes("/50 files"));
    // 50 updates 9 ms apart: redrawn at 108, 216, 324 and 432 ms (each the first ≥ REDRAW_INTERVAL_MS after the last), then the final count at 450 ms.
    assert.equal(REDRAW_INTERVAL_MS, 100);
    assert.deepEqual(redraws.map((text) => / (\d+)\/50 files$/.exec(text)![1]), ["12", "24", "36", "48", "50"]);
    assert.ok(redraws.at(-1)!.endsWith("spawn-audit: scanning 50/50 files"));
    assert.ok(writes.every((text) => !text.includes("\n")), "one line, never a new one");
    assert.ok(writes.every((text) => text.startsWith("\r\u001b[2K")), "each write replaces the line");
    assert.equal(writes.at(-1), "\r\u001b[2K");
  });

  test("finish erases nothing when nothing was shown", () => {
    const { writes, progress } = recorded({});
    progress.finish();
    assert.deepEqual(writes, []);
  });
});
