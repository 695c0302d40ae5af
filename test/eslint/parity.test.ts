/**
 * One analyzer, two front ends: on pinned real packages of the truth set,
 * ESLint with the plugin (every group reported, typescript-eslint building
 * the program from a tsconfig) reports exactly the unsupervised sites
 * `scan --tsconfig` with the same tsconfig reports, by file, line, kind and
 * group. One program each, with Node's types only, keeps it to seconds.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import plugin from "../../eslint-plugin/src/plugin.ts";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { loadProject } from "../../src/project.ts";
import { scanProject } from "../../src/scan.ts";
import { GROUPS } from "../../src/site.ts";
import { repoRoot } from "../support/repo.ts";

/**
 * Truth-set packages, TypeScript and JavaScript, small enough to lint in
 * seconds (none has test files); bee-queue and generic-pool each start a
 * durable site, so groups are compared beyond per-request.
 */
const SCOPES = [
  "node_modules/bree/src",
  "node_modules/@supabase/realtime-js/src",
  "node_modules/bee-queue/lib",
  "node_modules/generic-pool/lib",
];

/** The compiler options of both programs: `scan`'s defaults for JavaScript and TypeScript, Node's types only. */
const COMPILER_OPTIONS = {
  allowJs: true,
  checkJs: false,
  target: "esnext",
  module: "esnext",
  moduleResolution: "bundler",
  skipLibCheck: true,
  noEmit: true,
  types: ["node"],
};

describe("parity: ESLint with the plugin and scan report the same unsupervised sites", () => {
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-plugin-parity-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let fromScan: string[] = [];
  let fromEslint: string[] = [];

  before(async () => {
    const tsconfig = join(dir, "tsconfig.json");
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: { ...COMPILER_OPTIONS, typeRoots: [join(root, "node_modules", "@types")] },
        include: SCOPES.flatMap((scope) => ["ts", "js", "mjs", "cjs"].map((ext) => join(root, scope, `**/*.${ext}`))),
      }),
    );
    fromScan = scanProject(loadProject({ paths: SCOPES, cwd: root, tsconfig }), DEFAULT_CONFIG, root).sites
      .filter((site) => site.status === "unsupervised")
      .map((site) => `${site.file}:${site.start.line} ${site.kind} ${site.group}`)
      .sort();
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      errorOnUnmatchedPattern: false,
      overrideConfig: [
        { ignores: ["!**/node_modules/"] },
        // The packages' own disable comments are for their rules; a bare one would silence ours too, unlike for scan.
        { linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: "off" } },
        {
          files: ["**/*.{ts,js,mjs,cjs}"],
          languageOptions: { parser: tseslint.parser, parserOptions: { project: [tsconfig], tsconfigRootDir: root } },
          plugins: { "spawn-audit": plugin },
          rules: Object.fromEntries(
            Object.keys(plugin.rules).map((id) => [`spawn-audit/${id}`, ["error", { groups: [...GROUPS] }]]),
          ),
        },
      ],
    });
    const results = await eslint.lintFiles(SCOPES.map((scope) => `${scope}/**/*.{ts,js,mjs,cjs}`));
    const fatal = results.flatMap((result) =>
      result.messages.filter((message) => message.fatal).map((message) => `${result.filePath}: ${message.message}`)
    );
    assert.deepEqual(fatal, [], "typescript-eslint parsed every file");
    fromEslint = results.flatMap((result) =>
      result.messages.filter((message) => message.ruleId?.startsWith("spawn-audit/") === true).map((message) => {
        const [group, kind] = message.message.split(/[ :]/);
        return `${relative(root, result.filePath)}:${message.line} ${kind} ${group}`;
      })
    ).sort();
  });

  test("both find sites in the compared packages, durable and per-request", () => {
    assert.ok(fromScan.length >= 10, `scan found ${fromScan.length} unsupervised sites`);
    for (const group of ["durable", "per-request"]) {
      assert.ok(fromScan.some((site) => site.endsWith(` ${group}`)), `scan found no ${group} site: ${fromScan}`);
    }
  });

  test("the same sites, by file, line, kind and group", () => {
    const missing = fromScan.filter((site) => !fromEslint.includes(site));
    const extra = fromEslint.filter((site) => !fromScan.includes(site));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  });
});
