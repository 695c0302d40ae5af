#!/usr/bin/env node
/**
 * The `spawn-audit` executable: runs the CLI with the process's arguments,
 * streams and environment, and exits with its code.
 *
 * @module
 */
import process from "node:process";
import { runCli } from "./cli.ts";

// A reader that stops early (`spawn-audit scan . | head`, quitting a pager) closes the pipe: the rest of
// the output is dropped and the run ends quietly with the exit code it would have had, not an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
});
process.exitCode = code;
