/**
 * Test-support files, found by who imports them rather than by their name:
 * a file of the program's own sources that test files import, and nothing
 * else does, exists for the tests (`test_utils.ts`, `testing.ts`, a fake
 * server, a load script's helpers), so its spawn sites are test sites. Test
 * files are those the test path patterns match; only direct imports count
 * (a file imported by a test-support file alone is not one), so the answer
 * depends on a file's importers and not on theirs. A file nothing imports
 * (an entry point, a script run on its own) is never test-support, nor is
 * an entry point its package declares (src/files/package-entries.ts: a
 * library's index, which only its tests import).
 *
 * Imports are read as the result cache reads them (src/files/imports.ts):
 * static and dynamic imports, re-exports and `require` calls, resolved with
 * the program's compiler options.
 *
 * @module
 */
import { resolve } from "node:path";
import type { ts } from "../analysis/ts.ts";
import { isOwnSource } from "../analysis/calls.ts";
import { readImporters } from "../analysis/reads.ts";
import { ImportResolver, importSpecifiers } from "../files/imports.ts";
import { PackageEntries } from "../files/package-entries.ts";

/** Per program and test-path predicate: each test-support file (absolute path) and one test file that imports it. */
const indexes = new WeakMap<ts.Program, WeakMap<(path: string) => boolean, ReadonlyMap<string, string>>>();

/**
 * A test file importing `file` when `file` is test-support (imported, and
 * only by test files, and not an entry point its package declares), else
 * undefined. The answer depends on every file that imports `file` and on
 * its package's manifest, which is recorded for the result cache
 * (src/analysis/reads.ts).
 *
 * @param program the program `file` belongs to.
 * @param file a file of the program.
 * @param isTestFile whether a file (absolute path, as the program names it)
 *   is a test file by its path; the same function object for a whole scan,
 *   so the index is built once per program.
 */
export function testSupportImporter(
  program: ts.Program,
  file: ts.SourceFile,
  isTestFile: (path: string) => boolean,
): string | undefined {
  readImporters(resolve(file.fileName));
  let byPredicate = indexes.get(program);
  if (byPredicate === undefined) indexes.set(program, byPredicate = new WeakMap());
  let index = byPredicate.get(isTestFile);
  if (index === undefined) byPredicate.set(isTestFile, index = testSupportIndex(program, isTestFile));
  return index.get(resolve(file.fileName));
}

/**
 * Every test-support file of `program` (absolute path) with one test or
 * test-support file importing it. A program without test files (a
 * package's build output, sources whose tests live elsewhere) has none, and
 * no import of it is resolved.
 */
function testSupportIndex(program: ts.Program, isTestFile: (path: string) => boolean): ReadonlyMap<string, string> {
  const own = program.getSourceFiles().filter((source) => isOwnSource(program, source));
  if (!own.some((source) => isTestFile(source.fileName))) return new Map();
  const importers = new Map<string, Set<string>>();
  const resolver = new ImportResolver(program.getCompilerOptions(), program.getCurrentDirectory());
  const tests = new Set<string>();
  for (const source of own) {
    const path = resolve(source.fileName);
    if (isTestFile(source.fileName)) tests.add(path);
    for (const target of resolver.resolve(path, importSpecifiers(source.text)).resolved) {
      if (target === path) continue;
      let set = importers.get(target);
      if (set === undefined) importers.set(target, set = new Set());
      set.add(path);
    }
  }
  const support = new Map<string, string>();
  const entries = new PackageEntries();
  for (const [target, from] of importers) {
    if (tests.has(target) || ![...from].every((path) => tests.has(path)) || entries.isEntry(target)) continue;
    support.set(target, [...from].sort()[0]!);
  }
  return support;
}
