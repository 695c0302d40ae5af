/**
 * Inline ignore comments: scoped to the rules or kinds they name, a reason
 * required, unused and malformed ones reported as problems that fail the run.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Config, DEFAULT_CONFIG, parseConfig } from "../src/config.ts";
import { loadProject } from "../src/project.ts";
import { scanProject, type ScanResult } from "../src/scan.ts";
import { runInProcess } from "./support/cli.ts";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-ignore-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Scans one file `code` (as `src/a.ts` of a fresh project) with `config`. */
function scan(code: string, config: Config = DEFAULT_CONFIG): ScanResult {
  const root = mkdtempSync(join(dir, "p-"));
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src", "a.ts"), `${code}\nexport {};\n`);
  return scanProject(loadProject({ paths: [root], cwd: root }), config, root);
}

/** Each site as `line kind status`. */
function sites(result: ScanResult): string[] {
  return result.sites.map((site) => `${site.start.line} ${site.kind} ${site.status}`);
}

/** Each problem as `line:column id`. */
function problems(result: ScanResult): string[] {
  return result.problems.map((problem) => `${problem.line}:${problem.column} ${problem.id ?? "-"}`);
}

const DECLARE = "declare function work(): Promise<void>;";

describe("ignore comments are scoped to the rules and kinds they name", () => {
  test("a comment naming floating-promise does not silence a void-promise site, and is reported unused", () => {
    const result = scan(`${DECLARE}\n// spawn-audit-ignore-next-line floating-promise -- telemetry\nvoid work();`);
    assert.deepEqual(sites(result), ["3 void-promise unsupervised"]);
    assert.deepEqual(problems(result), ["2:4 unused-ignore"]);
    assert.match(result.problems[0]!.message, /"floating-promise" silences no unsupervised site on line 3/);
  });

  test("a list of kinds silences each named kind on the line and no other", () => {
    const code =
      `${DECLARE}\nsetInterval(() => { void work(); }, 5); setTimeout(() => { JSON.parse("x"); }, 5); // spawn-audit-ignore interval, void-promise -- demo`;
    const result = scan(code);
    assert.deepEqual(sites(result), ["2 interval ignored", "2 void-promise ignored", "2 timeout unsupervised"]);
    assert.deepEqual(problems(result), []);
    assert.equal(result.sites[0]!.statusReason, "spawn-audit-ignore: demo");
  });

  test("a rule id that is not a kind (timers) covers every kind of the rule", () => {
    const code =
      `// spawn-audit-ignore-next-line timers -- both timers are test helpers\nsetInterval(() => { JSON.parse("1"); }, 5); setTimeout(() => { JSON.parse("2"); }, 5);`;
    assert.deepEqual(sites(scan(code)), ["2 interval ignored", "2 timeout ignored"]);
  });

  test("a block comment works like a line comment", () => {
    const result = scan(`${DECLARE}\n/* spawn-audit-ignore-next-line floating-promise -- flushed at exit */\nwork();`);
    assert.deepEqual(sites(result), ["3 floating-promise ignored"]);
    assert.equal(result.sites[0]!.statusReason, "spawn-audit-ignore: flushed at exit");
  });
});

