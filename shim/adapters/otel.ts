/**
 * OpenTelemetry tracing of a supervisor's tasks through `@opentelemetry/api`
 * (an optional peer dependency; the shim's core never imports this module).
 * Entry point `spawn-audit/shim/otel`.
 *
 * One span per attempt, named after the task, with the attributes
 * `spawn_audit.task.name`, `.id`, `.class` (when given), `.attempt` and, at
 * its end, `.outcome` (`returned`, `threw`, `timedOut`, `aborted`). A failed
 * or timed-out attempt records the exception and sets the span's status to
 * ERROR; other outcomes leave the status unset, as the OpenTelemetry
 * conventions ask of instrumentation. Every attempt of a task, restarts
 * included, has as parent the context that was active where the task was
 * spawned. Spans started by the task's own code are not children of the
 * attempt span (the supervisor calls the factory in the spawning context).
 *
 * @module
 */
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { TaskSupervisor } from "../supervisor.ts";
import type { TaskEventInfo } from "../events.ts";

/**
 * Options of `traceTasks`.
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import { defaultSupervisor } from "spawn-audit/shim";
 * import { traceTasks } from "spawn-audit/shim/otel";
 * traceTasks(defaultSupervisor, { tracer: trace.getTracer("billing-jobs") });
 * ```
 */
export interface TraceOptions {
  /** The tracer spans are started with (default `trace.getTracer("spawn-audit")` of the global provider). */
  tracer?: Tracer;
}

/**
 * Trace every attempt of the supervisor's tasks as a span.
 *
 * @param supervisor the supervisor to observe
 * @param options the tracer
 * @returns a function that stops tracing (spans still open are ended with outcome `aborted`)
 * @example
 * ```ts
 * import { defaultSupervisor, spawnSupervised } from "spawn-audit/shim";
 * import { traceTasks } from "spawn-audit/shim/otel";
 * traceTasks(defaultSupervisor);
 * spawnSupervised("poller", (signal) => poll(signal)); // a span per attempt, child of the active span here
 * ```
 */
export function traceTasks(supervisor: TaskSupervisor, options: TraceOptions = {}): () => void {
  const tracer = options.tracer ?? trace.getTracer("spawn-audit");
  /** The spawning code's context, per task id, captured at its first event (emitted within the spawning call). */
  const parents = new Map<number, Context>();
  const spans = new Map<number, Span>();
  const parentOf = (e: TaskEventInfo): Context => {
    let parent = parents.get(e.id);
    if (parent === undefined) parents.set(e.id, parent = context.active());
    return parent;
  };
  const endSpan = (id: number, outcome: string, error?: unknown): void => {
    const span = spans.get(id);
    if (span === undefined) return;
    spans.delete(id);
    span.setAttribute("spawn_audit.task.outcome", outcome);
    if (outcome === "threw" || outcome === "timedOut") {
      span.recordException(exceptionOf(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
    }
    span.end();
  };
  const offs = [
    supervisor.on("queued", (e) => void parentOf(e)),
    supervisor.on("start", (e) => {
      const attributes: Attributes = {
        "spawn_audit.task.name": e.name,
        "spawn_audit.task.id": e.id,
        "spawn_audit.task.attempt": e.attempt,
      };
      if (e.class !== undefined) attributes["spawn_audit.task.class"] = e.class;
      spans.set(e.id, tracer.startSpan(e.name, { attributes }, parentOf(e)));
    }),
    supervisor.on("end", (e) => endSpan(e.id, e.outcome, e.error)),
    // A task cut off at the shutdown deadline never ends its attempt.
    supervisor.on("exit", (e) => {
      endSpan(e.id, "aborted");
      parents.delete(e.id);
    }),
  ];
  return () => {
    for (const off of offs) off();
    for (const id of [...spans.keys()]) endSpan(id, "aborted");
    parents.clear();
  };
}

/** What `recordException` accepts: an Error as it is, anything else as a message. */
function exceptionOf(error: unknown): Error | string {
  return error instanceof Error ? error : messageOf(error);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return "a value that cannot be converted to a string";
  }
}
