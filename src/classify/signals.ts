/**
 * The catalogue of classification signals: each id, the group it points to,
 * its weight and the sentence shown to users. Rules and the classifier create
 * signals only through {@link signal}, so ids and texts live in one place and
 * the JSON schema can list them.
 *
 * @module
 */
import type { Group, Question, Signal } from "../site.ts";

interface SignalSpec {
  question: Question;
  group: Group;
  weight: number;
  message: string;
}

/**
 * Every signal id with the question it answers, the group it points to, its
 * weight and its message. A `{detail}` in a message is replaced by the detail
 * passed to {@link signal}.
 *
 * The two questions (DESIGN.md "Classification"): `work` signals say what the
 * work is — pointing to `durable` when it recurs or runs until stopped, to
 * `per-request` when it is one-shot; `placement` signals say where it is
 * started — `durable` for once per process or long-lived instance,
 * `per-request` for per request, event, message or item, `test` for tests.
 * Within a question the heavier side wins.
 */
export const SIGNAL_CATALOGUE = {
  "test-file-path": {
    question: "placement",
    group: "test",
    weight: 10,
    message: "file path matches a test/fixture/benchmark pattern ({detail})",
  },
  "test-support-file": {
    question: "placement",
    group: "test",
    weight: 10,
    message: "a test-support file: imported, and only by test files ({detail})",
  },
  "inside-test-body": {
    question: "placement",
    group: "test",
    weight: 8,
    message: "a test framework call or its callback ({detail})",
  },
  "interval-timer": {
    question: "work",
    group: "durable",
    weight: 3,
    message: "setInterval repeats until something else clears it",
  },
  "interval-cleared-nearby": {
    question: "work",
    group: "per-request",
    weight: 4,
    message: "the interval is cleared {detail}: it stops after a bounded run",
  },
  "worker-thread": { question: "work", group: "durable", weight: 3, message: "a worker runs until terminated" },
  "worker-per-task": {
    question: "work",
    group: "per-request",
    weight: 4,
    message: "the worker is terminated by the flow that started it ({detail}): it runs for one task",
  },
  "unbounded-loop-in-callback": {
    question: "work",
    group: "durable",
    weight: 4,
    message: "the spawned function loops until stopped ({detail})",
  },
  "unbounded-loop-in-callee": {
    question: "work",
    group: "durable",
    weight: 4,
    message: "the called function loops until stopped ({detail})",
  },
  "starts-itself-again": {
    question: "work",
    group: "durable",
    weight: 4,
    message: "the work starts itself again after yielding ({detail}): a loop that runs until stopped",
  },
  "first-tick": {
    question: "work",
    group: "durable",
    weight: 4,
    message: "the deferral runs the first turn of work that recurs ({detail})",
  },
  "one-shot-timer": {
    question: "work",
    group: "per-request",
    weight: 1,
    message: "a one-shot timer or deferral that is not rescheduled",
  },
  "debounce": {
    question: "work",
    group: "per-request",
    weight: 3,
    message: "clearTimeout before setTimeout: a debounce scoped to the latest action",
  },
  "one-shot-call": {
    question: "work",
    group: "per-request",
    weight: 1,
    message: "a single call: no loop or restart found in {detail}",
  },
  "module-top-level": {
    question: "placement",
    group: "durable",
    weight: 2,
    message: "started at module top level, once per process",
  },
  "startup-function": {
    question: "placement",
    group: "durable",
    weight: 2,
    message: "inside a function that runs once: every place that starts it does ({detail})",
  },
  "long-lived-constructor": {
    question: "placement",
    group: "durable",
    weight: 2,
    message: "inside the constructor of a class made once: every place that constructs it runs once ({detail})",
  },
  "constructor": {
    question: "placement",
    group: "durable",
    weight: 1,
    message: "inside a constructor ({detail}): runs once per instance",
  },
  "inside-request-handler": {
    question: "placement",
    group: "per-request",
    weight: 3,
    message: "inside a listener called once per item ({detail}): runs once per request, connection or message",
  },
  "listener-callback": {
    question: "placement",
    group: "per-request",
    weight: 3,
    message: "the listener itself runs once per event ({detail})",
  },
  "started-per-request": {
    question: "placement",
    group: "per-request",
    weight: 3,
    message: "every place that starts the enclosing function runs once per request, connection or message ({detail})",
  },
  "held-by-one-call": {
    question: "placement",
    group: "per-request",
    weight: 1.5,
    message: "the timer's handle is held and cleared only inside one call ({detail}): the work stops with that call",
  },
  "inside-promise-executor": {
    question: "placement",
    group: "per-request",
    weight: 3,
    message:
      "inside a promise executor, or a function handed its resolve and reject: the work lasts until that promise settles",
  },
  "loop-over-items": {
    question: "placement",
    group: "per-request",
    weight: 1.5,
    message: "inside a loop over items ({detail}): one spawn per item",
  },
  "no-lifetime-evidence": {
    question: "work",
    group: "per-request",
    weight: 0.5,
    message: "no evidence that the work recurs; taken as one-shot",
  },
  "config-override": {
    question: "placement",
    group: "durable",
    weight: 100,
    message: "group set by config ({detail})",
  },
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
  return { id, question: spec.question, group: group ?? spec.group, weight: spec.weight, message };
}
