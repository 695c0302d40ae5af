/**
 * Counts behind every report: sites by status, and unsupervised sites by
 * group × kind. Also decides the exit status against a `--fail-on` threshold.
 *
 * @module
 */
import { type Group, GROUPS, type Kind, KINDS, type SpawnSite, type Status, STATUSES } from "../site.ts";

/** The `--fail-on` threshold: a group, or `none` to never fail on findings. */
export type FailOn = Group | "none";

/**
 * Site counts. `unsupervised[group][kind]` counts findings (kinds with no
 * finding are present with 0); `byStatus` counts every site.
 */
export interface Summary {
  total: number;
  byStatus: Record<Status, number>;
  unsupervised: Record<Group, Record<Kind, number>>;
}

/** Counts `sites` by status and unsupervised sites by group × kind. */
export function summarize(sites: readonly SpawnSite[]): Summary {
  const byStatus = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<Status, number>;
  const unsupervised = Object.fromEntries(
    GROUPS.map((group) => [group, Object.fromEntries(KINDS.map((kind) => [kind, 0]))]),
  ) as Record<Group, Record<Kind, number>>;
  for (const site of sites) {
    byStatus[site.status]++;
    if (site.status === "unsupervised") unsupervised[site.group][site.kind]++;
  }
  return { total: sites.length, byStatus, unsupervised };
}

/**
 * Whether findings reach the threshold: an unsupervised site whose group is
 * `failOn` or more severe (durable > per-request > test).
 *
 * @returns true when the run should exit with code 1.
 */
export function failsThreshold(sites: readonly SpawnSite[], failOn: FailOn): boolean {
  if (failOn === "none") return false;
  const limit = GROUPS.indexOf(failOn);
  return sites.some((site) => site.status === "unsupervised" && GROUPS.indexOf(site.group) <= limit);
}
