/**
 * The async-listener rule's rewrite: the listener stays the same function —
 * its parameters, `this`, `async` — and its whole body goes inside `try { …
 * } catch (error) { <handler> }`, so a failure is reported to the site's
 * handler (the project's channel, or the shim's logger) instead of being an
 * unhandled rejection.
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { FixContext, FixOutcome } from "../../src/rule.ts";
import { isFunctionNode, skipOuterExpressions } from "../../src/analysis/functions.ts";
import { catchInBody } from "../../src/fix/block.ts";

/**
 * Rewrites one async-listener site. A listener passed by name is skipped:
 * wrapping it there would register a different function than the one a
 * later `off`/`removeEventListener` names.
 *
 * @param context the site (the listener argument) and its file.
 */
export function fixAsyncListener(context: FixContext): FixOutcome {
  const listener = skipOuterExpressions(context.node);
  if (ts.isMethodDeclaration(listener)) {
    return {
      skip:
        "an async method its interface declares void: catch inside it, or make the interface return a promise its callers handle",
    };
  }
  if (!isFunctionNode(listener)) {
    return {
      skip:
        "the listener is passed by name; a wrapper would break off()/removeEventListener with it. Catch inside it instead",
    };
  }
  const handler = context.handler(eventOf(context.node));
  const body = catchInBody(listener, handler.statements, context.errorName, true, context.sourceFile, {
    newline: context.newline,
    semicolons: context.semicolons,
    unit: context.indent,
  });
  if ("skip" in body) return body;
  return {
    transform: "caught-callback",
    ...body,
    uses: handler.uses,
    imports: handler.imports,
    channel: handler.label,
    declarations: handler.declarations,
  };
}

/** The event a listener is for (`message` in `.on("message", …)`, the property `onMessage` in `{ onMessage: async … }`), else the listening method or `listener`. */
function eventOf(argument: ts.Node): string {
  if (ts.isPropertyAssignment(argument.parent) && ts.isIdentifier(argument.parent.name)) {
    return argument.parent.name.text;
  }
  const call = argument.parent;
  if (call === undefined || !ts.isCallExpression(call)) return "listener";
  const first = call.arguments[0];
  if (first !== undefined && first !== argument && ts.isStringLiteralLike(first)) return first.text;
  const callee = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : "listener";
}
