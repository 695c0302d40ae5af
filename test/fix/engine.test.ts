import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { DEFAULT_CONFIG, parseConfig } from "../../src/config.ts";
import { loadProject } from "../../src/project.ts";
import type { Rule, ShimFunction } from "../../src/rule.ts";
import { scanProject } from "../../src/scan.ts";
import { applyEdits } from "../../src/fix/edits.ts";
import { denoSpecifier } from "../../src/fix/imports.ts";
import { RULES } from "../../rules/mod.ts";
import { UsageError } from "../../src/errors.ts";
import { fixProject, makeProject, testTsconfig } from "./support.ts";
import { formatFixReport } from "../../src/fix/report.ts";
import { Chalk } from "chalk";
import { writeTree } from "../support/tree.ts";
import { repoRoot } from "../support/repo.ts";

const SERVICE = `import { Worker } from "node:worker_threads";
declare function next(queue: string): Promise<void>;
async function pollJobs(queue: string): Promise<void> { for (;;) await next(queue); }
declare function tick(): void;
const queue = "default";
pollJobs(queue);
setInterval(() => tick(), 1_000);
setTimeout(tick, 5_000);
new Worker("./indexer.js");
export {};
`;

const made: string[] = [];
function project(files: Record<string, string>): string {
  const dir = makeProject(files);
  made.push(dir);
  return dir;
}
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The registered rules, with `ruleId`'s fix replaced by one that inserts `text` before each site and uses the shim's `uses`. */
function withBrokenFix(ruleId: string, text: string, uses: ShimFunction[] = []): Rule[] {
  return RULES.map((rule) =>
    rule.id !== ruleId ? rule : {
      ...rule,
      fix: (context) => ({
        transform: "broken",
        edits: [{ start: context.node.getStart(), end: context.node.getStart(), text }],
        uses,
      }),
    }
  );
}

function git(dir: string, ...args: string[]): void {
  const result = spawnSync("git", ["-c", "user.email=test@example.com", "-c", "user.name=test", ...args], {
    cwd: dir,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stderr);
}

describe("idempotency and re-scan", () => {
  test("a second fix changes nothing and scan sees no unsupervised site where the first rewrote", () => {
    const dir = project({ "src/service.ts": SERVICE });
    const first = fixProject(dir);
    assert.deepEqual(
      first.changes.map((change) => [change.file, change.refused, change.written, change.rewrites.length]),
      [["src/service.ts", null, true, 4]],
    );
    const once = readFileSync(join(dir, "src/service.ts"), "utf8");
    const second = fixProject(dir);
    assert.deepEqual(second.changes, []);
    assert.equal(readFileSync(join(dir, "src/service.ts"), "utf8"), once);
    const sites = scanProject(loadProject({ paths: [dir], cwd: dir }), DEFAULT_CONFIG, dir).sites;
    assert.deepEqual(sites.filter((site) => site.status === "unsupervised"), []);
    // A timer's callback that catches its own failure is handled; the restarted loop and the worker are supervised.
    assert.deepEqual(sites.map((site) => [site.kind, site.status]), [
      ["floating-promise", "supervised"],
      ["interval", "handled"],
      ["timeout", "handled"],
      ["worker", "supervised"],
    ]);
  });

  test("a dry run reports the same change without writing", () => {
    const dir = project({ "src/service.ts": SERVICE });
    const result = fixProject(dir, { write: false });
    assert.equal(result.changes[0]?.written, false);
    assert.notEqual(result.changes[0]?.after, SERVICE);
    assert.equal(readFileSync(join(dir, "src/service.ts"), "utf8"), SERVICE);
  });

  test("groups, kinds and file globs narrow the selection", () => {
    const dir = project({
      "src/service.ts": SERVICE,
      "src/other.ts": "declare function tick(): void;\nsetInterval(() => tick(), 5);\nexport {};\n",
    });
    const onlyIntervals = fixProject(dir, { write: false, kinds: ["interval"], files: ["src/service.ts"] });
    assert.deepEqual(
      onlyIntervals.changes.flatMap((change) => change.rewrites.map(({ site }) => `${site.file} ${site.kind}`)),
      ["src/service.ts interval"],
    );
    assert.equal(onlyIntervals.unselected, 4);
    const perRequest = fixProject(dir, { write: false, groups: ["per-request"] });
    assert.deepEqual(
      perRequest.changes.flatMap((change) => change.rewrites.map(({ site }) => `${site.file} ${site.kind}`)),
      ["src/service.ts timeout"],
    );
  });
});

describe("refusals: the file is left as it was", () => {
  test("a rewrite that no longer parses is refused", () => {
    const faulty = withBrokenFix("timers", "(((");
    const dir = project({ "src/service.ts": SERVICE });
    const result = fixProject(dir, { rules: faulty });
    assert.match(result.changes[0]?.refused ?? "", /^no longer parses: TS\d+/);
    assert.equal(result.changes[0]?.written, false);
    assert.equal(readFileSync(join(dir, "src/service.ts"), "utf8"), SERVICE);
  });

  test("a TypeScript error no single rewrite can be blamed for refuses the file, naming the error", () => {
    const dir = project({ "src/service.ts": SERVICE });
    // The rewrite asks for a shim function it does not call: the import it gets is unused (noUnusedLocals).
    const faulty = withBrokenFix("timers", "", ["logFailure"]);
    const result = fixProject(dir, { rules: faulty, kinds: ["interval"] });
    assert.match(result.changes[0]?.refused ?? "", /^new TypeScript error TS6133: 'logFailure' is declared but/);
    assert.equal(readFileSync(join(dir, "src/service.ts"), "utf8"), SERVICE);
  });

  test("a shim that does not resolve stops the run before anything is written, naming the install command", () => {
    for (
      const [lockfile, command] of [["package-lock.json", "npm install not-installed"], [
        "pnpm-lock.yaml",
        "pnpm add not-installed",
      ], ["yarn.lock", "yarn add not-installed"]]
    ) {
      const dir = project({
        "src/service.ts": SERVICE,
        "src/app.js": "setInterval(() => JSON.parse('{}'), 5);\n",
        "package.json": `{ "dependencies": { "not-installed": "^1.0.0" } }`,
        [lockfile!]: "",
      });
      assert.throws(
        () => fixProject(dir, { shimImport: "not-installed/shim" }),
        (error: Error) =>
          error instanceof UsageError &&
          /not-installed\/shim does not resolve from src\/app\.js and 1 more file\(s\); nothing was written/.test(
            error.message,
          ) &&
          error.message.includes(command!) && error.message.includes("--vendor-shim"),
      );
      assert.equal(readFileSync(join(dir, "src/service.ts"), "utf8"), SERVICE);
    }
  });

  test("a file with uncommitted changes is skipped unless --allow-dirty", () => {
    const dir = project({ "src/service.ts": "export {};\n" });
    git(dir, "init", "-q");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "start");
    writeFileSync(join(dir, "src/service.ts"), SERVICE);
    const dirty = fixProject(dir);
    assert.deepEqual(dirty.changes, []);
    assert.equal(dirty.skipped.length, 4);
    assert.ok(dirty.skipped.every(({ reason }) => /uncommitted changes.*--allow-dirty/.test(reason)));
    assert.equal(readFileSync(join(dir, "src/service.ts"), "utf8"), SERVICE);
    assert.equal(fixProject(dir, { allowDirty: true }).changes[0]?.written, true);
  });

  test("a file whose real path is outside the given paths is refused", () => {
    const root = mkdtempSync(join(tmpdir(), "spawn-audit-fix-outside-"));
    made.push(root);
    writeTree(root, { "outside/service.ts": SERVICE, "app/tsconfig.json": testTsconfig() });
    symlinkSync(join(root, "outside"), join(root, "app", "linked"));
    const app = join(root, "app");
    const result = fixProject(app);
    assert.equal(result.changes[0]?.file, "linked/service.ts");
    assert.equal(result.changes[0]?.refused, "the file's real path is outside the paths being fixed");
    assert.equal(readFileSync(join(root, "outside/service.ts"), "utf8"), SERVICE);
  });

  test("a shim name already declared in the file skips its sites", () => {
    const dir = project({
      "src/own.ts":
        "declare function tick(): void;\nfunction logFailure(): void {}\nlogFailure();\nsetInterval(() => tick(), 5);\nexport {};\n",
    });
    const result = fixProject(dir);
    assert.deepEqual(result.changes, []);
    assert.match(result.skipped[0]?.reason ?? "", /`logFailure` is already declared/);
  });
});

