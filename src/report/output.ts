/**
 * Where a report goes: stdout, or a file given with `-o/--output-file`,
 * written atomically so a reader (a CI upload step) never sees half a report.
 *
 * @module
 */
import { resolve } from "node:path";
import { writeAtomically, type WriteOptions } from "../atomic-write.ts";
import { fileSystemReason, UsageError } from "../errors.ts";

/**
 * Writes a report to `file` (relative to `cwd`), replacing it atomically.
 *
 * @param file the path as the user gave it.
 * @param cwd the working directory, absolute.
 * @param text the whole report.
 * @param options how to write (`replaceProtected`: `--force-write`).
 * @throws {UsageError} naming the file and the file system's reason when it
 *   cannot be written (missing folder, no permission, a directory, a
 *   read-only or hard-linked file without `--force-write`).
 */
export function writeReportFile(file: string, cwd: string, text: string, options: WriteOptions = {}): void {
  try {
    writeAtomically(resolve(cwd, file), text, options);
  } catch (error) {
    // The file system's own message would name the temporary file the write goes through.
    throw new UsageError(`cannot write the report to ${file}: ${fileSystemReason(error)}`);
  }
}
