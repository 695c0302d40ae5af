import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { SIGNAL_CATALOGUE } from "../src/classify/signals.ts";
import { KINDS } from "../src/site.ts";
import { RULES } from "../rules/mod.ts";
import { VERSION } from "../src/version.ts";
import { runCli } from "../src/cli.ts";
import { repoRoot } from "./support/repo.ts";
import { childCommand, runChild, runInProcess } from "./support/cli.ts";
import { writeTree } from "./support/tree.ts";

const schema = JSON.parse(readFileSync(join(repoRoot(), "schema", "scan-report.v1.json"), "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

let dir = "";
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(dir, "p-"));
  writeTree(root, files);
  return root;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-cli-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("exit codes", () => {
  test("the bundled example has durable findings: exit 1", () => {
    const run = runChild(["scan", "examples/service"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^examples\/service\/src\/main\.ts\n {2}13:1 +durable +floating-promise /m);
    assert.equal(run.stderr, "");
  });

  test("--fail-on none exits 0 with the same findings", async () => {
    const run = await runInProcess(["scan", "examples/service", "--fail-on", "none"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /durable/);
  });

  test("a project with only per-request findings passes the default threshold and fails --fail-on per-request", async () => {
    const root = project({
      "src/handler.ts":
        "declare function work(): Promise<void>;\nexport function handle(req: unknown) { work(); return req; }\n",
    });
    assert.equal((await runInProcess(["scan", root])).code, 0);
    assert.equal((await runInProcess(["scan", root, "--fail-on", "per-request"])).code, 1);
    assert.equal((await runInProcess(["scan", root, "--fail-on", "test"])).code, 1);
  });

  test("a clean project exits 0 and says so", async () => {
    const root = project({ "src/a.ts": "export async function f() { await Promise.resolve(); }\n" });
    const run = await runInProcess(["scan", root]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /No unsupervised spawn sites\./);
  });
});

describe("JSON report", () => {
  test("validates against schema/scan-report.v1.json and agrees with the exit code", async () => {
    const run = await runInProcess(["scan", "examples/service", "--format", "json"]);
    const report = JSON.parse(run.stdout);
    assert.equal(validate(report), true, JSON.stringify(validate.errors, null, 2));
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.failed, run.code === 1);
    assert.equal(report.summary.total, report.sites.length);
    const durable = report.sites.filter((site: { status: string; group: string }) =>
      site.status === "unsupervised" && site.group === "durable"
    );
    assert.equal(
      Object.values(report.summary.unsupervised.durable as Record<string, number>).reduce((a, b) => a + b, 0),
      durable.length,
    );
    const worker = report.sites.find((site: { kind: string }) => site.kind === "worker");
    assert.deepEqual({ file: worker.file, line: worker.start.line, group: worker.group }, {
      file: "examples/service/src/main.ts",
      line: 21,
      group: "durable",
    });
    assert.ok(worker.signals.some((signal: { id: string }) => signal.id === "worker-thread"));
  });

  test("the schema names every signal id, kind and rule the code can produce", () => {
    assert.deepEqual([...schema.$defs.signal.properties.id.enum].sort(), Object.keys(SIGNAL_CATALOGUE).sort());
    assert.deepEqual([...schema.$defs.kind.enum].sort(), [...KINDS].sort());
    assert.deepEqual([...schema.$defs.site.properties.rule.enum].sort(), RULES.map((rule) => rule.id).sort());
  });
});

describe("bad input", () => {
  test("a missing path is a usage error: exit 2, one line, no stack trace", () => {
    const run = runChild(["scan", "no/such/dir"]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "spawn-audit: path not found: no/such/dir\n");
    assert.equal(run.stdout, "");
  });

  test("a tsconfig that does not parse is a warning naming the file; its files are still scanned", async () => {
    const root = project({
      "tsconfig.json": '{ "compilerOptions": { "target": ',
      "src/a.ts": "setInterval(() => {}, 5);\n",
    });
    const run = await runInProcess(["scan", root, "--format", "json"]);
    assert.equal(run.code, 0);
    const report = JSON.parse(run.stdout);
    assert.equal(report.filesScanned, 1);
    assert.equal(report.sites.length, 1);
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0].file, /tsconfig\.json$/);
    assert.match(report.warnings[0].message, /expected\. \(line 1, column \d+\); the rest of the config is used/);
  });

  test("a tsconfig with an invalid option is a warning in the text report, not an error", async () => {
    const root = project({
      "tsconfig.json": JSON.stringify({ compilerOptions: { target: "es1999" } }),
      "a.ts": "export {};\n",
    });
    const run = await runInProcess(["scan", root]);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /warning: .*tsconfig\.json: .*target/);
  });

  test("a tsconfig types entry that does not resolve is one warning per config, naming the package to install", async () => {
    const worker = 'import { Worker } from "node:worker_threads";\nnew Worker("./w.js");\n';
    const config = (types: string[]): string => JSON.stringify({ compilerOptions: { types }, include: ["*.ts"] });
    const root = project({
      "a/tsconfig.json": config(["node", "@cloudflare/workers-types"]),
      "a/main.ts": worker,
      "a/other.ts": worker,
      "b/tsconfig.json": config(["node"]),
      "b/main.ts": worker,
      "c/tsconfig.json": config(["node"]),
      "c/main.ts": worker,
      "c/node_modules/@types/node/index.d.ts":
        'declare module "node:worker_threads" { export class Worker { constructor(file: string); } }\n',
    });
    const run = await runInProcess(["scan", "a", "b", "c", "--format", "json", "--fail-on", "none"], { cwd: root });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.warnings.map((warning: { file: string; message: string }) => warning.file), [
      join("a", "tsconfig.json"),
      join("b", "tsconfig.json"),
    ]);
    assert.match(
      report.warnings[0].message,
      /^"types" entries "node", "@cloudflare\/workers-types" not found: install @types\/node, @cloudflare\/workers-types /,
    );
    assert.match(report.warnings[1].message, /^"types" entry "node" not found: install @types\/node \(/);
    // With the types installed, the Worker is found.
    assert.deepEqual(
      report.sites.filter((site: { kind: string }) => site.kind === "worker").map((site: { file: string }) =>
        site.file
      ),
      [join("c", "main.ts")],
    );
  });

  test("--tsconfig pointing nowhere, unknown options, bad values and unknown commands exit 2", async () => {
    for (
      const argv of [
        ["scan", "examples/service", "--tsconfig", "missing.json"],
        ["scan", "--frobnicate"],
        ["scan", "--format", "xml"],
        ["scan", "--fail-on", "everything"],
        ["scan", "--max-file-size", "-3"],
        ["audit"],
        [],
      ]
    ) {
      const run = await runInProcess(argv);
      assert.equal(run.code, 2, argv.join(" "));
      assert.match(run.stderr, /^(spawn-audit: .+\n|Usage: )/, argv.join(" "));
    }
  });

  test("a bad config file is a configuration error naming the field", async () => {
    const root = project({
      "a.ts": "export {};\n",
      "spawn-audit.config.json": JSON.stringify({ overrides: [{ files: ["x"], group: "forever" }] }),
    });
    const run = await runInProcess(["scan", root]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /overrides\[0\]\.group/);
    const notJson = project({ "a.ts": "export {};\n", "spawn-audit.config.json": "{ supervisors: [" });
    assert.match((await runInProcess(["scan", notJson])).stderr, /not valid JSON/);
  });

  test("a file that cannot be analysed fails the run like a finding, unless --max-problems tolerates it", async () => {
    const root = project({ "src/broken.ts": "const x = ;\n" });
    const strict = await runInProcess(["scan", root, "--format", "json"]);
    assert.equal(strict.code, 1);
    assert.equal(JSON.parse(strict.stdout).failed, true);
    assert.equal((await runInProcess(["scan", root, "--max-problems", "1"])).code, 0);
    assert.equal((await runInProcess(["scan", root, "--fail-on", "none"])).code, 0);
    const bad = runChild(["scan", root, "--max-problems", "1.5"], root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-problems must be a whole number of 0 or more/);
  });

  test("the config's maxProblems tolerates files that cannot be analysed; --max-problems wins", async () => {
    const root = project({
      "src/broken.ts": "const x = ;\n",
      "src/ok.ts": "export const ok = 1;\n",
      "spawn-audit.json": '{ "maxProblems": 1 }\n',
    });
    assert.equal((await runInProcess(["scan", root])).code, 0);
    assert.equal((await runInProcess(["scan", root, "--max-problems", "0"])).code, 1);
    writeFileSync(join(root, "spawn-audit.json"), '{ "maxProblems": -1 }\n');
    const negative = await runInProcess(["scan", root]);
    assert.equal(negative.code, 2);
    assert.match(negative.stderr, /maxProblems must be >= 0/);
  });

  test("a file with syntax errors is reported and the rest still scanned", async () => {
    const root = project({
      "src/broken.ts": "const x = ;\nsetInterval(() => 1, 5);\n",
      "src/ok.ts": "setInterval(() => { process.stdout.write('1'); }, 5);\n",
    });
    const run = await runInProcess(["scan", root, "--format", "json"]);
    const report = JSON.parse(run.stdout);
    assert.equal(run.code, 1);
    assert.equal(report.filesScanned, 1);
    assert.deepEqual(report.sites.map((site: { file: string }) => site.file.split("/").pop()), ["ok.ts"]);
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0].file, /broken\.ts$/);
    assert.deepEqual([report.problems[0].line, report.problems[0].column], [1, 11]);
    assert.equal(report.problems[0].message, "syntax error, file not scanned: Expression expected.");
    assert.deepEqual(
      report.skipped.filter((entry: { reason: string }) => entry.reason === "unparsable").map((
        entry: { detail: string },
      ) => entry.detail),
      ["syntax error: Expression expected."],
    );
  });

  test("binary and oversized files are skipped with a problem", async () => {
    const root = project({
      "src/a.ts": "setInterval(() => { process.stdout.write('1'); }, 5);\n",
      "src/blob.js": "x\u0000y",
    });
    const text = await runInProcess(["scan", root]);
    assert.match(text.stdout, /blob\.js {2}skipped: binary file/);
    const small = await runInProcess(["scan", root, "--max-file-size", "10", "--format", "json"]);
    const report = JSON.parse(small.stdout);
    assert.equal(report.problems.length, 2);
    assert.ok(report.problems.every((problem: { message: string }) => problem.message.startsWith("skipped:")));
  });

  test("a directory with no sources is a usage error", async () => {
    const root = project({ "notes.txt": "hello" });
    const run = await runInProcess(["scan", root]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no source files/);
  });
});