describe("imports", () => {
  test('CommonJS files get a require after "use strict", merged into an existing one', () => {
    const dir = project({
      "package.json": `{ "name": "legacy", "dependencies": { "@spawn-audit/shim": "*" } }\n`,
      "lib/a.js":
        `"use strict";\nfunction tick() { JSON.parse("{}"); }\nsetInterval(() => tick(), 5);\nmodule.exports = {};\n`,
      "lib/b.cjs":
        `const { spawnSupervised } = require("@spawn-audit/shim");\nfunction tick() { JSON.parse("{}"); }\nsetInterval(() => tick(), 5);\nspawnSupervised("x", () => tick());\n`,
    });
    fixProject(dir);
    assert.equal(
      readFileSync(join(dir, "lib/a.js"), "utf8"),
      `"use strict";\nconst { logFailure } = require("@spawn-audit/shim");\nfunction tick() { JSON.parse("{}"); }\nsetInterval(() => { try { tick(); } catch (error) { logFailure("a.tick", error); } }, 5);\nmodule.exports = {};\n`,
    );
    assert.match(
      readFileSync(join(dir, "lib/b.cjs"), "utf8"),
      /^const \{ spawnSupervised, logFailure \} = require\("@spawn-audit\/shim"\);\n/,
    );
  });

  test('JavaScript under "type": "module" and with CRLF line endings gets an import with CRLF', () => {
    const dir = project({
      "package.json": `{ "name": "modern", "type": "module", "dependencies": { "@spawn-audit/shim": "*" } }\n`,
      "src/a.js": `function tick() { JSON.parse("{}"); }\r\nsetInterval(() => tick(), 5);\r\n`,
    });
    fixProject(dir);
    assert.equal(
      readFileSync(join(dir, "src/a.js"), "utf8"),
      `import { logFailure } from "@spawn-audit/shim";\r\n\r\nfunction tick() { JSON.parse("{}"); }\r\nsetInterval(() => { try { tick(); } catch (error) { logFailure("a.tick", error); } }, 5);\r\n`,
    );
  });

  test("Deno projects use the import-map alias, else npm:@spawn-audit/shim", () => {
    assert.equal(denoSpecifier(`{ "imports": { "@sa/": "npm:spawn-audit@0.1.0/" } }`), "@sa/shim");
    assert.equal(denoSpecifier(`{ "imports": { "spawn-audit": "npm:spawn-audit@^0.1.0" } }`), "spawn-audit/shim");
    assert.equal(
      denoSpecifier(`{ "imports": { "supervisor": "jsr:@spawn-audit/spawn-audit@0.1/shim" } }`),
      "supervisor",
    );
    assert.equal(
      denoSpecifier(`{\n  // comments are allowed\n  "imports": { "chalk": "npm:chalk@5" }\n}`),
      "npm:@spawn-audit/shim",
    );
    const dir = project({
      "deno.jsonc": `{ "imports": { "sa/": "npm:spawn-audit@0.1.0/" } }\n`,
      "src/a.ts": "declare function tick(): void;\nsetInterval(() => tick(), 5);\nexport {};\n",
      "src/plain.js": "setInterval(() => JSON.parse('{}'), 5);\n",
    });
    const result = fixProject(dir, { write: false });
    assert.match(result.changes[0]?.after ?? "", /^import \{ logFailure \} from "sa\/shim";/);
    // JavaScript without module syntax is still an ES module under Deno.
    assert.match(result.changes[1]?.after ?? "", /^import \{ logFailure \} from 'sa\/shim';/);
  });

  test("a ./ --shim-import or config shimImport is a project module each file imports by its own relative path; a missing one stops the run", () => {
    const interval = "declare function tick(): void;\nsetInterval(() => tick(), 5);\nexport {};\n";
    const files = {
      "src/supervision.ts": `export { logFailure } from "@spawn-audit/shim";\n`,
      "src/a.ts": interval,
      "src/jobs/b.ts": interval,
    };
    const imported = (dir: string, file: string): string | undefined =>
      /from "([^"]+)"/.exec(readFileSync(join(dir, file), "utf8"))?.[1];
    const byOption = project(files);
    assert.deepEqual(
      fixProject(byOption, { shimImport: "./src/supervision.js" }).changes.map((change) => change.refused),
      [null, null],
    );
    assert.deepEqual([imported(byOption, "src/a.ts"), imported(byOption, "src/jobs/b.ts")], [
      "./supervision.js",
      "../supervision.js",
    ]);
    const byConfig = project({ ...files, "spawn-audit.json": `{ "shimImport": "./src/supervision.js" }\n` });
    fixProject(byConfig, { paths: [join(byConfig, "src/jobs")] });
    assert.equal(imported(byConfig, "src/jobs/b.ts"), "../supervision.js");
    assert.throws(() => parseConfig({ shimImport: 3 }, "spawn-audit.json"), /shimImport/);
    const missing = project({ "src/a.ts": interval });
    assert.throws(
      () => fixProject(missing, { shimImport: "./src/supervision.js" }),
      (error: Error) =>
        error instanceof UsageError &&
        /^\.\/supervision\.js does not resolve from src\/a\.ts; nothing was written\. Write src\/supervision\.js \(spawn-audit init --shim\)/
          .test(error.message),
    );
    assert.equal(readFileSync(join(missing, "src/a.ts"), "utf8"), interval);
  });

  test("--vendor-shim writes the functions used as one module with declarations, imports it relatively and type-checks against it", () => {
    const dir = project({
      "package.json": `{ "type": "module" }\n`,
      "src/jobs/a.ts": "declare function tick(): void;\nsetInterval(() => tick(), 5);\nexport {};\n",
    });
    const result = fixProject(dir, { vendorShim: "src/vendor/spawn-audit" });
    assert.equal(result.changes[0]?.refused, null);
    assert.match(
      readFileSync(join(dir, "src/jobs/a.ts"), "utf8"),
      /^import \{ logFailure \} from "\.\.\/vendor\/spawn-audit\/spawn-audit-shim\.js";/,
    );
    assert.deepEqual(readdirSync(join(dir, "src/vendor/spawn-audit")).sort(), [
      "spawn-audit-shim.d.ts",
      "spawn-audit-shim.js",
    ]);
    assert.match(
      readFileSync(join(dir, "src/vendor/spawn-audit/spawn-audit-shim.js"), "utf8"),
      /^\/\/ Vendored by spawn-audit fix[^\n]*\n/,
    );
    const again = fixProject(dir, { vendorShim: "src/vendor/spawn-audit" });
    assert.deepEqual([again.changes, again.skipped, again.vendor], [[], [], null]);
  });
});

