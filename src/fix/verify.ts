/**
 * The codemod's safety check: every edited file must still parse and must
 * not gain TypeScript errors it did not have. One program is built with the
 * scan's compiler options over the scanned files; each edited file's errors
 * are read, the edited texts (and any vendored shim declarations) are put in
 * their place in memory, and the errors are read again. Errors are compared
 * by code and message, not position, since edits move text.
 *
 * The scan's programs skip library checks; a project whose own tsconfig
 * does not (`checksDeclarations`) also has the declaration files the edit
 * newly brings into the program (the shim's, the vendored shim's) checked
 * under its options with `skipLibCheck` off: an error there refuses each
 * checked file that imports one of them. generic-pool 3.9.0 (target es5)
 * got 10 such errors from the shim's declarations while this check passed.
 *
 * Both programs have the project's own root names (see `programWithTexts`).
 * Files a program merely reached must not become roots of the next one, as
 * they did when a ts-morph project was edited in place: TypeScript 6 puts a
 * lib file that is a root name after the project's files (seen with
 * lib.dom.d.ts), which reverses the overload order of a global it and a
 * types package both declare. Under `lib: ["es6", "dom"]`, `checkJs` and
 * `@types/node` 8, `setTimeout(…).unref()` then failed in the edited
 * program only, whatever the edit, and generic-pool 3.9.0's lib/Pool.js was
 * refused (test/fix/engine.test.ts).
 *
 * @module
 */
import { ts } from "ts-morph";
import { type ProgramPlan, programWithTexts } from "../project.ts";
import { isModuleSpecifier } from "./style.ts";

/** The texts to check: `edited` maps an existing file's absolute path to its new text; `added` adds files that do not exist yet. */
export interface Overlay {
  edited: ReadonlyMap<string, string>;
  added: ReadonlyMap<string, string>;
}

/**
 * Why an edited file fails the check: a one-line `reason` (`no longer
 * parses: …` or `new TypeScript error TS2345: … (line 4)`) and the offset
 * in the new text the error starts at, when it has one.
 */
export interface Refusal {
  reason: string;
  start: number | undefined;
}

/**
 * Checks edited files.
 *
 * @param program the scan's program: its compiler options, its root files
 *   (absolute paths: the scanned files and the config's declarations) and
 *   the root files that are not on disk, with their texts (Deno's global types).
 * @param overlay new texts by path.
 * @param checked the edited files to check (absolute paths; default: all of
 *   `overlay.edited`); the others only take their new text in the program.
 * @returns a refusal for each checked file that fails the check.
 */
export function verifyEdits(
  program: Pick<ProgramPlan, "compilerOptions" | "rootNames" | "inMemory" | "checksDeclarations">,
  overlay: Overlay,
  checked: readonly string[] = [...overlay.edited.keys()],
): Map<string, Refusal> {
  const before = programWithTexts(program, new Map());
  const baseline = new Map(checked.map((file) => [file, errorsOf(before, file)]));
  const texts = new Map([...overlay.edited, ...overlay.added]);
  const after = programWithTexts(program, texts, before);

  const refusals = new Map<string, Refusal>();
  for (const file of checked) {
    const sourceFile = after.getSourceFile(file)!;
    const syntax = after.getSyntacticDiagnostics(sourceFile)[0];
    if (syntax !== undefined) {
      refusals.set(file, { reason: `no longer parses: ${describe(syntax)}`, start: syntax.start });
      continue;
    }
    const added = addedError(baseline.get(file)!, errorsOf(after, file));
    if (added !== undefined) {
      refusals.set(file, { reason: `new TypeScript error ${describe(added)}`, start: added.start });
    }
  }
  if (!program.checksDeclarations) return refusals;
  const brought = new Set(
    after.getSourceFiles().filter((sourceFile) =>
      sourceFile.isDeclarationFile && !after.isSourceFileDefaultLibrary(sourceFile) &&
      before.getSourceFile(sourceFile.fileName) === undefined
    ).map((sourceFile) => sourceFile.fileName),
  );
  if (brought.size === 0) return refusals;
  const libChecked = programWithTexts(
    { ...program, compilerOptions: { ...program.compilerOptions, skipLibCheck: false } },
    texts,
    after,
  );
  const error = [...brought].flatMap((file) => errorsOf(libChecked, file))[0];
  if (error === undefined) return refusals;
  const reason = `the declarations it now imports do not type-check under the project's settings (its tsconfig ` +
    `does not skip library checks): ${describe(error, true)}`;
  for (const file of checked) {
    if (!refusals.has(file) && importsAny(after, file, brought)) refusals.set(file, { reason, start: undefined });
  }
  return refusals;
}

