/**
 * Applying text edits to a file's original text: sorted by position and
 * applied back to front, so every offset refers to the original text.
 *
 * @module
 */
import type { TextEdit } from "../rule.ts";

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