describe("text output", () => {
  test("colours only on a TTY without NO_COLOR, or when forced", async () => {
    const escape = new RegExp("\u001b\\[");
    assert.doesNotMatch((await runInProcess(["scan", "examples/service"], { isTTY: false })).stdout, escape);
    assert.match((await runInProcess(["scan", "examples/service"], { isTTY: true })).stdout, escape);
    assert.doesNotMatch(
      (await runInProcess(["scan", "examples/service"], { isTTY: true, env: { NO_COLOR: "1" } })).stdout,
      escape,
    );
    assert.doesNotMatch(
      (await runInProcess(["scan", "examples/service", "--no-color"], { isTTY: true })).stdout,
      escape,
    );
    assert.match((await runInProcess(["scan", "examples/service", "--color"])).stdout, escape);
  });

  test("on a real terminal the runtime's colour detection decides: FORCE_COLOR=0 and NO_COLOR turn colours off", {
    skip: spawnSync("script", ["--version"]).status !== 0 && "no script(1) to give the CLI a terminal",
  }, () => {
    // A colour (SGR) sequence; the status line's own line-erasing sequences are not colours.
    const escape = new RegExp("\u001b\\[[0-9;]*m");
    const [command, args] = childCommand(["scan", "examples/service", "--fail-on", "none"]);
    const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;
    // A user's plain terminal: only what finds the programs and their caches, and TERM. CI machines set variables
    // (CI, NO_COLOR, TERM_PROGRAM and others) that colour detection reads. env -i clears them inside the terminal:
    // Deno's spawnSync adds the parent's environment to the `env` it is given instead of replacing it.
    const plain = ["PATH", "HOME", "DENO_DIR", "TMPDIR"].flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [`${name}=${value}`];
    });
    const onTerminal = (env: Record<string, string>): string => {
      const assignments = [...plain, "TERM=xterm", ...Object.entries(env).map(([name, value]) => `${name}=${value}`)];
      const line = ["env", "-i", ...assignments, command, ...args].map(quote).join(" ");
      const run = spawnSync("script", ["-qec", line, "/dev/null"], { cwd: repoRoot(), encoding: "utf8" });
      assert.equal(run.status, 0, run.stdout + run.stderr);
      return run.stdout;
    };
    assert.match(onTerminal({}), escape);
    assert.doesNotMatch(onTerminal({ FORCE_COLOR: "0" }), escape);
    assert.doesNotMatch(onTerminal({ NO_COLOR: "1" }), escape);
  });

  test("findings only by default; --all lists handled, benign and ignored sites with their status", async () => {
    const findings = (await runInProcess(["scan", "examples/service"])).stdout;
    const all = (await runInProcess(["scan", "examples/service", "--all"])).stdout;
    assert.doesNotMatch(findings, /\[benign/);
    assert.match(all, /^examples\/service\/src\/sleep\.ts\n {2}3:\d+ +per-request +timeout +\[benign: /m);
    assert.match(all, /\[ignored: spawn-audit-ignore: best-effort telemetry, failure is acceptable\]/);
    assert.match(all, /\[handled: \.catch\(handler\) observes the rejection\]/);
  });

  test("the summary table counts unsupervised sites per group and kind", async () => {
    const { stdout } = await runInProcess(["scan", "examples/service", "--format", "json"]);
    const report = JSON.parse(stdout);
    const text = (await runInProcess(["scan", "examples/service"])).stdout;
    const row = text.split("\n").find((line) => /^durable\s+\d/.test(line))!;
    const total = Number(row.trim().split(/\s+/).pop());
    assert.equal(
      total,
      report.sites.filter((site: { status: string; group: string }) =>
        site.status === "unsupervised" && site.group === "durable"
      ).length,
    );
  });

  test("--quiet prints nothing when nothing fails the run, as ESLint's; the failing findings otherwise", async () => {
    const root = project({
      "src/a.ts": "import { createServer } from 'node:http';\n" +
        "createServer((req, res) => { setTimeout(() => { res.end(String(req.url)); }, 5); }).listen(0);\n",
    });
    const passing = await runInProcess(["scan", root, "--quiet"]);
    assert.equal(passing.code, 0);
    assert.equal(passing.stdout, "");
    const plain = await runInProcess(["scan", root]);
    assert.match(plain.stdout, /per-request/, "a finding that does not fail the run is listed without --quiet");
    const failing = await runInProcess(["scan", root, "--quiet", "--fail-on", "per-request"]);
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /per-request/);
  });

  test("counts are singular for one: 1 spawn site in 1 file", async () => {
    const root = project({ "src/a.ts": "setInterval(() => { process.stdout.write('.'); }, 5);\n" });
    const run = await runInProcess(["scan", root]);
    assert.match(run.stdout, /^1 unsupervised of 1 spawn site \(.*\) in 1 file$/m);
  });

  test("--version prints the package version", async () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8"));
    assert.equal(VERSION, manifest.version);
    assert.equal((await runInProcess(["--version"])).stdout, `spawn-audit ${manifest.version}\n`);
  });
});

