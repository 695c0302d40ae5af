/**
 * The configuration as users meet it through the CLI: discovery, -c,
 * JSONC, schema errors, --print-config; and the commands and flag that came
 * with it: explain, init, --max-warnings.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { RULES } from "../rules/mod.ts";
import { IGNORE_PROBLEM_IDS } from "../src/classify/ignore-comments.ts";
import { SIGNAL_CATALOGUE } from "../src/classify/signals.ts";
import { parseConfig } from "../src/config.ts";
import { repoRoot } from "./support/repo.ts";
import { childCommand, runInProcess } from "./support/cli.ts";
import { unprivileged } from "./support/users.ts";
import { writeTree } from "./support/tree.ts";

const INTERVAL = "setInterval(() => { JSON.parse('1'); }, 5);\n";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-config-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `files` (path → text; a path ending in `/` makes a directory) under a fresh directory and returns it. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(dir, "t-"));
  writeTree(root, files);
  return root;
}

/** The interval findings of a JSON scan report. */
function intervals(stdout: string): { file: string; group: string; status: string }[] {
  return JSON.parse(stdout).sites.filter((site: { kind: string }) => site.kind === "interval");
}

describe("config discovery", () => {
  // outer/spawn-audit.json is above the repository root (.git) and must never be read: it is not even JSON.
  const layout = {
    "spawn-audit.json": "not json",
    "repo/.git/": "",
    "repo/spawn-audit.jsonc":
      '\uFEFF{\n  // every site is a test site\n  "overrides": [{ "files": ["**"], "group": "test", },],\n}\n',
    "repo/other/src/a.ts": INTERVAL,
    "repo/pkg/package.json": JSON.stringify({ name: "pkg", spawnAudit: { rules: { timers: "off" } } }),
    "repo/pkg/src/a.ts": INTERVAL,
  };

  test("the nearest config applies: a package.json key below, a JSONC file with comments, trailing commas and a BOM above", async () => {
    const root = tree(layout);
    const other = await runInProcess(["scan", join(root, "repo/other/src"), "--format", "json"]);
    assert.equal(other.code, 0, other.stderr);
    assert.deepEqual(intervals(other.stdout).map((site) => site.group), ["test"]);
    const pkg = await runInProcess(["scan", join(root, "repo/pkg"), "--format", "json"]);
    assert.equal(pkg.code, 0, pkg.stderr);
    assert.deepEqual(intervals(pkg.stdout), [], "timers is off in pkg/package.json");
  });

  test("-c names the config; a manifest without the key is an error", async () => {
    const root = tree({
      ...layout,
      "loose.json": JSON.stringify({ rules: { timers: "off" } }),
      "plain/package.json": "{}",
    });
    const run = await runInProcess([
      "scan",
      join(root, "repo/other/src"),
      "-c",
      join(root, "loose.json"),
      "--format",
      "json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(intervals(run.stdout), []);
    const keyless = await runInProcess([
      "scan",
      join(root, "repo/other/src"),
      "--config",
      join(root, "plain/package.json"),
    ]);
    assert.equal(keyless.code, 2);
    assert.match(keyless.stderr, /package\.json: no "spawnAudit" key\n$/);
  });

  test("two configurations in one directory are an error naming both", async () => {
    const root = tree({
      ".git/": "",
      "spawn-audit.json": "{}",
      "package.json": JSON.stringify({ spawnAudit: {} }),
      "a.ts": INTERVAL,
    });
    const run = await runInProcess(["scan", root]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /more than one spawn-audit configuration in .*spawn-audit\.json, .*package\.json \("spawnAudit"\); keep one\n$/,
    );
  });

  test("--print-config prints the configuration that applies to a file, with its source and defaults", async () => {
    const root = tree(layout);
    const run = await runInProcess(["--print-config", join(root, "repo/pkg/src/a.ts")]);
    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout);
    assert.match(printed.configFile, /repo\/pkg\/package\.json$/);
    assert.deepEqual(printed.config.rules, {
      ...Object.fromEntries(RULES.map((rule) => [rule.id, "on"])),
      timers: "off",
    });
    assert.deepEqual(printed.config.ignoreComments, { requireReason: true, reportUnused: true });
    const explicit = JSON.parse(
      (await runInProcess([
        "--print-config",
        join(root, "repo/pkg/src/a.ts"),
        "-c",
        join(root, "repo/spawn-audit.jsonc"),
      ])).stdout,
    );
    assert.match(explicit.configFile, /repo\/spawn-audit\.jsonc$/);
    assert.deepEqual(explicit.config.overrides, [{ files: ["**"], group: "test" }]);
  });
});

describe("config errors: one line, exit 2", () => {
  test("an unknown key inside overrides[] names the file, the JSON path and the key", async () => {
    const root = tree({
      ".git/": "",
      "a.ts": INTERVAL,
      "spawn-audit.json": JSON.stringify({ overrides: [{ files: ["**"], group: "test", grop: "durable" }] }),
    });
    const run = await runInProcess(["scan", root]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^spawn-audit: config .*spawn-audit\.json: unknown key "grop" in overrides\[0\] \(allowed: files, callees, group\)\n$/,
    );
  });

  test("keys inside a manifest's section are reported with the section's path", async () => {
    const root = tree({
      ".git/": "",
      "a.ts": INTERVAL,
      "deno.jsonc": '{ "spawnAudit": { "rules": { "timer": "off" } } }',
    });
    const run = await runInProcess(["scan", root]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /deno\.jsonc: unknown key "timer" in spawnAudit\.rules, did you mean "timers"\? \(allowed: timers, /,
    );
  });

  test("an unreadable config file says it cannot be read (as root: as nobody, whom modes stop)", (t) => {
    const user = unprivileged();
    if ("skip" in user) return t.skip(user.skip);
    const root = tree({ ".git/": "", "a.ts": INTERVAL, "spawn-audit.json": "{}" });
    // The folders mkdtemp makes are 0700: let the other user reach the project.
    chmodSync(dir, 0o755);
    chmodSync(root, 0o755);
    chmodSync(join(root, "spawn-audit.json"), 0o000);
    try {
      const [command, args] = childCommand(["scan", root]);
      const [program, ...rest] = [...user.prefix, command, ...args];
      const run = spawnSync(program!, rest, {
        cwd: tmpdir(),
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, /^spawn-audit: cannot read config file .*spawn-audit\.json: permission denied\n$/);
    } finally {
      chmodSync(join(root, "spawn-audit.json"), 0o644);
    }
  });

  test("a config path that cannot be read as a file (a directory) says so, for any user", async () => {
    const root = tree({ ".git/": "", "a.ts": INTERVAL, "spawn-audit.json/": "" });
    const run = await runInProcess(["scan", root]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^spawn-audit: cannot read config file .*spawn-audit\.json: it is a folder\n$/);
  });
});

describe("the published config schema", () => {
  const schema = JSON.parse(readFileSync(join(repoRoot(), "schema", "config.v1.json"), "utf8"));

  test("names every rule, and the report schema every ignore-comment problem id", () => {
    assert.deepEqual(Object.keys(schema.properties.rules.properties).sort(), RULES.map((rule) => rule.id).sort());
    const report = JSON.parse(readFileSync(join(repoRoot(), "schema", "scan-report.v1.json"), "utf8"));
    assert.deepEqual(report.$defs.problem.properties.id.enum, [...IGNORE_PROBLEM_IDS]);
  });

  test("forbids unknown keys at every level", () => {
    const objects: Record<string, unknown>[] = [];
    const walk = (node: unknown): void => {
      if (typeof node !== "object" || node === null) return;
      const record = node as Record<string, unknown>;
      if (record["type"] === "object") objects.push(record);
      Object.values(record).forEach(walk);
    };
    walk(schema);
    assert.ok(objects.length >= 4);
    assert.ok(
      objects.every((object) => object["additionalProperties"] === false),
      JSON.stringify(objects.map((object) => object["description"])),
    );
  });

  test("the config `init` writes is valid", async () => {
    const root = tree({ "test/a.test.ts": INTERVAL, "src/b.ts": INTERVAL });
    const run = await runInProcess(["init", root]);
    assert.equal(run.code, 0, run.stderr);
    const written = JSON.parse(readFileSync(join(root, "spawn-audit.json"), "utf8"));
    assert.match(written.$schema, /config\.v1\.json$/);
    assert.doesNotThrow(() => parseConfig(written, "init"));
  });
});

describe("init", () => {
  test("never overwrites an existing spawn-audit.json unless --force", async () => {
    const root = tree({ "spawn-audit.json": '{ "supervisors": ["mine"] }\n', "src/a.ts": INTERVAL });
    const refused = await runInProcess(["init"], { cwd: root });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /spawn-audit\.json already exists; pass --force to overwrite it\n$/);
    assert.match(readFileSync(join(root, "spawn-audit.json"), "utf8"), /"mine"/);
    const forced = await runInProcess(["init", "--force"], { cwd: root });
    assert.equal(forced.code, 0, forced.stderr);
    assert.doesNotMatch(readFileSync(join(root, "spawn-audit.json"), "utf8"), /"mine"/);
  });

  test("records only the test files the default test patterns miss: files importing a test framework, by folder when the folder holds nothing else", async () => {
    const nodeTest = `import { test } from "node:test";\ntest("t", () => { ${INTERVAL.trim()} });\n`;
    const root = tree({
      "test/a.test.ts": INTERVAL,
      "lib/__tests__/b.ts": INTERVAL,
      "x.spec.js": INTERVAL,
      "checks/smoke.ts": nodeTest,
      "checks/deep/more.ts": `import { expect } from "vitest";\n${INTERVAL}`,
      "checks/README.md": "",
      "src/service.ts": INTERVAL,
      "src/selfcheck.ts": `Deno.test("d", () => {});\n${INTERVAL}`,
      "node_modules/x/checks/y.ts": nodeTest,
      ".cache/z.ts": nodeTest,
    });
    const run = await runInProcess(["init", root]);
    assert.equal(run.code, 0, run.stderr);
    const written = JSON.parse(readFileSync(join(root, "spawn-audit.json"), "utf8"));
    assert.deepEqual(written.testPatterns, ["checks/**", "src/selfcheck.ts"]);
    const scan = await runInProcess(["scan", "--format", "json", "--fail-on", "none"], { cwd: root });
    const groups = Object.fromEntries(intervals(scan.stdout).map((site) => [site.file, site.group]));
    assert.deepEqual(
      [groups["checks/smoke.ts"], groups["checks/deep/more.ts"], groups["src/selfcheck.ts"], groups["src/service.ts"]],
      ["test", "test", "test", "durable"],
    );
  });

  test("a project whose tests the defaults cover gets no test patterns, and is told so", async () => {
    const run = await runInProcess(["init", tree({ "test/a.test.ts": INTERVAL, "src/b.ts": INTERVAL })]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /\(the default test patterns cover every test file found; no supervisor helpers found\)\n$/,
    );
  });

  test("records the project's own supervisor helpers: functions that call a function parameter and catch its failure", async () => {
    const root = tree({
      "src/run.ts": [
        "export async function runSafely(name: string, work: () => Promise<void>) { try { await work(); } catch (error) { console.error(name, error); } }",
        "export const inBackground = (task: () => Promise<unknown>) => { task().catch((error) => console.error(error)); };",
        "export class Jobs { keep(job: () => Promise<void>) { const again = () => job().then(again, (error) => console.error(error)); again(); } }",
        "export async function rethrows(work: () => Promise<void>) { try { await work(); } catch (error) { throw new Error(String(error)); } }",
        "export function withLock(work: () => void) { try { work(); } finally { console.log('unlocked'); } }",
        "export function spawnLogged(work: () => void) { try { work(); } catch {} }",
        "export function unrelated(count: number) { try { JSON.parse(String(count)); } catch {} }",
      ].join("\n") + "\n",
      "src/app.ts":
        'import { runSafely } from "./run.js";\nrunSafely("poll", async () => { for (;;) { await fetch("x"); } });\n',
      "test/helpers.test.ts": "export function testOnly(fn: () => void) { try { fn(); } catch {} }\n",
    });
    const run = await runInProcess(["init", root]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /; supervisors: inBackground, keep, runSafely\)\n$/);
    assert.deepEqual(JSON.parse(readFileSync(join(root, "spawn-audit.json"), "utf8")).supervisors, [
      "inBackground",
      "keep",
      "runSafely",
    ]);
    const scan = await runInProcess(["scan", "src/app.ts", "--format", "json", "--all"], { cwd: root });
    assert.deepEqual(JSON.parse(scan.stdout).sites.map((site: { status: string }) => site.status), ["supervised"]);
  });

  test("refuses a directory that already has another configuration", async () => {
    const root = tree({ "package.json": JSON.stringify({ spawnAudit: {} }) });
    const run = await runInProcess(["init", root]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /already has a spawn-audit configuration: .*package\.json/);
    assert.equal(existsSync(join(root, "spawn-audit.json")), false);
    const file = await runInProcess(["init", join(root, "package.json")]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /^spawn-audit: not a directory: .*package\.json\n$/);
  });
});

describe("explain", () => {
  test("a rule prints its page; a kind its message and rule; a signal its catalogue entry", async () => {
    const rule = await runInProcess(["explain", "timers"]);
    assert.equal(rule.code, 0);
    assert.equal(rule.stdout, readFileSync(join(repoRoot(), "rules", "timers", "README.md"), "utf8"));
    const kind = await runInProcess(["explain", "void-promise"]);
    assert.match(kind.stdout, /^kind void-promise \(rule floating-promise: /);
    assert.match(kind.stdout, /spawn-audit explain floating-promise/);
    const signal = await runInProcess(["explain", "interval-timer"]);
    assert.match(signal.stdout, new RegExp(`^signal interval-timer: ${SIGNAL_CATALOGUE["interval-timer"].message}`));
    assert.match(signal.stdout, /points to durable, with weight 3/);
  });

  test("an unknown name suggests the nearest one instead of listing every name, exit 2", async () => {
    const run = await runInProcess(["explain", "timer"]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'spawn-audit: unknown rule, kind or signal "timer" (did you mean timers?); rules: timers, floating-promise, ' +
        "async-listener, worker (spawn-audit explain --help lists every name)\n",
    );
    const far = await runInProcess(["explain", "nothing-like-it"]);
    assert.match(far.stderr, /^spawn-audit: unknown rule, kind or signal "nothing-like-it"; rules: /);
    const names = await runInProcess(["explain", "--help"]);
    assert.match(names.stdout, /\bvoid-promise\b[^]*\binterval-timer\b/);
    assert.equal((await runInProcess(["explain"])).code, 2);
  });
});

describe("--max-warnings", () => {
  test("per-request findings are warnings: more than N fail the run", async () => {
    const root = tree({
      "src/handler.ts":
        "declare function work(): Promise<void>;\nexport function handle(req: unknown) { work(); work(); return req; }\n",
    });
    assert.equal((await runInProcess(["scan", root])).code, 0, "per-request findings pass the default --fail-on");
    assert.equal((await runInProcess(["scan", root, "--max-warnings", "2"])).code, 0);
    const over = await runInProcess(["scan", root, "--max-warnings", "1"]);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /2 per-request findings \(warnings\), more than --max-warnings 1/);
    assert.equal((await runInProcess(["scan", root, "--max-warnings", "-1"])).code, 2);
  });
});
