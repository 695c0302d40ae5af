#!/usr/bin/env node
/**
 * The `spawn-audit` executable: runs the CLI with the process's arguments,
 * streams and environment, and exits with its code.
 *
 * @module
 */
import process from "node:process";
import { runCli } from "./cli.ts";

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
});
process.exitCode = code;
