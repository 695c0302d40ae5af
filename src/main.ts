#!/usr/bin/env node
/**
 * The `spawn-audit` executable: runs the CLI with the process's arguments,
 * streams and environment, and exits with its code; a run that exhausts the
 * stack or memory, or that the file system refuses, ends with one line and
 * exit code 2; one that hits a bug of spawn-audit's own, thrown or raised
 * later (an uncaught exception, an unhandled rejection), ends with one line
 * and exit code 70, the stack trace only with `--debug` (see `fatal.ts`).
 *
 * @module
 */
import process from "node:process";
import { supportsColor } from "chalk";
import { debugRequested, runCli } from "./cli.ts";
import { fileSystemReason, systemErrorCode } from "./errors.ts";
import { readAll } from "./files/stdin.ts";
import { type Activity, describeFatal, describeInternalError, INTERNAL_ERROR_EXIT_CODE } from "./fatal.ts";

const argv = process.argv.slice(2);
let activity: Activity | undefined;

/** Ends the run on `error`: one line and exit code 2 for the environment's failures, else the internal error's. */
function failed(error: unknown): void {
  const line = describeFatal(error, activity);
  process.stderr.write(
    line === undefined ? describeInternalError(error, activity, debugRequested(argv)) : `spawn-audit: ${line}\n`,
  );
  process.exitCode = line === undefined ? INTERNAL_ERROR_EXIT_CODE : 2;
}

// What escapes the awaited run (a listener's throw, a rejection nobody awaited) ends it the same way, not with
// Node's stack trace and exit code 1, which CI would read as findings.
process.on("uncaughtException", (error) => {
  failed(error);
  process.exit();
});

// A reader that stops early (`spawn-audit scan . | head`, quitting a pager) closes the pipe: the rest of
// the output is dropped and the run ends quietly with the exit code it would have had, not an EPIPE stack trace.
// Output the file system refuses (stdout redirected to a full disk: ENOSPC) is one line and exit 2.
let outputFailed = false;

/** Handles a failed write to stdout or stderr as above; anything but a system error is rethrown as a bug. */
function outputError(stream: NodeJS.WriteStream, error: unknown): void {
  const code = systemErrorCode(error);
  if (code === "EPIPE" || code === "ERR_STREAM_DESTROYED") return;
  if (code === undefined) throw error;
  if (!outputFailed && stream === process.stdout) {
    process.stderr.write(`spawn-audit: cannot write to standard output: ${fileSystemReason({ code })}\n`);
  }
  outputFailed = true;
  process.exitCode = 2;
}

/** Writes `text` to `stream`; Deno's standard streams throw where Node's emit `error`. */
function write(stream: NodeJS.WriteStream, text: string): void {
  try {
    stream.write(text);
  } catch (error) {
    outputError(stream, error);
  }
}

for (const stream of [process.stdout, process.stderr]) stream.on("error", (error) => outputError(stream, error));

try {
  const code = await runCli(argv, {
    stdout: (text) => write(process.stdout, text),
    stderr: (text) => write(process.stderr, text),
    cwd: process.cwd(),
    env: process.env,
    colorLevel: supportsColor === false ? 0 : supportsColor.level,
    stderrIsTTY: process.stderr.isTTY === true,
    onActivity: (now) => {
      activity = now;
    },
    readStdin: () => readAll(0),
  });
  process.exitCode = outputFailed ? 2 : code;
} catch (error) {
  failed(error);
}
