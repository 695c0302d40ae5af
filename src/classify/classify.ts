/**
 * Turns signals into a group and a confidence. Deterministic: the same
 * signals always give the same answer.
 *
 * @module
 */
import { GROUPS, type Group, type Resolution, type Signal } from "../site.ts";
import { signal } from "./signals.ts";

/** A group decision with its confidence in [0, 1] and the signals behind it. */
export interface Classification {
  group: Group;
  confidence: number;
  signals: Signal[];
}

/**
 * Decides the group of a site from its signals.
 *
 * Each group's score is the sum of its signals' weights; the highest wins,
 * ties going to the more severe group (durable, then per-request, then
 * test). With no signal at all the site is `per-request` on the
 * `no-lifetime-evidence` signal.
 *
 * Confidence = (winner / total) × min(1, 0.5 + winner / 8), times 0.8 when
 * the site was recognised by syntax only; rounded to two decimals. So one
 * weak signal gives about 0.6, agreeing strong evidence gives 1.
 *
 * @param signals the site's signals, in any order.
 * @param resolution how the site was recognised.
 */
export function classify(signals: readonly Signal[], resolution: Resolution): Classification {
  const all = signals.length === 0 ? [signal("no-lifetime-evidence")] : [...signals];
  const scores = new Map<Group, number>(GROUPS.map((group) => [group, 0]));
  for (const item of all) scores.set(item.group, scores.get(item.group)! + item.weight);
  let group: Group = GROUPS[0]!;
  for (const candidate of GROUPS) if (scores.get(candidate)! > scores.get(group)!) group = candidate;
  const winner = scores.get(group)!;
  const total = [...scores.values()].reduce((sum, score) => sum + score, 0);
  const raw = (winner / total) * Math.min(1, 0.5 + winner / 8) * (resolution === "syntax" ? 0.8 : 1);
  return { group, confidence: Math.round(raw * 100) / 100, signals: all };
}
