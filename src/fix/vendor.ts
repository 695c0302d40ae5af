/**
 * `--vendor-shim DIR`: the shim's core as one self-contained file placed in
 * the user's tree (see shim-bundle.ts), so rewritten files can import it
 * relatively with no package to install: `spawn-audit-shim.ts` in a
 * TypeScript project (compiled with the project's own sources), else
 * `spawn-audit-shim.js` and its declarations `spawn-audit-shim.d.ts`, or
 * `.mjs` and `.d.mts` where the directory's package is not
 * `"type": "module"`, so the file stays an ES module. A JavaScript file
 * names its declarations for Deno (`@ts-self-types`). Every vendored file
 * starts with {@link VENDOR_MARKER}: `scan` skips such a file and `fix`
 * never rewrites it.
 *
 * @module
 */
export { isVendored, VENDOR_MARKER };
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.ts";
import { isVendored, VENDOR_MARKER } from "../files/vendored.ts";
import { VERSION } from "../version.ts";
import { findUp } from "../files/find-up.ts";
import { nearestPackage } from "./manifest.ts";
import { bundleShimSource, compileShimBundle } from "./shim-bundle.ts";

/** Stem of the vendored file's name. */
const STEM = "spawn-audit-shim";

/** A file to place in the vendor directory: absolute `path` and its `text`. */
export interface VendorFile {
  path: string;
  text: string;
}

/**
 * Whether `dir` belongs to a TypeScript project: the nearest of
 * tsconfig.json, jsconfig.json and package.json at or above it is a
 * tsconfig.json.
 *
 * @param dir absolute path of the vendor directory (it may not exist yet).
 */
function inTypeScriptProject(dir: string): boolean {
  return findUp(
    dir,
    (at) => ["tsconfig.json", "jsconfig.json", "package.json"].find((name) => existsSync(join(at, name))),
  ) === "tsconfig.json";
}

/**
 * The vendored module rewritten files import: `spawn-audit-shim.js` (which
 * TypeScript resolves to the `.ts` file), or `.mjs` outside an ES module
 * package.
 *
 * @param dir absolute path of the vendor directory.
 * @returns its absolute path.
 */
export function vendorEntry(dir: string): string {
  const esmScope = inTypeScriptProject(dir) || nearestPackage(dir)?.type === "module";
  return join(dir, `${STEM}.${esmScope ? "js" : "mjs"}`);
}

/**
 * The files of a vendored shim in `dir`, bundled from the shim's sources
 * (`shim/*.ts`, shipped with spawn-audit next to `dist/`) with exactly the
 * functions `uses` names and what they need.
 *
 * @param dir absolute path of the vendor directory.
 * @param uses the shim functions the rewritten files call.
 * @throws {UsageError} when the shim's sources are not found.
 */
export function vendorFiles(dir: string, uses: readonly string[]): VendorFile[] {
  const entry = [new URL("../../shim/mod.ts", import.meta.url), new URL("../../../shim/mod.ts", import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((candidate) => existsSync(candidate));
  if (entry === undefined) {
    throw new UsageError(
      "--vendor-shim needs the shim's sources (shim/*.ts) next to spawn-audit; reinstall spawn-audit",
    );
  }
  const header = `${VENDOR_MARKER} (spawn-audit ${VERSION}); run \`spawn-audit fix --vendor-shim\` again to update.\n`;
  const source = bundleShimSource(entry, uses);
  if (inTypeScriptProject(dir)) return [{ path: join(dir, `${STEM}.ts`), text: header + source }];
  const module = vendorEntry(dir);
  const declarations = module.replace(/\.(m?)js$/, ".d.$1ts");
  const { js, dts } = compileShimBundle(source);
  return [
    { path: module, text: `${header}// @ts-self-types="./${basename(declarations)}"\n${js}` },
    { path: declarations, text: header + dts },
  ];
}
