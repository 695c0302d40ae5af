/**
 * Scoring the scanner against the truth set: hand-labelled spawn sites of
 * real packages (`test/truth/*.json`, one file per package, labelled by
 * reading the code before the tool was run on it).
 *
 * Data flows one way: truth files + scan results → matches → figures.
 *
 * @module
 */
import type { Group, Kind, SpawnSite } from "../../src/site.ts";

/**
 * One labelled site. `file` is relative to the package root; `line` is the
 * 1-based line of the site's first token (the timer call, the statement, the
 * `async` of a listener, the `new` of a worker); `handled` is true when a
 * failure of the work is observed or impossible; `reason` says why, in one
 * line.
 */
export interface TruthSite {
  file: string;
  line: number;
  kind: Kind;
  group: Group;
  handled: boolean;
  reason: string;
}

/**
 * A truth file: one package's labelled sites, the directories (from the
 * repository root) they cover, and files under them left out of the
 * labelling (`exclude`, relative to the package root: bundles).
 */
export interface TruthFile {
  package: string;
  version: string;
  scope: string[];
  exclude?: string[];
  labelledBy: string;
  /** `application` (a server, CLI, daemon or dev server) or `library`; see `README.md` here. */
  role?: "application" | "library";
  /** The project the package is one part of (`node-red` for `@node-red/runtime`), when not the package itself. */
  project?: string;
  sites: TruthSite[];
}

/**
 * A truth site and the tool's site for it (`site` undefined when the tool
 * found nothing there). `file` is the truth site's path from the repository
 * root, as the tool reports it when run from there.
 */
export interface Match {
  truth: TruthSite;
  file: string;
  site: SpawnSite | undefined;
}

/** The outcome of matching one package: each truth site with its tool site, and the tool's sites no label covers. */
export interface PackageMatches {
  package: string;
  matches: Match[];
  unlabelled: SpawnSite[];
}

/**
 * The figures `npm run accuracy` prints, each a share in [0, 1] (null when
 * its denominator is zero) with the counts behind it:
 *
 * - `recall`: unhandled non-test truth sites the tool reports (`unsupervised`).
 * - `handledReported`: handled truth sites the tool still reports (lower is better).
 * - `groupAccuracy`: truth sites found by the tool whose group agrees.
 * - `durablePrecision`: of the found sites the tool groups durable, the share that are durable.
 * - `durableRecall`: of the durable truth sites, the share the tool finds and groups durable.
 * - `unlabelledReported`: findings at places with no label (sites the labels say are not sites).
 */
export interface Figures {
  sites: number;
  recall: Ratio;
  handledReported: Ratio;
  groupAccuracy: Ratio;
  durablePrecision: Ratio;
  durableRecall: Ratio;
  unlabelledReported: number;
}

/** `hits` out of `of`, and their share (`null` when `of` is 0). */
export interface Ratio {
  hits: number;
  of: number;
  share: number | null;
}

/** Kinds that name the same thing seen from another angle: a truth label and the tool may differ among these. */
const KIND_FAMILY: Readonly<Record<Kind, string>> = {
  timeout: "timeout",
  interval: "interval",
  immediate: "immediate",
  microtask: "microtask",
  "floating-promise": "promise",
  "void-promise": "promise",
  "then-without-catch": "promise",
  "async-iife": "promise",
  "async-listener": "async-listener",
  worker: "worker",
};

/**
 * Pairs each truth site with the tool site at the same place: same file,
 * same kind family (the four promise kinds count as one), and the labelled
 * line inside the tool site's range; a site starting on the labelled line
 * beats one that only spans it, a shorter range beats a longer one. Each
 * tool site is used once.
 *
 * @param truth one package's truth file.
 * @param sites the tool's sites for the package's scope, with paths from the repository root.
 */
