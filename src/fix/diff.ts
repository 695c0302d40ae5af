/**
 * Rendering a file's change as a unified diff (`--- a/file`, `+++ b/file`,
 * hunks with 3 lines of context), coloured when the chalk instance has
 * colour: removed lines red, added lines green, hunk headers cyan.
 *
 * @module
 */
import type { ChalkInstance } from "chalk";
import { structuredPatch } from "diff";

/**
 * The unified diff from `before` to `after`.
 *
 * @param file the path shown in the headers (relative, `/` separators).
 * @param before the original text.
 * @param after the new text.
 * @param color a chalk instance (level 0 for plain text).
 * @returns the diff, ending with a newline; empty when the texts are equal.
 */
export function unifiedDiff(file: string, before: string, after: string, color: ChalkInstance): string {
  if (before === after) return "";
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
  const lines = [color.bold(`--- a/${file}`), color.bold(`+++ b/${file}`)];
  for (const hunk of patch.hunks) {
    lines.push(color.cyan(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`));
    for (const line of hunk.lines) {
      lines.push(line.startsWith("+") ? color.green(line) : line.startsWith("-") ? color.red(line) : line);
    }
  }
  return `${lines.join("\n")}\n`;
}
