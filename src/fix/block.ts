/**
 * Rewrites that put statements inside a `try`, written as a person would:
 * the statements one indent deeper (the file's own unit), `try {` and the
 * clause that closes it on lines of their own. The edits only insert text
 * at line ends; the deeper indentation is an {@link IndentRegion} the
 * engine turns into insertions at line starts (outside template literals),
 * so a rewrite inside another one is indented by both.
 *
 * - {@link catchInBody}: a callback's whole body in `try { … } catch (error)
 *   { <handler> }`, so a failing run is reported where it happened.
 * - {@link keepRescheduling}: in a function that reschedules itself
 *   (`tick() { work(); setTimeout(() => this.tick(), 1000); }`), the
 *   statements before the rescheduling in `try { … } finally { … }`, so a
 *   failing tick still schedules the next one and its failure still
 *   propagates as before.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { FixSkip, IndentRegion, TextEdit } from "../rule.ts";
import { type FunctionNode, isAsyncFunction, isFunctionNode } from "../analysis/functions.ts";

/** What a `try` rewrite inserts: text edits and the regions they indent. */
export interface BlockEdits {
  edits: TextEdit[];
  indents: IndentRegion[];
}

/** How a rewrite writes code into this file: its line ending, whether statements end with `;`, and its indent unit. */
export interface Layout {
  newline: string;
  semicolons: boolean;
  unit: string;
}

/**
 * The file's indent unit: a tab when its first indented line starts with
 * one, else the smallest indentation of any line (two spaces when none).
 * Lines that continue a block comment (` * text` of a JSDoc comment, one
 * space in) are not indentation.
 *
 * @param text the file's text.
 */
export function indentUnit(text: string): string {
  let smallest: number | undefined;
  for (const match of text.matchAll(/^([ \t]+)[^\s*]/gm)) {
    if (match[1]!.startsWith("\t")) return smallest === undefined ? "\t" : " ".repeat(smallest);
    if (smallest === undefined || match[1]!.length < smallest) smallest = match[1]!.length;
  }
  return " ".repeat(smallest ?? 2);
}

/**
 * Edits that run a callback's whole body inside `try { … } catch (<error>)
 * { <handler> }`. An async callback stays async (its promise now never
 * rejects); an expression body becomes a block (`() => tick()` → `() => {
 * try { tick(); } catch … }`), awaited when its value is a promise (the
 * callback becomes async: its value was not used, or it would not be a
 * site). A block body that returns a promise from a function that is not
 * async is refused: its rejection would pass the `catch`.
 *
 * @param fn the callback.
 * @param handler the statements that report the failure, each ending as the file's statements do, given the catch variable's name.
 * @param error the catch variable's name.
 * @param returnsPromise whether the body's value (or returned values) is a promise.
 * @param sourceFile the file.
 * @param layout the file's line ending, semicolons and indent unit.
 */
export function catchInBody(
  fn: FunctionNode,
  handler: (error: string) => string[],
  error: string,
  returnsPromise: boolean,
  sourceFile: ts.SourceFile,
  layout: Layout,
): BlockEdits | FixSkip {
  const body = fn.body;
  if (body === undefined) return { skip: "the function has no body" };
  if ((ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn)) && fn.asteriskToken !== undefined) {
    return { skip: "generator functions are not rewritten; catch inside the generator instead" };
  }
  const end = layout.semicolons ? ";" : "";
  const statements = handler(error);
  if (!ts.isBlock(body)) {
    const awaitIt = returnsPromise || isAsyncFunction(fn);
    const edits: TextEdit[] = [];
    if (awaitIt && !isAsyncFunction(fn)) {
      const at = fn.getStart(sourceFile);
      edits.push({ start: at, end: at, text: "async " });
    }
    // `() => ({ … })`: the parentheses go with the value.
    edits.push(
      { start: body.getStart(sourceFile), end: body.getStart(sourceFile), text: `{ try { ${awaitIt ? "await " : ""}` },
      {
        start: body.getEnd(),
        end: body.getEnd(),
        text: `${end} } catch (${error}) { ${statements.join(" ")} } }`,
      },
    );
    return { edits, indents: [] };
  }
  if (returnsPromise && !isAsyncFunction(fn)) {
    return { skip: "the callback returns a promise from a block body; add a .catch to the promise it returns" };
  }
  const open = body.getStart(sourceFile) + 1;
  const close = body.getEnd() - 1;
  const text = sourceFile.text;
  const first = body.statements[0];
  if (first === undefined) return { skip: "the callback's body is empty" };
  if (!startsLine(text, first.getStart(sourceFile)) || !startsLine(text, close)) {
    return {
      edits: [
        { start: open, end: open, text: " try {" },
        {
          start: close,
          end: close,
          text: `${/\s$/.test(text.slice(0, close)) ? "" : " "}} catch (${error}) { ${statements.join(" ")} } `,
        },
      ],
      indents: [],
    };
  }
  const indent = lineIndent(text, first.getStart(sourceFile));
  const lastLineEnd = lineEndBefore(text, close);
  const { newline, unit } = layout;
  return {
    edits: [
      { start: lineEndAfter(text, open), end: lineEndAfter(text, open), text: `${newline}${indent}try {` },
      {
        start: lastLineEnd,
        end: lastLineEnd,
        text: `${newline}${indent}} catch (${error}) {${
          statements.map((statement) => `${newline}${indent}${unit}${statement}`).join("")
        }${newline}${indent}}`,
      },
    ],
    indents: [{ from: lineEndAfter(text, open), to: lastLineEnd, unit }],
  };
}

