/**
 * The plugin inside a long-lived ESLint, as an editor runs it: disable
 * comments are ESLint's (and reported unused by ESLint), spawn-audit's own
 * comments and config file are honoured, options replace the file's keys,
 * the flat configs choose the groups, and an edit to one file changes what
 * another file's lint says about work defined in it.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";
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

  test("testPatterns (an option or the file's key) make matching files test code: test sites, not reported unless asked", async () => {
    const rule = (options: object): Linter.Config => ({ rules: { "spawn-audit/timers": ["error", options] } });
    const asTest = rule({ testPatterns: ["a.ts"] });
    assert.deepEqual(await lint(eslintWith(plugin.configs.strict, [asTest]), code), []);
    const [result] = await eslintWith(plugin.configs.recommended, [rule({ testPatterns: ["a.ts"], groups: ["test"] })])
      .lintText(code, { filePath: join(dir, "a.ts") });
    assert.deepEqual(result!.messages.map((message) => `${message.line} ${message.message.split(":")[0]}`), [
      "3 test interval",
      "4 test timeout",
    ]);
    // The same key read from the file configFile names, instead of the nearest spawn-audit.json.
    writeFileSync(join(dir, "other-config.json"), JSON.stringify({ testPatterns: ["a.ts"] }));
    assert.deepEqual(
      await lint(eslintWith(plugin.configs.strict, [rule({ configFile: "other-config.json" })]), code),
      [],
    );
  });

  test("a configFile that cannot be read is a one-line error naming it", async () => {
    const eslint = eslintWith(plugin.configs.recommended, [{
      rules: { "spawn-audit/timers": ["error", { configFile: "missing.json" }] },
    }]);
    await assert.rejects(lint(eslint, code), /missing\.json/);
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

describe("whole-program work is done once per program", () => {
  // Files on disk in a folder of the project, which the tsconfig includes and the default project's "*.ts" does not:
  // typescript-eslint's project service gives the three one program.
  const root = join(dir, "once");
  before(() => mkdirSync(root));

  test("one pass over the program's files for three linted files; the program after an edit gets its own", async () => {
    writeFileSync(join(root, "b.ts"), `${SAVE}export async function run() {\n  while (true) await save();\n}\n`);
    writeFileSync(join(root, "a.ts"), 'import { run } from "./b";\nrun();\n');
    writeFileSync(join(root, "c.ts"), 'import { run } from "./b";\nsetInterval(() => { void run(); }, 10);\n');
    // typescript-eslint's parser, with each program it hands over wrapped to count the analysis's passes over its files.
    const passes = new Map<object, number>();
    const wrapped = new WeakMap<object, object>();
    const counted = (program: Record<string | symbol, unknown>): object => {
      let proxy = wrapped.get(program);
      if (proxy === undefined) {
        passes.set(program, 0);
        proxy = new Proxy(program, {
          get(target, key) {
            const value = target[key];
            if (key === "getSourceFiles") passes.set(program, passes.get(program)! + 1);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
        wrapped.set(program, proxy);
      }
      return proxy;
    };
    const before: number[] = [];
    const parse = tseslint.parser.parseForESLint as unknown as (
      text: string,
      options: unknown,
    ) => Linter.ESLintParseResult & { services: { program: Record<string | symbol, unknown> } };
    const parser: Linter.Parser = {
      meta: { name: "counting-parser" },
      parseForESLint(text, options) {
        const parsed = parse(text, options);
        parsed.services.program = counted(parsed.services.program) as Record<string | symbol, unknown>;
        before.push([...passes.values()].reduce((sum, each) => sum + each, 0));
        return parsed;
      },
    };
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ["**/*.ts"],
          languageOptions: { parser, parserOptions: typedLanguageOptions(dir).parserOptions },
        },
        plugin.configs.strict,
      ],
    });
    const results = await eslint.lintFiles(["once/a.ts", "once/c.ts", "once/b.ts"]);
    assert.deepEqual(
      results.map((result) => result.messages.map((message) => `${message.line} ${message.ruleId ?? message.message}`)),
      [["2 spawn-audit/floating-promise"], ["2 spawn-audit/timers", "2 spawn-audit/floating-promise"], []],
    );
    // The three files share one program: its files were walked while linting the first, never again.
    assert.equal(passes.size, 1);
    const [first] = [...passes.values()];
    assert.ok(first! > 0, "the analysis walks the program for callers and function names");
    assert.deepEqual(before, [0, first, first]);
    assert.equal([...passes.values()][0], first);
    // An edit: typescript-eslint hands over a new program, whose facts are computed afresh.
    await eslint.lintText('import { run } from "./b";\nrun();\n// edited\n', { filePath: join(root, "a.ts") });
    assert.equal(passes.size, 2);
    assert.deepEqual([...passes.values()], [first, first]);
  });
});
