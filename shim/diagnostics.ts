import type { Emitter, SupervisorEvents } from "./events.ts";

/** Name of the `diagnostics_channel` tracing channel the shim publishes on. */
export const TRACING_CHANNEL = "spawn-audit:task";

interface ChannelLike {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

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
  outcome?: "returned" | "threw" | "aborted";
  durationMs?: number;
  error?: unknown;
}

let channel: TracingChannelLike | undefined;

/**
 * Resolves once the runtime's `node:diagnostics_channel` has been looked for:
 * `true` when the tracing channel is available (Node, Deno, Bun), `false`
 * elsewhere (browsers). Events before that moment are not published.
 */
export const diagnosticsReady: Promise<boolean> = loadChannel();

async function loadChannel(): Promise<boolean> {
  try {
    // A computed specifier keeps bundlers from resolving it for browsers.
    const specifier = ["node", "diagnostics_channel"].join(":");
    const imported: { default?: unknown; tracingChannel?: unknown } = await import(specifier);
    const dc = (typeof imported.tracingChannel === "function" ? imported : imported.default) as
      | { tracingChannel?: (name: string) => TracingChannelLike }
      | undefined;
    if (typeof dc?.tracingChannel !== "function") return false;
    channel = dc.tracingChannel(TRACING_CHANNEL);
    return true;
  } catch {
    return false;
  }
}

/**
 * Publish task attempts on the `spawn-audit:task` tracing channel: `start`
 * when an attempt begins, `error` when it threw, `end` when it settled, each
 * with one shared {@link TaskTraceContext}. Nothing is built or published
 * while a channel has no subscribers.
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
  });
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
  });
  // A task cut off at the shutdown deadline never ends its attempt.
  const offExit = events.on("exit", (e) => contexts.delete(e.id));
  return () => {
    offStart();
    offEnd();
    offExit();
    contexts.clear();
  };
}
