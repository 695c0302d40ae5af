/**
 * `spawn-audit init --shim` in temporary projects: the module it writes
 * type-checks against the shim's declarations (TypeScript projects), runs
 * on Node, and a failing `spawnLogged` task's failure reaches the project's
 * logger — console, or fake pino and winston packages shaped like their
 * APIs — with its message and its error; `fix` with the printed
 * `--shim-import` (or the recorded config key) imports it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { Project, ts } from "ts-morph";
import { runInProcess } from "../support/cli.ts";
import { repoRoot } from "../support/repo.ts";
import { fixProject } from "./support.ts";
import { writeTree } from "../support/tree.ts";

/**
 * Fake logging packages, CommonJS with declarations as the real ones are
 * published (pino: the function as `module.exports`, `.default` and
 * `.pino`; winston: properties set on an alias of `exports`, so only a
 * default import reaches them from an ES module): every call is pushed to
 * `globalThis.loggerCalls` as `{ level, args }`.
 */
const FAKE_PACKAGES: Record<string, string> = {
  "node_modules/pino/package.json": `{ "name": "pino", "main": "index.js", "types": "index.d.ts" }`,
  "node_modules/pino/index.js": `const record = (level) => (...args) => globalThis.loggerCalls.push({ level, args });
function pino() { return { error: record("error"), warn: record("warn"), info: record("info") }; }
module.exports = pino;
module.exports.default = pino;
module.exports.pino = pino;
`,
  "node_modules/pino/index.d.ts": `export interface Logger {
  error<T extends object>(obj: T, msg?: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
  warn<T extends object>(obj: T, msg?: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  info<T extends object>(obj: T, msg?: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
}
declare function pino(options?: { name?: string }): Logger;
export default pino;
export { pino };
`,
  "node_modules/winston/package.json": `{ "name": "winston", "main": "index.js", "types": "index.d.ts" }`,
  "node_modules/winston/index.js": `const record = (level) => (...args) => globalThis.loggerCalls.push({ level, args });
const winston = exports;
winston.createLogger = () => ({ error: record("error"), warn: record("warn"), info: record("info") });
winston.format = { json: () => ({}) };
winston.transports = { Console: class {} };
`,
  "node_modules/winston/index.d.ts": `type LogMethod = (message: string, meta?: Record<string, unknown>) => unknown;
declare const winston: {
  createLogger(options: { format?: object; transports?: object[] }): { error: LogMethod; warn: LogMethod; info: LogMethod };
  format: { json(): object };
  transports: { Console: new () => object };
};
export = winston;
`,
};

/** Imports the module named on the command line, runs a failing spawnLogged task, prints `{ status, calls }` (errors as plain objects). */
const RUN_FAILING_TASK = `import { pathToFileURL } from "node:url";
globalThis.loggerCalls = [];
for (const level of ["error", "warn", "info"]) console[level] = (...args) => globalThis.loggerCalls.push({ level, args });
const loaded = await import(pathToFileURL(process.argv[2]).href);
const api = "spawnLogged" in loaded ? loaded : loaded.default;
const outcome = await api.spawnLogged("jobs.sync", async () => { throw new Error("boom"); }).done;
const plain = (value) => value instanceof Error ? { message: value.message, stack: value.stack } : value;
const fields = (value) => typeof value === "object" && value !== null && !(value instanceof Error)
  ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)])) : plain(value);
process.stdout.write(JSON.stringify({ status: outcome.status, calls: globalThis.loggerCalls.map(({ level, args }) => ({ level, args: args.map(fields) })) }));
`;

const TSCONFIG =
  `{ "compilerOptions": { "strict": true, "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext", "skipLibCheck": true, "types": [] } }\n`;

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temporary project with `files`, the fake loggers, and `@spawn-audit/shim` installed as a link to this repository's shim. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-init-shim-"));
  made.push(dir);
  writeTree(dir, { ...FAKE_PACKAGES, "run.mjs": RUN_FAILING_TASK, ...files });
  mkdirSync(join(dir, "node_modules", "@spawn-audit"), { recursive: true });
  symlinkSync(join(repoRoot(), "shim"), join(dir, "node_modules", "@spawn-audit", "shim"), "dir");
  return dir;
}

