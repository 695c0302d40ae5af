import type { Emitter, SupervisorEvents } from "./events.ts";

/** Name of the `diagnostics_channel` tracing channel the shim publishes on. */
export const TRACING_CHANNEL = "spawn-audit:task";

/** The part of a `diagnostics_channel` Channel the shim uses. */
interface ChannelLike {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

/** The part of a `diagnostics_channel` TracingChannel the shim uses. */
interface TracingChannelLike {
  readonly start: ChannelLike;
  readonly end: ChannelLike;
  readonly error: ChannelLike;
}

/** The context object published for one attempt (the same object on start, error and end). */
export interface TaskTraceContext {
  name: string;
  id: number;
  attempt: number;
  class: string | undefined;
  outcome?: "returned" | "threw" | "timedOut" | "aborted";
  durationMs?: number;
  error?: unknown;
}

let channel: TracingChannelLike | undefined;

/** The globals that reveal a server-side runtime (see {@link hasDiagnosticsChannel}). */
export interface RuntimeGlobals {
  process?: { versions?: { node?: unknown } };
  Deno?: { version?: unknown };
  Bun?: unknown;
}

/**
 * Whether the runtime ships `node:diagnostics_channel`, judged from its
 * globals alone, without importing anything: Node (`process.versions.node`),
 * Deno (`Deno.version`) and Bun (`Bun`) do; a browser has none of these (a
 * bundler's `process` shim has no `versions.node`), so nothing is imported
 * there and no failed import is logged to the page's console.
 *
 * @param globals the global object (default `globalThis`)
 * @returns true on Node, Deno and Bun
 */
export function hasDiagnosticsChannel(globals: RuntimeGlobals = globalThis as RuntimeGlobals): boolean {
  try {
    return typeof globals.process?.versions?.node === "string" || globals.Deno?.version !== undefined || globals.Bun !== undefined;
  } catch {
    return false; // a hostile global getter: assume a browser
  }
}

/**
 * Find the runtime's tracing channel: import `node:diagnostics_channel` only
 * where {@link hasDiagnosticsChannel} says it exists.
 *
 * @param globals the global object to judge the runtime by
 * @param load imports a module by specifier (default: dynamic `import()`)
 * @returns the `spawn-audit:task` tracing channel, or undefined where there is none
 */
export async function findTracingChannel(
  globals: RuntimeGlobals = globalThis as RuntimeGlobals,
  load: (specifier: string) => Promise<unknown> = (specifier) => import(specifier),
): Promise<TracingChannelLike | undefined> {
  if (!hasDiagnosticsChannel(globals)) return undefined;
  try {
    // A computed specifier keeps bundlers from resolving it for browsers.
    const imported = (await load(["node", "diagnostics_channel"].join(":"))) as { default?: unknown; tracingChannel?: unknown };
    const dc = (typeof imported.tracingChannel === "function" ? imported : imported.default) as
      | { tracingChannel?: (name: string) => TracingChannelLike }
      | undefined;
    return typeof dc?.tracingChannel === "function" ? dc.tracingChannel(TRACING_CHANNEL) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves once the runtime's `node:diagnostics_channel` has been looked for:
 * `true` when the tracing channel is available (Node, Deno, Bun), `false`
 * elsewhere (browsers, where no import is attempted). Events before that
 * moment are not published.
 */
export const diagnosticsReady: Promise<boolean> = findTracingChannel().then((found) => {
  channel = found;
  return found !== undefined;
});

/**
 * Publish task attempts on the `spawn-audit:task` tracing channel: `start`
 * when an attempt begins, `error` when it threw, `end` when it settled, each
 * with one shared {@link TaskTraceContext}. Nothing is built or published
 * while a channel has no subscribers: the listeners are conditional, so
 * without subscribers the supervisor builds no event payload for them.
 *
 * @param events the supervisor's emitter
 * @returns a function that detaches the publisher
 */
export function attachDiagnostics(events: Emitter<SupervisorEvents>): () => void {
  const contexts = new Map<number, TaskTraceContext>();
  const offStart = events.on("start", (e) => {
    if (channel?.start.hasSubscribers !== true) return;
    const context: TaskTraceContext = { name: e.name, id: e.id, attempt: e.attempt, class: e.class };
    contexts.set(e.id, context);
    channel.start.publish(context);
  }, () => channel?.start.hasSubscribers === true);
  const offEnd = events.on("end", (e) => {
    const found = contexts.get(e.id);
    contexts.delete(e.id);
    if (channel === undefined) return;
    const wantsError = e.outcome === "threw" && channel.error.hasSubscribers;
    if (!wantsError && !channel.end.hasSubscribers) return;
    const context = found ?? { name: e.name, id: e.id, attempt: e.attempt, class: e.class };
    context.outcome = e.outcome;
    context.durationMs = e.durationMs;
    if (e.outcome === "threw") context.error = e.error;
    if (wantsError) channel.error.publish(context);
    if (channel.end.hasSubscribers) channel.end.publish(context);
  }, () => contexts.size > 0 || (channel !== undefined && (channel.end.hasSubscribers || channel.error.hasSubscribers)));
  // A task cut off at the shutdown deadline never ends its attempt.
  const offExit = events.on("exit", (e) => contexts.delete(e.id), () => contexts.size > 0);
  return () => {
    offStart();
    offEnd();
    offExit();
    contexts.clear();
  };
}