/**
 * Edits that keep a self-rescheduling function rescheduling when a tick
 * fails: in the block holding `reschedule` (the statement that starts the
 * next tick), the statements before it — from the first one after any
 * statement that can return, so a tick that stops on purpose still stops —
 * go inside `try { … } finally { <reschedule> }`. A failure still
 * propagates (after the next tick is scheduled) to whoever called the tick.
 *
 * @param reschedule the statement that schedules the next tick, directly in a block.
 * @param sourceFile the file.
 * @param layout the file's line ending and indent unit.
 * @returns the edits; `undefined` when nothing before it can fail the tick
 *   (it is the first statement after the early returns); a skip when the
 *   statements cannot be moved (a declaration used after them, code
 *   sharing their lines).
 */
export function keepRescheduling(
  reschedule: ts.Statement,
  sourceFile: ts.SourceFile,
  layout: Layout,
): BlockEdits | FixSkip | undefined {
  const block = reschedule.parent;
  if (!ts.isBlock(block)) return { skip: "the rescheduling is not a statement of a block" };
  const index = block.statements.indexOf(reschedule);
  let from = 0;
  for (let at = 0; at < index; at++) {
    if (returnsEarly(block.statements[at]!)) from = at + 1;
  }
  const moved = block.statements.slice(from, index);
  if (moved.length === 0) return undefined;
  const text = sourceFile.text;
  const start = moved[0]!.getStart(sourceFile);
  if (
    !startsLine(text, start) || !startsLine(text, reschedule.getStart(sourceFile)) ||
    !endsLine(text, reschedule.getEnd())
  ) {
    return { skip: "the rescheduling shares a line with other code; move it into a finally by hand" };
  }
  const used = declaredAndUsedAfter(moved, block.statements.slice(index));
  if (used !== undefined) {
    return {
      skip: `\`${used}\` is declared before the rescheduling and used after it; move it into a finally by hand`,
    };
  }
  const indent = lineIndent(text, start);
  const { newline, unit } = layout;
  const movedEnd = lineEndBefore(text, reschedule.getStart(sourceFile));
  const rescheduleEnd = lineEndAfter(text, reschedule.getEnd());
  const before = lineEndBefore(text, start);
  return {
    edits: [
      { start: before, end: before, text: `${newline}${indent}try {` },
      { start: movedEnd, end: movedEnd, text: `${newline}${indent}} finally {` },
      { start: rescheduleEnd, end: rescheduleEnd, text: `${newline}${indent}}` },
    ],
    indents: [{ from: before, to: rescheduleEnd, unit }],
  };
}

/**
 * Whether a statement can end the tick on purpose: it contains a `return`
 * of its function (`if (this.stopped) return;`), nested functions aside. A
 * `throw` is a failure, which must not end the schedule.
 */
function returnsEarly(statement: ts.Statement): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionNode(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(statement);
  return found;
}

/** A block-scoped name declared by `moved` (`let`, `const`, `class`, `function`) that `rest` refers to. */
function declaredAndUsedAfter(moved: readonly ts.Statement[], rest: readonly ts.Statement[]): string | undefined {
  const names = new Set<string>();
  for (const statement of moved) {
    if (ts.isVariableStatement(statement)) {
      if ((statement.declarationList.flags & ts.NodeFlags.BlockScoped) === 0) continue;
      for (const declaration of statement.declarationList.declarations) collectNames(declaration.name, names);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      names.add(statement.name.text);
    }
  }
  if (names.size === 0) return undefined;
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined) return;
    if (ts.isIdentifier(node) && names.has(node.text)) found = node.text;
    else ts.forEachChild(node, visit);
  };
  for (const statement of rest) visit(statement);
  return found;
}

function collectNames(name: ts.BindingName, into: Set<string>): void {
  if (ts.isIdentifier(name)) into.add(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collectNames(element.name, into);
}

/** Whether only spaces and tabs precede `offset` on its line. */
function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

/** Whether only spaces, tabs and a comment follow `offset` on its line. */
function endsLine(text: string, offset: number): boolean {
  return /^[ \t]*(\/\/.*|\/\*.*\*\/[ \t]*)?$/.test(text.slice(offset, lineEndAfter(text, offset)));
}

/** The offset of the start of the line holding `offset`. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The offset of the line break (`\r\n` or `\n`) ending the line holding `offset` (the text's length on the last line). */
function lineEndAfter(text: string, offset: number): number {
  const at = text.indexOf("\n", offset);
  if (at === -1) return text.length;
  return text[at - 1] === "\r" ? at - 1 : at;
}

/** The end of the last line before the line holding `offset` that has code (its line break's offset). */
function lineEndBefore(text: string, offset: number): number {
  let end = lineStart(text, offset) - 1;
  if (text[end - 1] === "\r") end--;
  while (end > 0 && /^[ \t]*$/.test(text.slice(lineStart(text, end), end))) {
    end = lineStart(text, end) - 1;
    if (text[end - 1] === "\r") end--;
  }
  return end;
}

/** The whitespace that starts the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}
