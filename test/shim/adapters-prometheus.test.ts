// The Prometheus adapter: metrics read back from prom-client's text exposition format.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Registry } from "prom-client";
import { PROMETHEUS_METRICS, prometheusMetrics } from "../../shim/adapters/prometheus.ts";
import { deferred, setup, untilAborted } from "./helpers.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the samples of Prometheus' text format (comments skipped, label values unescaped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample of `name` whose labels include `labels`. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe("prometheusMetrics", () => {
  test("durations by class and outcome, restarts, in-flight and dropped tasks, read back from the registry's text", async () => {
    const { clock, supervisor } = setup({ classes: { enrichment: { limit: 1, overflow: "drop" } } });
    const registry = new Registry();
    const remove = prometheusMetrics(supervisor, { registry });
    const slow = deferred<string>();
    const enrich = supervisor.spawnLogged("enrich", () => slow.promise, { class: "enrichment" });
    assert.equal(
      (await supervisor.spawnLogged("enrich-more", () => "late", { class: "enrichment" }).done).status,
      "rejected",
    );
    let calls = 0;
    supervisor.spawn(
      "poller",
      (signal) => (++calls === 1 ? Promise.reject(new Error("first poll fails")) : untilAborted(signal)),
    );
    await clock.advance(250);
    slow.resolve("done");
    assert.equal((await enrich.done).status, "completed");
    await clock.advance(1000); // the poller's backoff (1 s, no jitter): its second attempt runs now

    const samples = parseExposition(await registry.metrics());
    const bucket = (le: string, cls: string, outcome: string) =>
      valueOf(samples, `${PROMETHEUS_METRICS.duration}_bucket`, { le, class: cls, outcome });
    assert.equal(bucket("0.2", "enrichment", "returned"), 0);
    assert.equal(bucket("0.5", "enrichment", "returned"), 1, "the 250 ms attempt is in the 0.5 s bucket");
    assert.equal(bucket("+Inf", "enrichment", "returned"), 1);
    assert.equal(
      valueOf(samples, `${PROMETHEUS_METRICS.duration}_sum`, { class: "enrichment", outcome: "returned" }),
      0.25,
    );
    assert.equal(valueOf(samples, `${PROMETHEUS_METRICS.duration}_count`, { class: "", outcome: "threw" }), 1);
    assert.equal(valueOf(samples, PROMETHEUS_METRICS.restarts, { class: "" }), 1);
    assert.equal(valueOf(samples, PROMETHEUS_METRICS.inflight, { class: "" }), 1, "the poller runs its second attempt");
    assert.equal(valueOf(samples, PROMETHEUS_METRICS.inflight, { class: "enrichment" }), undefined, "enrich has ended");
    assert.equal(valueOf(samples, PROMETHEUS_METRICS.dropped, { class: "enrichment" }), 1);

    remove();
    assert.equal(registry.getSingleMetric(PROMETHEUS_METRICS.duration), undefined);
    assert.deepEqual(parseExposition(await registry.metrics()), []);
    await supervisor.shutdown({ timeoutMs: 0 });
  });

  test("a second adapter on the same registry is refused by prom-client", () => {
    const { supervisor } = setup();
    const registry = new Registry();
    const remove = prometheusMetrics(supervisor, { registry });
    assert.throws(() => prometheusMetrics(supervisor, { registry }), /already been registered/);
    remove();
  });
});
