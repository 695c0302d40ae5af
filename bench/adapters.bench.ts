// Adapter benchmarks: the cost per task of each shim adapter, as a ratio to the core supervisor alone.
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { consoleLogger, pinoLogger, winstonLogger } from "../shim/adapters/logger.ts";
import { traceTasks } from "../shim/adapters/otel.ts";
import { prometheusMetrics } from "../shim/adapters/prometheus.ts";
import { type Logger, TaskSupervisor } from "../shim/mod.ts";
import { timePerOp } from "./shim.bench.ts";

const ignore = (): void => {};
const silent: Logger = { error: ignore, warn: ignore, info: ignore };
/** A logger object that drops everything: what is measured is the adapter, not the sink. */
const sink = { error: ignore, warn: ignore, info: ignore };

/** Each variant makes a supervisor and attaches (or not) one adapter. */
const VARIANTS: { name: string; make(): TaskSupervisor }[] = [
  { name: "core alone (silent logger)", make: () => new TaskSupervisor({ logger: silent }) },
  {
    name: "prometheus (prom-client)",
    make() {
      const supervisor = new TaskSupervisor({ logger: silent });
      prometheusMetrics(supervisor, { registry: new Registry() });
      return supervisor;
    },
  },
  {
    name: "otel (sdk-trace-base, no exporter)",
    make() {
      const supervisor = new TaskSupervisor({ logger: silent });
      traceTasks(supervisor, { tracer: new BasicTracerProvider().getTracer("bench") });
      return supervisor;
    },
  },
  { name: "logger: pinoLogger", make: () => new TaskSupervisor({ logger: pinoLogger(sink) }) },
  { name: "logger: winstonLogger", make: () => new TaskSupervisor({ logger: winstonLogger(sink) }) },
  { name: "logger: consoleLogger", make: () => new TaskSupervisor({ logger: consoleLogger(sink) }) },
];

/** `n` spawnLogged factory tasks one at a time, every fourth one failing (so failure paths are measured too). */
function tasks(supervisor: TaskSupervisor, n: number): Promise<number> {
  return timePerOp(n, async () => {
    for (let i = 0; i < n; i++) {
      await supervisor.spawnLogged(
        "bench",
        () => (i % 4 === 0 ? Promise.reject(new Error("failed")) : Promise.resolve(i)),
        { class: "jobs" },
      ).done;
    }
  });
}

/**
 * Run every variant in interleaved rounds (lowest CPU time of each kept)
 * and return a printable report: ns per task and the ratio to the core.
 *
 * @returns the report, one line per adapter
 */
export async function benchAdapters(): Promise<string> {
  const n = 20_000;
  const rounds = 5;
  const supervisors = VARIANTS.map((variant) => variant.make());
  for (const supervisor of supervisors) await tasks(supervisor, 2_000); // warm-up
  const best = supervisors.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (let v = 0; v < supervisors.length; v++) best[v] = Math.min(best[v]!, await tasks(supervisors[v]!, n));
  }
  const core = best[0]!;
  return [
    "shim adapter overhead",
    "  (spawnLogged factory task one at a time, a quarter failing, class set; CPU time per task, lowest of interleaved rounds)",
    ...VARIANTS.map(({ name }, v) =>
      `  ${name.padEnd(36)} ${best[v]!.toFixed(0).padStart(7)} ns per task` +
      (v === 0 ? "" : `   (${(best[v]! / core).toFixed(2)}× the core alone)`)
    ),
  ].join("\n");
}
