/**
 * Keeps the adoption material true: every flag docs/ci.md and the README's
 * shell examples show exists in `spawn-audit --help`, the YAML examples parse, and the pre-commit hook
 * definition has the shape pre-commit reads and runs a real command.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "./support/repo.ts";
import { runInProcess } from "./support/cli.ts";

/** The fenced code blocks of a Markdown text: info string (`sh`, `yaml`) and body. */
function fencedBlocks(markdown: string): { info: string; body: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({ info: match[1]!, body: match[2]! }));
}

/**
 * js-yaml's `load`, when the package is installed (it comes with a
 * devDependency, not as one of ours); `undefined` otherwise.
 */
function yamlLoader(): ((text: string) => unknown) | undefined {
  try {
    return (createRequire(import.meta.url)("js-yaml") as { load(text: string): unknown }).load;
  } catch {
    return undefined;
  }
}

const ciDoc = readFileSync(join(repoRoot(), "docs", "ci.md"), "utf8");
const readme = readFileSync(join(repoRoot(), "README.md"), "utf8");

test("every option docs/ci.md and the README's shell examples use is one spawn-audit's help lists", async () => {
  const help = await runInProcess(["--help"]);
  assert.equal(help.code, 0);
  let commandsHelp = "";
  for (const command of ["scan", "fix", "explain", "init"]) {
    const run = await runInProcess([command, "--help"]);
    assert.equal(run.code, 0, command);
    commandsHelp += run.stdout;
  }
  assert.ok(fencedBlocks(ciDoc).length >= 3, "docs/ci.md has its workflow, baseline and pre-commit examples");
  const blocks = [...fencedBlocks(ciDoc), ...fencedBlocks(readme).filter((block) => block.info === "sh")];
  // In a pipeline, only the spawn-audit command's flags are ours (`git diff --name-only … | spawn-audit scan …`).
  const ours = (line: string): string =>
    line.includes("|") ? line.split("|").filter((part) => part.includes("spawn-audit")).join(" ") : line;
  const used = new Set(
    blocks.flatMap(({ body }) =>
      body.split("\n").map(ours).flatMap((line) =>
        [...line.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((match) => match[0])
      )
    ),
  );
  const commandLines = blocks.flatMap(({ body }) =>
    body.split("\n").map(ours).filter((line) => /\bspawn-audit scan\b/.test(line))
  );
  for (const line of commandLines) for (const short of line.match(/(?<=\s)-[a-zA-Z](?=\s|$)/g) ?? []) used.add(short);
  assert.ok(used.has("--format") && used.has("--baseline"), `the flags found: ${[...used].join(" ")}`);
  const known = new Set(
    [...(help.stdout + commandsHelp).matchAll(/(?<![\w-])--?[a-zA-Z][\w-]*/g)].map((match) => match[0]),
  );
  assert.deepEqual([...used].filter((flag) => !known.has(flag)), []);
  const commands = new Set([...help.stdout.matchAll(/^ {2}(\w+) /gm)].map((match) => match[1]));
  for (const line of commandLines) assert.ok(commands.has(/spawn-audit (\w+)/.exec(line)![1]), line);
});

test("the YAML examples in docs/ci.md parse", (t) => {
  const load = yamlLoader();
  if (load === undefined) return t.skip("js-yaml is not installed (it comes with a devDependency)");
  const yamlBlocks = fencedBlocks(ciDoc).filter(({ info }) => info === "yaml");
  assert.equal(yamlBlocks.length, 2);
  const [workflow, precommit] = yamlBlocks.map(({ body }) => load(body)) as [
    { jobs: Record<string, { steps: { uses?: string; run?: string }[] }> },
    { repos: { hooks: { id: string }[] }[] },
  ];
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  assert.ok(steps.some((step) => step.uses?.startsWith("github/codeql-action/upload-sarif@")));
  assert.ok(steps.some((step) => step.run?.includes("--format github")));
  assert.equal(precommit.repos[0]!.hooks[0]!.id, "spawn-audit");
});

test(".pre-commit-hooks.yaml defines the spawn-audit hook, and its entry is the package's executable and a command", async () => {
  const text = readFileSync(join(repoRoot(), ".pre-commit-hooks.yaml"), "utf8");
  const expected = {
    id: "spawn-audit",
    entry: "spawn-audit scan",
    language: "node",
    pass_filenames: true,
    types_or: ["ts", "tsx", "javascript"],
  };
  const load = yamlLoader();
  if (load !== undefined) {
    const hooks = load(text) as Record<string, unknown>[];
    assert.equal(hooks.length, 1);
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((key) => [key, hooks[0]![key]])), expected);
    assert.equal(typeof hooks[0]!["name"], "string");
  } else {
    // Without a YAML parser: a one-item list whose keys are at two-space indent.
    assert.match(text, /^- id: spawn-audit$/m);
    assert.match(text, /^ {2}entry: spawn-audit scan$/m);
    assert.match(text, /^ {2}language: node$/m);
    assert.match(text, /^ {2}pass_filenames: true$/m);
    assert.match(text, /^ {2}types_or: \[ts, tsx, javascript\]$/m);
    assert.equal(text.match(/^- /gm)?.length, 1);
  }
  const [executable, command] = expected.entry.split(" ");
  const manifest = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  assert.ok(executable! in manifest.bin, `${executable} is not a bin of package.json`);
  // pre-commit appends the staged files' names: the command takes file paths.
  const run = await runInProcess([command!, "examples/service/src/main.ts", "examples/service/src/http.ts"]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /^examples\/service\/src\/main\.ts$/m);
  assert.match(run.stdout, /^examples\/service\/src\/http\.ts$/m);
});
