/**
 * The timers rule's rewrite: each run of the callback reports its failure
 * to the site's handler (the project's channel, or the shim's logger)
 * instead of throwing it out of the timer: the callback's body goes inside
 * `try { … } catch (error) { <handler> }`, and a named callback is called
 * from such an arrow. The timer call itself is not touched: its arguments,
 * delay and return value (the timer id for `clearTimeout`/`clearInterval`)
 * stay as they were.
 *
 * A timeout that reschedules the function it is in (`tick() { work();
 * setTimeout(() => this.tick(), 1000); }`) also keeps rescheduling when a
 * tick fails: the statements before the rescheduling, in that function and
 * in the callback, go into `try { … } finally { <reschedule> }` (see
 * `src/fix/block.ts`), so the schedule goes on after a logged failure, as a
 * failing tick used to be followed by a restarted process.
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { FixContext, FixOutcome, IndentRegion, TextEdit } from "../../src/rule.ts";
import {
  enclosingFunction,
  type FunctionNode,
  isFunctionNode,
  skipOuterExpressions,
} from "../../src/analysis/functions.ts";
import { resolveFunction } from "../../src/analysis/calls.ts";
import { returnsPromiseLike } from "../../src/analysis/promise.ts";
import { workName } from "../../src/fix/name.ts";
import { quoteCode, unrepeatablePart } from "../../src/fix/syntax.ts";
import { catchInBody, keepRescheduling, type Layout } from "../../src/fix/block.ts";

/**
 * Rewrites one timeout, interval, immediate or microtask site.
 *
 * @param context the site (a timer call) and its file.
 */
export function fixTimer(context: FixContext): FixOutcome {
  const call = context.node as ts.CallExpression;
  const callee = skipOuterExpressions(call.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === "bind") {
    return {
      skip: "a bound timer (setTimeout.bind(...)) is started elsewhere; catch inside its callback by hand",
    };
  }
  const argument = call.arguments[0];
  if (argument === undefined) return { skip: "the timer has no callback" };
  const callback = skipOuterExpressions(argument);
  const layout: Layout = { newline: context.newline, semicolons: context.semicolons, unit: context.indent };
  const what = workName(callback) ?? context.kind;
  const schedule = keptSchedule(call, callback, context, layout);
  if (schedule !== undefined && "skip" in schedule) return schedule;
  if (isFunctionNode(callback)) {
    const handler = context.handler(what);
    const body = catchInBody(
      callback,
      handler.statements,
      context.errorName,
      returnsPromiseLike(context.checker, callback),
      context.sourceFile,
      layout,
    );
    if ("skip" in body) return body;
    return {
      transform: schedule === undefined ? "caught-callback" : "kept-schedule",
      // The callback's own `try` opens before, and closes after, the rescheduling's inside it, whose lines it indents.
      edits: [
        body.edits[0]!,
        ...(schedule?.inCallback ?? []).map((edit) => ({
          ...edit,
          text: body.indents.length === 0 ? edit.text : edit.text.replace(/\n/g, `\n${context.indent}`),
        })),
        ...body.edits.slice(1),
        ...(schedule?.edits ?? []),
      ],
      indents: [...body.indents, ...(schedule?.indents ?? [])],
      uses: handler.uses,
      imports: handler.imports,
      channel: handler.label,
      declarations: handler.declarations,
    };
  }
  if (
    !(ts.isIdentifier(callback) || ts.isPropertyAccessExpression(callback)) || unrepeatablePart(callback) !== undefined
  ) {
    return {
      skip: `the callback ${quoteCode(callback, context.sourceFile)} is neither a function nor a name; wrap it by hand`,
    };
  }
  if (call.arguments.length > 2) {
    return { skip: "the timer passes extra arguments to a named callback; catch inside it by hand" };
  }
  const work = context.work;
  const takesParameters = work === undefined || !isFunctionNode(work) || work.parameters.length > 0;
  const text = callback.getText(context.sourceFile);
  if (takesParameters && !ts.isIdentifier(callback)) {
    return { skip: `${text} may take parameters and would be called with none; catch inside it by hand` };
  }
  const handler = context.handler(what);
  const promise = work !== undefined && isFunctionNode(work) && returnsPromiseLike(context.checker, work);
  const end = context.semicolons ? ";" : "";
  const caught = handler.statements(context.errorName).join(" ");
  return {
    transform: schedule === undefined ? "caught-callback" : "kept-schedule",
    edits: [{
      start: argument.getStart(context.sourceFile),
      end: argument.getEnd(),
      text: `${promise ? "async " : ""}() => { try { ${
        promise ? "await " : ""
      }${text}()${end} } catch (${context.errorName}) { ${caught} } }`,
    }, ...(schedule?.edits ?? [])],
    indents: schedule?.indents ?? [],
    uses: handler.uses,
    imports: handler.imports,
    channel: handler.label,
    declarations: handler.declarations,
  };
}

