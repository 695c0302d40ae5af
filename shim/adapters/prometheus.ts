/**
 * Prometheus metrics of a supervisor through prom-client (an optional peer
 * dependency; the shim's core never imports this module). Entry point
 * `spawn-audit/shim/prometheus`.
 *
 * | metric | type | labels | from |
 * |---|---|---|---|
 * | `spawn_audit_task_duration_seconds` | histogram | `class`, `outcome` | each attempt's `end` event; the shim's 1-2-5 buckets from 1 ms to 10 min |
 * | `spawn_audit_task_restarts_total` | counter | `class` | each `restart` event |
 * | `spawn_audit_tasks_inflight` | gauge | `class` | at scrape time: tasks `running` or `restarting` |
 * | `spawn_audit_tasks_dropped_total` | counter | `class` | at scrape time: `dropped(class)` |
 *
 * A task without a class has the label `class=""`. `outcome` is the
 * attempt's: `returned`, `threw`, `timedOut` or `aborted`.
 *
 * @module
 */
import { Counter, Gauge, Histogram, register, type Registry } from "prom-client";
import type { TaskSupervisor } from "../supervisor.ts";
import { DURATION_BUCKETS_MS } from "../stats.ts";

/**
 * Options of `prometheusMetrics`.
 *
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { defaultSupervisor } from "spawn-audit/shim";
 * import { prometheusMetrics } from "spawn-audit/shim/prometheus";
 * prometheusMetrics(defaultSupervisor, { registry: new Registry() });
 * ```
 */
export interface PrometheusOptions {
  /** Where the metrics are registered (default prom-client's global `register`). */
  registry?: Registry;
}

/** The metric names this adapter registers. */
export const PROMETHEUS_METRICS = {
  duration: "spawn_audit_task_duration_seconds",
  restarts: "spawn_audit_task_restarts_total",
  inflight: "spawn_audit_tasks_inflight",
  dropped: "spawn_audit_tasks_dropped_total",
} as const;

/**
 * Register the supervisor's metrics in a prom-client registry and keep them
 * current: attempt durations and restarts as they happen, in-flight and
 * dropped tasks when the registry is scraped.
 *
 * @param supervisor the supervisor to observe
 * @param options the registry
 * @returns a function that stops observing and removes the four metrics from the registry
 * @throws {Error} (prom-client's) when a metric of the same name is already registered there
 * @example
 * ```ts
 * import { register } from "prom-client";
 * import { defaultSupervisor } from "spawn-audit/shim";
 * import { prometheusMetrics } from "spawn-audit/shim/prometheus";
 * prometheusMetrics(defaultSupervisor);
 * // in the /metrics handler: response.end(await register.metrics());
 * ```
 */
export function prometheusMetrics(supervisor: TaskSupervisor, options: PrometheusOptions = {}): () => void {
  const registry = options.registry ?? register;
  const registers = [registry];
  const duration = new Histogram({
    name: PROMETHEUS_METRICS.duration,
    help: "Duration of supervised task attempts, by task class and attempt outcome.",
    labelNames: ["class", "outcome"] as const,
    buckets: DURATION_BUCKETS_MS.map((ms) => ms / 1000),
    registers,
  });
  const restarts = new Counter({
    name: PROMETHEUS_METRICS.restarts,
    help: "Restarts scheduled by the supervisor, by task class.",
    labelNames: ["class"] as const,
    registers,
  });
  new Gauge({
    name: PROMETHEUS_METRICS.inflight,
    help: "Supervised tasks running or waiting to restart (not queued), by task class.",
    labelNames: ["class"] as const,
    registers,
    collect() {
      this.reset();
      for (const task of supervisor.snapshot()) {
        if (task.status === "running" || task.status === "restarting") this.inc({ class: task.class ?? "" });
      }
    },
  });
  new Counter({
    name: PROMETHEUS_METRICS.dropped,
    help: "Spawns dropped at their class's limit (overflow drop, or a full queue), by task class.",
    labelNames: ["class"] as const,
    registers,
    collect() {
      this.reset();
      for (const [name, counts] of Object.entries(supervisor.stats().classes)) {
        if (counts.dropped > 0) this.inc({ class: name }, counts.dropped);
      }
    },
  });
  const offEnd = supervisor.on(
    "end",
    (e) => duration.observe({ class: e.class ?? "", outcome: e.outcome }, e.durationMs / 1000),
  );
  const offRestart = supervisor.on("restart", (e) => restarts.inc({ class: e.class ?? "" }));
  return () => {
    offEnd();
    offRestart();
    for (const name of Object.values(PROMETHEUS_METRICS)) registry.removeSingleMetric(name);
  };
}
