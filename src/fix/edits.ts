/**
 * Applying text edits to a file's original text: sorted by position and
 * applied back to front, so every offset refers to the original text; and
 * combining the edits of several rewrites of one file, with the lines they
 * move one indent deeper, into one list in the order they must apply.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { IndentRegion, TextEdit } from "../rule.ts";

/**
 * Applies edits to `text`. Insertions at the same offset keep the order they
 * were given in; an insertion at the start or end of a replaced range goes
 * before or after it.
 *
 * @param text the original text.
 * @param edits edits with offsets into `text`.
 * @returns the edited text.
 * @throws {RangeError} when two edits replace overlapping ranges or an edit lies outside `text`.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = edits.map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.index - b.index)
    .map(({ edit }) => edit);
  for (const [index, edit] of ordered.entries()) {
    if (edit.start < 0 || edit.end > text.length || edit.start > edit.end) {
      throw new RangeError(`edit [${edit.start}, ${edit.end}) is outside the text (length ${text.length})`);
    }
    const previous = ordered[index - 1];
    if (previous !== undefined && previous.end > edit.start) {
      throw new RangeError(`edits [${previous.start}, ${previous.end}) and [${edit.start}, ${edit.end}) overlap`);
    }
  }
  let result = text;
  for (const edit of ordered.reverse()) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

/**
 * The edits without repeats: an edit equal to an earlier one (same range,
 * same text) is dropped, so a declaration several rewrites need is made once.
 *
 * @param edits edits with offsets into one text.
 */
export function distinctEdits(edits: readonly TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((edit) => {
    const key = JSON.stringify([edit.start, edit.end, edit.text]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One rewrite's edits and the lines it indents (the import edits are a group without regions). */
export interface EditGroup {
  edits: readonly TextEdit[];
  indents: readonly IndentRegion[];
}

/**
 * The edits of several rewrites of one file as one list, in the order
 * {@link applyEdits} must apply them:
 *
 * - each region's lines get its unit at their start (blank lines, and lines
 *   that start inside a template literal or a replaced range, do not);
 * - text another rewrite inserts inside a region (at its edges: a rewrite
 *   nested in the region's) gets the unit after each of its line breaks, so
 *   it is indented with the lines around it; a rewrite's own edits are
 *   written for their place already;
 * - at one offset, indentation first, then the inner rewrite's closing text
 *   before the outer's, the outer's opening text before the inner's (a
 *   rewrite's edits among themselves keep their order).
 *
 * @param text the original text.
 * @param groups the rewrites.
 * @param literals `[start, end)` ranges of template literal text, whose lines are never indented.
 * @returns the edits, ordered.
 */
export function combineEdits(
  text: string,
  groups: readonly EditGroup[],
  literals: readonly (readonly [number, number])[],
): TextEdit[] {
  const replaced = groups.flatMap((group) => group.edits.filter((edit) => edit.end > edit.start));
  const inside = (offset: number, ranges: readonly (readonly [number, number])[]): boolean =>
    ranges.some(([start, end]) => start < offset && offset < end);
  interface Placed {
    edit: TextEdit;
    group: number;
    index: number;
  }
  const placed: Placed[] = [];
  groups.forEach((group, at) => {
    for (const region of group.indents) {
      // `from` is a line break: `\r` of a `\r\n` or the `\n` itself.
      for (
        let lineBreak = text.indexOf("\n", region.from);
        lineBreak !== -1;
        lineBreak = text.indexOf("\n", lineBreak + 1)
      ) {
        const lineStart = lineBreak + 1;
        if (lineStart > region.to) break;
        const lineEnd = text.indexOf("\n", lineStart);
        if (/^[ \t]*\r?$/.test(text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd))) continue;
        if (inside(lineStart, literals) || inside(lineStart, replaced.map((edit) => [edit.start, edit.end]))) continue;
        placed.push({
          edit: { start: lineStart, end: lineStart, text: region.unit },
          group: -1 - at,
          index: placed.length,
        });
      }
    }
  });
  const spans = groups.map((group) => ({
    start: Math.min(...group.edits.map((edit) => edit.start)),
    end: Math.max(...group.edits.map((edit) => edit.end)),
  }));
  const contains = (outer: number, inner: number): boolean =>
    spans[outer]!.start <= spans[inner]!.start && spans[inner]!.end <= spans[outer]!.end;
  const strictlyInside = (inner: number, outer: number): boolean => contains(outer, inner) && !contains(inner, outer);
  groups.forEach((group, at) => {
    for (const edit of group.edits) {
      let adjusted = edit.text;
      groups.forEach((other, otherAt) => {
        if (otherAt === at) return;
        for (const region of other.indents) {
          // At a region's edges only a rewrite inside the other one is in its lines.
          const within = (region.from < edit.start && edit.start < region.to) ||
            ((edit.start === region.from || edit.start === region.to) && strictlyInside(at, otherAt));
          if (within) adjusted = adjusted.replace(/\n/g, `\n${region.unit}`);
        }
      });
      placed.push({ edit: { ...edit, text: adjusted }, group: at, index: placed.length });
    }
  });
  const closes = (item: Placed): boolean => item.edit.start === spans[item.group]!.end;
  placed.sort((a, b) => {
    if (a.edit.start !== b.edit.start || a.edit.end !== b.edit.end) {
      return a.edit.start - b.edit.start || a.edit.end - b.edit.end;
    }
    if (a.group === b.group || (a.group < 0 && b.group < 0)) return a.index - b.index;
    if (a.group < 0 || b.group < 0) return a.group < 0 ? -1 : 1;
    // Which goes first between two rewrites at one offset: the inner one's closing, the outer one's opening.
    if (contains(a.group, b.group) && !contains(b.group, a.group)) return closes(b) ? 1 : -1;
    if (contains(b.group, a.group) && !contains(a.group, b.group)) return closes(a) ? -1 : 1;
    return closes(a) === closes(b) ? a.index - b.index : closes(a) ? -1 : 1;
  });
  return placed.map((item) => item.edit);
}

/**
 * The `[start, end)` ranges of a file's template literal text (a literal
 * without substitutions, and the head, middle and tail parts of one with
 * them), whose line breaks belong to the string's value.
 *
 * @param sourceFile the parsed file.
 */
export function templateRanges(sourceFile: ts.SourceFile): [number, number][] {
  const ranges: [number, number][] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) || ts.isStringLiteral(node)
    ) {
      ranges.push([node.getStart(sourceFile), node.getEnd()]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return ranges;
}
