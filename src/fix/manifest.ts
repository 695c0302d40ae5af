/**
 * The project manifests around a file the codemod edits: the nearest
 * `package.json` or Deno config above it (which decides the shim's
 * specifier, whether JavaScript is CommonJS, and what the shim needs), and
 * the lockfile that names the project's package manager. One walk up the
 * directory tree serves them all.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findUp } from "../files/find-up.ts";

/** The manifest names, in the order they win when a directory has several. */
const MANIFEST_NAMES = ["deno.json", "deno.jsonc", "package.json"] as const;

/** A manifest: its absolute `path`, its `name`, and its directory. */
export interface Manifest {
  path: string;
  name: (typeof MANIFEST_NAMES)[number];
  dir: string;
}

/**
 * The nearest manifest at or above `dir`; a Deno config wins over a
 * `package.json` beside it.
 *
 * @param dir absolute path of a directory.
 * @param names the manifests to look for (default: all).
 */
export function nearestManifest(
  dir: string,
  names: readonly Manifest["name"][] = MANIFEST_NAMES,
): Manifest | undefined {
  return findUp(dir, (current) => {
    const name = names.find((candidate) => existsSync(join(current, candidate)));
    return name === undefined ? undefined : { path: join(current, name), name, dir: current };
  });
}

/**
 * Whether the nearest manifest at or above `dir` is a Deno config (so the
 * project runs on Deno: `npm:` specifiers, ES modules, `deno add`).
 *
 * @param dir absolute path of a directory.
 */
export function underDenoConfig(dir: string): boolean {
  return isDenoConfig(nearestManifest(dir));
}

/**
 * Whether `manifest` is a Deno config (`deno.json` or `deno.jsonc`).
 *
 * @param manifest a manifest, or undefined for none.
 */
export function isDenoConfig(
  manifest: Manifest | undefined,
): manifest is Manifest & { name: "deno.json" | "deno.jsonc" } {
  return manifest?.name.startsWith("deno") === true;
}

/**
 * What the codemod reads from a `package.json`: `type`, `engines.node`,
 * every dependency name (any kind) and those under `dependencies` alone
 * (what a production install has), whether it is a library (not `private`,
 * with an entry point: `main`, `module`, `exports`, `types` or `typings`),
 * and its `bin` scripts (absolute paths).
 */
export interface PackageFields {
  type: string | undefined;
  nodeEngine: string | undefined;
  dependencies: Set<string>;
  runtimeDependencies: Set<string>;
  library: boolean;
  bins: string[];
}

/**
 * The fields of the nearest `package.json` at or above `dir`.
 *
 * @param dir absolute path of a directory.
 * @returns the fields and the manifest's directory; undefined when there is
 *   no `package.json` or it is not a JSON object (the scan reports that).
 */
export function nearestPackage(dir: string): (PackageFields & { dir: string }) | undefined {
  const manifest = nearestManifest(dir, ["package.json"]);
  if (manifest === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(manifest.path, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const json = value as Record<string, unknown>;
  const engines = json["engines"] as Record<string, unknown> | undefined;
  const namesIn = (key: string): string[] =>
    typeof json[key] === "object" && json[key] !== null ? Object.keys(json[key]) : [];
  const bin = json["bin"];
  return {
    dir: manifest.dir,
    type: typeof json["type"] === "string" ? json["type"] : undefined,
    nodeEngine: typeof engines?.["node"] === "string" ? engines["node"] : undefined,
    dependencies: new Set(
      ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"].flatMap(namesIn),
    ),
    runtimeDependencies: new Set(namesIn("dependencies")),
    library: json["private"] !== true && ["main", "module", "exports", "types", "typings"].some((key) => key in json),
    bins: (typeof bin === "string" ? [bin] : typeof bin === "object" && bin !== null ? Object.values(bin) : [])
      .filter((path): path is string => typeof path === "string")
      .map((path) => join(manifest.dir, path)),
  };
}

/** Lockfiles and the command that adds a package with their package manager (`<name>` stands for the package). */
const LOCKFILES: readonly (readonly [string, string])[] = [
  ["pnpm-lock.yaml", "pnpm add <name>"],
  ["yarn.lock", "yarn add <name>"],
  ["bun.lock", "bun add <name>"],
  ["bun.lockb", "bun add <name>"],
  ["deno.lock", "deno add npm:<name>"],
  ["package-lock.json", "npm install <name>"],
  ["npm-shrinkwrap.json", "npm install <name>"],
];

/**
 * The command that adds `name` to the project containing `dir`: by the
 * nearest lockfile up to the repository root (the directory holding
 * `.git`), so a workspace package gets its workspace's package manager;
 * without one, `deno add` under a Deno config and `npm install` otherwise.
 *
 * @param dir absolute path of a directory of the project.
 * @param name the npm package to add.
 */
export function addCommand(dir: string, name: string): string {
  const found = findUp(dir, (current) => {
    const lockfile = LOCKFILES.find(([file]) => existsSync(join(current, file)));
    if (lockfile !== undefined) return lockfile[1];
    return existsSync(join(current, ".git")) ? null : undefined;
  });
  const command = found ?? (underDenoConfig(dir) ? "deno add npm:<name>" : "npm install <name>");
  return command.replace("<name>", name);
}
