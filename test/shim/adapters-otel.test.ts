// The OpenTelemetry adapter: spans captured with the official SDK's in-memory exporter.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { type Context, context, type ContextManager, ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { traceTasks } from "../../shim/adapters/otel.ts";
import { deferred, setup, untilAborted } from "./helpers.ts";

/** A context manager for synchronous code only: enough to see the context active in the spawning call. */
class StackContextManager implements ContextManager {
  #stack: Context[] = [];
  active(): Context {
    return this.#stack.at(-1) ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    active: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.#stack.push(active);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#stack = [];
    return this;
  }
}

context.setGlobalContextManager(new StackContextManager());
after(() => context.disable());

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer("test") };
}

const attribute = (span: ReadableSpan, key: string): unknown => span.attributes[`spawn_audit.task.${key}`];

describe("traceTasks", () => {
  test("a span per attempt with name, class and attempt; a failure records the exception with ERROR status; every attempt's parent is the spawning context", async () => {
    const { clock, supervisor } = setup({ classes: { sync: { limit: 1, overflow: "queue" } } });
    const { exporter, tracer } = tracing();
    const stop = traceTasks(supervisor, { tracer });
    const first = deferred();
    let calls = 0;
    const request = tracer.startSpan("request");
    context.with(trace.setSpan(context.active(), request), () => {
      supervisor.spawn(
        "sync-users",
        () => (++calls === 1 ? Promise.reject(new TypeError("no connection")) : first.promise),
        { class: "sync" },
      );
      supervisor.spawnLogged("sync-groups", () => "ok", { class: "sync" }); // queued behind sync-users
    });
    request.end();
    await clock.advance(1000); // backoff, then the second attempt of sync-users
    first.resolve();
    await clock.advance(0);

    const spans = exporter.getFinishedSpans().filter((span) => span.name !== "request");
    assert.deepEqual(spans.map((span) => [span.name, attribute(span, "attempt"), attribute(span, "outcome")]), [
      ["sync-users", 1, "threw"],
      ["sync-users", 2, "returned"],
      ["sync-groups", 1, "returned"],
    ]);
    for (const span of spans) {
      assert.equal(attribute(span, "class"), "sync");
      assert.equal(
        span.parentSpanContext?.spanId,
        request.spanContext().spanId,
        `${span.name} #${attribute(span, "attempt")} is a child of the spawning span`,
      );
      assert.equal(span.spanContext().traceId, request.spanContext().traceId);
    }
    const [failed, succeeded] = spans;
    assert.equal(failed!.status.code, SpanStatusCode.ERROR);
    assert.equal(failed!.status.message, "no connection");
    assert.deepEqual(
      failed!.events.map((
        event,
      ) => [event.name, event.attributes?.["exception.type"], event.attributes?.["exception.message"]]),
      [
        ["exception", "TypeError", "no connection"],
      ],
    );
    assert.equal(succeeded!.status.code, SpanStatusCode.UNSET);
    assert.equal(succeeded!.events.length, 0);
    stop();
    await supervisor.shutdown({ timeoutMs: 0 });
  });

  test("a task cut off at the shutdown deadline and a task still running when tracing stops end their spans as aborted", async () => {
    const { clock, supervisor } = setup();
    const { exporter, tracer } = tracing();
    const stop = traceTasks(supervisor, { tracer });
    supervisor.spawn("stubborn", () => new Promise(() => {}));
    const shutdown = supervisor.shutdown({ timeoutMs: 100 });
    await clock.advance(100);
    assert.deepEqual((await shutdown).aborted, ["stubborn"]);
    assert.deepEqual(
      exporter.getFinishedSpans().map((span) => [span.name, attribute(span, "outcome"), span.status.code]),
      [["stubborn", "aborted", SpanStatusCode.UNSET]],
    );

    exporter.reset();
    const other = setup();
    const stopOther = traceTasks(other.supervisor, { tracer });
    other.supervisor.spawn("poller", (signal) => untilAborted(signal));
    stopOther();
    assert.deepEqual(exporter.getFinishedSpans().map((span) => [span.name, attribute(span, "outcome")]), [[
      "poller",
      "aborted",
    ]]);
    other.supervisor.spawn("after-stop", () => 1);
    assert.equal(exporter.getFinishedSpans().length, 1, "no span once stopped");
    stop();
    await other.supervisor.shutdown({ timeoutMs: 0 });
  });
});
