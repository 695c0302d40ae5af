// formatStatus: the snapshot as an aligned plain-text table; formatDuration's units.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatDuration, formatStatus } from "../../shim/status.ts";
import type { TaskSnapshot } from "../../shim/types.ts";

/** A snapshot row with the fields the table shows; the rest fixed. */
function row(
  name: string,
  status: TaskSnapshot["status"],
  restartCount: number,
  uptimeMs: number | undefined,
  p95Ms: number | undefined,
  taskClass?: string,
): TaskSnapshot {
  return {
    name,
    id: 1,
    status,
    attempt: restartCount + 1,
    startedAt: 0,
    restartCount,
    lastError: undefined,
    reason: undefined,
    class: taskClass,
    uptimeMs,
    p50Ms: p95Ms,
    p95Ms,
    p99Ms: p95Ms,
  };
}

describe("formatStatus", () => {
  test("aligned columns: text left, numbers right, dashes for empty cells, no trailing spaces", () => {
    const table = formatStatus([
      row("scheduler", "running", 2, 185_250, 200),
      row("enrich", "queued", 0, 12_345, undefined, "enrichment"),
      row("import\nfeed", "failed", 12, undefined, 7_654_321, "batch"),
    ]);
    assert.deepEqual(table.split("\n"), [
      "NAME         CLASS       STATUS   RESTARTS  UPTIME    P95",
      "scheduler    -           running         2   3m05s  200ms",
      "enrich       enrichment  queued          0   12.3s      -",
      "import feed  batch       failed         12       -  2h07m",
    ]);
  });

  test("an empty snapshot is the header alone", () => {
    assert.equal(formatStatus([]), "NAME  CLASS  STATUS  RESTARTS  UPTIME  P95");
  });
});

describe("formatDuration", () => {
  test("truncates into ms, tenths of s, m+s, h+m", () => {
    const cases: Array<[number | undefined, string]> = [
      [0, "0ms"],
      [999.9, "999ms"],
      [1_000, "1.0s"],
      [59_999, "59.9s"],
      [60_000, "1m00s"],
      [3_599_999, "59m59s"],
      [3_600_000, "1h00m"],
      [90_061_000, "25h01m"],
      [undefined, "-"],
      [Number.NaN, "-"],
      [-1, "-"],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
  });
});
