/**
 * diagnostics.ts as a browser bundle gets it, through the shim package's
 * `browser` field: a browser has no `diagnostics_channel`, so there is no
 * channel to publish attempts on, and neither the runtime detection nor the
 * publishing is shipped. Node, Deno and Bun (and a bundler that ignores the
 * field) get diagnostics.ts, which finds no channel in a browser either.
 * Exports the same names as diagnostics.ts (a test checks it).
 *
 * @module
 */
import type { TaskTraceContext, TracingChannelLike } from "./diagnostics.ts";
import type { SupervisorEvents } from "./events.ts";
import type { Task } from "./task.ts";
import type { AttemptOutcome } from "./types.ts";

/** The context object published per attempt and the tracing channel shape, as diagnostics.ts defines them (nothing is ever published in a browser). */
export type { TaskTraceContext, TracingChannelLike };

/** Name of the tracing channel the shim publishes on where there is one. */
export const TRACING_CHANNEL = "spawn-audit:task";

/**
 * There is no tracing channel in a browser.
 *
 * @returns undefined
 */
export function findTracingChannel(): TracingChannelLike | undefined {
  return undefined;
}

/**
 * There is no tracing channel in a browser.
 *
 * @returns undefined
 */
export function theTracingChannel(): TracingChannelLike | undefined {
  return undefined;
}

/** Never called: the core publishes only on a channel {@link theTracingChannel} returned. */
export function traceStart(_tracing: TracingChannelLike, _task: Task): void {}

/**
 * Never called: the core publishes only on a channel {@link theTracingChannel} returned.
 *
 * @returns false
 */
export function tracesEnd(_tracing: TracingChannelLike, _task: Task, _outcome: AttemptOutcome): boolean {
  return false;
}

/** Never called: the core publishes only on a channel {@link theTracingChannel} returned. */
export function traceEnd(_tracing: TracingChannelLike, _task: Task, _end: SupervisorEvents["end"]): void {}
