/**
 * The file-system side of the codemod: whether a file has uncommitted git
 * changes, and whether a path lies inside the paths the user gave
 * (symbolic links resolved). Writes go through `../atomic-write.ts`.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";

/**
 * Whether `git status --porcelain` lists the file (modified, staged or
 * untracked). A file outside a git work tree, or with no git installed, is
 * not dirty.
 *
 * @param file absolute path of an existing file.
 */
export function hasUncommittedChanges(file: string): boolean {
  const result = spawnSync("git", ["status", "--porcelain", "--", basename(file)], {
    cwd: dirname(file),
    encoding: "utf8",
  });
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