/** Whether a module specifier of `file` (an import, re-export or `require`) resolves to one of `targets`. */
function importsAny(program: ts.Program, file: string, targets: ReadonlySet<string>): boolean {
  const checker = program.getTypeChecker();
  const visit = (node: ts.Node): boolean => {
    if (ts.isStringLiteralLike(node) && isModuleSpecifier(node)) {
      const declaration = checker.getSymbolAtLocation(node)?.declarations?.[0];
      if (declaration !== undefined && targets.has(declaration.getSourceFile().fileName)) return true;
    }
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(program.getSourceFile(file)!);
}

function errorsOf(program: ts.Program, file: string): readonly ts.Diagnostic[] {
  const sourceFile = program.getSourceFile(file);
  if (sourceFile === undefined) return [];
  return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]
    .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
}

/**
 * An error of `after` that `before` does not have, or undefined. Errors are
 * told apart by code and message (see the module comment): one is new when
 * `after` has more of them than `before`. Which of those identical errors is
 * the new one matters, since its position blames a rewrite: it is the first
 * whose line (its text, trimmed) has no such error before — an error on an
 * untouched line keeps its line's text, one a rewrite brought is on a line
 * the rewrite wrote — else the first of them.
 */
function addedError(before: readonly ts.Diagnostic[], after: readonly ts.Diagnostic[]): ts.Diagnostic | undefined {
  const surplus = countsOf(after, keyOf);
  for (const [key, count] of countsOf(before, keyOf)) surplus.set(key, (surplus.get(key) ?? 0) - count);
  const candidates = after.filter((diagnostic) => (surplus.get(keyOf(diagnostic)) ?? 0) > 0);
  const unmatched = countsOf(before, placedKeyOf);
  return candidates.find((diagnostic) => {
    const count = unmatched.get(placedKeyOf(diagnostic)) ?? 0;
    unmatched.set(placedKeyOf(diagnostic), count - 1);
    return count <= 0;
  }) ?? candidates[0];
}

/** How many of `diagnostics` have each key. */
function countsOf(
  diagnostics: readonly ts.Diagnostic[],
  key: (diagnostic: ts.Diagnostic) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const diagnostic of diagnostics) counts.set(key(diagnostic), (counts.get(key(diagnostic)) ?? 0) + 1);
  return counts;
}

/** {@link keyOf} and the trimmed text of the line the error starts on. */
function placedKeyOf(diagnostic: ts.Diagnostic): string {
  const { file, start } = diagnostic;
  if (file === undefined || start === undefined) return keyOf(diagnostic);
  const line = file.getLineAndCharacterOfPosition(start).line;
  const starts = file.getLineStarts();
  return `${keyOf(diagnostic)}\n${file.text.slice(starts[line], starts[line + 1] ?? file.text.length).trim()}`;
}

function keyOf(diagnostic: ts.Diagnostic): string {
  return `${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`;
}

/** `TS<code>: <message> (line N)`, or `(<file> line N)` when `withFile` (absolute path, as the program names it). */
function describe(diagnostic: ts.Diagnostic, withFile = false): string {
  const text = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`;
  if (diagnostic.file === undefined || diagnostic.start === undefined) return text;
  const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
  return `${text} (${withFile ? `${diagnostic.file.fileName} ` : ""}line ${line})`;
}
