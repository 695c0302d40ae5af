/**
 * The program's graph of functions, whose edges are "starts later or now",
 * built from the per-function summaries (`summary.ts`): calls, promise
 * continuations, deferrals, listener registrations, emits of the program's
 * own events (to the listeners registered for them, kept like a stored
 * function under the event's key), functions stored in variables or fields, callbacks handed to other functions, and dispatch to
 * every implementation of an interface, abstract or overridden method.
 * Built once per program, on first use, apart from the file being analysed
 * (see `memo.ts`); each answer records the files it depends on as the
 * analysed file's reads (`reads.ts`), for the result cache.
 *
 * Work **recurs** when its function reaches itself through a cycle with at
 * least one yielding edge (an edge that starts its target after the
 * function has yielded: an `await`, a deferral, a listener, a
 * continuation). With the graph's strongly connected components (Tarjan's
 * algorithm, iterative) that is: the function's component holds a yielding
 * edge. No depth limit; cycles cost nothing extra. An edge that cannot close
 * a loop (started once per item, only on failure, only while work is
 * pending; see `Edge.limit`) is left out.
 *
 * Callbacks are resolved where they are handed over: a function `f` hands
 * `g` to its own function `h`, and `h` calls that parameter (itself, or by
 * handing it on to a function that does: a fixpoint over the summaries), so
 * `f` starts `g` — yielding when `h`'s call of it does; and when every call
 * of `h` passes the same `g` there, `h` starts `g` too (see
 * {@link soleValueResolver}). A function stored in
 * a variable or property is started by every call that reads it from there;
 * a parameter stored there stands for whatever the callers pass.
 *
 * @module
 */
import { ts } from "./ts.ts";
import { apartFromFiles } from "./memo.ts";
import { isOwnSource } from "./calls.ts";
import { readCallers, readFile, readFiles, type Reads, startReads, takeReads, withoutReads } from "./reads.ts";
import { functionName, type FunctionNode, isFunctionNode } from "./functions.ts";
import { findUnboundedLoop } from "./loops.ts";
import {
  type Edge,
  type EdgeKind,
  type FunctionId,
  functionId,
  type FunctionSummary,
  namesOf,
  type ProgramNames,
  summariesOf,
  type Target,
} from "./summary.ts";

/** An edge of the graph between node keys (a function's id, or `stored:`/`dispatch:`/`returns:` and a declaration's id). */
interface Arc {
  to: string;
  yields: boolean;
  /** The arc registers a listener, or emits an event to the listeners registered for it: its target runs on an event. */
  event: boolean;
  /** The arc is an interval: it starts its target again and again. */
  repeats: boolean;
  /** How the arc starts its target: its edge's kind; for a callback handed to a function of the program, `deferral` when that function hands it to a timer, `continuation` when it calls it after a promise, else `callback`. */
  kind: EdgeKind;
}

/**
 * How a loop starts its next turn (see {@link restartsThrough}): through a
 * timer or deferral (`deferral`), or through a promise — a continuation, a
 * start after an `await`, a callback a function of the program calls after
 * waiting (`promise`).
 */
export type RestartKind = "deferral" | "promise";

/** The whole-program graph with its components. */
interface Graph {
  summaries: ReadonlyMap<FunctionId, FunctionSummary>;
  arcs: ReadonlyMap<string, readonly Arc[]>;
  /** The node keys a value stands for (a parameter: whatever the callers pass there, followed through their own parameters). */
  valuesOf: (owner: FunctionId, value: Target) => string[];
  component: ReadonlyMap<string, number>;
  /** Components that hold a yielding edge: every function in one recurs. */
  recurring: ReadonlySet<number>;
  /** For each recurring component, the kinds of start among its own arcs by which its loop can go on. */
  restarts: ReadonlyMap<number, ReadonlySet<RestartKind>>;
  /** The same for the graph without listener arcs: loops that run on their own, not on an event. */
  selfDriven: Components;
  /** For each node an interval starts again and again, the nodes that start that interval. */
  repeatedBy: ReadonlyMap<string, readonly string[]>;
  /** The files reachable from a node, memoised for {@link recordReach}. */
  reach: Map<string, ReadonlySet<string>>;
  /** The nearest loop that runs until stopped a node reaches (null: none), memoised for {@link loopIn}. */
  loops: Map<string, string | null>;
  /** A function's own loop that runs until stopped (null: none), memoised for {@link loopIn}. */
  ownLoops: Map<string, string | null>;
}

/** Strongly connected components of the graph's arcs, see {@link components}. */
interface Components {
  component: ReadonlyMap<string, number>;
  recurring: ReadonlySet<number>;
  restarts: ReadonlyMap<number, ReadonlySet<RestartKind>>;
}

/** A loop found in the graph: the functions along it, from the work back to the work. */
export interface Recurrence {
  /** The display names of the functions along the cycle, first and last the work itself. */
  cycle: readonly string[];
}