describe("argument parsing, as linters' command lines", () => {
  test("a mistyped option or command gets the nearest known one, in one line, exit 2", async () => {
    for (
      const [argv, expected] of [
        [["scan", "--fromat", "json"], "spawn-audit: unknown option '--fromat' (did you mean --format?)\n"],
        [["scna", "src"], "spawn-audit: unknown command 'scna' (did you mean scan?)\n"],
        [["fix", "--wirte"], "spawn-audit: unknown option '--wirte' (did you mean --write?)\n"],
        [["scan", "--write"], "spawn-audit: --write is an option of fix, not of scan\n"],
        [
          ["scan", "--format", "jsn"],
          'spawn-audit: --format must be one of text, json, sarif, github (got "jsn"; did you mean json?)\n',
        ],
      ] as const
    ) {
      const run = await runInProcess([...argv]);
      assert.equal(run.code, 2, argv.join(" "));
      assert.equal(run.stderr, expected);
    }
  });

  test("each command has its own help; no help line is wider than 80 columns", async () => {
    const scan = await runInProcess(["scan", "--help"]);
    assert.equal(scan.code, 0);
    assert.match(scan.stdout, /^Usage: spawn-audit scan \[options\] \[paths\.\.\.\]\n/);
    assert.match(scan.stdout, /--fail-on <group>/);
    assert.match(scan.stdout, /--changed\[=ref\]/);
    assert.doesNotMatch(scan.stdout, /--allow-dirty|--shim-import|--logger/, "only scan's options");
    const fix = await runInProcess(["fix", "-h"]);
    assert.match(fix.stdout, /--allow-dirty/);
    assert.doesNotMatch(fix.stdout, /--fail-on/);
    const top = await runInProcess(["--help"]);
    assert.match(top.stdout, /^ {2}scan \[options\] \[paths\.\.\.\] +find unsupervised/m);
    assert.doesNotMatch(top.stdout, /--fail-on <group>/, "the commands' options are in their own help");
    for (const argv of [["--help"], ["scan", "--help"], ["fix", "--help"], ["explain", "--help"], ["init", "--help"]]) {
      const run = await runInProcess(argv);
      const wide = run.stdout.split("\n").filter((line) => line.length > 80);
      assert.deepEqual(wide, [], argv.join(" "));
    }
  });
});

