import type { SupervisorEvents } from "./events.ts";
import { builtinModule, type RuntimeGlobals } from "./runtime.ts";
import type { Task } from "./task.ts";
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
export function findTracingChannel(
  globals: RuntimeGlobals = globalThis as RuntimeGlobals,
): TracingChannelLike | undefined {
  const dc = builtinModule("node:diagnostics_channel", globals) as {
    tracingChannel?: (name: string) => TracingChannelLike;
  } | undefined;
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
 * Publish the start of `task`'s current attempt when the channel's `start`
 * has subscribers, keeping the context on the task: its `error` and `end`
 * are published with the same object.
 *
 * @param tracing the tracing channel
 * @param task the task whose attempt starts
 */
export function traceStart(tracing: TracingChannelLike, task: Task): void {
  if (!tracing.start.hasSubscribers) return;
  const context: TaskTraceContext = { name: task.name, id: task.id, attempt: task.attempt, class: task.class };
  task.more.trace = context;
  tracing.start.publish(context);
}

/**
 * Whether the end of `task`'s current attempt is to be published (its start
 * was, or `end`, or for a throw `error`, has subscribers), so its payload is
 * worth building.
 *
 * @param tracing the tracing channel
 * @param task the task whose attempt ended
 * @param outcome how the attempt ended
 * @returns true when {@link traceEnd} has something to publish
 */
export function tracesEnd(tracing: TracingChannelLike, task: Task, outcome: AttemptOutcome): boolean {
  return task.extras?.trace !== undefined || tracing.end.hasSubscribers ||
    (outcome === "threw" && tracing.error.hasSubscribers);
}

/**
 * Publish the end of `task`'s current attempt: `error` when it threw and
 * `error` has subscribers, then `end` when it has; nothing is built when
 * neither does. The context of its start is dropped from the task.
 *
 * @param tracing the tracing channel
 * @param task the task whose attempt ended
 * @param end the attempt's `end` event payload
 */
export function traceEnd(tracing: TracingChannelLike, task: Task, end: SupervisorEvents["end"]): void {
  const started = task.extras?.trace;
  if (started !== undefined) task.extras!.trace = undefined;
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
