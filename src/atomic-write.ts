/**
 * The one writer of every file spawn-audit writes (`fix --write`, `-o`,
 * `--write-baseline`, the cache, the vendored shim, `init`): all the bytes
 * or an error, never a partial file.
 *
 * Our own rather than write-file-atomic (6.0, and 7.0.1 as npm 11 ships it): its synchronous path
 * calls `writeSync` once and ignores how many bytes were written (the
 * short write of issue 18), checks no size, and renames over a file with
 * several hard links or a read-only one without a word; it does keep the
 * bytes (BOM, line endings), mode and owner, as this writer does.
 *
 * @module
 */
import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { Buffer } from "node:buffer";
import process from "node:process";

/**
 * The file system calls a write makes, each as `node:fs` defines it (sync,
 * throwing the file system's error). Tests pass their own to fail any one
 * of them (`ENOSPC`, `EIO`, a short write); everyone else gets `node:fs`.
 */
export interface WriterFileSystem {
  /** `fs.openSync`: `flags` is `"wx"` (create, fail if it exists) or `"r"` (a directory, to flush it). */
  openSync(path: string, flags: string, mode?: number): number;
  /** `fs.writeSync` of `length` bytes of `buffer` from `offset`; returns how many were written (possibly fewer). */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  fstatSync(fd: number): { size: number };
  closeSync(fd: number): void;
  chmodSync(path: string, mode: number): void;
  chownSync(path: string, uid: number, gid: number): void;
  renameSync(from: string, to: string): void;
  linkSync(existing: string, path: string): void;
}

/** `node:fs` as a {@link WriterFileSystem}: what every write uses unless a test passes its own. */
export const NODE_FILE_SYSTEM: WriterFileSystem = {
  openSync: (path, flags, mode) => openSync(path, flags, mode),
  writeSync: (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length),
  fsyncSync,
  fstatSync: (fd) => fstatSync(fd),
  closeSync,
  chmodSync,
  chownSync,
  renameSync,
  linkSync,
};

/**
 * How to write.
 *
 * - `replaceProtected`: also replace a read-only file or one with more
 *   than one hard link (`--force-write`). The new file takes the name
 *   given; other hard links keep the old content, and the mode (read-only
 *   included) is kept. Default false: such a file is refused with a
 *   {@link ProtectedFileError}.
 * - `exclusive`: fail with `EEXIST` when the file exists (a new file
 *   only, as `init` writes without `--force`), still all or nothing.
 * - `fileSystem`: the calls to make (tests inject failures); default `node:fs`.
 */
export interface WriteOptions {
  replaceProtected?: boolean;
  exclusive?: boolean;
  fileSystem?: WriterFileSystem;
}

/**
 * A write refused because of what the target is (read-only, hard-linked,
 * not a regular file), before anything was written. `message` says why
 * and what to do, in one line.
 */
export class ProtectedFileError extends Error {
  /** @param message the reason, e.g. `the file is read-only (mode 0444); …`. */
  constructor(message: string) {
    super(message);
    this.name = "ProtectedFileError";
  }
}

/**
 * Writes `content` to `file` atomically: to a temporary file in the same
 * directory, every byte written (a short write continues where it
 * stopped), flushed to disk, its size checked, given the existing file's
 * mode (exactly, not through the umask) and, where the process may, its
 * owner, then renamed over it, so a reader sees the old or the new
 * content, never a mix, and a failure at any step leaves the original as
 * it was and no temporary file. A symbolic link is written through (the
 * file it points to is replaced; the link stays). Bytes are written as
 * given: a byte order mark or CRLF line endings in `content` are kept.
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
 * @param content the new content: a string is written as UTF-8.
 * @param options see {@link WriteOptions}.
 * @throws {ProtectedFileError} when the file is read-only, has several hard
 *   links (unless `replaceProtected`) or is not a regular file; nothing was written.
 * @throws the file system's error (`ENOSPC`, `EIO`, `EACCES`, `EEXIST` with
 *   `exclusive`…); the original is untouched and the temporary file removed.
 */
export function writeAtomically(file: string, content: string | Uint8Array, options: WriteOptions = {}): void {
  const fs = options.fileSystem ?? NODE_FILE_SYSTEM;
  const target = realTarget(file);
  const existing = statSync(target, { throwIfNoEntry: false });
  if (existing !== undefined) {
    if (options.exclusive === true) throw fileSystemError("EEXIST", "open", target);
    if (existing.isDirectory()) throw fileSystemError("EISDIR", "open", target);
    const refusal = protectedReason(target, options.replaceProtected === true);
    if (refusal !== undefined) throw new ProtectedFileError(refusal);
  }
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const temporary = temporaryName(target);
  cleanUpOnInterrupt();
  const hook = testHook();
  inFlight.add(temporary);
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(temporary, "wx", existing === undefined ? 0o666 : existing.mode & 0o7777);
    hook("opened");
    for (let offset = 0; offset < bytes.length;) {
      const written = fs.writeSync(descriptor, bytes, offset, bytes.length - offset);
      if (!(written > 0)) throw fileSystemError("EIO", "write", temporary);
      offset += written;
    }
    fs.fsyncSync(descriptor);
    const size = fs.fstatSync(descriptor).size;
    if (size !== bytes.length) throw fileSystemError("EIO", "write", temporary);
    hook("written");
    const closing = descriptor;
    descriptor = undefined;
    fs.closeSync(closing);
    if (existing !== undefined) {
      fs.chmodSync(temporary, existing.mode & 0o7777);
      try {
        fs.chownSync(temporary, existing.uid, existing.gid);
      } catch {
        // Only the owner's own uid is allowed without privileges; the mode is kept either way.
      }
    }
    if (options.exclusive === true) moveExclusively(fs, temporary, target);
    else fs.renameSync(temporary, target);
    hook("renamed");
  } catch (error) {
    if (descriptor !== undefined) closeQuietly(fs, descriptor);
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    inFlight.delete(temporary);
  }
  flushDirectory(fs, dirname(target));
}