/**
 * Whether the work of `fn` recurs: `fn` reaches itself through a cycle of
 * the program's graph with at least one yielding edge.
 *
 * @param program the program `fn` belongs to.
 * @param fn a function of the program's own sources.
 * @param events whether a cycle may pass through a listener: `false` asks
 *   whether the work restarts itself by its own means, not only when an
 *   event it listens for comes (a reconnect on "close" is the listener's
 *   loop; the call that connects is one attempt).
 * @returns the shortest such cycle, or undefined when the work does not recur.
 */
export function recurrenceOf(program: ts.Program, fn: FunctionNode, events = true): Recurrence | undefined {
  const graph = graphOf(program);
  const start = functionId(fn);
  recordReach(graph, start);
  const { component, recurring } = events ? graph : graph.selfDriven;
  const own = component.get(start);
  if (own === undefined || !recurring.has(own)) return undefined;
  const cycle = shortestCycle(graph, start, (key) => component.get(key) === own, events);
  return { cycle: cycle.map((key) => graph.summaries.get(key)?.name).filter((name) => name !== undefined) };
}

/**
 * Whether the loop `fn` lies on goes on through a start of the kind `kind`
 * among its own arcs: a timer or deferral (`deferral`), or a promise's
 * continuation, a start after an `await`, or a callback a function of the
 * program calls after waiting (`promise`). A site that starts work on a
 * cycle from outside it (its own start is no arc of the cycle) runs that
 * loop's first turn only when the loop starts itself again the way the site
 * starts it; else the loop is kept going by other starts — a reconnect timer
 * in a close handler — and the site is one entry into it (see "Which site
 * owns a loop" in docs/rules.md).
 *
 * @param program the program `fn` belongs to.
 * @param fn a function of the program's own sources.
 * @param kind the kind of start asked about.
 * @param events whether the cycle may pass through a listener (see {@link recurrenceOf}).
 * @returns false also when `fn` does not recur.
 */
export function restartsThrough(program: ts.Program, fn: FunctionNode, kind: RestartKind, events = true): boolean {
  const graph = graphOf(program);
  const start = functionId(fn);
  recordReach(graph, start);
  const { component, restarts } = events ? graph : graph.selfDriven;
  const own = component.get(start);
  return own !== undefined && (restarts.get(own)?.has(kind) ?? false);
}

/**
 * The recurring work one turn of which is the work `work` started in the
 * body of `fn`: `fn` recurs by its own means (see {@link recurrenceOf} with
 * `events` false: a cycle through a listener is the listener's loop) and
 * one of `work` leads back to `fn` (the turn goes on through that work:
 * `step()` hands `() => setImmediate(step)` to the call it starts), or an
 * interval starts `fn` again and again (everything its body starts is that
 * interval's tick).
 *
 * @param program the program `fn` belongs to.
 * @param fn a function of the program's own sources: where the work is started.
 * @param work the functions the started work runs (a promise's callee, its callbacks).
 * @returns the cycle (for an interval's callback, the callback twice), or undefined.
 */
export function turnOf(program: ts.Program, fn: FunctionNode, work: readonly FunctionNode[]): Recurrence | undefined {
  const graph = graphOf(program);
  const key = functionId(fn);
  const starters = graph.repeatedBy.get(key);
  if (starters !== undefined) {
    // The interval is started elsewhere: an edit to its starter can stop it repeating this function.
    for (const starter of starters) if (graph.summaries.has(starter)) readFile(fileOf(starter));
    const name = graph.summaries.get(key)?.name ?? "the function";
    return { cycle: [name, name] };
  }
  const own = recurrenceOf(program, fn, false);
  if (own === undefined) return undefined;
  const leadsBack = work.some((item) => {
    const from = functionId(item);
    recordReach(graph, from);
    return reaches(graph.arcs, from, key, (arc) => !arc.event);
  });
  return leadsBack ? own : undefined;
}

/**
 * The recurring work whose first turn `fn` runs, when `fn` itself is on no
 * cycle. The work of `fn` is `fn`, or the function it only forwards to
 * (`() => this.onCron()`, followed through further forwarders; see
 * `FunctionSummary.forwards`). It is a first turn when that work
 *
 * - starts an interval itself: `setTimeout(() => { tick(); setInterval(tick, ms) }, delay)`;
 * - is the work of an interval that `starter` starts beside it:
 *   `setImmediate(() => this.onCron()); setInterval(async () => await this.onCron(), ms)`
 *   runs the interval's work once before its first delay;
 * - is itself a loop that starts itself again by its own means (as for a
 *   promise, a cycle through a listener is the listener's loop) through a
 *   timer or deferral (see {@link restartsThrough}):
 *   `setImmediate(() => connect())` with `connect` retrying itself after a
 *   delay runs the loop's first turn.
 *
 * @param program the program `fn` belongs to.
 * @param fn the deferred function (a timer's callback), of the program's own sources.
 * @param starter the function that starts the deferral, if any.
 * @returns what the first turn belongs to, for evidence, or undefined.
 */
