/**
 * Exit codes CI can trust (issue 18): 0 clean, 1 findings, 2 usage,
 * configuration or environment, and 70 for a bug of spawn-audit's own —
 * one line asking for a report, the stack trace only with `--debug`,
 * whether the bug is thrown by the run or raised later (an unhandled
 * rejection). The bugs are injected by a module the runtime loads before
 * the CLI (`node --import`, `deno run --preload`), so the executable itself
 * carries no test hook.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { describeInternalError, INTERNAL_ERROR_EXIT_CODE } from "../src/fatal.ts";
import { builtCli, repoRoot } from "./support/repo.ts";
import type { CliRun } from "./support/cli.ts";

/** A line of a JavaScript stack trace, as Node and Deno print it. */
const STACK_LINE = /^\s+at .+/m;

/** The preloaded modules: each injects one bug. */
const BUGS = {
  // Thrown inside the run: asking whether stderr is a terminal fails, but only when the CLI's entry asks.
  thrown: `import process from "node:process";
Object.defineProperty(process.stderr, "isTTY", {
  get() {
    if (/[\\\\/]main\\.[jt]s/.test(new Error().stack ?? "")) throw new TypeError("injected bug");
    return false;
  },
});
`,
  // Raised later: writing the report also leaves a rejection nobody handles.
  raised: `import process from "node:process";
const write = process.stdout.write;
process.stdout.write = function (...args) {
  Promise.reject(new TypeError("a late bug"));
  return write.apply(this, args);
};
`,
} as const;

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-exit-"));
  for (const [name, text] of Object.entries(BUGS)) writeFileSync(join(dir, `${name}.mjs`), text);
  writeFileSync(join(dir, "clean.ts"), "export const x = 1;\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI as a child of this runtime with `bug`'s module loaded first. */
function runWith(bug: keyof typeof BUGS, argv: string[]): CliRun {
  const preload = join(dir, `${bug}.mjs`);
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const [command, args] = deno !== undefined
    ? [deno.execPath(), ["run", "-A", "--quiet", "--preload", preload, join(repoRoot(), "src", "main.ts"), ...argv]]
    : [process.execPath, ["--import", pathToFileURL(preload).href, builtCli(), ...argv]];
  const result = spawnSync(command, args, { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const REPORT = /please report it at https:\/\/github\.com\/spawn-audit\/spawn-audit\/issues/;

describe("a bug of spawn-audit's own", () => {
  test("thrown by the run: exit 70, one line naming the error and where to report it, no stack trace", () => {
    const run = runWith("thrown", ["scan", "clean.ts"]);
    assert.equal(run.code, INTERNAL_ERROR_EXIT_CODE, run.stderr);
    assert.match(run.stderr, /^spawn-audit: internal error \(TypeError: injected bug\); /);
    assert.match(run.stderr, REPORT);
    assert.match(run.stderr, /\(run with --debug for the stack\)\n$/);
    assert.equal(run.stderr.split("\n").length, 2, run.stderr);
    assert.doesNotMatch(run.stderr, STACK_LINE);
  });

  test("with --debug, the stack trace follows the line", () => {
    const run = runWith("thrown", ["scan", "clean.ts", "--debug"]);
    assert.equal(run.code, INTERNAL_ERROR_EXIT_CODE, run.stderr);
    const [line, ...stack] = run.stderr.split("\n");
    assert.match(line!, REPORT);
    assert.doesNotMatch(line!, /--debug/);
    assert.match(stack.join("\n"), /TypeError: injected bug\n\s+at /);
  });

  test("raised after the run threw nothing (an unhandled rejection): exit 70 and one line, not exit 1", () => {
    const run = runWith("raised", ["scan", "clean.ts"]);
    assert.equal(run.code, INTERNAL_ERROR_EXIT_CODE, run.stderr);
    assert.match(run.stderr, /^spawn-audit: internal error (while [^(]+ )?\(TypeError: a late bug\); /);
    assert.equal(run.stderr.split("\n").length, 2, run.stderr);
  });

  test("the line names what the run was doing, and a thrown non-error is shown as it is", () => {
    const text = describeInternalError("odd", { phase: "scanning", file: "src/a.ts" }, false);
    assert.match(text, /^spawn-audit: internal error while scanning src\/a\.ts \(odd\); please report it at /);
    assert.equal(text.split("\n").length, 2);
  });

  test("a usage error is still exit 2 and a clean scan 0, with the bug module loaded but not triggered", () => {
    assert.equal(runWith("raised", ["scan", "--no-such-flag"]).code, 2);
    assert.equal(runWith("raised", ["scan", "clean.ts", "--format", "json", "-o", "report.json"]).code, 0);
  });
});
