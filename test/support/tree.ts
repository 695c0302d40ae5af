/**
 * Temporary file trees for tests that run the tool on a small project.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Writes `files` (relative path → text) under `dir`, creating folders; a
 * path ending in `/` makes an empty folder.
 *
 * @param dir an existing directory.
 * @param files the files to write.
 */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    if (path.endsWith("/")) {
      mkdirSync(join(dir, path), { recursive: true });
    } else {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  }
}
