/**
 * One ESLint measurement in a fresh process, printed as JSON. The rules are
 * typescript-eslint's `no-floating-promises` alone (`nfp`) or with the four
 * plugin rules reporting every group but tests (`plugin`).
 *
 * - `run <tsconfig> <nfp|plugin> <glob>...`: one `lintFiles` over the globs
 *   (relative to the working directory), typed by the tsconfig: `{ ms, messages, files }`.
 * - `editor <app> <nfp|plugin> <edits>`: what an editor does with one
 *   long-lived ESLint on the generated app (`app/src/area<i % 50>/module<i>.ts`,
 *   typed by the project service): the first lint of module 1200 (the
 *   program is built), the first lint of module 1300 (the program is warm),
 *   then `edits` lints of module 1300, each with one more line than the one
 *   before (each edit gives a new program): `{ coldMs, firstMs, relintMs[],
 *   relintCpuMs[] }`, wall and process CPU time of each re-lint.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";
import plugin from "../eslint-plugin/src/plugin.ts";

const [mode, target, rules, ...rest] = process.argv.slice(2);

/** The rules of one side. */
function rulesOf(side: string): Linter.RulesRecord {
  const chosen: Linter.RulesRecord = { "@typescript-eslint/no-floating-promises": "error" };
  if (side === "plugin") {
    for (const id of Object.keys(plugin.rules)) {
      chosen[`spawn-audit/${id}`] = ["error", { groups: ["durable", "per-request"] }];
    }
  }
  return chosen;
}

/** A typed ESLint with one side's rules, not reading any config file. */
function eslintFor(side: string, cwd: string, parserOptions: Linter.ParserOptions): ESLint {
  return new ESLint({
    cwd,
    overrideConfigFile: true,
    errorOnUnmatchedPattern: false,
    overrideConfig: [
      { ignores: ["!**/node_modules/"] },
      {
        files: ["**/*.{ts,js,mjs,cjs}"],
        languageOptions: { parser: tseslint.parser, parserOptions },
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: "off" },
        plugins: { "@typescript-eslint": tseslint.plugin as never, "spawn-audit": plugin },
        rules: rulesOf(side),
      },
    ],
  });
}

/** Process CPU time so far, in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

if (mode === "run" && target !== undefined && rules !== undefined) {
  const cwd = process.cwd();
  const eslint = eslintFor(rules, cwd, { project: [resolve(target)], tsconfigRootDir: cwd });
  const started = performance.now();
  const results = await eslint.lintFiles(rest);
  const ms = performance.now() - started;
  const messages = results.reduce((sum, result) => sum + result.messages.length, 0);
  process.stdout.write(JSON.stringify({ ms, messages, files: results.length }) + "\n");
} else if (mode === "editor" && target !== undefined && rules !== undefined) {
  const app = resolve(target);
  const eslint = eslintFor(rules, app, { projectService: true, tsconfigRootDir: app });
  const path = (index: number): string => join(app, "src", `area${index % 50}`, `module${index}.ts`);
  const lint = async (index: number, text: string): Promise<{ ms: number; cpu: number }> => {
    const [wall, cpu] = [performance.now(), cpuMs()];
    await eslint.lintText(text, { filePath: path(index) });
    return { ms: performance.now() - wall, cpu: cpuMs() - cpu };
  };
  const coldMs = (await lint(1200, readFileSync(path(1200), "utf8"))).ms;
  const source = readFileSync(path(1300), "utf8");
  const firstMs = (await lint(1300, source)).ms;
  const relints: { ms: number; cpu: number }[] = [];
  let edited = source;
  for (let edit = 0; edit < Number(rest[0] ?? 9); edit++) {
    edited += `export const edit${edit} = ${edit};\n`;
    relints.push(await lint(1300, edited));
  }
  process.stdout.write(
    JSON.stringify({
      coldMs,
      firstMs,
      relintMs: relints.map((relint) => relint.ms),
      relintCpuMs: relints.map((relint) => relint.cpu),
    }) + "\n",
  );
} else {
  process.stderr.write(
    "usage: eslint-child.js run <tsconfig> <nfp|plugin> <glob>... | editor <app> <nfp|plugin> <edits>\n",
  );
  process.exit(2);
}
