/**
 * Observing a promise where it is made: `expression.catch((error) =>
 * <handler>)` appended to the expression as it is written, so it is still
 * evaluated at once and a synchronous throw still reaches the caller; only
 * a rejection, which nobody observed before, goes to the handler.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { FailureHandler, TextEdit } from "../rule.ts";

/** What {@link catchCall} needs of the file: the file, and the caught value's name. */
export interface CatchLayout {
  sourceFile: ts.SourceFile;
  errorName: string;
}

/**
 * Edits that append `.catch((<error>) => <statements>)` to `expression`:
 * in parentheses when it is not a left-hand-side expression (`a || b()`,
 * `await x`, `new X` without arguments), through `Promise.resolve(…)` when
 * it is not certainly a promise at run time (`Promise.resolve` returns a
 * native promise itself, and takes any other value without throwing). The handler's expression is the arrow's
 * body; without one, its statements become a block on one line.
 *
 * @param expression the promise expression, as written.
 * @param promise whether the value is certainly a native promise when it runs.
 * @param handler the failure's handler (see `FailureHandler` in src/rule.ts).
 * @param layout the file and the caught value's name.
 */
export function catchCall(
  expression: ts.Node,
  promise: boolean,
  handler: Pick<FailureHandler, "statements" | "expression">,
  layout: CatchLayout,
): TextEdit[] {
  const bare = ts.isLeftHandSideExpression(expression) &&
    !(ts.isNewExpression(expression) && expression.arguments === undefined);
  const [open, close] = !promise ? ["Promise.resolve(", ")"] : bare ? ["", ""] : ["(", ")"];
  const body = handler.expression(layout.errorName) ?? `{ ${handler.statements(layout.errorName).join(" ")} }`;
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
