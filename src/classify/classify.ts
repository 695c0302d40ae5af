/**
 * Turns signals into a group and a confidence by answering two questions
 * separately (DESIGN.md "Classification"): what the work is (recurring or
 * one-shot) and where it is started (long-lived place, per request, test).
 * Deterministic: the same signals always give the same answer.
 *
 * @module
 */
import type { Group, Placement, Resolution, Signal, Work } from "../site.ts";
import { signal } from "./signals.ts";

/** A group decision with its confidence in [0, 1], both answers, and the signals behind them. */
export interface Classification {
  group: Group;
  confidence: number;
  work: Work;
  placement: Placement;
  signals: Signal[];
}

/**
 * Decides the group of a site from its signals.
 *
 * 1. A `config-override` signal sets the group outright; so does any `test`
 *    placement signal (test evidence wins over everything).
 * 2. **Work**: the `work` signals pointing to `durable` (recurring) are
 *    weighed against those pointing to `per-request` (one-shot); recurring
 *    wins only when strictly heavier. With no work signal the work is
 *    one-shot on `no-lifetime-evidence`.
 * 3. **Placement**: `placement` signals for a long-lived place against those
 *    for per request, event or item; `unknown` when there are none or they
 *    tie.
 * 4. **durable** = recurring work not started per request (long-lived or
 *    unknown placement: recurring work is owned by whoever started it, and a
 *    method nothing in the program calls is started by the package's user). Everything else is `per-request`:
 *    one-shot work wherever it starts, including at startup, and recurring
 *    work scoped to one request, event or item. Names and placement alone
 *    never make a site durable.
 *
 * Confidence = the work margin (winning weight over the work question's
 * total) × the placement margin (the same for placement; 0.8 when the
 * placement is unknown; 1 for one-shot work, where placement does not
 * decide) × min(1, 0.5 + winning work weight / 8), × 0.8 when the site was
 * recognised by syntax only; rounded to two decimals. Test and override
 * sites: min(1, 0.5 + their weight / 8).
 *
 * @param signals the site's signals, in any order.
 * @param resolution how the site was recognised.
 */
export function classify(signals: readonly Signal[], resolution: Resolution): Classification {
  const syntaxFactor = resolution === "syntax" ? 0.8 : 1;
  const override = signals.find((item) => item.id === "config-override");
  const tests = signals.filter((item) => item.question === "placement" && item.group === "test");
  if (override !== undefined || tests.length > 0) {
    const decisive = override !== undefined ? [override] : tests;
    const weight = decisive.reduce((sum, item) => sum + item.weight, 0);
    return {
      group: override?.group ?? "test",
      confidence: round(Math.min(1, 0.5 + weight / 8) * syntaxFactor),
      work: "unknown",
      placement: override !== undefined ? "unknown" : "test",
      signals: [...signals],
    };
  }
  const all = signals.some((item) => item.question === "work")
    ? [...signals]
    : [...signals, signal("no-lifetime-evidence")];
  const work = weigh(all, "work");
  const placement = weigh(all, "placement");
  const recurring = work.durable > work.perRequest;
  const placementAnswer = placementOf(all);
  const group: Group = recurring && placementAnswer !== "per-request" ? "durable" : "per-request";
  const workWinner = recurring ? work.durable : work.perRequest;
  const workMargin = workWinner / (work.durable + work.perRequest);
  const placementMargin = !recurring
    ? 1
    : placementAnswer === "unknown"
    ? UNKNOWN_PLACEMENT_MARGIN
    : Math.max(placement.durable, placement.perRequest) / (placement.durable + placement.perRequest);
  const raw = workMargin * placementMargin * Math.min(1, 0.5 + workWinner / 8) * syntaxFactor;
  return {
    group,
    confidence: round(raw),
    work: recurring ? "recurring" : "one-shot",
    placement: placementAnswer,
    signals: all,
  };
}

/**
 * The answer to "where is it started?" from a site's signals: the
 * `placement` signals for a long-lived place weighed against those for per
 * request, event or item (test signals aside); `unknown` on a tie or with
 * none.
 *
 * @param signals the signals, in any order.
 */
export function placementOf(signals: readonly Signal[]): Exclude<Placement, "test"> {
  const placement = weigh(signals, "placement");
  return placement.durable > placement.perRequest
    ? "long-lived"
    : placement.perRequest > placement.durable
    ? "per-request"
    : "unknown";
}

/** The placement factor of confidence when recurring work has no placement evidence. */
const UNKNOWN_PLACEMENT_MARGIN = 0.8;

function weigh(signals: readonly Signal[], question: Signal["question"]): { durable: number; perRequest: number } {
  let durable = 0;
  let perRequest = 0;
  for (const item of signals) {
    if (item.question !== question) continue;
    if (item.group === "durable") durable += item.weight;
    else if (item.group === "per-request") perRequest += item.weight;
  }
  return { durable, perRequest };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