export function matchPackage(truth: TruthFile, sites: readonly SpawnSite[]): PackageMatches {
  const root = packageRoot(truth);
  const excluded = new Set((truth.exclude ?? []).map((file) => `${root}/${file}`));
  const unused = new Set(sites.filter((site) => !excluded.has(site.file)));
  const matches = truth.sites.map((label): Match => {
    const file = `${root}/${label.file}`;
    const candidates = [...unused].filter((site) =>
      site.file === file && KIND_FAMILY[site.kind] === KIND_FAMILY[label.kind] &&
      site.start.line <= label.line && label.line <= site.end.line
    );
    candidates.sort((a, b) =>
      Number(b.start.line === label.line) - Number(a.start.line === label.line) ||
      (a.end.line - a.start.line) - (b.end.line - b.start.line)
    );
    const site = candidates[0];
    if (site !== undefined) unused.delete(site);
    return { truth: label, file, site };
  });
  return { package: truth.package, matches, unlabelled: [...unused] };
}

/** The directory the truth file's `file` paths are relative to: `node_modules/<package>`. */
export function packageRoot(truth: TruthFile): string {
  return `node_modules/${truth.package}`;
}

/**
 * Computes the figures over any number of packages' matches (see
 * {@link Figures} for each definition).
 *
 * @param packages matched packages; pass one for per-package figures.
 */
export function figuresOf(packages: readonly PackageMatches[]): Figures {
  const matches = packages.flatMap((entry) => entry.matches);
  const reported = (match: Match): boolean => match.site?.status === "unsupervised";
  const found = matches.filter((match) => match.site !== undefined);
  const unhandled = matches.filter((match) => !match.truth.handled && match.truth.group !== "test");
  const toolDurable = found.filter((match) => match.site!.group === "durable");
  const truthDurable = matches.filter((match) => match.truth.group === "durable");
  return {
    sites: matches.length,
    recall: ratio(unhandled.filter(reported).length, unhandled.length),
    handledReported: ratio(
      matches.filter((match) => match.truth.handled && reported(match)).length,
      matches.filter((match) => match.truth.handled).length,
    ),
    groupAccuracy: ratio(found.filter((match) => match.site!.group === match.truth.group).length, found.length),
    durablePrecision: ratio(toolDurable.filter((match) => match.truth.group === "durable").length, toolDurable.length),
    durableRecall: ratio(truthDurable.filter((match) => match.site?.group === "durable").length, truthDurable.length),
    unlabelledReported:
      packages.flatMap((entry) => entry.unlabelled).filter((site) => site.status === "unsupervised").length,
  };
}

function ratio(hits: number, of: number): Ratio {
  return { hits, of, share: of === 0 ? null : hits / of };
}

/** The figures that have a floor, with whether higher is better. */
export const RATCHETED: readonly { key: keyof Figures; higherIsBetter: boolean }[] = [
  { key: "recall", higherIsBetter: true },
  { key: "handledReported", higherIsBetter: false },
  { key: "groupAccuracy", higherIsBetter: true },
  { key: "durablePrecision", higherIsBetter: true },
  { key: "durableRecall", higherIsBetter: true },
];

/**
 * Where each tool site disagrees with its label, one line each, for reading
 * by a person: missed sites, findings on handled sites, group differences,
 * and findings with no label.
 *
 * @param entry one package's matches.
 */
export function disagreements(entry: PackageMatches): string[] {
  const lines: string[] = [];
  for (const { truth, file, site } of entry.matches) {
    const where = `${file}:${truth.line} ${truth.kind}`;
    if (site === undefined) {
      if (!truth.handled) lines.push(`missed      ${where} (${truth.group}): ${truth.reason}`);
      continue;
    }
    if (truth.handled && site.status === "unsupervised") lines.push(`handled     ${where} reported: ${truth.reason}`);
    if (!truth.handled && truth.group !== "test" && site.status !== "unsupervised") {
      lines.push(`not-found   ${where} marked ${site.status} (${site.statusReason}): ${truth.reason}`);
    }
    if (site.group !== truth.group) {
      const evidence = site.signals.map((signal) => signal.id).join(", ");
      lines.push(`group       ${where} tool ${site.group} [${evidence}] truth ${truth.group}: ${truth.reason}`);
    }
  }
  for (const site of entry.unlabelled) {
    if (site.status === "unsupervised") {
      lines.push(`unlabelled  ${site.file}:${site.start.line} ${site.kind} ${site.group}: ${site.code}`);
    }
  }
  return lines;
}