describe("applyEdits", () => {
  test("applies back to front against original offsets and keeps insertion order at one point", () => {
    assert.equal(
      applyEdits("abcdef", [{ start: 3, end: 3, text: "2" }, { start: 0, end: 1, text: "A" }, {
        start: 3,
        end: 3,
        text: "3",
      }, { start: 5, end: 6, text: "" }]),
      "Abc23de",
    );
  });

  test("rejects overlapping replacements and ranges outside the text", () => {
    assert.throws(
      () => applyEdits("abcdef", [{ start: 0, end: 3, text: "" }, { start: 2, end: 4, text: "" }]),
      RangeError,
    );
    assert.throws(() => applyEdits("abc", [{ start: 2, end: 9, text: "" }]), RangeError);
  });
});

test("the vendor directory must be inside the paths being fixed", () => {
  const dir = project({ "src/a.ts": SERVICE });
  assert.throws(
    () => fixProject(dir, { paths: [join(dir, "src")], vendorShim: "vendor" }),
    /--vendor-shim vendor is outside the paths being fixed/,
  );
});

describe("fix changes nothing but what happens to failures", () => {
  test("a restarted site says why in one line of at most 80 characters, in the result and the report", () => {
    const dir = project({ "src/service.ts": SERVICE });
    const result = fixProject(dir, { write: false });
    const restarted = result.changes.flatMap((change) => change.rewrites).filter((rewrite) =>
      rewrite.restarts !== null
    );
    assert.deepEqual(restarted.map(({ site }) => site.callee), ["pollJobs"]);
    assert.match(restarted[0]!.restarts!, /loops until stopped \(for \(;;\)\)/);
    assert.ok(restarted[0]!.restarts!.length <= 80);
    assert.match(
      formatFixReport(result, new Chalk({ level: 0 })),
      /\n {2}restarts src\/service\.ts:6: the called function loops until stopped \(for \(;;\)\)\n/,
    );
  });

  test("a hook or event member is logged, not restarted, even when its work recurs", () => {
    const dir = project({
      "src/hooks.ts": `declare function next(): Promise<void>;
export class Poller {
  async onTick(): Promise<void> { for (;;) await next(); }
}
new Poller().onTick();
`,
    });
    const [rewrite] = fixProject(dir, { write: false }).changes.flatMap((change) => change.rewrites);
    assert.equal(rewrite?.site.group, "durable");
    assert.equal(rewrite?.transform, "logged-promise");
    assert.equal(rewrite?.restarts, null);
  });

  test("test sites are never rewritten, and a callback that asserts or only throws is never wrapped", () => {
    const dir = project({
      "src/poller.test.ts": `declare function tick(): void;\nsetInterval(() => tick(), 10);\nexport {};\n`,
      "src/check.ts": `import assert from "node:assert/strict";
declare function measure(): number;
setTimeout(() => { assert.equal(measure(), 1); }, 10);
setTimeout(() => { JSON.parse("{}"); }, 10);
setImmediate(() => { if (measure() > 1) { throw new Error("too many"); } else throw new Error("never here"); });
setImmediate(() => { if (measure() > 1) throw new Error("too many"); });
export {};
`,
    });
    const result = fixProject(dir, { write: false, groups: ["durable", "per-request", "test"] });
    assert.deepEqual(
      result.changes.flatMap((change) => change.rewrites.map(({ site }) => `${site.file}:${site.start.line}`)),
      ["src/check.ts:4", "src/check.ts:6"],
    );
    assert.deepEqual(result.skipped.map(({ site, reason }) => `${site.file}:${site.start.line} ${reason}`).sort(), [
      "src/check.ts:3 the callback asserts: wrapped, a failing assertion would be reported instead of failing",
      "src/check.ts:5 the callback only throws: a crash its author meant, which fix leaves to crash",
      "src/poller.test.ts:2 test sites are never rewritten: a failing test must still fail",
    ]);
  });
});

