/**
 * The catalogue of classification signals: each id, the group it points to,
 * its weight and the sentence shown to users. Rules and the classifier create
 * signals only through {@link signal}, so ids and texts live in one place and
 * the JSON schema can list them.
 *
 * @module
 */
import type { Group, Signal } from "../site.ts";

interface SignalSpec {
  group: Group;
  weight: number;
  message: string;
}

/**
 * Every signal id with its group, weight and message. A `{detail}` in a
 * message is replaced by the detail passed to {@link signal}.
 *
 * Weights: test evidence dominates (a test file is a test whatever it
 * spawns); structural evidence of a loop outweighs where the call sits;
 * names are the weakest evidence.
 */
export const SIGNAL_CATALOGUE = {
  "test-file-path": { group: "test", weight: 10, message: "file path matches a test/fixture/benchmark pattern ({detail})" },
  "inside-test-body": { group: "test", weight: 8, message: "a test framework call or its callback ({detail})" },
  "interval-timer": { group: "durable", weight: 3, message: "setInterval repeats until cleared: it lives as long as its owner" },
  "worker-thread": { group: "durable", weight: 3, message: "a worker runs until terminated" },
  "unbounded-loop-in-callback": { group: "durable", weight: 4, message: "the spawned function loops until stopped ({detail})" },
  "unbounded-loop-in-callee": { group: "durable", weight: 4, message: "the called function loops until stopped ({detail})" },
  "self-rescheduling-timer": { group: "durable", weight: 4, message: "the timeout schedules its own function again: a polling loop" },
  "self-restarting-call": { group: "durable", weight: 4, message: "the call starts its own enclosing function ({detail}) again: an asynchronous loop" },
  "module-top-level": { group: "durable", weight: 2, message: "started at module top level, once per process" },
  "startup-function": { group: "durable", weight: 2, message: "inside a startup function ({detail})" },
  "long-lived-constructor": { group: "durable", weight: 2, message: "inside the constructor of a long-lived class ({detail})" },
  "constructor": { group: "durable", weight: 1, message: "inside a constructor ({detail}): runs once per instance" },
  "durable-callee-name": { group: "durable", weight: 1.5, message: "the callee is named like a long-running loop ({detail})" },
  "inside-request-handler": { group: "per-request", weight: 3, message: "inside a handler callback ({detail}): runs once per event or request" },
  "request-like-parameter": { group: "per-request", weight: 2, message: "an enclosing function takes a request-like parameter ({detail})" },
  "handler-function-name": { group: "per-request", weight: 2, message: "inside a function named like a handler ({detail})" },
  "loop-over-items": { group: "per-request", weight: 1.5, message: "inside a loop over items ({detail}): one spawn per item" },
  "debounce": { group: "per-request", weight: 3, message: "clearTimeout before setTimeout: a debounce scoped to the latest action" },
  "one-shot-timer": { group: "per-request", weight: 1, message: "a one-shot timer or deferral that is not rescheduled" },
  "listener-callback": { group: "per-request", weight: 3, message: "the listener itself runs once per event ({detail})" },
  "no-lifetime-evidence": { group: "per-request", weight: 0.5, message: "no evidence of a long-lived task; assumed scoped to its caller" },
  "config-override": { group: "durable", weight: 100, message: "group set by config ({detail})" },
} as const satisfies Record<string, SignalSpec>;

/** A signal id from {@link SIGNAL_CATALOGUE}. */
export type SignalId = keyof typeof SIGNAL_CATALOGUE;

/**
 * Builds the signal `id` from the catalogue.
 *
 * @param id a catalogue id.
 * @param detail text substituted for `{detail}` in the message (e.g. the loop
 *   found, the matching path pattern).
 * @param group overrides the catalogue's group (only `config-override` uses it).
 */
export function signal(id: SignalId, detail?: string, group?: Group): Signal {
  const spec: SignalSpec = SIGNAL_CATALOGUE[id];
  const message = spec.message.replace("{detail}", detail ?? "").replace(" ()", "");
  return { id, group: group ?? spec.group, weight: spec.weight, message };
}

/** Words (of a camelCase or snake_case name) that name long-running loops. */
const DURABLE_WORDS = new Set([
  "poll", "poller", "polling", "loop", "heartbeat", "keepalive", "reconnect", "watch", "watcher", "listen",
  "serve", "daemon", "scheduler", "forever", "consume", "consumer", "subscribe", "pump", "tail",
]);

/**
 * The `durable-callee-name` signal when a word of `name` names a
 * long-running loop (`pollJobs`, `sendHeartbeat`, `reconnect_with_backoff`,
 * `watchFiles`; not `unsubscribe` or `schedulePendingDisconnect`), else
 * undefined. Weak evidence by design: names lie more often than loops do.
 */
export function durableNameSignal(name: string | undefined): Signal | undefined {
  if (name === undefined) return undefined;
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/);
  return words.some((word) => DURABLE_WORDS.has(word)) ? signal("durable-callee-name", name) : undefined;
}