describe("reasons, unused and malformed comments", () => {
  test("a comment without a reason still silences its site and is reported", () => {
    const result = scan(`${DECLARE}\n// spawn-audit-ignore-next-line floating-promise\nwork();`);
    assert.deepEqual(sites(result), ["3 floating-promise ignored"]);
    assert.deepEqual(problems(result), ["2:4 ignore-without-reason"]);
  });

  test("a comment on a handled site silences nothing: the site stays handled and the comment is unused", () => {
    const result = scan(`${DECLARE}\nwork().catch(() => undefined); // spawn-audit-ignore floating-promise -- old`);
    assert.deepEqual(sites(result), ["2 floating-promise handled"]);
    assert.deepEqual(problems(result), ["2:35 unused-ignore"]);
  });

  test("the old forms without names are malformed, silence nothing and show the new form", () => {
    const result = scan(
      `${DECLARE}\n// spawn-audit-ignore-next-line best-effort telemetry, losing it is fine\nwork();\nwork(); // spawn-audit-ignore\n// spawn-audit-ignore-next-line: why\nwork();`,
    );
    assert.deepEqual(sites(result), [
      "3 floating-promise unsupervised",
      "4 floating-promise unsupervised",
      "6 floating-promise unsupervised",
    ]);
    assert.deepEqual(problems(result), ["2:4 malformed-ignore", "4:12 malformed-ignore", "5:4 malformed-ignore"]);
    assert.match(result.problems[0]!.message, /spawn-audit-ignore-next-line <rule or kind>\[, \.\.\.\] -- <reason>/);
  });

  test("an unknown name is malformed and lists the valid names", () => {
    const result = scan(`${DECLARE}\n// spawn-audit-ignore-next-line floating-promises -- typo\nwork();`);
    assert.deepEqual(sites(result), ["3 floating-promise unsupervised"]);
    assert.match(result.problems[0]!.message, /unknown rule or kind "floating-promises" \(names: .*void-promise/);
  });

  test("markers in strings and in a doc comment's text are not directives", () => {
    const result = scan(
      `${DECLARE}\n/** Write \`// spawn-audit-ignore-next-line x\` to silence. */\nexport function f(s: string) { return s; }\nf("// spawn-audit-ignore floating-promise -- no");\nwork(); const s = "/* spawn-audit-ignore floating-promise -- no */"; f(s);`,
    );
    assert.deepEqual(sites(result), ["5 floating-promise unsupervised"]);
    assert.deepEqual(problems(result), []);
  });

  test("config turns the reason and unused problems off", () => {
    const config = parseConfig({ ignoreComments: { requireReason: false, reportUnused: false } }, "test");
    const result = scan(
      `${DECLARE}\n// spawn-audit-ignore-next-line floating-promise\nwork();\nvoid work(); // spawn-audit-ignore interval -- none here`,
      config,
    );
    assert.deepEqual(sites(result), ["3 floating-promise ignored", "4 void-promise unsupervised"]);
    assert.deepEqual(problems(result), []);
  });

  test("a name of a rule turned off in config is not reported unused", () => {
    const config = parseConfig({ rules: { timers: "off" } }, "test");
    const result = scan(
      `// spawn-audit-ignore-next-line interval -- demo\nsetInterval(() => { JSON.parse("1"); }, 5);`,
      config,
    );
    assert.deepEqual(sites(result), []);
    assert.deepEqual(problems(result), []);
  });
});

describe("file-level ignore comments", () => {
  test("before the first statement, it silences the named kinds in the whole file", () => {
    const code =
      `// spawn-audit-ignore-file interval -- a demo script\n${DECLARE}\nsetInterval(() => { JSON.parse("1"); }, 5);\nsetInterval(() => { JSON.parse("2"); }, 5);\nwork();`;
    const result = scan(code);
    assert.deepEqual(sites(result), ["3 interval ignored", "4 interval ignored", "5 floating-promise unsupervised"]);
    assert.deepEqual(problems(result), []);
  });

  test("after code it is malformed and silences nothing", () => {
    const result = scan(
      `${DECLARE}\nsetInterval(() => { JSON.parse("1"); }, 5);\n// spawn-audit-ignore-file interval -- too late`,
    );
    assert.deepEqual(sites(result), ["2 interval unsupervised"]);
    assert.deepEqual(problems(result), ["3:4 malformed-ignore"]);
  });
});

describe("ESLint's disable comments naming a spawn-audit rule", () => {
  test("next-line, line and block forms silence the named rule's kinds; other plugins' names are passed over", () => {
    const code = [
      DECLARE,
      "// eslint-disable-next-line no-console, spawn-audit/floating-promise -- flushed at exit",
      "void work();",
      "work(); // eslint-disable-line spawn-audit/floating-promise",
      "/* eslint-disable-next-line spawn-audit/timers */",
      'setInterval(() => { JSON.parse("1"); }, 5);',
      "// eslint-disable-next-line no-console",
      "work();",
      "// eslint-disable-next-line",
      "work();",
    ].join("\n");
    const result = scan(code);
    assert.deepEqual(sites(result), [
      "3 void-promise ignored",
      "4 floating-promise ignored",
      "6 interval ignored",
      "8 floating-promise unsupervised",
      "10 floating-promise unsupervised",
    ]);
    assert.equal(result.sites[0]!.statusReason, "eslint-disable-next-line: flushed at exit");
    assert.equal(result.sites[1]!.statusReason, "eslint-disable-line comment");
    assert.deepEqual(problems(result), [], "no reason is required on ESLint's comments");
  });

  test("a block eslint-disable holds until an eslint-enable naming the rule; line comments of that form are ESLint's no-ops", () => {
    const code = [
      DECLARE,
      "/* eslint-disable spawn-audit/floating-promise, spawn-audit/timers -- a demo */",
      "work();",
      'setTimeout(() => { JSON.parse("1"); }, 5);',
      "/* eslint-enable spawn-audit/floating-promise */",
      "work();",
      'setTimeout(() => { JSON.parse("2"); }, 5);',
      "/* eslint-enable */",
      'setTimeout(() => { JSON.parse("3"); }, 5);',
      "// eslint-disable spawn-audit/floating-promise",
      "work();",
    ].join("\n");
    assert.deepEqual(sites(scan(code)), [
      "3 floating-promise ignored",
      "4 timeout ignored",
      "6 floating-promise unsupervised",
      "7 timeout ignored",
      "9 timeout unsupervised",
      "11 floating-promise unsupervised",
    ]);
  });

  test("an unknown spawn-audit rule is malformed and an unused one reported, as for spawn-audit's comments", () => {
    const code = [
      DECLARE,
      "// eslint-disable-next-line spawn-audit/timer -- typo",
      'setTimeout(() => { JSON.parse("1"); }, 5);',
      "// eslint-disable-next-line spawn-audit/worker -- nothing here",
      "work();",
    ].join("\n");
    const result = scan(code);
    assert.deepEqual(sites(result), ["3 timeout unsupervised", "5 floating-promise unsupervised"]);
    assert.deepEqual(problems(result), ["2:4 malformed-ignore", "4:4 unused-ignore"]);
    assert.match(result.problems[0]!.message, /unknown rule "spawn-audit\/timer" \(rules: spawn-audit\/timers, /);
    assert.match(result.problems[1]!.message, /unused eslint-disable-next-line: "spawn-audit\/worker" silences no/);
  });
});

describe("ignore-comment problems in the CLI", () => {
  function project(code: string): string {
    const root = mkdtempSync(join(dir, "cli-"));
    const file = join(root, "src", "a.ts");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${code}\nexport {};\n`);
    return root;
  }

  test("fail the run like findings, whatever --max-problems says, but not with --fail-on none", async () => {
    const root = project(
      `${DECLARE}\nexport function handle(req: unknown) { return req; } // spawn-audit-ignore floating-promise -- nothing here`,
    );
    const json = await runInProcess(["scan", root, "--format", "json", "--max-problems", "5"]);
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.problems.map((problem: { id?: string }) => problem.id), ["unused-ignore"]);
    assert.equal(report.failed, true);
    assert.equal((await runInProcess(["scan", root, "--fail-on", "none"])).code, 0);
    assert.match((await runInProcess(["scan", root])).stdout, /unused spawn-audit-ignore/);
  });
});
