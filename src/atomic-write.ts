/**
 * Atomic file writes, shared by the codemod and `--write-baseline`.
 *
 * @module
 */
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { Buffer } from "node:buffer";
import process from "node:process";

/**
 * Writes `text` to `file` atomically: to a temporary file in the same
 * directory, flushed to disk, given the existing file's mode (exactly, not
 * through the umask) and, where the process may, its owner, then renamed
 * over it, so a reader sees the old or the new text, never a mix. A file
 * with more than one hard link is written in place once the temporary copy
 * is complete, so every link sees the new text.
 *
 * A SIGINT or SIGTERM does not leave the temporary file behind: the first
 * write installs a handler (kept for the life of the process, since a
 * signal caught while a synchronous write runs is only delivered after it
 * returns) that removes the temporary files of writes in progress and, when
 * no other listener handles the signal, raises it again so the process ends
 * as it would have. A `kill -9` cannot be caught; {@link
 * removeStaleTemporaries} cleans up after it.
 *
 * @param file absolute path.
 * @param text the new content (UTF-8).
 * @throws the file system's error; the temporary file is removed first.
 */
export function writeAtomically(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.spawn-audit-${process.pid}-${Date.now().toString(36)}.tmp`);
  cleanUpOnInterrupt();
  const hook = testHook();
  inFlight.add(temporary);
  const existing = existsSync(file) ? statSync(file) : undefined;
  try {
    const descriptor = openSync(temporary, "w", existing === undefined ? 0o666 : existing.mode & 0o7777);
    try {
      hook("opened");
      writeSync(descriptor, text);
      fsyncSync(descriptor);
      hook("written");
    } finally {
      closeSync(descriptor);
    }
    if (existing !== undefined) {
      chmodSync(temporary, existing.mode & 0o7777);
      try {
        chownSync(temporary, existing.uid, existing.gid);
      } catch {
        // Only the owner's own uid is allowed without privileges; the mode is kept either way.
      }
    }
    if (existing !== undefined && existing.nlink > 1) {
      writeFileSync(file, text);
      rmSync(temporary, { force: true });
    } else {
      renameSync(temporary, file);
    }
    hook("renamed");
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    inFlight.delete(temporary);
  }
}

/** Where a write is when {@link testHook}'s callback runs: temporary file created empty, written and flushed, renamed over the file. */
type WritePhase = "opened" | "written" | "renamed";

/** Writes started by this process, counted for {@link testHook}. */
let writes = 0;

/**
 * For the kill -9 test of the codemod (test/fix/kill.test.ts) only: the
 * `SPAWN_AUDIT_TEST_WRITE_HOOK` environment variable makes a write stop the
 * process at a chosen moment, so a crash can be placed exactly.
 *
 * - `kill:<k>:<phase>`: SIGKILL this process at `<phase>` (a
 *   {@link WritePhase}) of its k-th write (1-based).
 * - `gate`: before the first write, print `spawn-audit: writing` to stderr
 *   and wait for one line on stdin (the test then kills at a delay of its
 *   choosing while the writes run).
 *
 * Unset (always, outside that test) it does nothing.
 *
 * @returns the callback to call at each phase of the write starting now.
 */
function testHook(): (phase: WritePhase) => void {
  writes++;
  const value = process.env["SPAWN_AUDIT_TEST_WRITE_HOOK"];
  if (value === undefined || value === "") return () => {};
  if (value === "gate") {
    if (writes === 1) {
      writeSync(2, "spawn-audit: writing\n");
      readSync(0, Buffer.alloc(1));
    }
    return () => {};
  }
  const [, at, phase] = /^kill:(\d+):(opened|written|renamed)$/.exec(value) ?? [];
  if (Number(at) !== writes) return () => {};
  return (now) => {
    if (now === phase) process.kill(process.pid, "SIGKILL");
  };
}

/** Temporary files being written now, removed when the process is interrupted. */
const inFlight = new Set<string>();

const INTERRUPTS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
let handlerInstalled = false;

/** Installs, once per process, the interrupt handler described at {@link writeAtomically}. */
function cleanUpOnInterrupt(): void {
  if (handlerInstalled) return;
  handlerInstalled = true;
  const interrupted = (signal: NodeJS.Signals): void => {
    for (const temporary of inFlight) rmSync(temporary, { force: true });
    inFlight.clear();
    for (const other of INTERRUPTS) process.removeListener(other, interrupted);
    handlerInstalled = false;
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const signal of INTERRUPTS) process.on(signal, interrupted);
}

/** `.<name>.spawn-audit-<pid>-<time>.tmp`: a temporary file of {@link writeAtomically}. */
const TEMPORARY = /^\..+\.spawn-audit-(\d+)-[0-9a-z]+\.tmp$/;

/**
 * Removes temporary files left in `dir` by an earlier run that was killed
 * (its process no longer exists), so a `kill -9` in the middle of a write
 * leaves nothing behind after the next run.
 *
 * @param dir a directory files are about to be written in.
 * @returns the paths removed.
 */
export function removeStaleTemporaries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = TEMPORARY.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isRunning(Number(pid))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/**
 * Why `file` must not be rewritten in place, or undefined: it is read-only
 * for its owner (as `chmod a-w` leaves it), which a rename would silently
 * override.
 *
 * @param file absolute path of an existing file.
 */
export function unwritableReason(file: string): string | undefined {
  const mode = statSync(file).mode & 0o777;
  return (mode & 0o200) === 0
    ? `the file is read-only (mode ${mode.toString(8).padStart(4, "0")}); make it writable to fix it`
    : undefined;
}
