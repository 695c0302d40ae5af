/**
 * Property test (fast-check): on a copy of a real package (amqplib's
 * CommonJS sources, pinned in node_modules), random sequences of edits —
 * add or remove a call, wrap a body in try/catch, add a loop, an import or
 * a type, declare a method under a name the package already uses, store a
 * function under such a name (which changes what calls of that name in
 * other files may start, so their kept function summaries), change a
 * body only (a throw its declared type does not show) or a signature only
 * (a new first parameter, which moves what callers pass) — and
 * after each edit, a `--cache` re-run and a `--changed` run (the files
 * edited so far, with the cache) report exactly what a cold scan of the
 * same tree reports (of those files, for `--changed`). Runs in-process.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { ts } from "ts-morph";
import { scanPart } from "../src/cache/scan.ts";
import { ResultCache } from "../src/cache/store.ts";
import { planScan } from "../src/project.ts";
import type { ScanResult } from "../src/scan.ts";

const PACKAGE = "node_modules/amqplib";

let work = "";
before(() => {
  work = mkdtempSync(join(tmpdir(), "spawn-audit-incremental-"));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** One edit: what it does, the file it picks, where in it and which name (each an index, taken modulo the choices there are). */
interface Edit {
  kind: "call" | "remove-call" | "try" | "loop" | "import" | "type" | "method" | "store" | "body" | "signature";
  file: number;
  at: number;
  other: number;
}

// Calls and methods twice as often as the others: it takes both, in different files, to test a lookup by name.
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom(
    "call" as const,
    "method" as const,
    "call" as const,
    "method" as const,
    "remove-call" as const,
    "try" as const,
    "loop" as const,
    "import" as const,
    "type" as const,
    "body" as const,
    "signature" as const,
    "store" as const,
  ),
  file: fc.nat(),
  at: fc.nat(),
  other: fc.nat(),
});

/** The element of `items` an index picks, modulo their number; undefined when there are none. */
function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

