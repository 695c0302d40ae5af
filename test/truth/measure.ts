/**
 * Runs the scanner on every package of the truth set and matches its sites
 * with the labels: the shared step of `npm run accuracy` and the ratchet test.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { loadProject } from "../../src/project.ts";
import { scanProject } from "../../src/scan.ts";
import { matchPackage, type PackageMatches, type TruthFile } from "./score.ts";

/** The truth files in `test/truth/` of the repository at `root`, sorted by package name. */
export function truthFiles(root: string): TruthFile[] {
  const dir = join(root, "test", "truth");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json") && name !== "floor.json")
    .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as TruthFile)
    .sort((a, b) => a.package.localeCompare(b.package));
}

/**
 * Scans each truth file's scope (as `spawn-audit scan <scope>...` run from the
 * repository root, default config) and matches the sites with the labels.
 *
 * @param root the repository root (paths in truth files are relative to it).
 * @throws {UsageError} when a scope directory is missing (devDependencies not installed).
 */
export function measureTruthSet(root: string): PackageMatches[] {
  return truthFiles(root).map((truth) => {
    // One scan of every scope, as `spawn-audit scan <scope>...` does: a package's files are typed together once.
    const sites = scanProject(loadProject({ paths: truth.scope, cwd: root }), DEFAULT_CONFIG, root).sites;
    return matchPackage(truth, sites);
  });
}