export function firstTickOf(
  program: ts.Program,
  fn: FunctionNode,
  starter: FunctionNode | undefined,
): string | undefined {
  const graph = graphOf(program);
  const start = functionId(fn);
  recordReach(graph, start);
  const work = workOf(graph, start);
  const name = graph.summaries.get(work)?.name ?? "the function";
  if ((graph.arcs.get(work) ?? []).some((arc) => arc.repeats)) return `${name} starts an interval`;
  const own = graph.selfDriven.component.get(work);
  if (own !== undefined && graph.selfDriven.restarts.get(own)?.has("deferral")) {
    return `first turn of ${name}, which starts itself again`;
  }
  if (starter === undefined) return undefined;
  const beside = (graph.arcs.get(functionId(starter)) ?? []).some((arc) =>
    arc.repeats && workOf(graph, arc.to) === work
  );
  return beside ? `first run of ${name}, which an interval beside it repeats` : undefined;
}

/** The work of a function: the function it only forwards to, followed through further forwarders, else itself. */
function workOf(graph: Graph, key: string): string {
  const seen = new Set([key]);
  for (let next = graph.summaries.get(key)?.forwards; next !== undefined && !seen.has(next);) {
    key = next;
    seen.add(key);
    next = graph.summaries.get(key)?.forwards;
  }
  return key;
}

/**
 * The functions the callers of `fn` pass as its parameter `index` (followed
 * through the callers' own parameters): what a callback parameter stands for.
 *
 * @param program the program `fn` belongs to.
 * @param fn a function of the program's own sources.
 * @param index the parameter's index.
 */
export function passedAs(program: ts.Program, fn: FunctionNode, index: number): FunctionNode[] {
  const graph = graphOf(program);
  readCallers(fn.getSourceFile().fileName, functionName(fn));
  const passed = graph.valuesOf(functionId(fn), { parameter: index }).filter((key) => graph.summaries.has(key));
  for (const key of passed) readFile(fileOf(key));
  return passed.map((key) => functionAt(program, key)).filter((found) => found !== undefined);
}

/**
 * Whether `a` and `b` lie on one cycle of the program's graph (the same
 * strongly connected component): each starts the other, directly or
 * through other functions.
 *
 * @param program the program both belong to.
 * @param a a function of the program's own sources.
 * @param b another.
 * @param events whether the cycle may pass through a listener (see {@link recurrenceOf}).
 */
export function onOneCycle(program: ts.Program, a: FunctionNode, b: FunctionNode, events = true): boolean {
  const graph = graphOf(program);
  recordReach(graph, functionId(a));
  const { component } = events ? graph : graph.selfDriven;
  const first = component.get(functionId(a));
  return first !== undefined && first === component.get(functionId(b));
}

/**
 * The first loop that runs until stopped (see `findUnboundedLoop`) in `fn`
 * or in a function it reaches in the program's graph, the nearest first
 * (breadth-first, no depth limit).
 *
 * @param program the program `fn` belongs to.
 * @param fn the function whose work is looked at.
 * @returns a short description of the loop, or undefined.
 */
export function loopIn(program: ts.Program, fn: FunctionNode): string | undefined {
  const graph = graphOf(program);
  const start = functionId(fn);
  let found = graph.loops.get(start);
  if (found === undefined) {
    const ownLoop = (key: string): string | undefined => {
      let own = graph.ownLoops.get(key);
      if (own === undefined) {
        const candidate = key === start ? fn : functionAt(program, key);
        own =
          (candidate?.body === undefined ? undefined : findUnboundedLoop(candidate.body, program.getTypeChecker())) ??
            null;
        graph.ownLoops.set(key, own);
      }
      return own ?? undefined;
    };
    found = nearestReached(program, fn, ownLoop) ?? null;
    graph.loops.set(start, found);
  } else recordReach(graph, start);
  return found ?? undefined;
}

/**
 * The nearest function of the program `from` reaches (itself included,
 * breadth-first) for which `find`, given its id, gives a result.
 */
function nearestReached<T>(
  program: ts.Program,
  from: FunctionNode,
  find: (key: string) => T | undefined,
): T | undefined {
  const graph = graphOf(program);
  const start = functionId(from);
  recordReach(graph, start);
  const own = find(start);
  if (own !== undefined) return own;
  const seen = new Set([start]);
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const key of frontier) {
      for (const arc of graph.arcs.get(key) ?? []) {
        if (seen.has(arc.to)) continue;
        seen.add(arc.to);
        next.push(arc.to);
        const result = graph.summaries.has(arc.to) ? find(arc.to) : undefined;
        if (result !== undefined) return result;
      }
    }
    frontier = next;
  }
  return undefined;
}

/**
 * Records, for the result cache (src/analysis/reads.ts), the files of every
 * function reachable from `start`: an edit to any of them can open or close
 * a cycle through it, or change the loop found. (An edge another file adds
 * through a stored function, an implementation or a caller's argument is
 * read where it leads: into a reachable function's file.)
 */
function recordReach(graph: Graph, start: string): void {
  let files = graph.reach.get(start);
  if (files === undefined) {
    const found = new Set<string>();
    files = found;
    const seen = new Set([start]);
    const stack = [start];
    for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
      if (graph.summaries.has(key)) found.add(fileOf(key));
      for (const arc of graph.arcs.get(key) ?? []) {
        if (!seen.has(arc.to)) {
          seen.add(arc.to);
          stack.push(arc.to);
        }
      }
    }
    graph.reach.set(start, files);
  }
  readFiles(files);
}

