/**
 * Why a tool fix runs (the project's formatter or linter) did not give an
 * answer, in one line.
 *
 * @module
 */
import type { SpawnSyncReturns } from "node:child_process";

/**
 * One line saying how the child `name` ended, then the first non-empty line
 * of its error output (else of its standard output): `Prettier exited with
 * 2: cannot format`, `ESLint was ended by SIGKILL`, or — when the runtime
 * reports neither an exit status nor a signal, as Deno's `spawnSync` does at
 * times for a child that exits before its input is written — `dprint ended
 * without an exit status`.
 *
 * @param name the tool's name as the report gives it.
 * @param result what `spawnSync` returned for it (text output).
 */
export function childFailure(name: string, result: SpawnSyncReturns<string>): string {
  const ended = result.status !== null
    ? `exited with ${result.status}`
    : result.signal !== null
    ? `was ended by ${result.signal}`
    : "ended without an exit status";
  const detail = `${result.stderr ?? ""}\n${result.stdout ?? ""}`.split("\n").map((line) => line.trim()).find((line) =>
    line !== ""
  );
  return `${name} ${ended}${detail === undefined ? "" : `: ${detail}`}`;
}
