/**
 * Parity with the peer linter: every `@typescript-eslint/no-floating-promises`
 * finding (typescript-eslint, type-aware, default options) on the TypeScript
 * packages of the truth set is a spawn site of `scan` at the same line —
 * reported, or shown as handled or benign with a reason a user can check
 * (issue 7: "every one of typescript-eslint's findings … still reported or
 * shown as handled with a reason").
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
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
 * under `scopes`, in one ESLint run (typescript-eslint's project service is
 * shared by every ESLint instance of a process).
 */
async function peerFindings(root: string, scopes: readonly string[]): Promise<PeerFinding[]> {
  const levels = (scope: string): string[] => [`${scope}/*.ts`, `${scope}/*/*.ts`, `${scope}/*/*/*.ts`];
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    errorOnUnmatchedPattern: false,
    overrideConfig: [{ ignores: ["!**/node_modules/"] }, {
      files: ["**/*.ts"],
      languageOptions: {
        parser: tseslint.parser,
        parserOptions: {
          projectService: { allowDefaultProject: scopes.flatMap(levels), maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 1000 },
          tsconfigRootDir: root,
        },
      },
      plugins: { "@typescript-eslint": tseslint.plugin as never },
      rules: { "@typescript-eslint/no-floating-promises": "error" },
    }],
  });
  const results = await eslint.lintFiles(scopes.flatMap(levels));
  const fatal = results.flatMap((result) => result.messages.filter((message) => message.fatal).map((message) => `${result.filePath}: ${message.message}`));
  assert.deepEqual(fatal, [], "typescript-eslint could not parse every file");
  return results.flatMap((result) =>
    result.messages
      .filter((message) => message.ruleId === "@typescript-eslint/no-floating-promises")
      .map((message) => ({ file: relative(root, result.filePath), line: message.line }))
  );
}

describe("parity with typescript-eslint no-floating-promises", () => {
  const root = repoRoot();
  const packages = truthFiles(root).filter((truth) => ["@grpc/grpc-js", "@supabase/realtime-js", "piscina"].includes(truth.package));
  let findings: PeerFinding[] = [];
  const sites: SpawnSite[] = [];
  before(async () => {
    const scopes = packages.map((truth) => truth.scope[0]!);
    findings = await peerFindings(root, scopes);
    for (const scope of scopes) sites.push(...scanProject(loadProject({ paths: [scope], cwd: root }), DEFAULT_CONFIG, root).sites);
  });

  test("the peer finds floating promises in the compared packages", () => {
    assert.equal(packages.length, 3);
    assert.ok(findings.length >= 10, `typescript-eslint found only ${findings.length} floating promises: is its type information missing?`);
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