describe("documentation", () => {
  test("docs/rules.md lists every signal id and every rule has a page", () => {
    const docs = readFileSync(join(repoRoot(), "docs", "rules.md"), "utf8");
    for (const id of Object.keys(SIGNAL_CATALOGUE)) assert.match(docs, new RegExp("`" + id + "`"), id);
    for (const rule of RULES) {
      const page = readFileSync(join(repoRoot(), "rules", rule.id, "README.md"), "utf8");
      for (const kind of rule.kinds) assert.match(page, new RegExp("`" + kind + "`"), `${rule.id}: ${kind}`);
    }
  });
});

describe("CI formats and baselines", () => {
  test("--format sarif gives one SARIF 2.1.0 result per finding with levels by group", async () => {
    const json = JSON.parse((await runInProcess(["scan", "examples/service", "--format", "json"])).stdout);
    const run = await runInProcess(["scan", "examples/service", "--format", "sarif"]);
    assert.equal(run.code, 1);
    const sarif = JSON.parse(run.stdout);
    assert.equal(sarif.version, "2.1.0");
    const [only] = sarif.runs;
    assert.equal(only.tool.driver.name, "spawn-audit");
    assert.deepEqual(only.tool.driver.rules.map((rule: { id: string }) => rule.id), RULES.map((rule) => rule.id));
    const findings = json.sites.filter((site: { status: string }) =>
      site.status === "unsupervised" || site.status === "ignored"
    );
    assert.equal(only.results.length, findings.length);
    // Rule ids are those config, ignore comments and explain use; the kind is a property.
    assert.deepEqual(
      only.results.map((result: { ruleId: string; properties: { kind: string } }) =>
        `${result.ruleId} ${result.properties.kind}`
      ),
      findings.map((site: { rule: string; kind: string }) => `${site.rule} ${site.kind}`),
    );
    const first = only.results.find((result: { ruleId: string }) => result.ruleId === "worker");
    assert.equal(first.level, "error");
    assert.deepEqual(
      [first.locations[0].physicalLocation.artifactLocation.uri, first.locations[0].physicalLocation.region.startLine],
      ["examples/service/src/main.ts", 21],
    );
    const suppressed = only.results.filter((result: { suppressions?: unknown[] }) => result.suppressions !== undefined);
    assert.equal(suppressed.length, json.summary.byStatus.ignored);
  });

  test("--format github annotates each finding with escaped properties", async () => {
    const run = await runInProcess(["scan", "examples/service", "--format", "github"]);
    const lines = run.stdout.trimEnd().split("\n");
    const json = JSON.parse((await runInProcess(["scan", "examples/service", "--format", "json"])).stdout);
    assert.equal(lines.length, json.summary.byStatus.unsupervised);
    assert.ok(
      lines.every((line) =>
        /^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=spawn-audit%3A [^:]+::.+$/
          .test(line)
      ),
      lines.join("\n"),
    );
    assert.equal(
      lines.filter((line) => line.startsWith("::error ")).length,
      json.sites.filter((site: { status: string; group: string }) =>
        site.status === "unsupervised" && site.group === "durable"
      ).length,
    );
  });

  test("a baseline accepts today's findings and fails only on new ones", async () => {
    const root = project({ "src/main.ts": "setInterval(() => { process.stdout.write('1'); }, 5);\n" });
    const baseline = join(root, "baseline.json");
    const written = await runInProcess(["scan", root, "--write-baseline", baseline]);
    assert.equal(written.code, 0);
    assert.match(written.stderr, /wrote 1 finding to/);
    assert.equal((await runInProcess(["scan", root, "--baseline", baseline])).code, 0);

    // Moving the known site down a line keeps it accepted; a new site fails the run.
    writeFileSync(
      join(root, "src/main.ts"),
      "// moved\nsetInterval(() => { process.stdout.write('1'); }, 5);\nsetInterval(() => { process.stdout.write('2'); }, 5);\n",
    );
    const run = await runInProcess(["scan", root, "--baseline", baseline, "--format", "json"]);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.equal(validate(report), true, JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(
      report.sites.map((site: { start: { line: number }; inBaseline: boolean }) => [site.start.line, site.inBaseline]),
      [[2, true], [3, false]],
    );
    const annotations = (await runInProcess(["scan", root, "--baseline", baseline, "--format", "github"])).stdout;
    assert.equal(annotations.trimEnd().split("\n").length, 1);
    assert.match(annotations, /line=3,/);
  });

  test("a missing or malformed baseline is a usage error", async () => {
    const root = project({ "a.ts": "export {};\n", "bad.json": '{"findings": 3}' });
    const missing = await runInProcess(["scan", root, "--baseline", join(root, "none.json")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /baseline file not found/);
    const bad = await runInProcess(["scan", root, "--baseline", join(root, "bad.json")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a spawn-audit baseline/);
    const unwritable = await runInProcess(["scan", root, "--write-baseline", "a.ts/b.json"], { cwd: root });
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /^spawn-audit: cannot write the baseline to a\.ts\/b\.json: .+\n$/);
    const prune = await runInProcess(["scan", root, "--prune-baseline"]);
    assert.equal(prune.code, 2);
    assert.match(prune.stderr, /--prune-baseline .*give --baseline <file>/);
  });

  test("stale baseline entries are reported on a normal run and removed by --prune-baseline, as ESLint's suppressions", async () => {
    const first = "setInterval(() => { process.stdout.write('1'); }, 5);\n";
    const second = "setInterval(() => { process.stdout.write('2'); }, 5);\n";
    const root = project({ "src/main.ts": first + second, "src/other.ts": first });
    const baseline = join(root, "baseline.json");
    assert.equal((await runInProcess(["scan", root, "--write-baseline", baseline])).code, 0);
    const entries = (): string[] =>
      JSON.parse(readFileSync(baseline, "utf8")).findings.map((entry: { file: string; code: string }) =>
        `${entry.file.replace(/^.*src/, "src")} ${entry.code.match(/write\(.(\d)/)?.[1]}`
      );
    assert.deepEqual(entries(), ["src/main.ts 1", "src/main.ts 2", "src/other.ts 1"]);

    // The first site of main.ts is fixed; other.ts is not scanned, so its entry is not judged.
    writeFileSync(join(root, "src/main.ts"), second);
    const normal = await runInProcess(["scan", join(root, "src/main.ts"), "--baseline", baseline]);
    assert.equal(normal.code, 0, normal.stdout);
    assert.match(
      normal.stderr,
      /^spawn-audit: 1 baseline entry of .*baseline\.json no longer matches a finding \(first: .*main\.ts, interval\); remove it with --prune-baseline\n$/,
    );
    assert.deepEqual(entries().length, 3, "a normal run changes nothing");

    const pruned = await runInProcess(["scan", join(root, "src/main.ts"), "--baseline", baseline, "--prune-baseline"]);
    assert.equal(pruned.code, 0);
    assert.match(pruned.stderr, /^spawn-audit: removed 1 baseline entry that no longer matches a finding from /);
    assert.deepEqual(entries(), ["src/main.ts 2", "src/other.ts 1"]);
    const again = await runInProcess(["scan", root, "--baseline", baseline]);
    assert.equal(again.code, 0);
    assert.equal(again.stderr, "");
  });
});

describe("a reader that stops early", () => {
  test("`scan | head`: the closed pipe ends the run quietly with the exit code it would have had", async () => {
    const timers = Array.from({ length: 3000 }, (_, index) => `setInterval(() => { JSON.parse("${index}"); }, 5);`)
      .join("\n");
    const root = project({ "src/many.ts": `${timers}\nexport {};\n` });
    const [command, args] = childCommand(["scan", ".", "--all"]);
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.once("data", () => child.stdout.destroy());
    const [code] = await once(child, "close") as [number | null];
    assert.equal(stderr, "");
    assert.equal(code, 1, "durable findings: the exit code the run would have had");
  });
});

/** Runs the CLI in-process with `stdin` as standard input. */
async function runWithStdin(
  argv: string[],
  stdin: string,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd,
    env: {},
    colorLevel: 0,
    readStdin: () => stdin,
  });
  return { code, stdout, stderr };
}

