/**
 * Who starts the starter: how often a named function is itself started,
 * read from every place of the program that runs it (its calls, and for a
 * constructor each `new` of its class and each `super(…)` of a subclass;
 * see `startsOf` in `calls.ts`). Each such place is placed by the same
 * walk as a spawn site (`context.ts`), so the answer follows the callers
 * up, through as many functions as it takes, to a listener given one item
 * per event, a loop over items, or the module's top level. Cycle-safe and
 * memoised per function.
 *
 * @module
 */
import type { ts } from "../analysis/ts.ts";
import { ProgramMemo } from "../analysis/memo.ts";
import { startsOf } from "../analysis/calls.ts";
import { programOf } from "../analysis/declarations.ts";
import { onOneCycle } from "../analysis/graph.ts";
import { enclosingFunction, functionName, type FunctionNode } from "../analysis/functions.ts";
import type { Signal } from "../site.ts";
import { placementOf } from "./classify.ts";

/**
 * How a function is started: `per-request` when every place that runs it
 * is inside a listener or server handler given one item per event (the
 * owner rule of docs/rules.md), directly or through its own callers;
 * `long-lived` when every one runs once: at module top level, or in a
 * function or constructor itself started only from such places. `via`
 * says where the first such place is and why (`"in f, line 160: <signal
 * message>"`).
 */
export interface StartedAs {
  placement: "per-request" | "long-lived";
  via: string;
}

/**
 * Places one start (a call or `new` node) by the walk of `context.ts`:
 * the placement signals found outwards from it.
 */
export type PlaceStart = (start: ts.Node) => readonly Signal[];

/**
 * How `fn` is started (see {@link StartedAs}), or undefined when no place
 * in the program runs it (an entry point, a method the package's user
 * calls), when the places disagree, or when one of them has no placement
 * evidence. A start from a function on one cycle with `fn` (see
 * `onOneCycle` in `graph.ts`) is the loop re-entering itself, not a
 * starter, and is left out; so are starts in test bodies. A start placed
 * per request only by a loop over items or a promise executor has no
 * answer: those place a site's own work, which ends with the item or the
 * promise, but a function called there may start work for a longer-lived
 * owner (`connect()`'s executor opening the client's connection, a loop
 * dialling candidate servers in turn); so is one placed long-lived only
 * by a constructor whose class nothing says is made once. A function whose
 * answer is being worked out (a cycle the graph does not hold) counts as
 * having none.
 *
 * @param fn a named function or constructor of the program's own sources.
 * @param checker the program's checker.
 * @param place the walk that places one start.
 */
export function startedAs(fn: FunctionNode, checker: ts.TypeChecker, place: PlaceStart): StartedAs | undefined {
  if (answers.has(fn)) return answers.get(fn) ?? undefined;
  answers.set(fn, null); // the answer while this function's starts are being placed
  const found = placeStarts(fn, checker, place);
  answers.set(fn, found ?? null);
  return found;
}

/** The signals of an owner started per request, connection or message: a listener given one item per event, directly or through callers. */
const PER_REQUEST_OWNERS: ReadonlySet<string> = new Set(["inside-request-handler", "started-per-request"]);

/** The signals of a place that runs once: module top level, or a function or constructor only started from such places. */
const ONCE: ReadonlySet<string> = new Set(["module-top-level", "startup-function", "long-lived-constructor"]);

const answers = new ProgramMemo<FunctionNode, StartedAs | null>();

function placeStarts(fn: FunctionNode, checker: ts.TypeChecker, place: PlaceStart): StartedAs | undefined {
  const program = programOf(checker);
  let answer: StartedAs | undefined;
  for (const start of startsOf(checker, fn)) {
    const starter = enclosingFunction(start);
    if (starter !== undefined && program !== undefined && onOneCycle(program, fn, starter)) continue;
    const signals = place(start);
    if (signals.some((item) => item.group === "test")) continue;
    const placement = placementOf(signals);
    if (placement === "unknown" || (answer !== undefined && answer.placement !== placement)) return undefined;
    // A loop over items or a promise executor places a site's own work, not what a function called there starts;
    // a constructor of a class whose instances nothing says how often are made is once per instance, not once.
    const deciding = signals.find((item) => (placement === "per-request" ? PER_REQUEST_OWNERS : ONCE).has(item.id));
    if (deciding === undefined) return undefined;
    if (answer === undefined) {
      const line = start.getSourceFile().getLineAndCharacterOfPosition(start.getStart()).line + 1;
      answer = { placement, via: `${calledFrom(start)} line ${line}: ${deciding.message}` };
    }
  }
  return answer;
}

/** `"in f,"` for a start inside the named function `f`, else `"at"`. */
function calledFrom(start: ts.Node): string {
  const starter = enclosingFunction(start);
  const name = starter === undefined ? undefined : functionName(starter);
  return name === undefined ? "at" : `in ${name},`;
}