/** Every `.js` file under `dir`, sorted. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".js"))
    .map((name) => join(dir, name))
    .sort();
}

/** Nodes of a parsed file that `accept` keeps, in source order. */
function nodes<T extends ts.Node>(file: ts.SourceFile, accept: (node: ts.Node) => node is T): T[] {
  const found: T[] = [];
  const visit = (node: ts.Node): void => {
    if (accept(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const isFunctionBody = (node: ts.Node): node is ts.Block =>
  ts.isBlock(node) && node.parent !== undefined && ts.isFunctionLike(node.parent);

/**
 * The names calls and new methods use: a method name the package declares
 * (the middle one in order) and, twice as often, one it does not: few
 * enough that edits meet (a call here, a method of that name there).
 */
function methodNames(files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const path of files) {
    const file = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    for (const method of nodes(file, (node): node is ts.MethodDeclaration => ts.isMethodDeclaration(node))) {
      if (ts.isIdentifier(method.name)) names.add(method.name.text);
    }
  }
  const sorted = [...names].sort();
  return [sorted[Math.floor(sorted.length / 2)]!, "tick", "tick"];
}

/** The nodes of a file an edit of `kind` applies at. */
function targets(kind: Edit["kind"], file: ts.SourceFile): ts.Node[] {
  switch (kind) {
    case "call":
    case "try":
    case "loop":
    case "store":
    case "body":
      return nodes(file, isFunctionBody);
    case "remove-call":
      return nodes(
        file,
        (node): node is ts.ExpressionStatement =>
          ts.isExpressionStatement(node) && ts.isCallExpression(node.expression),
      );
    case "import":
      return [file];
    case "type":
    case "signature":
      return nodes(
        file,
        (node): node is ts.FunctionDeclaration | ts.MethodDeclaration =>
          ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node),
      );
    case "method":
      return nodes(file, (node): node is ts.ClassDeclaration => ts.isClassDeclaration(node));
  }
}

/** Applies `change` to one of the `files` it applies to (every kind applies to some); returns the file changed. */
function apply(change: Edit, files: readonly string[], names: readonly string[]): string {
  const parsed = files.map((path) =>
    ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true)
  );
  const file = pick(parsed.filter((each) => targets(change.kind, each).length > 0), change.file)!;
  const node = pick(targets(change.kind, file), change.at)!;
  const name = pick(names, change.other)!;
  const splice = (start: number, end: number, inserted: string): string => {
    writeFileSync(file.fileName, file.text.slice(0, start) + inserted + file.text.slice(end));
    return file.fileName;
  };
  const start = node.getStart();
  switch (change.kind) {
    case "call":
      // On an untyped field of the object: whether it is a promise is read from the methods of that name anywhere.
      return splice(start + 1, start + 1, `\nthis.peer.${name}();\n`);
    case "remove-call":
      return splice(start, node.getEnd(), "");
    case "try":
      return splice(start, node.getEnd(), `{\ntry ${node.getText()} catch (error) {}\n}`);
    case "loop":
      return splice(start + 1, start + 1, `\nfor (;;) {\nsetTimeout(() => this.${name}(), 10);\n}\n`);
    case "import": {
      const target = pick(files.filter((other) => other !== file.fileName), change.other)!;
      let specifier = relative(dirname(file.fileName), target).replace(/\.js$/, "");
      if (!specifier.startsWith(".")) specifier = `./${specifier}`;
      return splice(0, 0, `const imported${files.indexOf(target)} = require(${JSON.stringify(specifier)});\n`);
    }
    case "store":
      // A name functions are stored under: a call of it anywhere may start what is stored.
      return splice(start + 1, start + 1, `\nthis.${name} = () => setTimeout(() => this.peer.${name}(), 10);\n`);
    case "type":
      return splice(start, start, "/** @returns {Promise<void>} */\n");
    case "body":
      // A conditional throw: the inferred type of the function stays, whether it can fail changes.
      return splice(start + 1, start + 1, `\nif (this.peer === undefined) throw new Error("edited");\n`);
    case "signature": {
      const parameters = (node as ts.FunctionDeclaration | ts.MethodDeclaration).parameters;
      return splice(parameters.pos, parameters.pos, parameters.length === 0 ? "edited" : "edited, ");
    }
    case "method": {
      const members = (node as ts.ClassDeclaration).members.pos;
      const method = change.at % 2 === 0
        ? `async ${name}() {\nawait this.peer.${name}();\n}`
        : `${name}() {\nreturn 1;\n}`;
      return splice(members, members, `\n${method}\n`);
    }
  }
}

/** Scans `dir`: cold without a cache, or with the cache in `cache`, of `only` those files when given. */
function scan(dir: string, cache?: string, only?: ReadonlySet<string>): ScanResult {
  return scanPart(planScan({ paths: ["."], cwd: dir }), {
    cwd: dir,
    ...(cache === undefined ? {} : { cache: new ResultCache(cache) }),
    ...(only === undefined ? {} : { only }),
  });
}

/** What a report says of some files: their sites, problems, skip entries and whether each was scanned. */
function of(result: ScanResult, files: ReadonlySet<string>): object {
  return {
    sites: result.sites.filter((site) => files.has(site.file)),
    problems: result.problems.filter((problem) => files.has(problem.file)),
    skipped: result.skipped.filter((entry) => files.has(entry.file)),
    scannedFiles: result.scannedFiles.filter((file) => files.has(file)),
  };
}

test("after random edits, --cache and --changed runs report what a cold scan reports", () => {
  let round = 0;
  fc.assert(
    fc.property(fc.array(edit, { minLength: 4, maxLength: 5 }), (edits) => {
      const dir = join(work, `round-${round}`);
      const cache = join(work, `cache-${round++}`);
      cpSync(join(PACKAGE, "lib"), join(dir, "lib"), { recursive: true });
      for (const top of ["channel_api.js", "callback_api.js", "package.json"]) {
        cpSync(join(PACKAGE, top), join(dir, top));
      }
      // The copy's @types are the repository's, as an installed package's are its project's (Node's timers typed).
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(resolve("node_modules/@types"), join(dir, "node_modules", "@types"), "dir");
      const files = sources(dir);
      const names = methodNames(files);
      assert.deepEqual(scan(dir, cache), scan(dir));
      const edited = new Set<string>();
      for (const change of edits) {
        edited.add(apply(change, files, names));
        const cold = scan(dir);
        const shown = new Set([...edited].map((file) => relative(dir, file).split("\\").join("/")));
        // Whichever runs first analyses the edited files again; the other mostly reuses its results.
        const runs = [
          () =>
            assert.deepEqual(
              of(scan(dir, cache, edited), shown),
              of(cold, shown),
              `--changed after ${JSON.stringify(change)}`,
            ),
          () => assert.deepEqual(scan(dir, cache), cold, `--cache after ${JSON.stringify(change)}`),
        ];
        if (edited.size % 2 === 0) runs.reverse();
        for (const run of runs) run();
      }
      rmSync(dir, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }),
    { numRuns: 3, seed: 20, endOnFailure: true },
  );
});
