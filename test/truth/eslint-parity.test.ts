/**
 * Parity with the peer linter: every `@typescript-eslint/no-floating-promises`
 * finding (typescript-eslint, type-aware, default options) on the TypeScript
 * packages of the truth set is a spawn site of `scan` at the same line —
 * reported, or shown as handled or benign with a reason a user can check
 * (issue 7: "every one of typescript-eslint's findings … still reported or
 * shown as handled with a reason").
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { before, describe, test } from "node:test";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { loadProject } from "../../src/project.ts";
import { scanProject } from "../../src/scan.ts";
import type { SpawnSite } from "../../src/site.ts";
import { repoRoot } from "../support/repo.ts";
import { truthFiles } from "./measure.ts";

/** A finding of the peer rule: the file relative to the repository root and its 1-based line. */
interface PeerFinding {
  file: string;
  line: number;
}

/**
 * Runs no-floating-promises with type information over the TypeScript files
 * under `scopes`, typed by one program: a tsconfig written for the run that
 * lists exactly those files (typescript-eslint's project service guesses a
 * default project per file, which can miss a file).
 */
async function peerFindings(root: string, scopes: readonly string[]): Promise<PeerFinding[]> {
  const levels = (scope: string): string[] => [`${scope}/*.ts`, `${scope}/*/*.ts`, `${scope}/*/*/*.ts`];
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-eslint-parity-"));
  try {
    const tsconfig = join(dir, "tsconfig.json");
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
          typeRoots: [join(root, "node_modules", "@types")],
        },
        include: scopes.map((scope) => join(root, scope, "**", "*.ts")),
      }),
    );
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      errorOnUnmatchedPattern: false,
      overrideConfig: [{ ignores: ["!**/node_modules/"] }, {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser, parserOptions: { project: [tsconfig], tsconfigRootDir: root } },
        plugins: { "@typescript-eslint": tseslint.plugin as never },
        rules: { "@typescript-eslint/no-floating-promises": "error" },
      }],
    });
    const results = await eslint.lintFiles(scopes.flatMap(levels));
    const fatal = results.flatMap((result) =>
      result.messages.filter((message) => message.fatal).map((message) => `${result.filePath}: ${message.message}`)
    );
    assert.deepEqual(fatal, [], "typescript-eslint could not parse every file");
    return results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId === "@typescript-eslint/no-floating-promises")
        .map((message) => ({ file: relative(root, result.filePath), line: message.line }))
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("parity with typescript-eslint no-floating-promises", () => {
  const root = repoRoot();
  const packages = truthFiles(root).filter((truth) =>
    ["@grpc/grpc-js", "@supabase/realtime-js", "piscina"].includes(truth.package)
  );
  let findings: PeerFinding[] = [];
  const sites: SpawnSite[] = [];
  before(async () => {
    const scopes = packages.map((truth) => truth.scope[0]!);
    findings = await peerFindings(root, scopes);
    for (const scope of scopes) {
      sites.push(...scanProject(loadProject({ paths: [scope], cwd: root }), DEFAULT_CONFIG, root).sites);
    }
  });

  test("the peer finds floating promises in the compared packages", () => {
    assert.equal(packages.length, 3);
    assert.ok(
      findings.length >= 10,
      `typescript-eslint found only ${findings.length} floating promises: is its type information missing?`,
    );
  });

  test("every peer finding is a site of scan, reported or with the reason it is not", () => {
    const missing: string[] = [];
    for (const finding of findings) {
      const site = sites.find((candidate) =>
        candidate.file === finding.file && candidate.start.line === finding.line &&
        (candidate.rule === "floating-promise" || candidate.rule === "async-listener")
      );
      if (site === undefined) missing.push(`${finding.file}:${finding.line} has no site`);
      else if (site.status !== "unsupervised" && !(site.statusReason ?? "").trim()) {
        missing.push(`${finding.file}:${finding.line} is ${site.status} without a reason`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
