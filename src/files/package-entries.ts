/**
 * The entry points a package declares in its manifest (`package.json`):
 * `main`, `module`, `types`, `typings`, `browser` when a string, and every
 * path under `exports` and `bin`. A file the package hands to its users or
 * runs as a command is not test-support even when only tests import it (a
 * library's index, which its own code never imports).
 *
 * A manifest usually names the build output (`./dist/index.cjs`) of a source
 * kept elsewhere (`src/index.ts`), so paths are compared by their entry key:
 * the path relative to the manifest's folder without its extension and,
 * when it has a folder, without its first folder. `dist/index.cjs` and
 * `src/index.ts` both give `index`; `lib/cli/run.js` and `src/cli/run.ts`
 * both give `cli/run`.
 *
 * @module
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

/** Extensions an entry key leaves out (declaration files first, so `.d.ts` goes whole). */
const EXTENSION = /(\.d)?\.[cm]?[jt]sx?$/;

/**
 * The entry key of `path` (relative to its package's folder, either
 * separator): without extension, and without its first folder when it has
 * one.
 */
export function entryKey(path: string): string {
  const parts = path.replaceAll("\\", "/").replace(/^\.\//, "").replace(EXTENSION, "").split("/");
  return (parts.length > 1 ? parts.slice(1) : parts).join("/");
}

/** Every path string a manifest's entry fields declare; a manifest that is not a JSON object declares none. */
export function declaredEntries(manifestText: string): string[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch {
    return [];
  }
  if (typeof manifest !== "object" || manifest === null) return [];
  const fields = manifest as Record<string, unknown>;
  const paths: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") paths.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(collect);
  };
  for (const field of ["main", "module", "types", "typings", "exports", "bin"]) collect(fields[field]);
  if (typeof fields["browser"] === "string") paths.push(fields["browser"]);
  return paths;
}

/** The nearest `package.json` at or above each folder, and each manifest's entry keys, read once per instance. */
export class PackageEntries {
  private readonly manifests = new Map<string, string | undefined>();
  private readonly keys = new Map<string, ReadonlySet<string>>();

  /**
   * The nearest `package.json` (absolute) in the folder of `file` or above
   * it, or undefined when there is none up to the file system's root.
   *
   * @param file an absolute path.
   */
  manifestOf(file: string): string | undefined {
    return this.manifestIn(dirname(file));
  }

  /**
   * Whether `file` (absolute) is an entry point its nearest manifest
   * declares, compared by {@link entryKey}. An unreadable manifest
   * declares none.
   */
  isEntry(file: string): boolean {
    const manifest = this.manifestOf(file);
    if (manifest === undefined) return false;
    let keys = this.keys.get(manifest);
    if (keys === undefined) {
      let text = "";
      try {
        text = readFileSync(manifest, "utf8");
      } catch {
        // Unreadable: no entries.
      }
      keys = new Set(declaredEntries(text).map(entryKey));
      this.keys.set(manifest, keys);
    }
    return keys.has(entryKey(relative(dirname(manifest), file).split(sep).join("/")));
  }

  /** The nearest `package.json` at or above `folder`: its own, else its parent's answer (so each folder is looked at once). */
  private manifestIn(folder: string): string | undefined {
    if (!this.manifests.has(folder)) {
      const candidate = join(folder, "package.json");
      const parent = dirname(folder);
      this.manifests.set(
        folder,
        statSync(candidate, { throwIfNoEntry: false })?.isFile() === true
          ? candidate
          : parent === folder
          ? undefined
          : this.manifestIn(parent),
      );
    }
    return this.manifests.get(folder);
  }
}
