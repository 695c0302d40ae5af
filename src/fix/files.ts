/**
 * The file-system side of the codemod: whether a file has uncommitted git
 * changes, whether a path lies inside the paths the user gave (symbolic
 * links resolved), and atomic writes.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";
import process from "node:process";

/**
 * Whether `git status --porcelain` lists the file (modified, staged or
 * untracked). A file outside a git work tree, or with no git installed, is
 * not dirty.
 *
 * @param file absolute path of an existing file.
 */
export function hasUncommittedChanges(file: string): boolean {
  const result = spawnSync("git", ["status", "--porcelain", "--", basename(file)], { cwd: dirname(file), encoding: "utf8" });
  return result.status === 0 && result.stdout.trim() !== "";
}

/**
 * Whether `path` (which need not exist yet) is one of `roots` or inside one,
 * comparing real paths so a symbolic link cannot lead outside.
 *
 * @param path absolute path.
 * @param roots absolute paths of files or directories.
 */
export function isInsideRoots(path: string, roots: readonly string[]): boolean {
  const real = realPathOf(path);
  return roots.some((root) => {
    const realRoot = realPathOf(root);
    return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  });
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest. */
function realPathOf(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPathOf(parent), basename(path));
}

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
