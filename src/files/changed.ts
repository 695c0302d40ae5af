/**
 * The files `--changed` scans: those that differ between a git ref and the
 * working tree (staged or not), plus untracked files that are not ignored.
 * Without a ref, the ref is the merge base of `HEAD` and the default branch
 * (`origin/HEAD`, else `main`, else `master`), as a pull request's diff is.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { UsageError } from "../errors.ts";

/**
 * The absolute paths of the files changed against `ref`, under `dir`'s
 * repository, expressed under `dir`'s own spelling of its path (a symbolic
 * link above it is kept). Deleted files are not listed.
 *
 * @param dir a directory inside the repository (the project root).
 * @param ref a git revision (branch, tag, commit); undefined or empty for
 *   the merge base with the default branch.
 * @throws {UsageError} (exit 2) outside a git repository, without git, for
 *   an unknown ref, or when there is no default branch to compare with.
 */
export function changedFiles(dir: string, ref: string | undefined): Set<string> {
  const top = git(
    dir,
    ["rev-parse", "--show-toplevel"],
    () => `--changed needs a git repository, and ${dir} is not in one`,
  ).trim();
  const base = ref === undefined || ref === "" ? defaultBase(top) : verified(top, ref);
  const listed = [
    ...split(
      git(
        top,
        ["diff", "--name-only", "--no-renames", "--diff-filter=d", "-z", base, "--"],
        (message) => `--changed: git diff failed: ${message}`,
      ),
    ),
    ...split(
      git(
        top,
        ["ls-files", "--others", "--exclude-standard", "-z"],
        (message) => `--changed: git ls-files failed: ${message}`,
      ),
    ),
  ];
  // git prints the repository's real path; the scan's paths may go through a symbolic link (a temporary folder on macOS).
  const realDir = realpathSync(dir);
  const inDir = (file: string): string => {
    const rel = relative(realDir, file);
    return rel.startsWith("..") || isAbsolute(rel) ? file : join(dir, rel);
  };
  return new Set(listed.map((name) => inDir(join(top, name))));
}

/** The merge base of `HEAD` and the default branch. */
function defaultBase(top: string): string {
  const candidates = [tryGit(top, ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"])?.trim(), "main", "master"];
  for (const branch of candidates) {
    if (
      branch === undefined || branch === "" ||
      tryGit(top, ["rev-parse", "--verify", "--quiet", `${branch}^{commit}`]) === undefined
    ) continue;
    const base = tryGit(top, ["merge-base", "HEAD", branch])?.trim();
    if (base !== undefined && base !== "") return base;
  }
  throw new UsageError(
    "--changed: no default branch to compare with (origin/HEAD, main or master); name a ref: --changed=REF",
  );
}

/** `ref` when git knows it as a commit. */
function verified(top: string, ref: string): string {
  if (ref.startsWith("-") || tryGit(top, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]) === undefined) {
    throw new UsageError(`--changed: unknown git ref "${ref}"`);
  }
  return ref;
}

/** NUL-separated names, without the empty last one. */
function split(output: string): string[] {
  return output.split("\0").filter((name) => name !== "");
}

/** Runs git in `cwd` and returns its output; a failure is a usage error worded by `describe` (given git's first line of stderr). */
function git(cwd: string, args: string[], describe: (message: string) => string): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === "ENOENT") throw new UsageError("--changed needs git, and git is not on the PATH");
    throw new UsageError(describe(String(stderr ?? "").split("\n")[0]!.trim()));
  }
}

/** Runs git in `cwd`; undefined when it fails. */
function tryGit(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}