/** The edits that keep a self-rescheduling timeout rescheduling: in the function it is in, and (`inCallback`) in its callback. */
interface KeptSchedule {
  edits: TextEdit[];
  inCallback: TextEdit[];
  indents: IndentRegion[];
}

/**
 * When the timer reschedules the function it is in (its callback is that
 * function, or calls it), the
 * edits that move what precedes the rescheduling into a `try` whose
 * `finally` reschedules: in that function, before the statement holding the
 * timer, and in the callback, before the statement that calls the function.
 * Undefined when the timer does not reschedule its function, or nothing
 * before the rescheduling can fail; a skip when it cannot be moved.
 */
function keptSchedule(
  call: ts.CallExpression,
  callback: ts.Node,
  context: FixContext,
  layout: Layout,
): KeptSchedule | { skip: string } | undefined {
  const loop = enclosingFunction(call);
  if (loop?.body === undefined || !ts.isBlock(loop.body)) return undefined;
  const isLoop = (callee: ts.Node): boolean => resolveFunction(context.checker, callee) === loop;
  const callsLoop = (node: ts.Node): boolean => ts.isCallExpression(node) && isLoop(node.expression);
  const inCallback = isFunctionNode(callback) ? callingStatement(callback, callsLoop) : undefined;
  const reschedules = isFunctionNode(callback)
    ? inCallback !== undefined ||
      (callback.body !== undefined && !ts.isBlock(callback.body) && contains(callback.body, callsLoop))
    : isLoop(callback);
  const inLoop = statementIn(loop.body, call);
  if (!reschedules || inLoop === undefined) return undefined;
  const kept = [keepRescheduling(inLoop, context.sourceFile, layout)];
  if (inCallback !== undefined) kept.push(keepRescheduling(inCallback, context.sourceFile, layout));
  const skip = kept.find((each) => each !== undefined && "skip" in each);
  if (skip !== undefined) {
    return { skip: `${(skip as { skip: string }).skip}: a failing tick would end the schedule` };
  }
  const [own, inside] = kept as ({ edits: TextEdit[]; indents: IndentRegion[] } | undefined)[];
  if (own === undefined && inside === undefined) return undefined;
  return {
    edits: own?.edits ?? [],
    inCallback: inside?.edits ?? [],
    indents: [...(own?.indents ?? []), ...(inside?.indents ?? [])],
  };
}

/** The statement directly in `block` that contains `node`. */
function statementIn(block: ts.Block, node: ts.Node): ts.Statement | undefined {
  for (let current: ts.Node = node; current.parent !== undefined; current = current.parent) {
    if (current.parent === block) return current as ts.Statement;
  }
  return undefined;
}

/** The statement of a block-bodied callback that makes the call `matches` accepts (outside nested functions). */
function callingStatement(callback: FunctionNode, matches: (node: ts.Node) => boolean): ts.Statement | undefined {
  const body = callback.body;
  if (body === undefined || !ts.isBlock(body)) return undefined;
  return body.statements.find((statement) => contains(statement, matches));
}

/** Whether `node` or a node under it (outside nested functions) is one `matches` accepts. */
function contains(node: ts.Node, matches: (node: ts.Node) => boolean): boolean {
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found || isFunctionNode(child)) return;
    if (matches(child)) found = true;
    else ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}
