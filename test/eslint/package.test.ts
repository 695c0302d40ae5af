/**
 * The published plugin package (built by `npm run build`, see
 * eslint-plugin/build.ts): what `npm pack` ships, that its manifest declares
 * exactly the packages the bundle imports, and that the bundle, loaded as a
 * user's ESLint loads it, reports a finding.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { Linter } from "eslint";
import { repoRoot } from "../support/repo.ts";
import { typedLanguageOptions, typedProject } from "./support.ts";

const packageDir = join(repoRoot(), "eslint-plugin");

test("npm pack ships the bundle, its declarations, the config schema, the README and the licence, nothing else", () => {
  const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: packageDir,
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const [packed] = JSON.parse(run.stdout) as { name: string; files: { path: string }[] }[];
  assert.equal(packed!.name, "eslint-plugin-spawn-audit");
  assert.deepEqual(packed!.files.map((file) => file.path).sort(), [
    "LICENSE",
    "README.md",
    "dist/plugin.d.ts",
    "dist/plugin.js",
    "package.json",
    "schema/config.v1.json",
  ]);
  assert.equal(
    readFileSync(join(packageDir, "LICENSE"), "utf8"),
    readFileSync(join(repoRoot(), "LICENSE"), "utf8"),
  );
});

test("the manifest declares exactly the packages the bundle imports, at the CLI's ranges, and the peers", () => {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  const root = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const bundle = readFileSync(join(packageDir, "dist", "plugin.js"), "utf8");
  const imported = new Set(
    [...bundle.matchAll(/^import\s[^"]*"([^"]+)";$/gm)].map((match) => match[1]!)
      .filter((specifier) => !specifier.startsWith("node:"))
      .map((specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/")),
  );
  const peers = Object.keys(manifest.peerDependencies);
  assert.deepEqual(peers.sort(), ["eslint", "typescript", "typescript-eslint"]);
  assert.deepEqual(
    Object.keys(manifest.dependencies).sort(),
    [...imported].filter((name) => !peers.includes(name)).sort(),
  );
  for (const [name, range] of Object.entries(manifest.dependencies)) assert.equal(range, root.dependencies[name], name);
});

test("the bundle, imported as ESLint imports a plugin, reports a durable interval", async () => {
  const { default: plugin } = await import(pathToFileURL(join(packageDir, "dist", "plugin.js")).href) as {
    default: {
      rules: Record<string, import("eslint").Rule.RuleModule>;
      configs: { recommended: import("eslint").Linter.Config };
    };
  };
  const project = typedProject();
  after(project.remove);
  const messages = new Linter({ cwd: project.dir }).verify(
    'setInterval(() => { JSON.parse("x"); }, 1000);\nexport {};',
    [{ files: ["**/*.ts"], languageOptions: typedLanguageOptions(project.dir) }, plugin.configs.recommended],
    join(project.dir, "service.ts"),
  );
  assert.deepEqual(messages.map((message) => `${message.ruleId} ${message.message.split(":")[0]}`), [
    "spawn-audit/timers durable interval",
  ]);
});
