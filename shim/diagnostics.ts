import type { SupervisorEvents, TaskEventInfo } from "./events.ts";
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
export interface TracingChannelLike {
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

/** The channel, looked up on first use (`null`: looked for, none). */
let channel: TracingChannelLike | null | undefined;

/**
 * The `spawn-audit:task` tracing channel, looked up once per process (see
 * {@link findTracingChannel}).
 *
 * @returns the channel, or undefined where the runtime has none
 */
export function theTracingChannel(): TracingChannelLike | undefined {
  if (channel === undefined) channel = findTracingChannel() ?? null;
  return channel ?? undefined;
}

/**
 * Publish the start of an attempt, when the channel's `start` has
 * subscribers (the caller checks): the context returned is the one its
 * `error` and `end` are published with.
 *
 * @param tracing the tracing channel
 * @param info the attempt: task name, id, attempt number (1-based), class
 * @returns the published context
 */
export function traceStart(tracing: TracingChannelLike, info: TaskEventInfo): TaskTraceContext {
  const context: TaskTraceContext = { name: info.name, id: info.id, attempt: info.attempt, class: info.class };
  tracing.start.publish(context);
  return context;
}

/**
 * Publish the end of an attempt: `error` when it threw and `error` has
 * subscribers, then `end` when it has; nothing is built when neither does.
 *
 * @param tracing the tracing channel
 * @param started the context its start was published with, if it was
 * @param end the attempt's `end` event payload
 */
export function traceEnd(tracing: TracingChannelLike, started: TaskTraceContext | undefined, end: SupervisorEvents["end"]): void {
  const threw = end.outcome === "threw";
  const wantsError = threw && tracing.error.hasSubscribers;
  if (!wantsError && !tracing.end.hasSubscribers) return;
  const context = started ?? { name: end.name, id: end.id, attempt: end.attempt, class: end.class };
  context.outcome = end.outcome;
  context.durationMs = end.durationMs;
  if (threw) context.error = end.error;
  if (wantsError) tracing.error.publish(context);
  if (tracing.end.hasSubscribers) tracing.end.publish(context);
}
