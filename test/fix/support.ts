/**
 * Fix fixtures as data: each case is a source file and the text `fix` must
 * turn it into. All cases of one test file go into one temporary project
 * (a tsconfig whose `paths` map `@spawn-audit/shim` to this repository's
 * shim, so rewritten files type-check), fixed with one `--write` run.
 *
 * @module
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { GROUPS } from "../../src/site.ts";
import { type FixOptions, type FixResult, runFix } from "../../src/fix/fix.ts";
import { repoRoot } from "../support/repo.ts";
import { caseTsconfig } from "../support/cases.ts";
import { writeTree } from "../support/tree.ts";

/**
 * One fixture: `code` is written to `path` (default `src/case-N.ts`) and
 * must become `expected` (omitted: must stay as it was). `skips` are
 * patterns the skip reasons of the file's sites must match, in order.
 */
export interface FixCase {
  name: string;
  code: string;
  expected?: string;
  path?: string;
  skips?: RegExp[];
}

/** A temporary project's tsconfig: the case tsconfig, made stricter (unused names are errors), and `@spawn-audit/shim` resolved to the repository's shim. */
export function testTsconfig(extra: Record<string, unknown> = {}): string {
  return caseTsconfig({
    allowImportingTsExtensions: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    paths: { "@spawn-audit/shim": [join(repoRoot(), "shim", "mod.ts")] },
    ...extra,
  });
}

/** A fresh temporary directory holding `files` and a test tsconfig (unless `files` has one). */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-fix-"));
  writeTree(dir, { "tsconfig.json": testTsconfig(), ...files });
  return dir;
}

/** Runs `fix --write` in-process over `dir` with every group selected unless `options` says otherwise. */
export function fixProject(dir: string, options: Partial<FixOptions> = {}): FixResult {
  return runFix({ paths: [dir], cwd: dir, groups: GROUPS, write: true, allowDirty: false, ...options });
}

/**
 * Registers a `describe` block that fixes every case in one temporary
 * project and checks each case's resulting text and skip reasons.
 */
export function describeFixCases(title: string, cases: readonly FixCase[], files: Record<string, string> = {}): void {
  describe(title, () => {
    let dir = "";
    let result: FixResult;
    before(() => {
      dir = makeProject({
        ...files,
        ...Object.fromEntries(cases.map((item, index) => [casePath(item, index), item.code])),
      });
      result = fixProject(dir);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    cases.forEach((item, index) => {
      test(item.name, () => {
        const path = casePath(item, index);
        const refused = result.changes.find((change) => change.file === path)?.refused ?? null;
        assert.equal(refused, null, `${path} was refused`);
        assert.equal(readFileSync(join(dir, path), "utf8"), item.expected ?? item.code);
        const reasons = result.skipped.filter(({ site }) => site.file === path).map(({ reason }) => reason);
        assert.equal(reasons.length, item.skips?.length ?? 0, `skip reasons: ${reasons.join(" | ")}`);
        item.skips?.forEach((pattern, at) => assert.match(reasons[at]!, pattern));
      });
    });
  });
}

function casePath(item: FixCase, index: number): string {
  return item.path ?? `src/case-${index + 1}.ts`;
}
