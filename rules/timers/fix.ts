/**
 * The timers rule's rewrite: each run of the callback goes through
 * `spawnLogged`, so a failing tick is logged and the timer keeps its own
 * schedule. The timer call itself is not touched: its arguments, delay and
 * return value (the timer id for `clearTimeout`/`clearInterval`) stay as
 * they were.
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { FixContext, FixOutcome } from "../../src/rule.ts";
import { isFunctionNode, skipOuterExpressions } from "../../src/analysis/functions.ts";
import { workName } from "../../src/fix/name.ts";
import { quoteCode, runBodyUnderLogged, unrepeatablePart } from "../../src/fix/syntax.ts";

/**
 * Rewrites one timeout, interval, immediate or microtask site: an inline
 * callback's body runs under `spawnLogged`; a named callback becomes
 * `() => spawnLogged(name, tick)` (or `() => tick()` inside when `tick`
 * takes parameters, so it is not handed the task's AbortSignal).
 *
 * @param context the site (a timer call) and its file.
 */
export function fixTimer(context: FixContext): FixOutcome {
  const call = context.node as ts.CallExpression;
  const callee = skipOuterExpressions(call.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === "bind") {
    return {
      skip: "a bound timer (setTimeout.bind(...)) is started elsewhere; run its callback under spawnLogged by hand",
    };
  }
  const argument = call.arguments[0];
  if (argument === undefined) return { skip: "the timer has no callback" };
  const callback = skipOuterExpressions(argument);
  if (isFunctionNode(callback)) {
    const edits = runBodyUnderLogged(
      callback,
      context.taskName(workName(callback) ?? context.kind),
      context.sourceFile,
    );
    return "skip" in edits ? edits : { transform: "timer-tick", edits, uses: ["spawnLogged"] };
  }
  if (
    !(ts.isIdentifier(callback) || ts.isPropertyAccessExpression(callback)) || unrepeatablePart(callback) !== undefined
  ) {
    return {
      skip: `the callback ${quoteCode(callback, context.sourceFile)} is neither a function nor a name; wrap it by hand`,
    };
  }
  if (call.arguments.length > 2) {
    return { skip: "the timer passes extra arguments to a named callback; run its body under spawnLogged by hand" };
  }
  const work = context.work;
  const takesParameters = work === undefined || !isFunctionNode(work) || work.parameters.length > 0;
  const text = callback.getText(context.sourceFile);
  if (takesParameters && !ts.isIdentifier(callback)) {
    return { skip: `${text} may take parameters and would be handed an AbortSignal; wrap it by hand` };
  }
  const name = context.taskName(workName(callback) ?? context.kind);
  return {
    transform: "timer-tick",
    edits: [{
      start: argument.getStart(context.sourceFile),
      end: argument.getEnd(),
      text: `() => spawnLogged(${name}, ${takesParameters ? `() => ${text}()` : text})`,
    }],
    uses: ["spawnLogged"],
  };
}
