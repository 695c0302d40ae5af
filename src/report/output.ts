/**
 * Files the scan writes besides stdout — the report (`-o/--output-file`)
 * and the baseline (`--write-baseline`, `--prune-baseline`) — written
 * atomically so a reader (a CI upload step) never sees half of one, into a
 * folder created when it does not exist yet (as ESLint's `-o` does).
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeAtomically, type WriteOptions } from "../atomic-write.ts";
import { fileSystemReason, UsageError } from "../errors.ts";

/**
 * Writes `text` to `file` (relative to `cwd`), creating its folder when
 * missing and replacing the file atomically.
 *
 * @param file the path as the user gave it.
 * @param cwd the working directory, absolute.
 * @param text the whole content.
 * @param what what the file is, for the error message (`the report`, `the baseline`).
 * @param options how to write (`replaceProtected`: `--force-write`).
 * @throws {UsageError} `cannot write <what> to <file>: <reason>` when it cannot
 *   be written (a file where a folder should be, no permission, a directory,
 *   a read-only or hard-linked file without `--force-write`).
 */
export function writeOutputFile(
  file: string,
  cwd: string,
  text: string,
  what: string,
  options: WriteOptions = {},
): void {
  const target = resolve(cwd, file);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeAtomically(target, text, options);
  } catch (error) {
    // The file system's own message would name the temporary file the write goes through.
    throw new UsageError(`cannot write ${what} to ${file}: ${fileSystemReason(error)}`);
  }
}