/** The file name of a function's id. */
function fileOf(id: FunctionId): string {
  return id.slice(0, id.lastIndexOf(":"));
}

const graphs = new WeakMap<ts.Program, Graph>();

/**
 * The program's graph, built on first use, apart from the tables of the
 * file being analysed and without recording its lookups as that file's
 * reads (each answer records what it read, see {@link recordReach}).
 */
function graphOf(program: ts.Program): Graph {
  const cached = graphs.get(program);
  if (cached !== undefined) return cached;
  const graph = apartFromFiles(program, () => withoutReads(() => buildGraph(program)));
  graphs.set(program, graph);
  return graph;
}

/** A lookup of a {@link ProgramNames} set a file's summaries made: which set (`stored` or `dispatched`), the name, and the answer. */
export type NameAnswer = readonly ["stored" | "dispatched", string, boolean];

/**
 * Per-file summaries kept between runs (src/cache/ keeps them with the
 * result cache): the graph takes a file's summaries from it when they are
 * still valid, and gives it those it computes.
 */
export interface SummaryKeeper {
  /**
   * The summaries of `file` (a compiler file name) kept from an earlier
   * run, when what they were computed from is unchanged and `names` gives
   * every answer they read from it as it did then; else undefined.
   */
  find(file: string, names: ProgramNames): readonly FunctionSummary[] | undefined;
  /**
   * Keeps the summaries of `file`, computed with `reads` (the lookups
   * beyond its import closure, src/analysis/reads.ts) and the answers of the
   * program's names in `answers`.
   */
  keep(file: string, summaries: readonly FunctionSummary[], reads: Reads, answers: readonly NameAnswer[]): void;
}

const keepers = new WeakMap<ts.Program, SummaryKeeper>();

/**
 * Gives a program's graph summaries kept between runs: a file's are taken
 * from `keeper` when still valid, and the others computed and handed to
 * it. Without a keeper, every file's summaries are computed.
 *
 * @param program the program whose graph is built with it (before it is built).
 * @param keeper where summaries are found and kept.
 */
export function useSummaryKeeper(program: ts.Program, keeper: SummaryKeeper): void {
  keepers.set(program, keeper);
}

/**
 * The summaries of `file` from `keeper`, else computed in a scope of their
 * own with their reads and the answers of `names` recorded, and kept.
 * Undefined when reading the file runs out of stack (see {@link withinStack}).
 */
function keptSummaries(
  program: ts.Program,
  file: ts.SourceFile,
  names: ProgramNames,
  keeper: SummaryKeeper,
): readonly FunctionSummary[] | undefined {
  const kept = keeper.find(file.fileName, names);
  if (kept !== undefined) return kept;
  const answers: NameAnswer[] = [];
  const answer = (set: NameAnswer[0], name: string): boolean => {
    const found = names[set].has(name);
    answers.push([set, name, found]);
    return found;
  };
  const recording: ProgramNames = {
    stored: { has: (name) => answer("stored", name) },
    dispatched: { has: (name) => answer("dispatched", name) },
  };
  startReads();
  const found = apartFromFiles(
    program,
    () => withinStack(() => summariesOf(program.getTypeChecker(), file, recording)),
    file,
  );
  const reads = takeReads();
  if (found !== undefined) keeper.keep(file.fileName, found, reads, answers);
  return found;
}

function buildGraph(program: ts.Program): Graph {
  const checker = program.getTypeChecker();
  const files = program.getSourceFiles().filter((file) => isOwnSource(program, file));
  const stored = new Set<string>();
  const dispatched = new Set<string>();
  for (const file of files) {
    const names = withinStack(() => namesOf(file)) ?? { stored: [], dispatched: [] };
    for (const name of names.stored) stored.add(name);
    for (const name of names.dispatched) dispatched.add(name);
  }
  const names: ProgramNames = { stored, dispatched };
  const keeper = keepers.get(program);
  const summaries = new Map<FunctionId, FunctionSummary>();
  for (const file of files) {
    const found = keeper === undefined
      ? withinStack(() => summariesOf(checker, file, names))
      : keptSummaries(program, file, names, keeper);
    for (const summary of found ?? []) summaries.set(summary.id, summary);
  }
  const valuesOf = valueResolver(summaries);
  const arcs = arcsOf(summaries, valuesOf);
  const { component, recurring, restarts } = components(arcs, () => true);
  const selfDriven = components(arcs, (arc) => !arc.event);
  const repeatedBy = new Map<string, string[]>();
  for (const [from, list] of arcs) {
    for (const arc of list) if (arc.repeats) repeatedBy.set(arc.to, [...repeatedBy.get(arc.to) ?? [], from]);
  }
  return {
    summaries,
    arcs,
    valuesOf,
    component,
    recurring,
    restarts,
    selfDriven,
    repeatedBy,
    reach: new Map(),
    loops: new Map(),
    ownLoops: new Map(),
  };
}

