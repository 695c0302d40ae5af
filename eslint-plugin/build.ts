/**
 * Builds the publishable package from the repository (after the root
 * `tsc`, which type-checks the sources and writes the declarations):
 *
 * - `dist/plugin.js`: one ES module with the plugin and the analysis it
 *   runs (esbuild), every package it uses left as an import;
 * - `dist/plugin.d.ts`: the plugin's declarations (they import only `eslint`);
 * - `schema/config.v1.json`: the config schema, which the rules' options
 *   are checked against.
 *
 * The bundle leaves ts-morph out: the plugin analyses only with
 * typescript-eslint's TypeScript (`./src/analysis.ts` calls `useTypeScript`
 * before the first scan), so `src/analysis/ts.ts`'s initial module, the copy
 * of TypeScript ts-morph bundles, would only be loaded, never used (about
 * 2 s and 70 MB in every ESLint process); that import gets an empty stand-in.
 *
 * It fails, writing nothing more, when the bundle imports a package the
 * manifest does not declare (as a dependency or a peer).
 *
 * @module
 */
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/** The repository and the package folder, from this module as compiled: dist/eslint-plugin/build.js. */
const repository = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const packageDir = join(repository, "eslint-plugin");

const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const declared = new Set([
  ...Object.keys(manifest.dependencies ?? {}),
  ...Object.keys(manifest.peerDependencies ?? {}),
]);

/** `src/analysis/ts.ts`, whose `ts-morph` import the bundle replaces. */
const analysisTs = join(repository, "src", "analysis", "ts.ts");

/** Resolves `ts-morph` imported by `src/analysis/ts.ts` to a module exporting `ts` as undefined; elsewhere it stays a package import. */
const withoutTsMorph: Plugin = {
  name: "without-ts-morph",
  setup(plugin) {
    plugin.onResolve(
      { filter: /^ts-morph$/ },
      (args) => args.importer === analysisTs ? { path: "ts-morph", namespace: "without-ts-morph" } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: "without-ts-morph" }, () => ({
      contents: "export const ts = undefined;\n",
      loader: "js",
    }));
  },
};

const result = await build({
  entryPoints: [join(packageDir, "src", "plugin.ts")],
  outfile: join(packageDir, "dist", "plugin.js"),
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20",
  metafile: true,
  logLevel: "warning",
  plugins: [withoutTsMorph],
});
const imported = new Set(
  Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports.filter((entry) => entry.external && !entry.path.startsWith("node:")).map((entry) =>
      entry.path.startsWith("@") ? entry.path.split("/").slice(0, 2).join("/") : entry.path.split("/")[0]!
    )
  ),
);
const undeclared = [...imported].filter((name) => !declared.has(name)).sort();
if (undeclared.length > 0) {
  process.stderr.write(
    `eslint-plugin/package.json does not declare what the bundle imports: ${undeclared.join(", ")}\n`,
  );
  process.exit(1);
}
copyFileSync(join(repository, "dist", "eslint-plugin", "src", "plugin.d.ts"), join(packageDir, "dist", "plugin.d.ts"));
mkdirSync(join(packageDir, "schema"), { recursive: true });
copyFileSync(join(repository, "schema", "config.v1.json"), join(packageDir, "schema", "config.v1.json"));
