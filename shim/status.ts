/**
 * A plain-text status table of a supervisor's tasks, for a CLI or an admin
 * endpoint.
 *
 * @module
 */
import type { TaskSnapshot } from "./types.ts";

/** What stands in an empty cell. */
const NONE = "-";

/**
 * A duration in ms, short and truncated (never rounded up): `250ms` below a
 * second, `12.3s` below a minute, `3m05s` below an hour, `2h07m` from an
 * hour on; `-` for `undefined`.
 *
 * @param ms duration in ms, or undefined
 * @returns the text
 */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !(ms >= 0)) return NONE;
  if (ms < 1_000) return `${Math.floor(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1_000);
  if (ms < 3_600_000) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** One table cell: control characters (a newline in a name) become spaces so a row stays one line. */
function cell(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, " ");
}

/**
 * Format a snapshot as a text table: a header line, then one line per task
 * in the snapshot's order, with the columns `NAME`, `CLASS`, `STATUS`,
 * `RESTARTS`, `UPTIME` and `P95` (the task name's 95th percentile attempt
 * duration), separated by two spaces. Text columns are left-aligned, number
 * columns right-aligned; widths are in UTF-16 code units (wide characters
 * in a name will misalign it); no colours, no trailing spaces, no final
 * newline. Empty cells show `-`; durations as {@link formatDuration}.
 *
 * @param snapshot what `TaskSupervisor.snapshot()` returned
 * @returns the table (just the header for an empty snapshot)
 * @example
 * ```ts
 * import { defaultSupervisor, formatStatus } from "spawn-audit/shim";
 * console.log(formatStatus(defaultSupervisor.snapshot()));
 * // NAME       CLASS  STATUS   RESTARTS  UPTIME    P95
 * // scheduler  -      running         2   3m05s  200ms
 * ```
 */
export function formatStatus(snapshot: readonly TaskSnapshot[]): string {
  // The three text columns first, then the three number columns (right-aligned).
  const header = ["NAME", "CLASS", "STATUS", "RESTARTS", "UPTIME", "P95"];
  const rows = snapshot.map((task) => [
    cell(task.name),
    cell(task.class ?? NONE),
    task.status,
    String(task.restartCount),
    formatDuration(task.uptimeMs),
    formatDuration(task.p95Ms),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows]
    .map((row) =>
      row.map((text, column) => (column > 2 ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join("  ")
        .trimEnd()
    )
    .join("\n");
}
