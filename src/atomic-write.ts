/**
 * Atomic file writes, shared by the codemod and `--write-baseline`.
 *
 * @module
 */
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import process from "node:process";

/**
 * Writes `text` to `file` atomically: to a temporary file in the same
 * directory (keeping an existing file's mode), then renamed over it, so a
 * reader sees the old or the new text, never a mix.
 *
 * @param file absolute path.
 * @param text the new content (UTF-8).
 * @throws the file system's error; the temporary file is removed first.
 */
export function writeAtomically(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.spawn-audit-${process.pid}-${Date.now().toString(36)}.tmp`);
  try {
    writeFileSync(temporary, text, existsSync(file) ? { mode: statSync(file).mode } : {});
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
