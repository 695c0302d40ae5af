#!/usr/bin/env node
/**
 * The `spawn-audit` executable: runs the CLI with the process's arguments,
 * streams and environment, and exits with its code; a run that exhausts the
 * stack or memory, or that the file system refuses, ends with one line and
 * exit code 2 (see `fatal.ts`).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { runCli } from "./cli.ts";
import { type Activity, describeFatal } from "./fatal.ts";

// A reader that stops early (`spawn-audit scan . | head`, quitting a pager) closes the pipe: the rest of
// the output is dropped and the run ends quietly with the exit code it would have had, not an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}

let activity: Activity | undefined;
try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    onActivity: (now) => {
      activity = now;
    },
    readStdin: () => readFileSync(0, "utf8"),
  });
} catch (error) {
  // Exhausted stack or memory and file system refusals are the environment's, not bugs: one line, exit 2.
  const line = describeFatal(error, activity);
  if (line === undefined) throw error;
  process.stderr.write(`spawn-audit: ${line}\n`);
  process.exitCode = 2;
}