describe("files keep what they were", () => {
  const TIMER = `declare function tick(): void;\nsetInterval(() => tick(), 5);\nexport {};\n`;

  test("a file with a byte order mark is rewritten and keeps it", () => {
    const dir = project({ "src/bom.ts": `\uFEFF${TIMER}` });
    const result = fixProject(dir);
    assert.equal(result.changes[0]?.refused, null);
    const text = readFileSync(join(dir, "src/bom.ts"), "utf8");
    assert.ok(text.startsWith("\uFEFFimport { logFailure }"), JSON.stringify(text.slice(0, 40)));
  });

  test("the file's mode is kept exactly, a read-only file is refused and left as it was", () => {
    const dir = project({ "src/shared.ts": TIMER, "src/locked.ts": TIMER });
    chmodSync(join(dir, "src/shared.ts"), 0o664);
    chmodSync(join(dir, "src/locked.ts"), 0o444);
    const result = fixProject(dir);
    assert.equal(statSync(join(dir, "src/shared.ts")).mode & 0o777, 0o664);
    assert.match(readFileSync(join(dir, "src/shared.ts"), "utf8"), /logFailure/);
    const locked = result.changes.find((change) => change.file.endsWith("locked.ts"));
    assert.match(locked?.refused ?? "", /read-only \(mode 0444\)/);
    assert.equal(readFileSync(join(dir, "src/locked.ts"), "utf8"), TIMER);
  });

  test("temporary files left by a killed run are removed by the next --write", () => {
    const dir = project({ "src/timer.ts": TIMER });
    const stale = join(dir, "src", ".timer.ts.spawn-audit-999999999-abc.tmp");
    // A copy a linter was reading when its run was killed (Biome's check reads one).
    const staleCopy = join(dir, "src", ".timer.ts.spawn-audit-999999999-abd.lint.ts");
    const live = join(dir, "src", `.timer.ts.spawn-audit-${process.pid}-abc.tmp`);
    writeFileSync(stale, "half a file");
    writeFileSync(staleCopy, TIMER);
    writeFileSync(live, "being written by this process");
    fixProject(dir);
    assert.deepEqual(readdirSync(join(dir, "src")).filter((name) => name.includes(".spawn-audit-")), [
      `.timer.ts.spawn-audit-${process.pid}-abc.tmp`,
    ]);
    rmSync(live);
  });

  // Issue 18, defect 2: a hard-linked file was written in place, truncated first, and cut off on ENOSPC.
  test("a hard-linked file is refused, every link as it was; --force-write rewrites this name only", () => {
    const dir = project({ "src/linked.ts": TIMER });
    linkSync(join(dir, "src/linked.ts"), join(dir, "linked-copy.ts"));
    const refused = fixProject(dir, { paths: ["src"] });
    assert.match(refused.changes[0]?.refused ?? "", /the file has 2 hard links.*--force-write/);
    assert.equal(readFileSync(join(dir, "src/linked.ts"), "utf8"), TIMER);
    assert.equal(readFileSync(join(dir, "linked-copy.ts"), "utf8"), TIMER);
    fixProject(dir, { paths: ["src"], forceWrite: true });
    assert.match(readFileSync(join(dir, "src/linked.ts"), "utf8"), /logFailure/);
    assert.equal(readFileSync(join(dir, "linked-copy.ts"), "utf8"), TIMER);
    assert.equal(statSync(join(dir, "src/linked.ts")).nlink, 1);
  });

  test("names and the import follow the file's quotes and semicolons", () => {
    const dir = project({
      "src/single.ts":
        `declare function tick(): void\nconst label = 'clock'\nsetInterval(() => tick(), 5)\nexport { label }\n`,
    });
    fixProject(dir);
    const text = readFileSync(join(dir, "src/single.ts"), "utf8");
    assert.match(text, /^import \{ logFailure \} from '@spawn-audit\/shim'\n/);
    assert.match(
      text,
      /setInterval\(\(\) => \{ try \{ tick\(\) \} catch \(error\) \{ logFailure\('single\.tick', error\) \} \}, 5\)\n/,
    );
  });

  test("the import quotes its specifier as the file's other imports do, the names as its other strings", () => {
    const dir = project({
      "src/mixed.ts": `import { join } from "node:path";\nimport { tick } from "./tick.ts";\n` +
        `export const label = join('a', 'b', 'c');\nsetInterval(() => tick(), 5);\n`,
      "src/tick.ts": `export function tick(): void {\n  throw new Error("tick");\n}\n`,
      "src/required.cjs": `const { tick } = require("./tick.cjs");\nconst labels = ['a', 'b', 'c'];\n` +
        `setInterval(() => tick(), 5);\nmodule.exports = { labels };\n`,
      "src/tick.cjs": `exports.tick = () => {\n  throw new Error("tick");\n};\n`,
    });
    fixProject(dir);
    const mixed = readFileSync(join(dir, "src/mixed.ts"), "utf8");
    assert.match(
      mixed,
      /^import \{ tick \} from "\.\/tick\.ts";\nimport \{ logFailure \} from "@spawn-audit\/shim";\n/m,
    );
    assert.match(mixed, /logFailure\('mixed\.tick', error\)/);
    const required = readFileSync(join(dir, "src/required.cjs"), "utf8");
    assert.match(required, /^const \{ logFailure \} = require\("@spawn-audit\/shim"\);\n/m);
    assert.match(required, /logFailure\('required\.tick', error\)/);
  });

  test("a call that may return void or a promise is caught through Promise.resolve, evaluated where it was, so the file still type-checks", () => {
    const dir = project({
      "src/stop.ts":
        `declare const task: { stop(): void | Promise<void> };\nexport function shutdown(): void {\n  task.stop() as Promise<void> | void;\n}\n`,
    });
    const result = fixProject(dir, { write: false });
    assert.equal(result.changes[0]?.refused, null);
    assert.match(
      result.changes[0]?.after ?? "",
      /Promise\.resolve\(task\.stop\(\) as Promise<void> \| void\)\.catch\(\(error\) => logFailure\("shutdown\.stop", error\)\);/,
    );
  });
});

