/**
 * The plugin inside a long-lived ESLint, as an editor runs it: disable
 * comments are ESLint's (and reported unused by ESLint), spawn-audit's own
 * comments and config file are honoured, options replace the file's keys,
 * the flat configs choose the groups, and an edit to one file changes what
 * another file's lint says about work defined in it.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ESLint, type Linter } from "eslint";
import plugin from "../../eslint-plugin/src/plugin.ts";
import { typedLanguageOptions, typedProject } from "./support.ts";

const project = typedProject();
after(project.remove);
const { dir } = project;

/** An ESLint with the plugin's `config` (recommended by default) and typed linting of the project. */
function eslintWith(config: Linter.Config = plugin.configs.recommended, extra: Linter.Config[] = []): ESLint {
  return new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ["**/*.ts"], languageOptions: typedLanguageOptions(dir) },
      config,
      ...extra,
      { linterOptions: { reportUnusedDisableDirectives: "error" } },
    ],
  });
}

/** Each message as `line ruleId messageId` (ESLint's own messages have no rule id). */
async function lint(eslint: ESLint, code: string, file = "a.ts"): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(dir, file) });
  return result!.messages.map((message) =>
    `${message.line} ${message.ruleId ?? "eslint"} ${message.messageId ?? message.message}`
  );
}

const SAVE = "declare function save(): Promise<void>;\n";
const INTERVAL = 'setInterval(() => { JSON.parse("x"); }, 1000);\n';

describe("comments", () => {
  const eslint = eslintWith();

  test("eslint-disable-next-line naming the rule silences the finding; ESLint reports one that silences nothing", async () => {
    assert.deepEqual(await lint(eslint, `${INTERVAL}export {};`), ["1 spawn-audit/timers interval"]);
    assert.deepEqual(
      await lint(eslint, `// eslint-disable-next-line spawn-audit/timers -- a demo\n${INTERVAL}export {};`),
      [],
    );
    const unused = await lint(
      eslint,
      `// eslint-disable-next-line spawn-audit/worker -- nothing here\n${INTERVAL}export {};`,
    );
    assert.equal(unused.length, 2);
    assert.match(
      unused[0]!,
      /^1 eslint Unused eslint-disable directive \(no problems were reported from 'spawn-audit\/worker'\)/,
    );
    assert.equal(unused[1], "2 spawn-audit/timers interval");
  });

  test("spawn-audit's own ignore comment is honoured", async () => {
    assert.deepEqual(await lint(eslint, `// spawn-audit-ignore-next-line timers -- a demo\n${INTERVAL}export {};`), []);
  });
});

describe("configuration", () => {
  before(() => {
    writeFileSync(join(dir, "spawn-audit.json"), JSON.stringify({ supervisors: ["runSafely"] }));
  });
  after(() => writeFileSync(join(dir, "spawn-audit.json"), "{}"));
  const code = [
    "declare function runSafely(work: () => void): void;",
    'setInterval(() => runSafely(() => { JSON.parse("x"); }), 1000);',
    'setInterval(() => { JSON.parse("y"); }, 1000);',
    'export function handle() { setTimeout(() => { JSON.parse("z"); }, 10); }',
  ].join("\n");

  test("the project's spawn-audit config applies: a tick through a configured supervisor is supervised", async () => {
    assert.deepEqual(await lint(eslintWith(), code), ["3 spawn-audit/timers interval"]);
  });

  test("strict also reports per-request sites", async () => {
    assert.deepEqual(await lint(eslintWith(plugin.configs.strict), code), [
      "3 spawn-audit/timers interval",
      "4 spawn-audit/timers timeout",
    ]);
  });

  test("options replace the file's keys; configFile: false reads no file", async () => {
    const rule = (options: object): Linter.Config => ({ rules: { "spawn-audit/timers": ["error", options] } });
    for (const options of [{ supervisors: [] }, { configFile: false }]) {
      assert.deepEqual(await lint(eslintWith(plugin.configs.recommended, [rule(options)]), code), [
        "2 spawn-audit/timers interval",
        "3 spawn-audit/timers interval",
      ], JSON.stringify(options));
    }
  });

  test("an invalid option is ESLint's configuration error", async () => {
    const eslint = eslintWith(plugin.configs.recommended, [{
      rules: { "spawn-audit/timers": ["error", { groups: ["forever"] }] },
    }]);
    await assert.rejects(
      lint(eslint, INTERVAL),
      /Key "spawn-audit\/timers":\s+Value "forever" should be equal to one of the allowed values/,
    );
  });
});

describe("a long-lived ESLint follows edits to other files", () => {
  test("a loop edited into one-shot work in b.ts makes a.ts's call per-request", async () => {
    const eslint = eslintWith(plugin.configs.strict);
    const loop = `${SAVE}export async function run() {\n  while (true) await save();\n}\n`;
    writeFileSync(join(dir, "b.ts"), loop);
    const caller = 'import { run } from "./b";\nrun();\n';
    writeFileSync(join(dir, "a.ts"), caller);
    const group = async (): Promise<string | undefined> => {
      const [result] = await eslint.lintText(caller, { filePath: join(dir, "a.ts") });
      return /^(durable|per-request) /.exec(result!.messages[0]?.message ?? "")?.[1];
    };
    assert.equal(await group(), "durable");
    await eslint.lintText(`${SAVE}export async function run() {\n  await save();\n}\n`, {
      filePath: join(dir, "b.ts"),
    });
    assert.equal(await group(), "per-request");
  });
});
