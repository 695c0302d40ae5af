/**
 * What fix itself wrote, so that a later run does not take its own edits
 * for a user's uncommitted changes: for every file fix writes in a git work
 * tree, the SHA-256 of the text it wrote, kept in the repository's git
 * directory (`spawn-audit/fixed.json`, never committed). A file whose
 * uncommitted text is exactly what fix last wrote is fix's own edit.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeAtomically } from "../atomic-write.ts";

/** The ledger's path for files in `dir`: in its git directory, or undefined outside a work tree. */
function ledgerOf(dir: string): string | undefined {
  const result = spawnSync("git", ["rev-parse", "--absolute-git-dir"], { cwd: dir, encoding: "utf8" });
  return result.status === 0 ? join(result.stdout.trim(), "spawn-audit", "fixed.json") : undefined;
}

function read(ledger: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(readFileSync(ledger, "utf8"));
    return typeof value === "object" && value !== null ? value as Record<string, string> : {};
  } catch {
    return {};
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Whether `text`, the file's current text, is what fix last wrote to it.
 *
 * @param file absolute path.
 * @param text the file's text as it is on disk.
 */
export function writtenByFix(file: string, text: string): boolean {
  const ledger = ledgerOf(dirname(file));
  return ledger !== undefined && read(ledger)[file] === digest(text);
}

/**
 * Records the texts fix wrote (one ledger per git directory). A ledger
 * that cannot be written is left as it was: the next run then asks for
 * `--allow-dirty` for those files, nothing worse.
 *
 * @param written absolute paths and the texts written to them.
 */
export function recordWritten(written: readonly { path: string; text: string }[]): void {
  const byLedger = new Map<string, { path: string; text: string }[]>();
  for (const file of written) {
    const ledger = ledgerOf(dirname(file.path));
    if (ledger !== undefined) byLedger.set(ledger, [...(byLedger.get(ledger) ?? []), file]);
  }
  for (const [ledger, files] of byLedger) {
    const entries = read(ledger);
    for (const { path, text } of files) entries[path] = digest(text);
    try {
      mkdirSync(dirname(ledger), { recursive: true });
      writeAtomically(ledger, `${JSON.stringify(entries, null, 2)}\n`);
    } catch {
      // Not being able to remember is not a failure of the fix itself.
    }
  }
}
