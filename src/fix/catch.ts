/**
 * Observing a promise where it is made: `expression.catch((error) =>
 * <handler>)` appended to the expression as it is written, so it is still
 * evaluated at once and a synchronous throw still reaches the caller; only
 * a rejection, which nobody observed before, goes to the handler.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { TextEdit } from "../rule.ts";

/** What {@link catchCall} needs of the file: the file, and whether its statements end with `;`. */
export interface CatchLayout {
  sourceFile: ts.SourceFile;
  semicolons: boolean;
  errorName: string;
}

/**
 * Edits that append `.catch((<error>) => <statements>)` to `expression`:
 * in parentheses when it is not a left-hand-side expression (`a || b()`,
 * `await x`, `new X` without arguments), through `Promise.resolve(…)` when
 * its type has no `catch` method. One statement is the arrow's body, more
 * become a block on one line.
 *
 * @param expression the promise expression, as written.
 * @param catchable whether its type has a `catch` method.
 * @param statements the handler's statements, without semicolons.
 * @param layout the file, its semicolon style and the caught value's name.
 */
export function catchCall(
  expression: ts.Node,
  catchable: boolean,
  statements: readonly string[],
  layout: CatchLayout,
): TextEdit[] {
  const bare = ts.isLeftHandSideExpression(expression) &&
    !(ts.isNewExpression(expression) && expression.arguments === undefined);
  const [open, close] = !catchable ? ["Promise.resolve(", ")"] : bare ? ["", ""] : ["(", ")"];
  const body = statements.length === 1 ? statements[0]! : `{ ${statements.join("; ")}${layout.semicolons ? ";" : ""} }`;
  const start = expression.getStart(layout.sourceFile);
  const edits: TextEdit[] = [];
  if (open !== "") edits.push({ start, end: start, text: open });
  edits.push({
    start: expression.getEnd(),
    end: expression.getEnd(),
    text: `${close}.catch((${layout.errorName}) => ${body})`,
  });
  return edits;
}
