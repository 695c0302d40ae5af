import type { Emitter, SupervisorEvents } from "./events.ts";
import { builtinModule, type RuntimeGlobals } from "./runtime.ts";
import type { AttemptOutcome } from "./types.ts";

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
  outcome?: AttemptOutcome;
  durationMs?: number;
  error?: unknown;
}

/**
 * The runtime's `spawn-audit:task` tracing channel, through
 * `process.getBuiltinModule("node:diagnostics_channel")` where the runtime
 * is a server one (Node 20.16+, Deno, Bun); nothing is imported, so a
 * browser (or a bundle for one) never reaches a `node:` module.
 *
 * @param globals the global object to judge the runtime by (default `globalThis`)
 * @returns the tracing channel, or undefined where there is none
 */
export function findTracingChannel(globals: RuntimeGlobals = globalThis as RuntimeGlobals): TracingChannelLike | undefined {
  const dc = builtinModule("node:diagnostics_channel", globals) as { tracingChannel?: (name: string) => TracingChannelLike } | undefined;
  try {
    return typeof dc?.tracingChannel === "function" ? dc.tracingChannel(TRACING_CHANNEL) : undefined;
  } catch {
    return undefined;
  }
}

/** The channel, looked up by the first supervisor that attaches (`null`: looked for, none). */
let channel: TracingChannelLike | null | undefined;

/**
 * Publish task attempts on the `spawn-audit:task` tracing channel: `start`
 * when an attempt begins, `error` when it threw, `end` when it settled, each
 * with one shared {@link TaskTraceContext}. Nothing is built or published
 * while a channel has no subscribers: the listeners are conditional, so
 * without subscribers the supervisor builds no event payload for them.
 * Does nothing where the runtime has no `diagnostics_channel`.
 *
 * @param events the supervisor's emitter
 */
export function attachDiagnostics(events: Emitter<SupervisorEvents>): void {
  const tracing = (channel ??= findTracingChannel() ?? null);
  if (tracing === null) return;
  const { start, end, error } = tracing;
  const contexts = new Map<number, TaskTraceContext>();
  events.on("start", ({ name, id, attempt, class: taskClass }) => {
    if (!start.hasSubscribers) return;
    const context: TaskTraceContext = { name, id, attempt, class: taskClass };
    contexts.set(id, context);
    start.publish(context);
  }, () => start.hasSubscribers);
  events.on("end", (e) => {
    const started = contexts.get(e.id);
    contexts.delete(e.id);
    const threw = e.outcome === "threw";
    const wantsError = threw && error.hasSubscribers;
    if (!wantsError && !end.hasSubscribers) return; // called for another listener of "end"
    const context = started ?? { name: e.name, id: e.id, attempt: e.attempt, class: e.class };
    context.outcome = e.outcome;
    context.durationMs = e.durationMs;
    if (threw) context.error = e.error;
    if (wantsError) error.publish(context);
    if (end.hasSubscribers) end.publish(context);
  }, () => contexts.size > 0 || end.hasSubscribers || error.hasSubscribers);
  // A task cut off at the shutdown deadline never ends its attempt.
  events.on("exit", (e) => contexts.delete(e.id), () => contexts.size > 0);
}
