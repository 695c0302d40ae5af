/**
 * The plugin with TypeScript 5.5, the oldest release it supports, whose
 * syntax kinds are numbered differently from 6.0's: typescript-eslint and
 * the plugin both load `typescript` through Node's resolver, which this
 * file points at the plugin package's development copy (5.5.4) before
 * either is loaded. The same sites, groups and suggestions as under 6.0
 * (rules.test.ts) come out.
 */
import assert from "node:assert/strict";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../support/repo.ts";

/** The folder of TypeScript 5.5.4, the plugin package's devDependency. */
const ts55 = dirname(
  createRequire(join(repoRoot(), "eslint-plugin", "package.json")).resolve("typescript/package.json"),
);
/** Node's CommonJS resolver, which typescript-eslint's `require("typescript")` (and `typescript/lib/…`) goes through. */
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  const path = /^typescript(\/|$)/.test(request) ? join(ts55, request.slice("typescript".length)) : request;
  return resolveFilename.call(this, path, ...rest);
};

const { Linter } = await import("eslint");
const { typedLanguageOptions, typedProject } = await import("./support.ts");
const { default: plugin } = await import("../../eslint-plugin/src/plugin.ts");
// The namespace, not a destructured copy: `ts` is a live binding the plugin sets when it first lints.
const analysis = await import("../../src/analysis/ts.ts");

const project = typedProject();
after(project.remove);

test("under TypeScript 5.5 the plugin reports each rule's sites with their groups and suggestions", () => {
  const code = [
    "declare function save(): Promise<void>;",
    'setInterval(() => { JSON.parse("x"); }, 1000);',
    "async function loop() { while (true) await save(); }",
    "loop();",
    "[1, 2].forEach(async () => { await save(); });",
    'const worker = new Worker("./w.js");',
    "export async function handle() {",
    "  void save();",
    "}",
  ].join("\n");
  const linter = new Linter({ cwd: project.dir });
  const messages = linter.verify(code, [{
    files: ["**/*.ts"],
    languageOptions: typedLanguageOptions(project.dir),
    plugins: { "spawn-audit": plugin },
    rules: Object.fromEntries(
      Object.keys(plugin.rules).map((id) => [`spawn-audit/${id}`, ["error", { groups: ["durable", "per-request"] }]]),
    ),
  }], join(project.dir, "service.ts"));
  assert.equal(analysis.ts.version, "5.5.4", "the analysis runs on the TypeScript typescript-eslint loaded");
  assert.deepEqual(
    messages.map((message) =>
      `${message.line}:${message.column} ${message.ruleId} ${/^\S+ \S+/.exec(message.message)?.[0]} ${
        (message.suggestions ?? []).map((suggestion) => suggestion.messageId).join(",")
      }`
    ),
    [
      "2:1 spawn-audit/timers durable interval: supervise",
      "4:1 spawn-audit/floating-promise durable floating-promise: supervise,catch",
      "5:16 spawn-audit/async-listener per-request async-listener: supervise",
      "6:16 spawn-audit/worker durable worker: supervise",
      "8:3 spawn-audit/floating-promise per-request void-promise: supervise,catch,await",
    ],
  );
  const supervised = messages[0]!.suggestions![0]!.fix;
  assert.equal(
    code.slice(0, supervised.range[0]) + supervised.text + code.slice(supervised.range[1]),
    code.replace(
      'setInterval(() => { JSON.parse("x"); }, 1000);',
      'setInterval(() => { try { JSON.parse("x"); } catch (error) { logFailure("service.parse", error); } }, 1000);',
    ).replace(/^/, 'import { logFailure } from "@spawn-audit/shim";\n\n'),
  );
});