/** TypeScript errors of `file` under the project's tsconfig (types from the shim's declarations and the fake packages). */
function typeErrors(dir: string, file: string): string[] {
  const program = new Project({ tsConfigFilePath: join(dir, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
  program.addSourceFileAtPath(join(dir, file));
  return program.getPreEmitDiagnostics().map((diagnostic) =>
    ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, " ")
  );
}

/** Runs the failing task through the module at `file` (TypeScript is transpiled next to it first) on Node. */
function failingTask(dir: string, file: string): { status: string; calls: { level: string; args: unknown[] }[] } {
  let runnable = join(dir, file);
  if (file.endsWith(".ts")) {
    const output = ts.transpileModule(readFileSync(runnable, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    runnable = runnable.replace(/\.ts$/, ".js");
    writeFileSync(runnable, output.outputText);
  }
  const node = (globalThis as { Deno?: unknown }).Deno === undefined ? process.execPath : "node";
  const result = spawnSync(node, ["run.mjs", runnable], { cwd: dir, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** The error-level call that reports the task's failure. */
function failureCall(calls: { level: string; args: unknown[] }[]): unknown[] {
  const found = calls.find(({ level, args }) => level === "error" && JSON.stringify(args).includes("jobs.sync"));
  assert.ok(found !== undefined, JSON.stringify(calls));
  return found.args;
}

describe("init --shim", () => {
  test("TypeScript, --logger console: type-checks, logs message then fields with the error, and fix imports it by relative path", async () => {
    const dir = project({
      "package.json": `{ "type": "module", "dependencies": { "@spawn-audit/shim": "*" } }\n`,
      "tsconfig.json": TSCONFIG,
      "src/jobs/poll.ts": "declare function poll(): Promise<void>;\nsetInterval(() => poll(), 1000);\n",
    });
    const run = await runInProcess(["init", "--shim", "--logger", "console"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /wrote .*src\/supervision\.ts, logging through console\nRun fix with: spawn-audit fix --shim-import \.\/src\/supervision\.js\n$/,
    );
    assert.deepEqual(typeErrors(dir, "src/supervision.ts"), []);
    const fixed = fixProject(dir, { shimImport: "./src/supervision.js", groups: ["durable", "per-request"] });
    assert.deepEqual(fixed.changes.map((change) => [change.file, change.refused]), [["src/jobs/poll.ts", null]]);
    assert.match(
      readFileSync(join(dir, "src/jobs/poll.ts"), "utf8"),
      /^import \{ logFailure \} from "\.\.\/supervision\.js";/,
    );
    const { status, calls } = failingTask(dir, "src/supervision.ts");
    assert.equal(status, "failed");
    const [message, fields] = failureCall(calls) as [string, { err: { message: string } }];
    assert.match(message, /^task "jobs\.sync" failed/);
    assert.equal(fields.err.message, "boom");
  });

  test("TypeScript, pino found in package.json: pino gets the fields (error as err) and the message", async () => {
    const dir = project({
      "package.json": `{ "type": "module", "dependencies": { "pino": "^9.0.0" } }\n`,
      "tsconfig.json": TSCONFIG,
    });
    const run = await runInProcess(["init", "--shim"], { cwd: dir });
    assert.match(run.stdout, /supervision\.ts, logging through pino \(found in package\.json\)/);
    assert.deepEqual(typeErrors(dir, "supervision.ts"), []);
    const [fields, message] = failureCall(failingTask(dir, "supervision.ts").calls) as [
      { task: string; err: { message: string } },
      string,
    ];
    assert.equal(fields.task, "jobs.sync");
    assert.equal(fields.err.message, "boom");
    assert.match(message, /^task "jobs\.sync" failed/);
  });

  test("TypeScript, --logger winston: winston gets the message first and the error, message and stack kept, as meta.error", async () => {
    const dir = project({ "package.json": `{ "type": "module" }\n`, "tsconfig.json": TSCONFIG, "src/.keep": "" });
    assert.equal((await runInProcess(["init", "--shim", "--logger", "winston"], { cwd: dir })).code, 0);
    assert.deepEqual(typeErrors(dir, "src/supervision.ts"), []);
    const [message, meta] = failureCall(failingTask(dir, "src/supervision.ts").calls) as [
      string,
      Record<string, { message: string; stack: string }>,
    ];
    assert.match(message, /^task "jobs\.sync" failed/);
    assert.equal(meta["error"]?.message, "boom");
    assert.match(meta["error"]?.stack ?? "", /Error: boom/);
    assert.equal(meta["err"], undefined);
  });

  test('JavaScript: CommonJS without "type": "module", winston from devDependencies; shimImport recorded in the config, its comments kept', async () => {
    const dir = project({
      "package.json": `{ "devDependencies": { "winston": "^3.0.0" } }\n`,
      "spawn-audit.jsonc": `{\n  // ours\n  "ignore": []\n}\n`,
    });
    const run = await runInProcess(["init", "--shim", "--out", "lib/supervision.js"], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Recorded "shimImport": "\.\/lib\/supervision\.js" in .*spawn-audit\.jsonc/);
    assert.match(
      readFileSync(join(dir, "lib/supervision.js"), "utf8"),
      /^const shim = require\("@spawn-audit\/shim"\);$/m,
    );
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "spawn-audit.jsonc"), "utf8").replace("// ours", "")), {
      ignore: [],
      shimImport: "./lib/supervision.js",
    });
    assert.match(readFileSync(join(dir, "spawn-audit.jsonc"), "utf8"), /\/\/ ours/);
    const [message, meta] = failureCall(failingTask(dir, "lib/supervision.js").calls) as [
      string,
      Record<string, { message: string }>,
    ];
    assert.match(message, /^task "jobs\.sync" failed/);
    assert.equal(meta["error"]?.message, "boom");
  });

  test("usage errors: an unknown logger, an existing module without --force, --logger without --shim", async () => {
    const dir = project({ "package.json": "{}\n" });
    assert.equal((await runInProcess(["init", "--shim"], { cwd: dir })).code, 0);
    for (
      const [argv, pattern] of [
        [["init", "--shim", "--logger", "bunyan"], /--logger must be one of pino, winston, console/],
        [["init", "--shim"], /supervision\.js already exists; pass --force/],
        [["init", "--logger", "pino"], /--logger is an option of init --shim/],
        [["init", "--shim", "--out", "supervision.txt"], /must end in \.ts, \.mts, \.cts, \.js, \.mjs or \.cjs/],
      ] as const
    ) {
      const run = await runInProcess([...argv], { cwd: dir });
      assert.equal(run.code, 2, run.stdout);
      assert.match(run.stderr, pattern);
    }
  });
});