/**
 * What `read` returns, or undefined when reading one file runs out of stack
 * (code nested deeper than the runtime's stack allows: a 2,000-term
 * concatenation under Deno's smaller stack). The graph goes on without
 * that file's functions, so one such file does not fail every other file's
 * analysis; the file's own analysis reports it as that file's problem.
 */
function withinStack<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * How a function calls one of its parameters: by index, whether that call
 * yields, whether it listens (see {@link Arc}), and whether it comes after a
 * promise (in a continuation, or after an `await`) or through a timer or
 * deferral (see {@link restartKind}).
 */
type Invocations = Map<number, Invocation>;

/** One parameter's calls, see {@link Invocations}. */
interface Invocation {
  yields: boolean;
  event: boolean;
  promise: boolean;
  deferral: boolean;
}

/** The facts of an {@link Invocation}; each holds when any of the parameter's calls has it. */
const INVOCATION_FLAGS = ["yields", "event", "promise", "deferral"] as const;

/**
 * The parameters each function calls, itself or by handing them on to a
 * function that does (a fixpoint: grows until nothing changes), with
 * whether that call comes after a yield.
 */
function invocationsOf(summaries: ReadonlyMap<FunctionId, FunctionSummary>): ReadonlyMap<FunctionId, Invocations> {
  const invoked = new Map<FunctionId, Invocations>();
  const note = (id: FunctionId, index: number, call: Invocation): boolean => {
    let own = invoked.get(id);
    if (own === undefined) invoked.set(id, own = new Map());
    const before = own.get(index);
    if (before !== undefined && INVOCATION_FLAGS.every((flag) => before[flag] || !call[flag])) return false;
    const after = { ...call };
    for (const flag of INVOCATION_FLAGS) after[flag] ||= before?.[flag] ?? false;
    own.set(index, after);
    return true;
  };
  for (const summary of summaries.values()) {
    for (const edge of summary.edges) {
      if (edge.limit === undefined && "parameter" in edge.to) {
        const { owner, yields, promise, deferral } = parameterOwner(summaries, summary.id, edge.to);
        note(owner, edge.to.parameter, {
          yields: edge.yields || yields,
          event: edge.kind === "listener",
          promise: promise || afterPromise(edge),
          deferral: deferral || edge.kind === "deferral",
        });
      }
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const summary of summaries.values()) {
      for (const edge of summary.edges) {
        if (edge.limit !== undefined || edge.arguments === undefined || !("function" in edge.to)) continue;
        const callee = invoked.get(edge.to.function);
        if (callee === undefined) continue;
        edge.arguments.forEach((argument, index) => {
          const call = callee.get(index);
          if (argument !== null && "parameter" in argument && call !== undefined) {
            const { owner, yields, promise, deferral } = parameterOwner(summaries, summary.id, argument);
            changed = note(owner, argument.parameter, {
              yields: edge.yields || call.yields || yields,
              event: call.event,
              promise: promise || call.promise || afterPromise(edge),
              deferral: deferral || call.deferral,
            }) || changed;
          }
        });
      }
    }
  }
  return invoked;
}

/**
 * The function whose parameter `target` is, and whether a function nested in
 * it reaches that parameter only after waiting: the closure `inner` reads
 * it (`of`), and one of the functions from the owner down to `inner` is
 * started by a waiting edge of the one around it (`connect(…).then(c =>
 * callback(c))`), and whether one such edge comes after a promise (see
 * {@link afterPromise}) or is a timer or deferral. A closure its parent never starts directly (called
 * by a sibling) adds no wait of its own.
 */
function parameterOwner(
  summaries: ReadonlyMap<FunctionId, FunctionSummary>,
  inner: FunctionId,
  target: { readonly parameter: number; readonly of?: FunctionId },
): { owner: FunctionId; yields: boolean; promise: boolean; deferral: boolean } {
  if (target.of === undefined) return { owner: inner, yields: false, promise: false, deferral: false };
  let yields = false;
  let promise = false;
  let deferral = false;
  for (let child = inner; child !== target.of;) {
    const parent = summaries.get(child)?.enclosedBy;
    if (parent === undefined) break;
    const starts = (summaries.get(parent)?.edges ?? []).filter((edge) =>
      "function" in edge.to && edge.to.function === child
    );
    yields ||= starts.some((edge) => edge.yields);
    promise ||= starts.some((edge) => edge.yields && afterPromise(edge));
    deferral ||= starts.some((edge) => edge.kind === "deferral");
    child = parent;
  }
  return { owner: target.of, yields, promise, deferral };
}

/** Whether an edge starts its target after a promise: a continuation, or a call (or `new`) after an `await`. */
function afterPromise(edge: Edge): boolean {
  return edge.kind === "continuation" || (edge.kind === "call" && edge.yields);
}

