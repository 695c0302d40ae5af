/**
 * The users a permission test runs the CLI as. File modes do not stop
 * root, so a test that depends on them runs as this user and, when this
 * user is root, again as `nobody` through `setpriv`; when that is not
 * possible the reason is given, for the test to print as its skip reason.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { childCommand } from "./cli.ts";

/** A user to run the CLI as: its name for test titles and the command prefix that switches to it (empty: this user). */
export interface RunAs {
  who: string;
  prefix: string[];
}

/** `setpriv` switching to nobody (uid and gid 65534), no supplementary groups. */
const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

/**
 * How to run the CLI as a user that file permissions apply to: this user
 * when it is not root; as root, `nobody` through `setpriv`; otherwise why not.
 */
export function unprivileged(): RunAs | { skip: string } {
  if (process.getuid?.() !== 0) return { who: "this user", prefix: [] };
  const probe = spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), "true"]);
  if (probe.status !== 0) {
    return { skip: "running as root and setpriv cannot switch to nobody (uid 65534), so file modes are not enforced" };
  }
  const [command, args] = childCommand(["--version"]);
  const cli = spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), command, ...args], { encoding: "utf8", cwd: tmpdir() });
  if (cli.status !== 0) {
    return {
      skip:
        `nobody cannot run the CLI from this checkout (the repository is not readable by other users): ${cli.stderr.trim()}`,
    };
  }
  return { who: "nobody", prefix: AS_NOBODY };
}

/**
 * Every user a permission test should run as: this one, and nobody too when
 * this one is root (`skipped` says why not, when nobody cannot be used).
 */
export function permissionUsers(): { users: RunAs[]; skipped?: string } {
  const self: RunAs = { who: process.getuid?.() === 0 ? "root" : "this user", prefix: [] };
  if (process.getuid?.() !== 0) return { users: [self] };
  const other = unprivileged();
  return "skip" in other ? { users: [self], skipped: other.skip } : { users: [self, other] };
}

/**
 * Make `dir` a folder no file can be created in, for this user: `chattr +i`
 * as root (whom modes do not stop; ext4, XFS and Btrfs have the attribute),
 * else mode 0555. Returns how to undo it, or why it cannot be done.
 *
 * @param dir an existing folder
 */
export function lockFolder(dir: string): { undo(): void } | { skip: string } {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return { undo: () => chmodSync(dir, 0o755) };
  }
  const locked = spawnSync("chattr", ["+i", dir], { encoding: "utf8" });
  if (locked.status !== 0) {
    return { skip: `running as root and chattr +i is not available here: ${(locked.stderr ?? "").trim()}` };
  }
  return { undo: () => spawnSync("chattr", ["-i", dir]) };
}
