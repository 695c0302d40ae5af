import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { Ajv } from "ajv";
import formats from "ajv-formats";
import { RULES } from "../rules/mod.ts";
import { ruleDocUrl } from "../src/report/rules.ts";
import { officialSarifSchema } from "./support/sarif-schema.ts";
import { runInProcess } from "./support/cli.ts";
import { writeTree } from "./support/tree.ts";

interface JsonSite {
  file: string;
  start: { line: number; column: number };
  kind: string;
  rule: string;
  group: string;
  status: string;
  message: string;
  code: string;
  fingerprint: string;
  signals: { id: string; message: string }[];
}

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-report-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A scratch repository (a `.git` folder at its root) with the given files. */
function repository(files: Record<string, string>): string {
  const root = mkdtempSync(join(dir, "repo-"));
  writeTree(root, { ".git/": "", ...files });
  return root;
}

async function jsonSites(argv: string[], cwd?: string): Promise<JsonSite[]> {
  const run = await runInProcess([...argv, "--format", "json"], cwd === undefined ? {} : { cwd });
  return JSON.parse(run.stdout).sites;
}

const findingsOf = (sites: JsonSite[]): JsonSite[] => sites.filter((site) => site.status === "unsupervised");

/** A monorepo package scanned from its own folder: a durable loop, two identical per-request lines, an ignored call. */
const MONOREPO = {
  "packages/app/src/main.ts": [
    "declare function tick(): void;",
    "declare function save(x: unknown): Promise<void>;",
    "setInterval(() => { tick(); }, 1000);",
    "export function handle(req: unknown) {",
    "  save(req);",
    "  save(req);",
    "}",
    "// spawn-audit-ignore-next-line floating-promise -- best-effort telemetry",
    "save(1);",
    "",
  ].join("\n"),
};

describe("text report", () => {
  test("groups findings by file, one aligned line each, with every kind's full message once at the end", async () => {
    const sites = findingsOf(await jsonSites(["scan", "examples/service"]));
    const { stdout, code } = await runInProcess(["scan", "examples/service"]);
    assert.equal(code, 1);
    const lines = stdout.split("\n");
    for (const file of new Set(sites.map((site) => site.file))) {
      assert.equal(lines.filter((line) => line === file).length, 1, `one header for ${file}`);
    }
    const findingLines = lines.filter((line) => /^ {2}\d+:\d+ /.test(line));
    assert.equal(findingLines.length, sites.length);
    for (const [index, site] of sites.entries()) {
      const cells = findingLines[index]!.trim().split(/ {2,}/);
      assert.deepEqual([cells[0], cells[1], cells[2], cells.at(-1)], [
        `${site.start.line}:${site.start.column}`,
        site.group,
        site.kind,
        site.rule,
      ]);
      assert.ok(
        site.message.startsWith(cells[3]!) && cells[3]!.length < site.message.length,
        `a short message: ${cells[3]}`,
      );
    }
    // The rule-id column starts at the same offset on every line.
    assert.equal(new Set(findingLines.map((line, index) => line.lastIndexOf(sites[index]!.rule))).size, 1);
    for (const message of new Set(sites.map((site) => site.message))) {
      assert.equal(stdout.split(message).length - 1, 1, `once: ${message}`);
    }
    for (const rule of new Set(sites.map((site) => site.rule))) assert.ok(stdout.includes(ruleDocUrl(rule)), rule);
    assert.ok(
      stdout.indexOf(ruleDocUrl("timers")) < stdout.indexOf("unsupervised  interval"),
      "legend before the summary table",
    );
  });

  test("--verbose adds the code line and every signal with its sentence under each finding", async () => {
    const sites = findingsOf(await jsonSites(["scan", "examples/service"]));
    const compact = (await runInProcess(["scan", "examples/service"])).stdout;
    const verbose = (await runInProcess(["scan", "examples/service", "--verbose"])).stdout;
    for (const site of sites) {
      const at = verbose.indexOf(`\n  ${site.start.line}:${site.start.column} `, verbose.indexOf(`\n${site.file}\n`));
      const block = verbose.slice(at + 1).split(/\n(?= {2}\d|\n)/)[0]!;
      assert.ok(block.includes(`\n      ${site.code.slice(0, 60)}`), `code of ${site.file}:${site.start.line}`);
      for (const signal of site.signals) {
        assert.ok(block.includes(`- ${signal.id} (`) && block.includes(signal.message), signal.id);
      }
      assert.ok(!compact.includes(`- ${site.signals[0]!.id} (`));
    }
  });

  test("--quiet lists only the findings that fail the run", async () => {
    const sites = findingsOf(await jsonSites(["scan", "examples/service"]));
    const listed = (stdout: string): number => stdout.split("\n").filter((line) => /^ {2}\d+:\d+ /.test(line)).length;
    const durable = (await runInProcess(["scan", "examples/service", "--quiet"])).stdout;
    assert.equal(listed(durable), sites.filter((site) => site.group === "durable").length);
    assert.doesNotMatch(durable, /^ {2}\d+:\d+ +per-request /m);
    const perRequest = (await runInProcess(["scan", "examples/service", "--quiet", "--fail-on", "per-request"])).stdout;
    assert.equal(listed(perRequest), sites.length);
    assert.equal(listed((await runInProcess(["scan", "examples/service", "--quiet", "--fail-on", "none"])).stdout), 0);
    const both = await runInProcess(["scan", "examples/service", "--quiet", "--all"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^spawn-audit: --quiet .* --all .*\n$/);
  });

  test("--quiet leaves out findings a baseline accepts", async () => {
    const root = repository({ "src/main.ts": "setInterval(() => { JSON.parse('1'); }, 5);\n" });
    const baseline = join(root, "baseline.json");
    await runInProcess(["scan", root, "--write-baseline", baseline]);
    writeFileSync(
      join(root, "src/main.ts"),
      "setInterval(() => { JSON.parse('1'); }, 5);\nsetInterval(() => { JSON.parse('2'); }, 5);\n",
    );
    const { stdout } = await runInProcess(["scan", root, "--baseline", baseline, "--quiet"]);
    assert.deepEqual(
      stdout.split("\n").filter((line) => /^ {2}\d+:\d+ /.test(line)).map((line) => line.trim().split(" ")[0]),
      ["2:1"],
    );
    const all = (await runInProcess(["scan", root, "--baseline", baseline])).stdout;
    assert.match(all, /^ {2}1:1 .*\[baseline\]/m);
  });
});

describe("-o/--output-file", () => {
  test("writes the report it would print, for every format, and prints nothing", async () => {
    for (const format of ["text", "json", "sarif", "github"]) {
      const target = join(dir, `report.${format}`);
      const printed = await runInProcess(["scan", "examples/service", "--format", format]);
      const written = await runInProcess(["scan", "examples/service", "--format", format, "-o", target]);
      assert.equal(written.code, printed.code, format);
      assert.equal(written.stdout, "", format);
      assert.equal(readFileSync(target, "utf8"), printed.stdout, format);
    }
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith(".tmp")), [], "no temporary file left");
  });

  test("a text report written to a file has no colour, even from a terminal", async () => {
    const target = join(dir, "colour.txt");
    await runInProcess(["scan", "examples/service", "--output-file", target], { isTTY: true });
    assert.doesNotMatch(readFileSync(target, "utf8"), new RegExp("\u001b\\["));
  });

  test("a folder that does not exist is created, as ESLint's -o does", async () => {
    const target = join(dir, "new", "folder", "report.txt");
    const run = await runInProcess(["scan", "examples/service", "-o", target]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(readFileSync(target, "utf8"), /unsupervised of/);
  });

  test("an unwritable path is one line and exit 2", async () => {
    writeFileSync(join(dir, "a-file"), "");
    for (const target of [join(dir, "a-file", "report.txt"), dir]) {
      const run = await runInProcess(["scan", "examples/service", "-o", target]);
      assert.equal(run.code, 2, target);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, /^spawn-audit: cannot write the report to .+: .+\n$/);
      assert.doesNotMatch(run.stderr, /\.tmp|\n\s+at /);
    }
  });
});