/**
 * The one function a parameter stands for, when every call of the
 * parameter's function in the program is a direct call that passes that same
 * function there (itself, or through the caller's own parameter with one
 * such function); undefined when a caller passes nothing or something else
 * there, or when the function is also started some other way — handed over,
 * stored, returned, registered or dispatched to — so that not all its
 * callers are known. The function calling that parameter then starts that
 * function, as a direct call would (`checkServer(monitor, (err, hello) =>
 * …)` calling its `callback` after a reply starts the arrow), so a loop that
 * closes through the call is seen from the function that makes it. A
 * parameter given different functions by different callers is left to each
 * caller (see {@link handedOn}): a helper shared by two loops does not join
 * them. Memoised per parameter; a caller that only passes the parameter on
 * to its own function again (recursion) adds nothing.
 */
function soleValueResolver(
  summaries: ReadonlyMap<FunctionId, FunctionSummary>,
): (owner: FunctionId, target: { readonly parameter: number; readonly of?: FunctionId }) => string | undefined {
  const calls = new Map<FunctionId, { caller: FunctionId; arguments: readonly (Target | null)[] }[]>();
  const otherwise = new Set<string>();
  const handed = (value: Target): void => {
    if ("function" in value) otherwise.add(value.function);
  };
  for (const summary of summaries.values()) {
    for (const edge of summary.edges) {
      for (const argument of edge.arguments ?? []) if (argument !== null) handed(argument);
      if (!("function" in edge.to)) continue;
      if (edge.kind !== "call") otherwise.add(edge.to.function);
      else {
        const list = calls.get(edge.to.function) ?? [];
        list.push({ caller: summary.id, arguments: edge.arguments ?? [] });
        calls.set(edge.to.function, list);
      }
    }
    for (const store of summary.stores) handed(store.value);
    for (const returned of summary.returns) handed(returned);
    for (const member of summary.implements) otherwise.add(member);
    if (summary.implements.length > 0) otherwise.add(summary.id);
  }
  const cycle = Symbol("cycle");
  const memo = new Map<string, string | undefined>();
  const sole = (owner: FunctionId, value: Target, seen: Set<string>): string | undefined | typeof cycle => {
    if (!("parameter" in value)) return nodeKey(value);
    owner = value.of ?? owner;
    const key = `${owner}#${value.parameter}`;
    if (memo.has(key)) return memo.get(key);
    if (seen.has(key)) return cycle;
    seen.add(key);
    const callers = calls.get(owner) ?? [];
    let found: string | undefined;
    let known = callers.length > 0 && !otherwise.has(owner);
    for (const { caller, arguments: given } of known ? callers : []) {
      const argument = given[value.parameter];
      const result = argument === null || argument === undefined ? undefined : sole(caller, argument, seen);
      if (result === cycle) continue;
      if (result === undefined || (found !== undefined && result !== found)) {
        known = false;
        break;
      }
      found = result;
    }
    const answer = known ? found : undefined;
    if (seen.size === 1) memo.set(key, answer);
    seen.delete(key);
    return answer;
  };
  return (owner, target) => {
    const found = sole(owner, target, new Set());
    return found === cycle || found === undefined || !summaries.has(found) ? undefined : found;
  };
}

/**
 * What a value stands for, as node keys: a function, what a function
 * returns, a stored function, or — for a parameter of `owner` — whatever
 * the callers of `owner` pass there (followed through the callers' own
 * parameters; `constructor(onTick) { this.onTick = onTick }` stores what
 * `new Ticker(f)` passes).
 */
