/**
 * A one-line status on stderr while a scan loads and type-checks the
 * project, so a long run on a terminal shows it is working. It is shown only
 * when stderr is a terminal and `CI` is not set, and erased before the
 * report is written.
 *
 * Not a spinner library (ora, yocto-spinner, nanospinner): those redraw on
 * a timer, and the type-check runs synchronously, so a timer never fires
 * while it works. The line is redrawn instead when the scan reports
 * progress, at most once per {@link REDRAW_INTERVAL_MS}.
 *
 * @module
 */

/** The shortest time between two redraws of the line, in ms (about 10 per second). */
export const REDRAW_INTERVAL_MS = 100;

/** Erases the terminal line the cursor is on and returns to its start (ANSI EL). */
const CLEAR_LINE = "\r\u001b[2K";

/** The status line of one run. */
export interface Progress {
  /** Shows `text` now (a new phase: "loading", "type-checking"). */
  phase(text: string): void;
  /** Shows `done` of `total` files in the current phase, unless the line was redrawn less than {@link REDRAW_INTERVAL_MS} ago. */
  advance(done: number, total: number): void;
  /** Erases the line, if anything was shown. Call before writing the report. */
  finish(): void;
}

/**
 * What decides whether the status line is shown and where it goes.
 *
 * - `write`: writes to stderr.
 * - `isTTY`: whether stderr is a terminal.
 * - `env`: the environment; a set `CI` (any value but empty) means no status line, as CI logs keep every redraw.
 * - `now`: a monotonic clock in ms (`performance.now`); injected so tests need no sleeps.
 */
export interface ProgressOptions {
  write: (text: string) => void;
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
}

/**
 * Creates the status line for a run: a working one on a terminal outside CI,
 * otherwise one that writes nothing.
 *
 * @param options where to write and how to decide (see {@link ProgressOptions}).
 */
export function createProgress(options: ProgressOptions): Progress {
  if (!options.isTTY || (options.env["CI"] ?? "") !== "") return { phase() {}, advance() {}, finish() {} };
  let label = "";
  let shown = false;
  let drawnAt = Number.NEGATIVE_INFINITY;
  const draw = (text: string): void => {
    options.write(`${CLEAR_LINE}spawn-audit: ${text}`);
    shown = true;
    drawnAt = options.now();
  };
  return {
    phase(text) {
      label = text;
      draw(text);
    },
    advance(done, total) {
      if (options.now() - drawnAt < REDRAW_INTERVAL_MS && done < total) return;
      draw(`${label} ${done}/${total} files`);
    },
    finish() {
      if (shown) options.write(CLEAR_LINE);
      shown = false;
    },
  };
}