/**
 * Why `file` must not be replaced, or undefined: it is not a regular file,
 * it is read-only (for its owner, as `chmod a-w` leaves it, or for this
 * process), which a rename would silently override, or it has more than
 * one hard link, which a rename would split (the other names keeping the
 * old content). With `replaceProtected`, only the first holds.
 *
 * @param file absolute path of an existing file (symbolic links followed).
 * @param replaceProtected whether the user asked to replace read-only and hard-linked files (`--force-write`).
 * @throws the file system's error when `file` cannot be looked at.
 */
export function protectedReason(file: string, replaceProtected = false): string | undefined {
  const stats = statSync(file);
  if (!stats.isFile()) return "it is not a regular file";
  if (replaceProtected) return undefined;
  const mode = stats.mode & 0o777;
  if ((mode & 0o200) === 0 || !mayWrite(file)) {
    return `the file is read-only (mode ${
      mode.toString(8).padStart(4, "0")
    }); make it writable, or pass --force-write to replace it`;
  }
  if (stats.nlink > 1) {
    return `the file has ${stats.nlink} hard links, which would keep the old content; ` +
      "pass --force-write to replace it under this name only";
  }
  return undefined;
}

/** Whether this process may write `file` (as root: always). */
function mayWrite(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `file` with symbolic links resolved, or `file` itself when it does not exist yet. */
function realTarget(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Writes started by this process, for unique temporary names. */
let serial = 0;

/**
 * A name for a temporary file beside `target`, in its directory:
 * `.<name>.spawn-audit-<pid>-<serial><suffix>`, the name cut to 100
 * characters so a long file name does not make the temporary's too long.
 * {@link removeStaleTemporaries} removes one a killed run left behind.
 *
 * @param target the absolute path the temporary file stands beside.
 * @param suffix `.tmp` (the default) for a write's content; `.lint<ext>`
 *   for a copy a linter reads (the file's own extension kept last, so the
 *   linter parses it as the file's language).
 */
export function temporaryName(target: string, suffix = ".tmp"): string {
  const name = basename(target).slice(0, 100);
  return join(dirname(target), `.${name}.spawn-audit-${process.pid}-${(serial++).toString(36)}${suffix}`);
}

/**
 * Moves the complete temporary file to `target` only if `target` does not
 * exist: a hard link (which fails with `EEXIST` atomically), then the
 * temporary name removed; where the file system has no hard links, a
 * rename after checking.
 */
function moveExclusively(fs: WriterFileSystem, temporary: string, target: string): void {
  try {
    fs.linkSync(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw error;
    if (statSync(target, { throwIfNoEntry: false }) !== undefined) throw fileSystemError("EEXIST", "open", target);
    fs.renameSync(temporary, target);
    return;
  }
  rmSync(temporary, { force: true });
}

/**
 * Flushes `dir` so the rename itself survives a power loss. Best effort:
 * the file is already complete under its name, and some file systems
 * cannot flush a directory.
 */
function flushDirectory(fs: WriterFileSystem, dir: string): void {
  let descriptor: number;
  try {
    descriptor = fs.openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fs.fsyncSync(descriptor);
  } catch {
    // Not every file system flushes directories (EINVAL); the data itself was flushed before the rename.
  } finally {
    closeQuietly(fs, descriptor);
  }
}

function closeQuietly(fs: WriterFileSystem, descriptor: number): void {
  try {
    fs.closeSync(descriptor);
  } catch {
    // Closing after a failure: the failure is what the caller is told.
  }
}

/** An error shaped as `node:fs` throws them (`code`, `syscall`, `path`), for failures found by checking. */
function fileSystemError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

/** Where a write is when {@link testHook}'s callback runs: temporary file created empty, written and flushed, renamed over the file. */
type WritePhase = "opened" | "written" | "renamed";

/** Writes started by this process, counted for {@link testHook}. */
let writes = 0;

/**
 * For the kill -9 test of the codemod (test/fix/kill.slow.test.ts) only: the
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
      waitForLine();
    }
    return () => {};
  }
  const [, at, phase] = /^kill:(\d+):(opened|written|renamed)$/.exec(value) ?? [];
  if (Number(at) !== writes) return () => {};
  return (now) => {
    if (now === phase) process.kill(process.pid, "SIGKILL");
  };
}

/**
 * Blocks until standard input gives a byte or ends: the test's signal can
 * interrupt the read (libuv does not retry a read on `EINTR`), and a
 * non-blocking pipe answers `EAGAIN` until the byte is there.
 */
function waitForLine(): void {
  for (;;) {
    try {
      readSync(0, Buffer.alloc(1));
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EINTR" && code !== "EAGAIN") throw error;
    }
  }
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

/** A {@link temporaryName}: `.<name>.spawn-audit-<pid>-<serial>.tmp` or `….lint.<ext>`. */
const TEMPORARY = /^\..+\.spawn-audit-(\d+)-[0-9a-z]+\.(?:tmp|lint\.[^.]+)$/;

/**
 * Whether the file name `name` (no folder) is one of {@link temporaryName}'s:
 * spawn-audit's own file, never a project's source, even when it keeps a
 * source extension.
 */
export function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name);
}

/**
 * Removes temporary files left in `dir` by an earlier run that was killed
 * (its process no longer exists), so a `kill -9` in the middle of a write,
 * or of a linter's check of a copy, leaves nothing behind after the next run.
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
