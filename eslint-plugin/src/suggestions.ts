/**
 * The edits the plugin offers for a finding, as ESLint suggestions (never
 * as an automatic `--fix`: each changes where a failure goes):
 *
 * - `supervise`: the edit `spawn-audit fix` writes for the site — the
 *   rule's rewrite (to the project's error channel, or the shim) and the
 *   imports it needs, through the rule's `fix` and the fix engine's
 *   context, import insertion and indentation;
 * - `catch`: for a promise statement, `.catch(...)` at the end of the
 *   promise, logging the rejection with `console.error`;
 * - `await`: for a promise statement in an async function, `await` it (a
 *   `void` becomes `await`).
 *
 * @module
 */
import { resolve } from "node:path";
import { ts } from "../../src/analysis/ts.ts";
import { enclosingFunction, isAsyncFunction, skipOuterExpressions } from "../../src/analysis/functions.ts";
import type { Config } from "../../src/config.ts";
import { importEdits, importStyle, shimImportSource, shimSpecifier } from "../../src/fix/imports.ts";
import type { TaskNamer } from "../../src/fix/name.ts";
import { assertionIn } from "../../src/fix/syntax.ts";
import { isVendored } from "../../src/files/vendored.ts";
import type { TextEdit } from "../../src/rule.ts";
import { fileLayout, fixContext } from "../../src/fix/context.ts";
import { combineEdits, templateRanges } from "../../src/fix/edits.ts";
import type { LocatedSite } from "../../src/scan.ts";
import type { Kind } from "../../src/site.ts";

/** The message ids of the suggestions (see the module comment). */
export type SuggestionId = "supervise" | "catch" | "await";

/** One suggestion: its message id and data, and its edits on the original text (never overlapping). */
export interface Suggestion {
  messageId: SuggestionId;
  data: Record<string, string>;
  edits: TextEdit[];
}

/** The kinds whose site is a promise-valued statement. */
const PROMISE_STATEMENT_KINDS: readonly Kind[] = [
  "floating-promise",
  "void-promise",
  "then-without-catch",
  "async-iife",
];

/** The handler the `catch` suggestion adds: valid TypeScript and JavaScript alike (the parameter is contextually typed). */
const CATCH_HANDLER = ".catch((error) => console.error(error))";

/**
 * What to offer for one unsupervised site.
 *
 * @param located the site and the nodes it was found at.
 * @param file the file's checker and parsed text, the configuration and the
 *   project root (which a relative `shimImport` is relative to).
 * @param namer the file's task namer (one per file and lint, so names stay unique).
 * @returns the suggestions that apply, the codemod's first.
 */
export function suggestionsFor(
  located: LocatedSite,
  file: { checker: ts.TypeChecker; sourceFile: ts.SourceFile; config: Config; root: string },
  namer: TaskNamer,
): Suggestion[] {
  const suggestions: Suggestion[] = [];
  const supervised = codemodEdit(located, file, namer);
  if (supervised !== undefined) suggestions.push(supervised);
  if (PROMISE_STATEMENT_KINDS.includes(located.site.kind)) {
    suggestions.push(...promiseEdits(located.node, file.sourceFile));
  }
  return suggestions;
}

/**
 * The codemod's edit for the site, or undefined where `fix` would not
 * rewrite it: a test site, a rule without a fix, a callback that asserts,
 * the vendored shim, or a rewrite the rule skips.
 */
function codemodEdit(
  { site, node, work, rule }: LocatedSite,
  { checker, sourceFile, config, root }: {
    checker: ts.TypeChecker;
    sourceFile: ts.SourceFile;
    config: Config;
    root: string;
  },
  namer: TaskNamer,
): Suggestion | undefined {
  if (site.group === "test" || rule.fix === undefined || isVendored(sourceFile.text)) return undefined;
  if (work !== undefined && assertionIn(work) !== undefined) return undefined;
  const setting = config.errorChannel;
  const configured = typeof setting === "object"
    ? {
      name: setting.name,
      specifier: shimSpecifier(resolve(sourceFile.fileName), shimImportSource(setting.import, root)),
    }
    : undefined;
  const layout = fileLayout(sourceFile);
  const outcome = rule.fix(
    fixContext({ site, node, work, rule }, checker, layout, namer, {
      setting: setting === "shim" ? "shim" : "auto",
      configured,
    }),
  );
  if ("skip" in outcome) return undefined;
  const uses = [...new Set(outcome.uses)];
  const source = config.shimImport === null ? { kind: "package" as const } : shimImportSource(config.shimImport, root);
  const specifier = shimSpecifier(resolve(sourceFile.fileName), source);
  const imports: TextEdit[] = [];
  const wanted = new Map<string, string[]>([[specifier, uses]]);
  for (const { name, specifier: from } of outcome.imports ?? []) wanted.set(from, [...(wanted.get(from) ?? []), name]);
  for (const [from, names] of wanted) {
    if (names.length === 0) continue;
    const edits = importEdits(sourceFile, names, from, importStyle(sourceFile), layout.newline);
    if ("skip" in edits) return undefined;
    imports.push(...edits);
  }
  const edits = combineEdits(
    sourceFile.text,
    [
      { edits: imports, indents: [] },
      { edits: outcome.declarations ?? [], indents: [] },
      { edits: outcome.edits, indents: outcome.indents ?? [] },
    ],
    templateRanges(sourceFile),
  );
  return {
    messageId: "supervise",
    data: {
      supervisor: outcome.restarts !== undefined
        ? "restarted under spawnSupervised"
        : outcome.channel === undefined
        ? `under ${uses.join(", ")}`
        : `failures to ${outcome.channel}`,
    },
    edits,
  };
}

/** `.catch(...)` at the end of the promise, and `await` where the statement is in an async function. */
function promiseEdits(node: ts.Node, sourceFile: ts.SourceFile): Suggestion[] {
  const inner = skipOuterExpressions(node);
  const voided = ts.isVoidExpression(inner) ? inner : undefined;
  const promise = voided === undefined ? node : voided.expression;
  const start = promise.getStart(sourceFile);
  const end = promise.getEnd();
  // `.catch` and `await` bind tighter than a conditional, binary or `as` expression: those are parenthesised.
  const tight = ts.isCallExpression(promise) || ts.isNewExpression(promise) || ts.isIdentifier(promise) ||
    ts.isPropertyAccessExpression(promise) || ts.isElementAccessExpression(promise) ||
    ts.isParenthesizedExpression(promise) || ts.isNonNullExpression(promise);
  const open: TextEdit[] = tight ? [] : [{ start, end: start, text: "(" }];
  const close = tight ? "" : ")";
  const suggestions: Suggestion[] = [{
    messageId: "catch",
    data: {},
    edits: [...open, { start: end, end, text: `${close}${CATCH_HANDLER}` }],
  }];
  const fn = enclosingFunction(node);
  if (fn !== undefined && isAsyncFunction(fn)) {
    // A `void` operator is replaced by the `await`.
    const from = voided === undefined ? start : voided.getStart(sourceFile);
    const edits: TextEdit[] = [{ start: from, end: start, text: tight ? "await " : "await (" }];
    if (!tight) edits.push({ start: end, end, text: ")" });
    suggestions.push({ messageId: "await", data: {}, edits });
  }
  return suggestions;
}