function valueResolver(
  summaries: ReadonlyMap<FunctionId, FunctionSummary>,
): (owner: FunctionId, value: Target) => string[] {
  const passed = new Map<FunctionId, { caller: FunctionId; arguments: readonly (Target | null)[] }[]>();
  for (const summary of summaries.values()) {
    for (const edge of summary.edges) {
      if (edge.arguments === undefined || !("function" in edge.to)) continue;
      const list = passed.get(edge.to.function) ?? [];
      list.push({ caller: summary.id, arguments: edge.arguments });
      passed.set(edge.to.function, list);
    }
  }
  const valuesOf = (owner: FunctionId, value: Target, seen: Set<string>): string[] => {
    if (!("parameter" in value)) return [nodeKey(value)!];
    owner = value.of ?? owner;
    const key = `${owner}#${value.parameter}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return (passed.get(owner) ?? []).flatMap(({ caller, arguments: given }) => {
      const argument = given[value.parameter];
      return argument === null || argument === undefined ? [] : valuesOf(caller, argument, seen);
    });
  };
  return (owner, value) => valuesOf(owner, value, new Set());
}

/** The graph's arcs, by node key, from the summaries: limited edges left out, callbacks and stored functions resolved. */
function arcsOf(
  summaries: ReadonlyMap<FunctionId, FunctionSummary>,
  valuesOf: (owner: FunctionId, value: Target) => string[],
): ReadonlyMap<string, readonly Arc[]> {
  const invoked = invocationsOf(summaries);
  const arcs = new Map<string, Arc[]>();
  const link = (from: string, arc: Arc): void => {
    const list = arcs.get(from);
    if (list === undefined) arcs.set(from, [arc]);
    else list.push(arc);
  };
  /** A link to what a stored value, a returned value or a dispatch stands for: a call made now. */
  const plain = (to: string): Arc => ({ to, yields: false, event: false, repeats: false, kind: "call" });
  const implementations = implementationsOf(summaries);
  const soleValue = soleValueResolver(summaries);
  /** The node keys an edge starts, with how: its target, each implementation it dispatches to, the callbacks it hands on. */
  const targets = (edge: Edge): Arc[] => {
    const found: Arc[] = [];
    if ("dispatch" in edge.to && edge.besides !== undefined) {
      for (const implementation of implementations(edge.to.dispatch)) {
        if (summaries.get(implementation)?.memberOf !== edge.besides) {
          found.push({ to: implementation, yields: edge.yields, event: false, repeats: false, kind: edge.kind });
        }
      }
      return found;
    }
    const to = nodeKey(edge.to);
    if (to !== undefined) {
      found.push({
        to,
        yields: edge.yields,
        event: edge.kind === "listener" || edge.kind === "emit",
        repeats: edge.repeats === true,
        kind: edge.kind,
      });
    }
    // A callback handed on starts as the function it is handed to calls it: by a timer, after a promise, or as a callback.
    handedOn(edge, invoked, (callback, { yields, event, promise, deferral }) =>
      found.push({
        to: callback,
        yields,
        event,
        repeats: false,
        kind: deferral ? "deferral" : promise ? "continuation" : "callback",
      }));
    return found;
  };
  const forks: { summary: FunctionSummary; edges: Edge[] }[] = [];
  for (const summary of summaries.values()) {
    for (const edge of summary.edges) {
      if (edge.limit !== undefined) continue;
      for (const arc of targets(edge)) link(summary.id, arc);
      // A callback parameter every caller gives the same function is that function (see `soleValueResolver`).
      const to = edge.to;
      const only = "parameter" in to ? soleValue(summary.id, to) : undefined;
      if (only !== undefined && "parameter" in to) {
        const waits = edge.yields || parameterOwner(summaries, summary.id, to).yields;
        link(summary.id, { to: only, yields: waits, event: edge.kind === "listener", repeats: false, kind: edge.kind });
      }
    }
    const forked = summary.edges.filter((edge) => edge.fork !== undefined);
    if (forked.length > 0) forks.push({ summary, edges: forked });
    for (const store of summary.stores) {
      for (const value of valuesOf(summary.id, store.value)) link(`stored:${store.stored}`, plain(value));
    }
    for (const returned of summary.returns) {
      for (const value of valuesOf(summary.id, returned)) link(`returns:${summary.id}`, plain(value));
    }
    for (const member of summary.implements) link(`dispatch:${member}`, plain(summary.id));
    // An implementation is itself dispatched to by overrides further down.
    for (const member of summary.implements) link(`dispatch:${member}`, plain(`dispatch:${summary.id}`));
  }
  // An `if` both of whose ways start the function again (each reaching it without the limits) does not bound it.
  for (const { summary, edges } of forks) {
    const byGuard = new Map<number, Edge[]>();
    for (const edge of edges) byGuard.set(edge.fork!.guard, [...(byGuard.get(edge.fork!.guard) ?? []), edge]);
    for (const ways of byGuard.values()) {
      if (!ways.some((edge) => edge.fork!.then) || ways.every((edge) => edge.fork!.then)) continue;
      const reachBack = (way: boolean): Arc[] =>
        ways.filter((edge) => edge.fork!.then === way).flatMap(targets).filter((arc) =>
          reaches(arcs, arc.to, summary.id)
        );
      const inside = reachBack(true);
      const after = inside.length === 0 ? [] : reachBack(false);
      if (after.length === 0) continue;
      for (const arc of [...inside, ...after]) link(summary.id, arc);
    }
  }
  return arcs;
}

/** Whether `to` is reachable from `from` over `arcs` (itself included), following only the arcs `follow` accepts. */
function reaches(
  arcs: ReadonlyMap<string, readonly Arc[]>,
  from: string,
  to: string,
  follow: (arc: Arc) => boolean = () => true,
): boolean {
  const seen = new Set([from]);
  const stack = [from];
  for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
    if (key === to) return true;
    for (const arc of arcs.get(key) ?? []) {
      if (!seen.has(arc.to) && follow(arc)) {
        seen.add(arc.to);
        stack.push(arc.to);
      }
    }
  }
  return false;
}

/**
 * Every implementation of a member (by its declaration's id), also the
 * overrides of an implementation further down, memoised.
 */
function implementationsOf(summaries: ReadonlyMap<FunctionId, FunctionSummary>): (member: FunctionId) => FunctionId[] {
  const direct = new Map<FunctionId, FunctionId[]>();
  for (const summary of summaries.values()) {
    for (const member of summary.implements) direct.set(member, [...(direct.get(member) ?? []), summary.id]);
  }
  const all = new Map<FunctionId, FunctionId[]>();
  const collect = (member: FunctionId, seen: Set<FunctionId>): FunctionId[] => {
    const known = all.get(member);
    if (known !== undefined) return known;
    const found: FunctionId[] = [];
    for (const implementation of direct.get(member) ?? []) {
      if (seen.has(implementation)) continue;
      seen.add(implementation);
      found.push(implementation, ...collect(implementation, seen));
    }
    return found;
  };
  return (member) => {
    const known = all.get(member);
    if (known !== undefined) return known;
    const found = collect(member, new Set());
    all.set(member, found);
    return found;
  };
}

/** The callbacks a call edge hands to a function that calls them: `(callback id, yields)` for each. */
function handedOn(
  edge: Edge,
  invoked: ReadonlyMap<FunctionId, Invocations>,
  each: (callback: string, call: Invocation) => void,
): void {
  if (edge.arguments === undefined || !("function" in edge.to)) return;
  const callee = invoked.get(edge.to.function);
  if (callee === undefined) return;
  edge.arguments.forEach((argument, index) => {
    const call = callee.get(index);
    const key = argument === null ? undefined : nodeKey(argument);
    if (key !== undefined && call !== undefined) {
      each(key, {
        yields: edge.yields || call.yields,
        event: call.event,
        promise: call.promise || afterPromise(edge),
        deferral: call.deferral,
      });
    }
  });
}

/** The node key of an edge's target; undefined for a parameter (resolved where the callback is handed over). */
function nodeKey(target: Target): string | undefined {
  if ("function" in target) return target.function;
  if ("returnedBy" in target) return `returns:${target.returnedBy}`;
  if ("stored" in target) return `stored:${target.stored}`;
  if ("dispatch" in target) return `dispatch:${target.dispatch}`;
  return undefined;
}

/**
 * Strongly connected components (Tarjan's algorithm, iterative, so a long
 * chain of calls cannot overflow the stack), and which of them hold a
 * yielding arc between two of their own nodes.
 */
function components(arcs: ReadonlyMap<string, readonly Arc[]>, keep: (arc: Arc) => boolean): Components {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  let components = 0;
  for (const root of arcs.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = arcs.get(frame.node) ?? [];
      if (frame.next < out.length) {
        const arc = out[frame.next++]!;
        if (!keep(arc)) continue;
        const to = arc.to;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
          onStack.delete(member);
          component.set(member, components);
          if (member === frame.node) break;
        }
        components++;
      }
    }
  }
  const recurring = new Set<number>();
  const restarts = new Map<number, Set<RestartKind>>();
  for (const [from, out] of arcs) {
    const own = component.get(from)!;
    for (const arc of out) {
      if (!keep(arc) || component.get(arc.to) !== own) continue;
      if (arc.yields) recurring.add(own);
      const kind = restartKind(arc);
      if (kind === undefined) continue;
      const kinds = restarts.get(own) ?? new Set();
      restarts.set(own, kinds.add(kind));
    }
  }
  for (const own of restarts.keys()) if (!recurring.has(own)) restarts.delete(own);
  return { component, recurring, restarts };
}

/**
 * The kind of start an arc makes, for {@link restartsThrough}: a timer or
 * deferral (waiting or not), or a promise's — a continuation (also a
 * callback handed to a function of the program that calls it after a
 * promise), or a call after an `await`. A listener, a callback handed to a
 * function outside the program, or a call made now is neither.
 */
function restartKind(arc: Arc): RestartKind | undefined {
  if (arc.kind === "deferral") return "deferral";
  return arc.kind === "continuation" || (arc.kind === "call" && arc.yields) ? "promise" : undefined;
}

/**
 * The shortest path from `start` back to itself through a yielding arc,
 * within its component (`inside`), over arcs to listeners only when
 * `events` (breadth-first over (node, yielded yet)).
 */
function shortestCycle(graph: Graph, start: string, inside: (key: string) => boolean, events: boolean): string[] {
  const previous = new Map<string, string>();
  const state = (node: string, yielded: boolean): string => `${yielded ? 1 : 0}${node}`;
  let frontier: [string, boolean][] = [[start, false]];
  const seen = new Set<string>([state(start, false)]);
  while (frontier.length > 0) {
    const next: [string, boolean][] = [];
    for (const [node, yielded] of frontier) {
      for (const arc of graph.arcs.get(node) ?? []) {
        if (!inside(arc.to) || (arc.event && !events)) continue;
        const after = state(arc.to, yielded || arc.yields);
        if (seen.has(after)) continue;
        seen.add(after);
        previous.set(after, state(node, yielded));
        if (arc.to === start && (yielded || arc.yields)) {
          const path = [start];
          for (let at = previous.get(after); at !== undefined; at = previous.get(at)) path.unshift(at.slice(1));
          return path;
        }
        next.push([arc.to, yielded || arc.yields]);
      }
    }
    frontier = next;
  }
  return [start, start];
}

/**
 * The function node a {@link FunctionId} names in `program`.
 *
 * @param program the program.
 * @param id a function's id.
 */
export function functionAt(program: ts.Program, id: FunctionId): FunctionNode | undefined {
  const separator = id.lastIndexOf(":");
  const file = program.getSourceFile(id.slice(0, separator));
  const offset = Number(id.slice(separator + 1));
  if (file === undefined || !Number.isInteger(offset)) return undefined;
  let found: FunctionNode | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined || node.getEnd() <= offset || node.pos > offset) return;
    if (isFunctionNode(node) && node.getStart(file) === offset) found = node;
    else ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