describe("the type check sees the program the project's compiler sees", () => {
  test("a global declared by both the DOM lib and a types package keeps its overload order after an edit", () => {
    // As generic-pool 3.9.0 is set up (checkJs, lib es6 + dom, @types/node 8): the types package's setTimeout
    // overload comes first, so `.unref()` type-checks. The check once rebuilt the edited program with every file
    // it had seen as a root, which put lib.dom.d.ts last, flipped the overloads and refused the file (TS2339).
    const dir = project({
      "tsconfig.json": testTsconfig({
        lib: ["ES2015", "DOM"],
        checkJs: true,
        strict: false,
        types: ["oldnode"],
        typeRoots: ["./types"],
      }),
      "types/oldnode/index.d.ts": `interface OldTimer { unref(): void }
declare function setTimeout(callback: (...args: any[]) => void, ms: number): OldTimer;
`,
      "src/pool.js": `export function start() {
  setTimeout(() => {}, 10).unref();
}
async function refresh() {
  JSON.parse("{");
}
export function kick() {
  refresh();
}
`,
    });
    const result = fixProject(dir);
    assert.deepEqual(
      result.changes.map((change) => [change.file, change.refused, change.rewrites.map(({ transform }) => transform)]),
      [["src/pool.js", null, ["caught-promise"]]],
    );
    assert.match(readFileSync(join(dir, "src/pool.js"), "utf8"), /refresh\(\)\.catch\(/);
  });
  test("a package installed twice at one version (TypeScript reads the second copy as a redirect) does not stop the check", () => {
    // The edited program reuses the files of the one before it; a redirect file handed back to TypeScript there was
    // an internal error ("Host should not return a redirect source file"), as with two installs of @types/node.
    const copy = (name: string) => ({
      [`${name}/package.json`]: JSON.stringify({ name: "dup", version: "1.0.0", types: "./index.d.ts" }),
      [`${name}/index.d.ts`]: "export declare function load(): Promise<number>;\n",
    });
    const dir = project({
      "tsconfig.json": testTsconfig({ types: [] }),
      ...copy("node_modules/dup"),
      ...copy("node_modules/other/node_modules/dup"),
      "node_modules/other/package.json": JSON.stringify({ name: "other", version: "1.0.0", types: "./index.d.ts" }),
      "node_modules/other/index.d.ts": 'export { load as loadOther } from "dup";\n',
      "src/pool.ts": `import { load } from "dup";
import { loadOther } from "other";
async function refresh(): Promise<void> {
  await load();
  await loadOther();
}
export function kick(): void {
  refresh();
}
`,
    });
    const result = fixProject(dir);
    assert.deepEqual(result.changes.map((change) => [change.refused, change.written]), [[null, true]]);
    assert.match(readFileSync(join(dir, "src/pool.ts"), "utf8"), /refresh\(\)\.catch\(/);
  });
});

describe("the declarations an edit brings in", () => {
  const pool = (skipLibCheck: boolean): Record<string, string> => ({
    "tsconfig.json": testTsconfig({ lib: ["ES2022"], types: [], paths: {}, skipLibCheck }),
    "package.json": JSON.stringify({ name: "pool", dependencies: { "@spawn-audit/shim": "^0.1.0" } }),
    "node_modules/@spawn-audit/shim/package.json": JSON.stringify({
      name: "@spawn-audit/shim",
      version: "0.1.0",
      main: "./index.js",
      types: "./index.d.ts",
    }),
    "node_modules/@spawn-audit/shim/index.js": "exports.logFailure = () => {};\n",
    // As the shim's were before 2026-12-07: a member keyed by a symbol that lib es2022 does not declare (TS2550).
    "node_modules/@spawn-audit/shim/index.d.ts": `export declare class TaskSupervisor {
  [Symbol.asyncDispose](): Promise<void>;
}
export declare function logFailure(name: string, error: unknown): void;
`,
    "src/pool.ts": `async function refresh(): Promise<void> {
  JSON.parse("{");
}
export function kick(): void {
  refresh();
}
`,
  });

  test("are type-checked when the project's tsconfig checks libraries: an error there refuses the file that imports them", () => {
    const dir = project(pool(false));
    const result = fixProject(dir);
    assert.equal(result.changes.length, 1);
    assert.match(
      result.changes[0]!.refused ?? "",
      /^the declarations it now imports do not type-check under the project's settings .*: TS2550: Property 'asyncDispose' does not exist on type 'SymbolConstructor'.*index\.d\.ts line 2\)$/,
    );
    assert.equal(readFileSync(join(dir, "src/pool.ts"), "utf8"), pool(false)["src/pool.ts"]);
  });

  test("are not when it skips library checks, as its own type-check does not see them", () => {
    const dir = project(pool(true));
    const result = fixProject(dir);
    assert.deepEqual(result.changes.map((change) => [change.refused, change.written]), [[null, true]]);
    assert.match(readFileSync(join(dir, "src/pool.ts"), "utf8"), /refresh\(\)\.catch\(/);
  });
});

describe("per-site, not per-file, refusal", () => {
  test("a rewrite that would add a type error is dropped with the error as its reason; the file's other rewrites are kept", () => {
    const dir = project({
      "src/mixed.ts": `declare function tick(): void;
declare function save(): Promise<void>;
setInterval(() => tick(), 5);
export function later(): void {
  save();
}
`,
    });
    // A rule whose floating-promise rewrite breaks the file (calls an undeclared name); the timer rewrite is fine.
    const faulty = withBrokenFix("floating-promise", "undeclaredHelper(), ");
    const result = fixProject(dir, { rules: faulty });
    assert.equal(result.changes[0]?.refused, null);
    assert.deepEqual(result.changes[0]?.rewrites.map(({ site }) => site.kind), ["interval"]);
    assert.match(
      result.skipped.map(({ reason }) => reason).join("\n"),
      /its rewrite would add a new TypeScript error TS2304: Cannot find name 'undeclaredHelper'/,
    );
    const text = readFileSync(join(dir, "src/mixed.ts"), "utf8");
    assert.match(text, /logFailure\("mixed\.tick"/);
    assert.match(text, /\n {2}save\(\);\n/);
  });

  test("a file whose only rewrite would add a type error is skipped whole: not refused, no import written", () => {
    const single = `declare function save(): Promise<void>;\nexport function later(): void {\n  save();\n}\n`;
    const dir = project({ "src/single.ts": single });
    // The broken rewrite also uses the shim, so a file kept half-done would gain its import.
    const faulty = withBrokenFix("floating-promise", "undeclaredHelper(logFailure), ", ["logFailure"]);
    const result = fixProject(dir, { rules: faulty });
    assert.deepEqual(result.changes, []);
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => [site.file, reason.split(":")[0]]),
      [["src/single.ts", "its rewrite would add a new TypeScript error TS2304"]],
    );
    assert.equal(readFileSync(join(dir, "src/single.ts"), "utf8"), single);
  });
  test("a rewrite adding an error the file already has elsewhere is the one blamed, not the untouched line", () => {
    // As nodemon's run.js: the rewrite's error (TS2304 here) has the same code and message as one further down.
    const single = `declare function save(): Promise<void>;
export function later(): void {
  save();
}
export const broken = (): void => undeclaredHelper();
`;
    const dir = project({ "src/single.ts": single });
    const faulty = withBrokenFix("floating-promise", "undeclaredHelper(), ");
    const result = fixProject(dir, { rules: faulty });
    assert.deepEqual(result.changes, []);
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => [site.file, site.start.line, reason.split(":")[0]]),
      [["src/single.ts", 3, "its rewrite would add a new TypeScript error TS2304"]],
    );
    assert.equal(readFileSync(join(dir, "src/single.ts"), "utf8"), single);
  });
});

describe("workers used after creation", () => {
  test("are watched with logWorker, keep their uses, and a re-scan shows them supervised", () => {
    const dir = project({
      "src/pool.ts": `import { Worker } from "node:worker_threads";
export const pool = new Worker("./pool.js");
pool.postMessage("start");
`,
    });
    const result = fixProject(dir);
    assert.deepEqual(result.changes[0]?.rewrites.map(({ transform }) => transform), ["logged-worker"]);
    assert.match(
      readFileSync(join(dir, "src/pool.ts"), "utf8"),
      /export const pool = logWorker\("pool\.worker", new Worker\("\.\/pool\.js"\)\);\npool\.postMessage\("start"\);/,
    );
    const sites = scanProject(loadProject({ paths: [dir], cwd: dir }), DEFAULT_CONFIG, dir).sites;
    assert.deepEqual(sites.map((site) => [site.kind, site.status]), [["worker", "supervised"]]);
  });
});