/** `file:line kind` of each site of a JSON report. */
function siteList(stdout: string): string[] {
  return (JSON.parse(stdout) as { sites: { file: string; start: { line: number }; kind: string }[] }).sites.map((
    site,
  ) => `${site.file}:${site.start.line} ${site.kind}`);
}

describe("paths from a file list, source from standard input", () => {
  const JOBS = 'export async function pollJobs(): Promise<void> { JSON.parse("x"); }\n';
  const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, module: "nodenext" }, include: ["src"] });

  test("--stdin-filepath scans the text on standard input as that file, typed with the project around it, and writes nothing", async () => {
    const root = project({
      "tsconfig.json": TSCONFIG,
      "src/jobs.ts": JOBS,
      "src/other.ts": "setInterval(() => 1, 5);\n",
    });
    // Only the type of the imported function says the call floats: the project's module is read for it.
    const unsaved = await runWithStdin(
      ["scan", "--stdin-filepath", "src/new.ts", "--format", "json", "--fail-on", "none"],
      'import { pollJobs } from "./jobs.js";\npollJobs();\n',
      root,
    );
    assert.equal(unsaved.code, 0, unsaved.stderr);
    assert.deepEqual(siteList(unsaved.stdout), ["src/new.ts:2 floating-promise"]);
    assert.equal(existsSync(join(root, "src", "new.ts")), false);
    // A file on disk: the text on standard input stands in for it.
    const edited = await runWithStdin(
      ["scan", "--stdin-filepath", "src/other.ts", "--format", "json", "--fail-on", "none"],
      "export const quiet = 1;\n",
      root,
    );
    assert.deepEqual(siteList(edited.stdout), []);
    assert.equal(readFileSync(join(root, "src", "other.ts"), "utf8"), "setInterval(() => 1, 5);\n");
    // A file the project ignores: nothing to report, and the run passes (an editor shows no error).
    const ignored = await runWithStdin(
      ["scan", "--stdin-filepath", "src/other.ts", "--ignore-pattern", "src/other.ts", "--format", "json"],
      'setInterval(() => { JSON.parse("x"); }, 5);\n',
      root,
    );
    assert.equal(ignored.code, 0, ignored.stderr);
    const report = JSON.parse(ignored.stdout);
    assert.deepEqual([report.sites, report.skipped.map((entry: { reason: string }) => entry.reason)], [[], [
      "ignore-pattern",
    ]]);
  });

  test("--stdin-filepath takes no other path or standard input reader, a source file name and an existing folder", async () => {
    const root = project({ "src/jobs.ts": JOBS });
    const refused = async (argv: string[], pattern: RegExp): Promise<void> => {
      const run = await runWithStdin(["scan", ...argv], "export {};\n", root);
      assert.equal(run.code, 2, argv.join(" "));
      assert.match(run.stderr, pattern);
      assert.equal(run.stderr.split("\n").length, 2, run.stderr);
    };
    await refused(["--stdin-filepath", "src/a.ts", "src"], /leave out the paths \(src\)/);
    await refused(["--stdin-filepath", "src/a.ts", "--file-list", "-"], /cannot be combined with --file-list/);
    await refused(["--stdin-filepath", "src/a.ts", "--cache"], /--cache works on the files on disk/);
    await refused(["--stdin-filepath", "nowhere/a.ts"], /^spawn-audit: path not found: nowhere\n$/);
    await refused(["--stdin-filepath", "src/notes.md"], /not a source file .*: src\/notes\.md/);
    const fix = await runWithStdin(["fix", "--stdin-filepath", "src/a.ts"], "", root);
    assert.equal(fix.code, 2);
    assert.match(fix.stderr, /--stdin-filepath is an option of scan, not of fix/);
  });

  test("--file-list adds the paths it lists (one a line or NUL-separated; - is standard input) to those named", async () => {
    const root = project({
      "a.ts": "setInterval(() => 1, 5);\n",
      "b.ts": "setInterval(() => 2, 5);\n",
      "c.ts": "setInterval(() => 3, 5);\n",
      "list.txt": "a.ts\r\n\n  b.ts  \n",
    });
    const fromFile = await runWithStdin(["scan", "--file-list", "list.txt", "--format", "json"], "", root);
    assert.deepEqual(siteList(fromFile.stdout), ["a.ts:1 interval", "b.ts:1 interval"]);
    const piped = await runWithStdin(["scan", "c.ts", "--file-list", "-", "--format", "json"], "b.ts\0a.ts\0", root);
    assert.deepEqual(siteList(piped.stdout).sort(), ["a.ts:1 interval", "b.ts:1 interval", "c.ts:1 interval"]);
    const empty = await runWithStdin(["scan", "--file-list", "-"], "\n", root);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^spawn-audit: the file list on standard input names no paths/);
    const missing = await runWithStdin(["scan", "--file-list", "nope.txt"], "", root);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^spawn-audit: cannot read the file list nope\.txt: no such file or folder\n$/);
    const gone = await runWithStdin(["scan", "--file-list", "-"], "a.ts\nd.ts\n", root);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /^spawn-audit: path not found: d\.ts\n$/);
  });

  test("the executable reads standard input: a piped file list and an editor's buffer", () => {
    const root = project({
      "tsconfig.json": TSCONFIG,
      "src/jobs.ts": JOBS,
      "src/a.ts": 'setInterval(() => { JSON.parse("x"); }, 5);\n',
    });
    const run = (argv: string[], input: string) => {
      const [command, args] = childCommand(argv);
      return spawnSync(command, args, { cwd: root, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    };
    const listed = run(["scan", "--file-list", "-", "--format", "json"], "src/a.ts\n");
    assert.equal(listed.status, 1, listed.stderr);
    assert.deepEqual(siteList(listed.stdout), ["src/a.ts:1 interval"]);
    const buffer = run(
      ["scan", "--stdin-filepath", "src/b.ts", "--format", "json", "--fail-on", "none"],
      'import { pollJobs } from "./jobs.js";\npollJobs();\n',
    );
    assert.equal(buffer.status, 0, buffer.stderr);
    assert.deepEqual(siteList(buffer.stdout), ["src/b.ts:2 floating-promise"]);
  });
});
