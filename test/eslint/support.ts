/**
 * A typed-linting setup for the plugin's tests: a temporary project whose
 * tsconfig sees only the ES and DOM libraries (so programs build fast), and
 * the language options that point typescript-eslint's project service at it.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Linter } from "eslint";
import tseslint from "typescript-eslint";

/** A temporary directory with a tsconfig.json (strict, ES2022 and DOM, no `@types`), and how to remove it. */
export function typedProject(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-eslint-"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "es2022", module: "esnext", lib: ["es2022", "dom"], types: [], strict: true },
      include: ["**/*.ts"],
    }),
  );
  // A config with no input is an error: one empty module keeps it valid for the files linted from memory.
  writeFileSync(join(dir, "index.ts"), "export {};\n");
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Language options for typed linting of files in `dir`, on disk or not
 * (a file the tsconfig does not list is linted in the default project,
 * which uses the same tsconfig).
 *
 * @param dir a directory from {@link typedProject}.
 */
export function typedLanguageOptions(dir: string): Linter.LanguageOptions {
  return {
    parser: tseslint.parser,
    parserOptions: {
      projectService: { allowDefaultProject: ["*.ts"], defaultProject: "tsconfig.json" },
      tsconfigRootDir: dir,
    },
  };
}