describe("the shim is a dependency of the project, never a devDependency", () => {
  const TIMER = "setInterval(() => JSON.parse('{}'), 5);\n";
  /** A project whose files resolve @spawn-audit/shim as an installed package. */
  function installed(files: Record<string, string>): string {
    const dir = project(files);
    mkdirSync(join(dir, "node_modules", "@spawn-audit"), { recursive: true });
    symlinkSync(join(repoRoot(), "shim"), join(dir, "node_modules", "@spawn-audit", "shim"), "dir");
    return dir;
  }

  test("missing from dependencies (a devDependency does not count), the run stops before writing, naming the package manager's command", () => {
    for (
      const [lockfile, command] of [
        ["package-lock.json", "npm install @spawn-audit/shim"],
        ["pnpm-lock.yaml", "pnpm add @spawn-audit/shim"],
        ["yarn.lock", "yarn add @spawn-audit/shim"],
      ]
    ) {
      const dir = installed({
        "package.json": `{ "type": "module", "devDependencies": { "@spawn-audit/shim": "*" } }\n`,
        [lockfile!]: "",
        "src/a.js": TIMER,
      });
      assert.throws(
        () => fixProject(dir),
        (error: Error) =>
          error instanceof UsageError &&
          error.message.startsWith(
            "@spawn-audit/shim is not in the dependencies of ./package.json, which src/a.js would import it from; nothing was written.",
          ) && error.message.includes(`Add it (${command}) or pass --install`),
      );
      assert.equal(readFileSync(join(dir, "src/a.js"), "utf8"), TIMER);
    }
  });

  test("--install runs the package manager's add command, then fixes", () => {
    const dir = installed({
      "package.json": `{ "type": "module" }\n`,
      "pnpm-lock.yaml": "",
      "src/a.js": TIMER,
      // A stand-in pnpm that records what it was asked and adds the dependency as pnpm would.
      "bin/pnpm": `#!/usr/bin/env node
import fs from "node:fs";
fs.writeFileSync("pnpm-args.txt", process.argv.slice(2).join(" "));
const manifest = JSON.parse(fs.readFileSync("package.json", "utf8"));
manifest.dependencies = { [process.argv[3]]: "^0.1.0" };
fs.writeFileSync("package.json", JSON.stringify(manifest));
`,
    });
    chmodSync(join(dir, "bin/pnpm"), 0o755);
    const path = process.env["PATH"];
    process.env["PATH"] = `${join(dir, "bin")}:${path}`;
    try {
      const result = fixProject(dir, { install: true });
      assert.equal(result.installed, "pnpm add @spawn-audit/shim");
      assert.equal(readFileSync(join(dir, "pnpm-args.txt"), "utf8"), "add @spawn-audit/shim");
      assert.equal(result.changes[0]?.written, true);
      assert.match(readFileSync(join(dir, "src/a.js"), "utf8"), /^import \{ logFailure \} from '@spawn-audit\/shim';/);
    } finally {
      process.env["PATH"] = path;
    }
  });

  test("a CommonJS file requires the package's CommonJS build; engines.node older than the shim's Node 18 is a note, not a refusal", () => {
    const dir = installed({
      "package.json": `{ "engines": { "node": ">=12" }, "dependencies": { "@spawn-audit/shim": "^0.1.0" } }\n`,
      "lib/a.js":
        `"use strict";\nfunction tick() { JSON.parse("{}"); }\nsetInterval(() => tick(), 5);\nmodule.exports = {};\n`,
    });
    const result = fixProject(dir);
    assert.equal(result.changes[0]?.written, true, result.changes[0]?.refused ?? "");
    assert.match(
      readFileSync(join(dir, "lib/a.js"), "utf8"),
      /^"use strict";\nconst \{ logFailure \} = require\("@spawn-audit\/shim"\);/,
    );
    assert.deepEqual(result.notes, [
      `engines.node ">=12" (package of lib/a.js) allows Nodes older than 18, on which the shim does not run`,
    ]);
  });

  test("a rewrite that reports to the project's own channel imports nothing, and needs no dependency", () => {
    const code = `import { EventEmitter } from "node:events";
declare function work(): Promise<void>;
export class Queue extends EventEmitter {
  start(): void {
    work();
  }
  fail(error: Error): void {
    this.emit("error", error);
  }
}
`;
    const dir = project({ "package.json": `{ "type": "module" }\n`, "src/queue.ts": code });
    const result = fixProject(dir);
    assert.equal(result.changes[0]?.written, true, result.changes[0]?.refused ?? "");
    assert.equal(
      readFileSync(join(dir, "src/queue.ts"), "utf8"),
      code.replace("    work();", `    Promise.resolve(work()).catch((error) => this.emit("error", error));`),
    );
    // In the file's quotes, as the rest of what fix writes.
    const single = code.replaceAll(`"`, "'");
    const quoted = project({ "package.json": `{ "type": "module" }\n`, "src/queue.ts": single });
    fixProject(quoted);
    assert.equal(
      readFileSync(join(quoted, "src/queue.ts"), "utf8"),
      single.replace("    work();", `    Promise.resolve(work()).catch((error) => this.emit('error', error));`),
    );
  });

  test('an error event named by a constant of the literal type "error" is the class\'s channel, written as the class writes it', () => {
    const code = `import { EventEmitter } from "node:events";
const EV = { ERROR: "error", READY: "ready" } as const;
declare function work(): Promise<void>;
export class Watcher extends EventEmitter {
  start(): void {
    work();
  }
  ready(): void {
    this.emit(EV.READY);
  }
  fail(error: Error): void {
    this.emit(EV.ERROR, error);
  }
}
`;
    const dir = project({ "package.json": `{ "type": "module" }\n`, "src/watcher.ts": code });
    const result = fixProject(dir);
    assert.equal(result.changes[0]?.written, true, result.changes[0]?.refused ?? "");
    assert.equal(
      readFileSync(join(dir, "src/watcher.ts"), "utf8"),
      code.replace("    work();", `    Promise.resolve(work()).catch((error) => this.emit(EV.ERROR, error));`),
    );
  });

  test("benchmarks and examples are never rewritten, an example with a package.json of its own included", () => {
    const interval = "declare function tick(): void;\nsetInterval(() => tick(), 5);\nexport {};\n";
    const dir = project({
      "package.json": JSON.stringify({ dependencies: { "@spawn-audit/shim": "*" } }),
      "src/a.ts": interval,
      "bench.ts": interval,
      "examples/job/package.json": JSON.stringify({ private: true }),
      "examples/job/index.ts": interval,
    });
    const result = fixProject(dir);
    assert.deepEqual(result.changes.map((change) => change.file), ["src/a.ts"]);
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => `${site.file} ${reason.split(":")[0]}`).sort(),
      ["bench.ts", "examples/job/index.ts"].map((file) =>
        `${file} ${
          file === "bench.ts" ? "test sites are never rewritten" : "benchmarks and examples are never rewritten"
        }`
      ),
    );
  });

  test("a Deno config with exports (a JSR package) is library code: work that runs a user's callback is left", () => {
    const code = `export class Job {
  constructor(private options: { onTick: () => void }) {}
  start(): void {
    setTimeout(() => this.options.onTick(), 5);
  }
}
`;
    const library = project({
      "deno.json": JSON.stringify({ name: "@x/job", exports: "./src/job.ts" }),
      "src/job.ts": code,
    });
    const result = fixProject(library);
    assert.deepEqual(result.changes, []);
    assert.match(result.skipped[0]?.reason ?? "", /^calls user code \(onTick is an event emit or hook\)/);
  });

  test("in library code, a platform function held in a property (process.hrtime) is not user code; a user's callback is, called or given to a timer by name", () => {
    const code = `export class Lag {
  constructor(private options: { report: (seconds: number) => void; done: () => void }) {}
  start(): void {
    setTimeout(() => {
      const [seconds] = process.hrtime();
      JSON.parse(String(seconds));
    }, 5);
    setTimeout(() => this.options.report(1), 5);
  }
  stop(cb: () => void): void {
    setImmediate(cb);
    setTimeout(this.options.done, 5);
  }
}
`;
    const dir = project({
      "package.json": JSON.stringify({ name: "lag", main: "src/lag.js", dependencies: { "@spawn-audit/shim": "*" } }),
      "src/lag.ts": code,
    });
    const result = fixProject(dir, { write: false });
    assert.deepEqual(result.changes[0]?.rewrites.map(({ site }) => site.start.line), [4]);
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => [site.start.line, reason.split(";")[0]]),
      [
        [8, "calls user code (report is a callback held in a property)"],
        [11, "calls user code (cb is a parameter: the caller's function)"],
        [12, "calls user code (done is a callback held in a property)"],
      ],
    );
  });

  test("in library code, a promise chain's own callbacks and receiver are its work: a user's callback they reach is user code", () => {
    // As chokidar 4.0.3's FSWatcher.add: Promise.all(paths.map(async …)).then(…), where the mapped function reaches
    // the user's `ignored` option; the second chain reaches only the library's own code and is rewritten.
    const code = `export class Watcher {
  constructor(private options: { ignored: (path: string) => boolean; report: (n: number) => void }) {}
  add(paths: string[]): this {
    Promise.all(paths.map(async (path) => this.check(path))).then((results) => results.length);
    Promise.all(paths.map(async (path) => path.length)).then((lengths) => JSON.stringify(lengths));
    this.count(paths).then((n) => this.options.report(n));
    this.scan(paths).then((n) => JSON.stringify(n));
    return this;
  }
  private async check(path: string): Promise<boolean> {
    return this.options.ignored(path);
  }
  private async count(paths: string[]): Promise<number> {
    return paths.length;
  }
  private async scan(paths: string[]): Promise<number> {
    return this.check(paths[0] ?? "") ? 1 : 0;
  }
}
`;
    const dir = project({
      "package.json": JSON.stringify({
        name: "watcher",
        main: "src/watcher.js",
        dependencies: { "@spawn-audit/shim": "*" },
      }),
      "src/watcher.ts": code,
    });
    const result = fixProject(dir, { write: false });
    assert.deepEqual(result.changes[0]?.rewrites.map(({ site }) => site.start.line), [5]);
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => [site.start.line, reason.split(";")[0]]),
      [
        [4, "calls user code (ignored is a callback held in a property, reached through check())"],
        [6, "calls user code (report is a callback held in a property)"],
        [7, "calls user code (ignored is a callback held in a property, reached through scan())"],
      ],
    );
  });

  test("in library code, a callee's callback given to an array's method runs now and is read; one given to a timer is not", () => {
    // As tarn 3.0.1's reaper: setInterval(() => this.check()), where check() releases each free resource in a
    // forEach callback that reaches the user's `log` option. defer()'s timer runs its callback later, in a site of
    // its own, so later()'s timer is rewritten.
    const code = `export class Pool {
  constructor(private options: { log: (message: string) => void }) {}
  private free: number[] = [];
  start(): void {
    setInterval(() => this.check(), 5);
  }
  later(): void {
    setTimeout(() => this.defer(), 5);
  }
  private check(): void {
    this.free.forEach((item) => this.release(item));
  }
  private release(item: number): void {
    if (item < 0) this.options.log("negative");
  }
  private defer(): void {
    JSON.parse("{}");
    setTimeout(() => this.options.log("later"), 5);
  }
}
`;
    const dir = project({
      "package.json": JSON.stringify({ name: "pool", main: "src/pool.js", dependencies: { "@spawn-audit/shim": "*" } }),
      "src/pool.ts": code,
    });
    const result = fixProject(dir, { write: false });
    assert.deepEqual(result.changes[0]?.rewrites.map(({ site }) => site.start.line), [8]);
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => [site.start.line, reason.split(";")[0]]),
      [
        [5, "calls user code (log is a callback held in a property, reached through check())"],
        [18, "calls user code (log is a callback held in a property)"],
      ],
    );
  });

  test("in library code, a parameter run through the platform's call or apply is the caller's function; a class's own call method is not", () => {
    // As nodemon 3.1.14's debounce: setTimeout(() => fn.apply(context, args), delay), fn being what its caller gave.
    const code = `export function debounce(fn, delay) {
  let timer;
  return function () {
    const args = arguments;
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), delay);
  };
}
export function defer(fn) {
  setTimeout(() => fn.call(undefined, 1), 5);
}
class Rpc {
  call(method) { return JSON.parse(method); }
}
const rpc = new Rpc();
export function poll() {
  setTimeout(() => rpc.call("{"), 5);
}
`;
    const dir = project({
      "package.json": JSON.stringify({ name: "deb", main: "src/deb.js", dependencies: { "@spawn-audit/shim": "*" } }),
      "src/deb.js": code,
    });
    const result = fixProject(dir, { write: false });
    assert.deepEqual(result.changes[0]?.rewrites.map(({ site }) => site.start.line), [17]);
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => [site.start.line, reason.split(";")[0]]),
      [
        [6, "calls user code (fn is a parameter: the caller's function)"],
        [10, "calls user code (fn is a parameter: the caller's function)"],
      ],
    );
  });

  test("in library code, a call whose failure a try/catch around it takes is not user code at the site; one whose catch rethrows is, as is a callback written in the try", () => {
    // As cron 4.4.0: setTime() floats stop(), whose chain awaits the user's onComplete inside a try/catch that prints.
    const code = `export class Job {
  constructor(onComplete, text) { this.onComplete = onComplete; this.text = text; this.running = false; }
  async complete() {
    try { await this.onComplete.call(this); } catch (error) { console.error(error); }
  }
  async notify() {
    try { await this.onComplete(); } catch (error) { throw new Error("notify", { cause: error }); }
  }
  async wait() { while (this.running) await new Promise((resolve) => setTimeout(resolve, 100)); }
  stop() { return Promise.resolve().then(async () => { await this.wait(); await this.complete(); }); }
  setTime() { this.stop(); }
  retry() { this.notify(); }
  later() {
    Promise.resolve().then(() => {
      try { setImmediate(() => this.onComplete()); } catch (error) { console.error(error); }
      return JSON.parse(this.text);
    });
  }
}
`;
    const dir = project({
      "package.json": JSON.stringify({ name: "job", main: "src/job.js", dependencies: { "@spawn-audit/shim": "*" } }),
      "src/job.js": code,
    });
    const result = fixProject(dir, { write: false });
    assert.deepEqual(result.changes[0]?.rewrites.map(({ site }) => site.start.line), [11]);
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => [site.start.line, reason.split(";")[0]]),
      [12, 14, 15].map((line) => [line, "calls user code (onComplete is an event emit or hook)"]),
    );
  });

  test("in library code, a method of an object a caller gave is user code, held in a property or not; not the library's own object, nor a method the platform declares", () => {
    // As generic-pool 3.9.0's evictor: the constructor keeps the user's factory, a timer calls its destroy(); only its
    // users construct the pool. _retire's parameter is always the library's own object; every object has toString().
    const pool = `export class Pool {
  constructor(factory) {
    this._factory = factory;
  }
  evictLater(resource) {
    setTimeout(() => {
      this._evict(resource);
    }, 5);
  }
  _evict(resource) {
    this._factory.destroy(resource);
  }
  retireLater() {
    setTimeout(() => {
      this._retire(new Resource());
    }, 5);
  }
  _retire(resource) {
    resource.invalidate();
  }
}
class Resource {
  invalidate() {
    JSON.parse("{");
  }
}
export function drain(queue) {
  setTimeout(() => queue.flush(), 5);
}
export function parseLater(text) {
  setTimeout(() => JSON.parse(text.toString()), 5);
}
`;
    const cache = `export class Cache {
  private readonly store: { evict(key: string): void };
  private readonly keys: string[];
  constructor(store: { evict(key: string): void }, keys: string[]) {
    this.store = store;
    this.keys = keys;
  }
  later(key: string): void {
    setTimeout(() => this.store.evict(key), 5);
    setTimeout(() => {
      this.keys.push(key);
      JSON.parse(key);
    }, 5);
  }
}
`;
    const dir = project({
      "package.json": JSON.stringify({ name: "pool", main: "src/pool.js", dependencies: { "@spawn-audit/shim": "*" } }),
      "src/pool.js": pool,
      "src/cache.ts": cache,
    });
    const result = fixProject(dir, { write: false });
    assert.deepEqual(
      result.changes.map((change) => [change.file, change.rewrites.map(({ site }) => site.start.line)]),
      [["src/cache.ts", [10]], ["src/pool.js", [14, 31]]],
    );
    assert.deepEqual(
      result.skipped.map(({ site, reason }) => `${site.file}:${site.start.line} ${reason.split(";")[0]}`).sort(),
      [
        "src/cache.ts:9 calls user code (store.evict came from a caller)",
        "src/pool.js:28 calls user code (queue.flush came from a caller)",
        "src/pool.js:6 calls user code (_factory.destroy came from a caller, reached through _evict())",
      ],
    );
  });

  test("a logger whose error method takes only messages is not a channel for failures, which can be anything", () => {
    const code = `declare function tick(): void;
declare const logger: { error(message: string | Error): void };
declare const log: { error(...data: unknown[]): void };
export function start(): void {
  try {
    tick();
  } catch (error) {
    logger.error(error instanceof Error ? error : String(error));
  }
  setInterval(() => tick(), 5);
}
`;
    const typed = project({ "src/a.ts": code });
    assert.match(
      fixProject(typed).changes[0]?.after ?? "",
      /setInterval\(\(\) => \{ try \{ tick\(\); \} catch \(error\) \{ logFailure\("start\.tick", error\); \} \}, 5\);/,
    );
    const loose = project({
      "src/a.ts": code.replace("logger.error(error instanceof Error ? error : String(error));", "log.error(error);"),
    });
    assert.match(
      fixProject(loose).changes[0]?.after ?? "",
      /setInterval\(\(\) => \{ try \{ tick\(\); \} catch \(error\) \{ log\.error\(error\); \} \}, 5\);/,
    );
  });
  test("a hook the code calls only when it is set is called when set, else the failure goes to the fallback", () => {
    const code = `export class Job {
  errorHandler?: (error: unknown) => void;
  logger?: { error(error: unknown): void };
  stop(): Promise<void> | undefined {
    return undefined;
  }
  restart(): void {
    this.stop();
  }
  fail(error: unknown): void {
    if (this.errorHandler != null) this.errorHandler(error);
    this.logger?.error(error);
  }
}
`;
    const dir = project({
      "package.json": JSON.stringify({ dependencies: { "@spawn-audit/shim": "*" } }),
      "src/job.ts": code,
    });
    const result = fixProject(dir);
    assert.equal(result.changes[0]?.written, true, result.changes[0]?.refused ?? "");
    assert.equal(
      readFileSync(join(dir, "src/job.ts"), "utf8"),
      `import { logFailure } from "@spawn-audit/shim";\n\n${
        code.replace(
          "    this.stop();",
          `    Promise.resolve(this.stop()).catch((error) => { if (this.errorHandler != null) { this.errorHandler(error); } else { logFailure("Job.restart.stop", error); } });`,
        )
      }`,
    );
    assert.equal(result.changes[0]?.rewrites[0]?.channel, "this.errorHandler() when set, else the shim's logger");
    const withElse = code.replace(
      "if (this.errorHandler != null) this.errorHandler(error);",
      'if (this.errorHandler != null) this.errorHandler(error);\n    else console.error("[Job] failed", error);',
    );
    const own = project({ "src/job.ts": withElse });
    const fixed = fixProject(own);
    assert.equal(
      fixed.changes[0]?.after,
      withElse.replace(
        "    this.stop();",
        `    Promise.resolve(this.stop()).catch((error) => { if (this.errorHandler != null) { this.errorHandler(error); } else { console.error(error); } });`,
      ),
      "what the code does when the hook is unset is the fallback: nothing imported, no dependency needed",
    );
  });
});
