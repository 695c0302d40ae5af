/**
 * `fix --format`: the project's own formatter run on the new text of each
 * file fix edits, and on nothing else, before it is written: the text goes
 * through stdin with the file's path (so the formatter's config and ignore
 * files apply as for that file) and nothing is written until fix writes the
 * final text atomically. The formatter is the one the project is set up
 * with — Prettier, Biome, dprint or `deno fmt`, found by its config file,
 * else by its package among the project's dependencies — and runs from the
 * project's `node_modules/.bin` (`deno` from the PATH), never a copy of our
 * own.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { extname, join } from "node:path";
import process from "node:process";
import { UsageError } from "../errors.ts";
import { inNodeModules } from "../files/find-up.ts";
import { childFailure } from "./child.ts";
import { isDenoConfig, nearestManifest, nearestPackage } from "./manifest.ts";

/**
 * A formatter found for the project: its `name` as users know it, the
 * `command` to run (absolute path of the project's binary, or `deno`), the
 * `args` that format stdin as the file at a path and print the result, and
 * the directory to run it in (`cwd`, where its config is looked up from).
 */
export interface Formatter {
  name: string;
  command: string;
  args: (path: string) => string[];
  cwd: string;
}

/** The formatters, in the order they are tried: config files, the npm package, the binary, the arguments for a path. */
const KNOWN = [
  {
    name: "Prettier",
    configs: [
      ".prettierrc",
      ".prettierrc.json",
      ".prettierrc.json5",
      ".prettierrc.yaml",
      ".prettierrc.yml",
      ".prettierrc.toml",
      ".prettierrc.js",
      ".prettierrc.cjs",
      ".prettierrc.mjs",
      ".prettierrc.ts",
      "prettier.config.js",
      "prettier.config.cjs",
      "prettier.config.mjs",
      "prettier.config.ts",
    ],
    packageName: "prettier",
    bin: "prettier",
    args: (path: string) => ["--stdin-filepath", path, "--log-level", "warn"],
  },
  {
    name: "Biome",
    configs: ["biome.json", "biome.jsonc"],
    packageName: "@biomejs/biome",
    bin: "biome",
    args: (path: string) => ["format", `--stdin-file-path=${path}`],
  },
  {
    name: "dprint",
    configs: ["dprint.json", ".dprint.json", "dprint.jsonc", ".dprint.jsonc"],
    packageName: "dprint",
    bin: "dprint",
    args: (path: string) => ["fmt", "--stdin", path],
  },
] as const;

/**
 * The formatter of the project at `dir`: the first whose config file is in
 * the directory of the nearest manifest (or whose package is one of its
 * dependencies), Prettier, Biome, dprint in that order; a project under a
 * Deno config without any of them gets `deno fmt`.
 *
 * @param dir absolute path of a directory of the project.
 * @throws {UsageError} when none is found, or when the one found is not
 *   installed (its binary is not in `node_modules/.bin`), saying what to do.
 */
export function findFormatter(dir: string): Formatter {
  const manifest = nearestManifest(dir);
  const root = manifest?.dir ?? dir;
  const dependencies = nearestPackage(dir)?.dependencies ?? new Set<string>();
  const known = KNOWN.find((each) => each.configs.some((name) => existsSync(join(root, name)))) ??
    KNOWN.find((each) => dependencies.has(each.packageName));
  if (known !== undefined) {
    const command = inNodeModules(root, join(".bin", known.bin));
    if (command === undefined) {
      throw new UsageError(
        `--format: the project uses ${known.name} but node_modules/.bin/${known.bin} is missing; install the project's dependencies first`,
      );
    }
    return { name: known.name, command, args: known.args, cwd: root };
  }
  if (isDenoConfig(manifest)) {
    return {
      name: "deno fmt",
      command: "deno",
      args: (path) => ["fmt", "--quiet", `--ext=${extname(path).slice(1) || "ts"}`, "-"],
      cwd: root,
    };
  }
  throw new UsageError(
    "--format: no formatter found for this project (a Prettier, Biome or dprint config file or dependency, or a deno.json); " +
      "nothing was written. Run fix without --format, or set one up",
  );
}

/**
 * The project's formatter as {@link findFormatter} finds it, or undefined
 * when it has none or has not installed it (for a check fix makes on its
 * own, which must not stop the run).
 *
 * @param dir absolute path of a directory of the project.
 */
export function projectFormatter(dir: string): Formatter | undefined {
  try {
    return findFormatter(dir);
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

/**
 * Formats `text` as the file at `path` with `formatter`, through stdin;
 * nothing is written.
 *
 * @param formatter from {@link findFormatter}.
 * @param path absolute path the text stands for (its config, ignore files
 *   and parser follow from it).
 * @param text the file's new text.
 * @returns the formatted text, or why the formatter failed (exit status and
 *   the first line of its error output, one line).
 */
export function formatText(formatter: Formatter, path: string, text: string): string | { failed: string } {
  const result = spawnSync(formatter.command, formatter.args(path), {
    cwd: formatter.cwd,
    input: text,
    encoding: "utf8",
    env: process.env,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error !== undefined) return { failed: `${formatter.name} could not be run: ${result.error.message}` };
  if (result.status === 0) return result.stdout;
  return { failed: childFailure(formatter.name, result) };
}
