/**
 * Where a report goes: stdout, or a file given with `-o/--output-file`,
 * written atomically so a reader (a CI upload step) never sees half a report.
 *
 * @module
 */
import { resolve } from "node:path";
import { writeAtomically } from "../atomic-write.ts";
import { UsageError } from "../errors.ts";

/**
 * Writes a report to `file` (relative to `cwd`), replacing it atomically.
 *
 * @param file the path as the user gave it.
 * @param cwd the working directory, absolute.
 * @param text the whole report.
 * @throws {UsageError} naming the file and the file system's reason when it
 *   cannot be written (missing folder, no permission, a directory).
 */
export function writeReportFile(file: string, cwd: string, text: string): void {
  try {
    writeAtomically(resolve(cwd, file), text);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new UsageError(`cannot write the report to ${file}: ${(code === undefined ? undefined : REASONS[code]) ?? message}`);
  }
}

/** Plain words for the file system errors a wrong output path gives (the raw message names the temporary file). */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "its folder does not exist",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "it is a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
};
