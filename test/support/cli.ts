/**
 * Running the CLI from tests: in-process through `runCli` with captured
 * output, or as a real child process (the built JavaScript on Node, the
 * sources on Deno) to check exit codes and stderr as users see them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../../src/cli.ts";
import { builtCli, repoRoot } from "./repo.ts";

/** What a CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with `cwd`, an environment and TTY-ness (of stdout, of stderr) of choice. */
export async function runInProcess(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string>; isTTY?: boolean; stderrIsTTY?: boolean; stdin?: string } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: options.cwd ?? repoRoot(),
    env: options.env ?? {},
    // What chalk detects for a plain terminal (a TTY with TERM unset): basic colours.
    colorLevel: options.isTTY === true ? 1 : 0,
    stderrIsTTY: options.stderrIsTTY ?? false,
    ...(options.stdin === undefined ? {} : { readStdin: () => options.stdin! }),
  });
  return { code, stdout, stderr };
}

/** The command and arguments that run the CLI with `argv` as a child of the current runtime (Deno: from sources; Node: built). */
export function childCommand(argv: readonly string[]): [string, string[]] {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  return deno !== undefined
    ? [deno.execPath(), ["run", "-A", "--quiet", join(repoRoot(), "src", "main.ts"), ...argv]]
    : [process.execPath, [builtCli(), ...argv]];
}

/** Runs the CLI as a child process of the current runtime. */
export function runChild(argv: string[], cwd: string = repoRoot()): CliRun {
  const [command, args] = childCommand(argv);
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A line of a JavaScript stack trace, as Node and Deno print it. */
export const STACK_LINE = /^\s+at .+/m;

/** A source file with one durable finding (a setInterval callback that throws). */
export const FINDING_SOURCE = 'setInterval(() => { throw new Error("tick"); }, 1000);\nexport {};\n';

/**
 * Asserts what every failing run owes the user: exit 2, one line on stderr
 * starting with `spawn-audit:` (matching `pattern` when given), no stack trace.
 */
export function assertOneLineExit2(run: CliRun, pattern?: RegExp): void {
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  assert.match(run.stderr, /^spawn-audit: [^\n]+\n$/);
  if (pattern !== undefined) assert.match(run.stderr, pattern);
}