describe("status line while scanning", () => {
  test("shown on stderr only when stderr is a terminal outside CI, and erased before the report", async () => {
    const quiet = await runInProcess(["scan", "examples/service"], { stderrIsTTY: false });
    assert.equal(quiet.stderr, "");
    const inCi = await runInProcess(["scan", "examples/service"], { stderrIsTTY: true, env: { CI: "true" } });
    assert.equal(inCi.stderr, "");
    const shown = await runInProcess(["scan", "examples/service"], { stderrIsTTY: true });
    assert.match(shown.stderr, /spawn-audit: loading and type-checking the project/);
    assert.match(shown.stderr, /spawn-audit: scanning/);
    assert.ok(shown.stderr.endsWith("\r\u001b[2K") && !shown.stderr.includes("\n"), JSON.stringify(shown.stderr));
    assert.equal(shown.stdout, quiet.stdout);
  });
});

describe("SARIF for code scanning", () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  formats.default(ajv); // ajv-formats is CommonJS: its default import is module.exports, the plugin is its `default`
  const validate = ajv.compile(officialSarifSchema());

  test("run from a package folder: valid against the official schema, paths from the repository root, stable fingerprints", async () => {
    const root = repository(MONOREPO);
    const app = join(root, "packages", "app");
    const run = await runInProcess(["scan", ".", "--format", "sarif"], { cwd: app });
    const log = JSON.parse(run.stdout);
    assert.equal(validate(log), true, JSON.stringify(validate.errors, null, 2));
    const [only] = log.runs;
    assert.deepEqual(only.originalUriBaseIds, { "%SRCROOT%": { uri: pathToFileURL(root).href + "/" } });
    const locations = only.results.map((
      result: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }[] },
    ) => result.locations[0]!.physicalLocation.artifactLocation);
    assert.ok(locations.length >= 4);
    for (const location of locations) {
      assert.deepEqual(location, { ...location, uri: "packages/app/src/main.ts", uriBaseId: "%SRCROOT%" });
    }
    assert.deepEqual(only.artifacts.map((artifact: { location: unknown }) => artifact.location), [{
      uri: "packages/app/src/main.ts",
      uriBaseId: "%SRCROOT%",
    }]);

    // The hash is the JSON report's fingerprint as a scan from the repository root computes it, numbered per occurrence.
    const fromRoot = (await jsonSites(["scan", "packages/app"], root)).filter((site) =>
      site.status !== "handled" && site.status !== "benign"
    );
    const hashes = only.results.map((result: { partialFingerprints: { primaryLocationLineHash: string } }) =>
      result.partialFingerprints.primaryLocationLineHash
    );
    const seen = new Map<string, number>();
    assert.deepEqual(
      hashes,
      fromRoot.map((site) => {
        seen.set(site.fingerprint, (seen.get(site.fingerprint) ?? 0) + 1);
        return `${site.fingerprint}:${seen.get(site.fingerprint)}`;
      }),
    );
    assert.ok(hashes.some((hash: string) => hash.endsWith(":2")), "two identical lines get distinct hashes");

    const suppressed = only.results.find((result: { suppressions?: unknown }) => result.suppressions !== undefined);
    assert.equal(suppressed.suppressions.length, 1);
    assert.equal(suppressed.suppressions[0].kind, "inSource");
    assert.match(suppressed.suppressions[0].justification, /^spawn-audit-ignore: [^:]*best-effort telemetry$/);
  });

  test("one SARIF rule per spawn-audit rule, with each kind's help as text and markdown, its page, tags, precision and default level", async () => {
    const log = JSON.parse((await runInProcess(["scan", "examples/service", "--format", "sarif"])).stdout);
    assert.equal(validate(log), true, JSON.stringify(validate.errors, null, 2));
    const rules: {
      id: string;
      helpUri: string;
      help: { text: string; markdown: string };
      defaultConfiguration: { level: string };
      properties: { tags: string[]; precision: string };
    }[] = log.runs[0].tool.driver.rules;
    assert.deepEqual(rules.map((descriptor) => descriptor.id), RULES.map((rule) => rule.id));
    for (const rule of RULES) {
      const descriptor = rules.find((candidate) => candidate.id === rule.id)!;
      assert.equal(descriptor.helpUri, ruleDocUrl(rule.id));
      assert.ok(descriptor.help.text.includes(ruleDocUrl(rule.id)), rule.id);
      assert.ok(descriptor.help.markdown.includes(`](${ruleDocUrl(rule.id)})`), rule.id);
      for (const kind of rule.kinds) {
        assert.ok(descriptor.help.text.includes(`${kind}: ${rule.messages[kind]!}`), kind);
        assert.ok(descriptor.help.markdown.includes(`**\`${kind}\`**: ${rule.messages[kind]!}`), kind);
      }
      assert.equal(descriptor.defaultConfiguration.level, "error");
      assert.deepEqual(descriptor.properties.tags, ["reliability", "error-handling", ...rule.kinds]);
      assert.ok(["very-high", "high", "medium", "low"].includes(descriptor.properties.precision));
    }
  });

  test("outside a git work tree, paths are relative to the working directory", async () => {
    const root = mkdtempSync(join(dir, "plain-"));
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "a.ts"), "setInterval(() => { JSON.parse('1'); }, 5);\n");
    const log = JSON.parse((await runInProcess(["scan", "src", "--format", "sarif"], { cwd: root })).stdout);
    assert.equal(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, "src/a.ts");
    assert.equal(log.runs[0].originalUriBaseIds["%SRCROOT%"].uri, pathToFileURL(root).href + "/");
  });
});

