/**
 * `--vendor-shim DIR`: a copy of the built shim (its ES module `.js` files
 * and `.d.ts` declarations, exactly as `dist/shim` ships them) placed in the
 * user's tree, so rewritten files can import it relatively with no package
 * to install. A `package.json` saying `"type": "module"` goes with it so the
 * files stay ES modules inside CommonJS packages (Node 20.19+ can `require`
 * them), and each `.js` file names its declarations for Deno
 * (`@ts-self-types`). Every vendored file starts with {@link VENDOR_MARKER};
 * `fix` never rewrites such a file.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.ts";
import { VERSION } from "../version.ts";

/** First line of every vendored file. */
export const VENDOR_MARKER = "// Vendored by spawn-audit fix from spawn-audit/shim; do not edit";

/** A file to place in the vendor directory: absolute `path` and its `text`. */
export interface VendorFile {
  path: string;
  text: string;
}

/**
 * The files of a vendored shim in `dir`, from the built shim next to this
 * module (`dist/shim`, or the repository's `dist/shim` when running from
 * sources). The entry module is `mod.js` in `dir`.
 *
 * @param dir absolute path of the vendor directory.
 * @throws {UsageError} when no built shim is found (run `npm run build`).
 */
export function vendorFiles(dir: string): VendorFile[] {
  const source = [new URL("../../shim/", import.meta.url), new URL("../../dist/shim/", import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((candidate) => existsSync(join(candidate, "mod.js")) && existsSync(join(candidate, "mod.d.ts")));
  if (source === undefined) throw new UsageError("--vendor-shim needs the built shim (dist/shim); run `npm run build` first");
  const header = `${VENDOR_MARKER} (spawn-audit ${VERSION}); run \`spawn-audit fix --vendor-shim\` again to update.\n`;
  const files: VendorFile[] = readdirSync(source).sort()
    .filter((name) => name.endsWith(".js") || name.endsWith(".d.ts"))
    .map((name) => ({
      path: join(dir, name),
      text: name.endsWith(".d.ts")
        ? header + readFileSync(join(source, name), "utf8")
        : `${header}// @ts-self-types="./${name.replace(/\.js$/, ".d.ts")}"\n${readFileSync(join(source, name), "utf8")}`,
    }));
  files.push({ path: join(dir, "package.json"), text: `${JSON.stringify({ type: "module", sideEffects: false }, null, 2)}\n` });
  return files;
}

/** Whether a file's text was written by {@link vendorFiles} (JSON files cannot carry the marker and are not sources). */
export function isVendored(text: string): boolean {
  return text.startsWith(VENDOR_MARKER);
}
