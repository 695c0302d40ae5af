/**
 * Git's ignore rules for a directory walk: `.gitignore` files (nested ones
 * too, a deeper file overriding a shallower one) and `.git/info/exclude`,
 * matched with the `ignore` package (the gitignore matcher ESLint uses;
 * semantics of git's gitignore(5)). Rules are read from the repository
 * root down, so a root `.gitignore` applies when a subfolder is scanned.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";

/** The rule that ignores a path: the ignore file it is in and its pattern as written. */
export interface IgnoreMatch {
  source: string;
  pattern: string;
}

/** The rules of one ignore file, matched against paths relative to `base`. */
interface Level {
  base: string;
  source: string;
  rules: Ignore;
}

/**
 * The ignore rules that apply inside one directory: those of its own
 * `.gitignore` and of every directory above it up to the repository root,
 * plus `.git/info/exclude`. Immutable; {@link GitIgnore.enter} gives the
 * rules of a subdirectory.
 */
export class GitIgnore {
  /** `levels`: deepest first, `.git/info/exclude` last; `enabled`: false when rules are off. */
  private constructor(private readonly levels: readonly Level[], private readonly enabled: boolean) {}

  /**
   * The rules that apply inside `dir`, a directory the user named: ignore
   * files from the enclosing git repository's root down to `dir` (only
   * `dir`'s own without a repository). An ignore file above `dir` whose
   * rules ignore `dir` itself is left out: a path the user names is scanned
   * (as `node_modules/pkg` in a repository that ignores `node_modules/`),
   * and ignore files below it still apply.
   *
   * @param dir an absolute directory path.
   * @throws the file system's error when an ignore file exists but cannot be read.
   */
  static forRoot(dir: string): GitIgnore {
    const repository = gitRoot(dir);
    const chain: string[] = [];
    for (let current = dir;; current = dirname(current)) {
      chain.unshift(current);
      if (repository === undefined || current === repository || dirname(current) === current) break;
    }
    const levels: Level[] = [];
    const exclude = repository === undefined ? undefined : join(repository, ".git", "info", "exclude");
    if (exclude !== undefined && existsSync(exclude)) levels.push(level(repository!, exclude));
    for (const current of chain) {
      const own = join(current, ".gitignore");
      if (existsSync(own)) levels.unshift(level(current, own));
    }
    const named = levels.filter((candidate) =>
      candidate.base === dir || !candidate.rules.ignores(relativePath(candidate.base, dir) + "/")
    );
    return new GitIgnore(named, true);
  }

  /** No rules at all, in this directory or below (`--no-ignore`). */
  static none(): GitIgnore {
    return new GitIgnore([], false);
  }

  /**
   * The rules inside `dir`, a subdirectory of the one these rules are for:
   * these plus `dir/.gitignore` when there is one (or these when rules are off).
   *
   * @throws the file system's error when the ignore file cannot be read.
   */
  enter(dir: string): GitIgnore {
    if (!this.enabled) return this;
    const own = join(dir, ".gitignore");
    return existsSync(own) ? new GitIgnore([level(dir, own), ...this.levels], true) : this;
  }

  /**
   * The rule that ignores `path` (an entry of a directory these rules are
   * for), or undefined. The deepest ignore file with a rule for the path
   * decides, and a negated rule (`!keep.js`) re-includes it.
   *
   * @param path an absolute path.
   * @param isDirectory whether `path` is a directory (rules ending in `/` match only directories).
   */
  match(path: string, isDirectory: boolean): IgnoreMatch | undefined {
    for (const { base, source, rules } of this.levels) {
      const result = rules.test(relativePath(base, path) + (isDirectory ? "/" : ""));
      if (result.ignored) return { source, pattern: result.rule?.pattern.trim() ?? "" };
      if (result.unignored) return undefined;
    }
    return undefined;
  }
}

/**
 * The root of the git work tree containing `dir`: the nearest directory at
 * or above it with a `.git` entry (a folder, or a file in a linked work
 * tree or submodule).
 *
 * @param dir an absolute directory.
 * @returns the work tree root, or undefined outside a git work tree.
 */
export function gitRoot(dir: string): string | undefined {
  for (let current = dir;; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return current;
    if (dirname(current) === current) return undefined;
  }
}

function level(base: string, source: string): Level {
  return { base, source, rules: ignore().add(statSync(source).isFile() ? readFileSync(source, "utf8") : "") };
}

function relativePath(from: string, to: string): string {
  return relative(from, to).split(sep).join("/");
}