describe("GitHub annotations", () => {
  const files = (stdout: string): string[] =>
    stdout.trimEnd().split("\n").map((line) => /file=([^,]+),/.exec(line)![1]!);

  test("paths are relative to GITHUB_WORKSPACE when it is set, else to the repository root; each links its rule page", async () => {
    const root = repository(MONOREPO);
    const app = join(root, "packages", "app");
    const plain = await runInProcess(["scan", ".", "--format", "github"], { cwd: app });
    assert.deepEqual([...new Set(files(plain.stdout))], ["packages/app/src/main.ts"]);
    const inWorkspace = await runInProcess(["scan", ".", "--format", "github"], {
      cwd: app,
      env: { GITHUB_WORKSPACE: join(root, "packages") },
    });
    assert.deepEqual([...new Set(files(inWorkspace.stdout))], ["app/src/main.ts"]);
    for (const line of plain.stdout.trimEnd().split("\n")) {
      const rule = /title=spawn-audit%3A (\S+) /.exec(line)![1] === "interval" ? "timers" : "floating-promise";
      assert.ok(line.endsWith(`%0ARule ${rule}: ${ruleDocUrl(rule)}`), line);
    }
  });

  test("--quiet annotates only the findings that fail the run", async () => {
    const root = repository(MONOREPO);
    const lines = (await runInProcess(["scan", ".", "--format", "github", "--quiet"], { cwd: root })).stdout.trimEnd()
      .split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^::error .*line=3,/);
  });
});
