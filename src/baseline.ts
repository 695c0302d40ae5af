/**
 * Baselines: a file recording the findings a project has accepted for now,
 * so CI fails only on new ones (as ESLint's and Semgrep's baselines do).
 * Findings are matched by fingerprint, which survives moved lines: it hashes
 * the file, rule, kind and the site's code line, not its position. Equal
 * fingerprints are matched as a multiset (two identical lines need two
 * entries).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "./errors.ts";
import { type Kind, KINDS, type SpawnSite } from "./site.ts";
import { VERSION } from "./version.ts";

/** One accepted finding: its fingerprint, and for people reading the file, where and what it was. */
export interface BaselineEntry {
  fingerprint: string;
  file: string;
  kind: Kind;
  code: string;
}

/** The baseline file (`--write-baseline` writes it, `--baseline` reads it). */
export interface Baseline {
  schemaVersion: 1;
  tool: { name: "spawn-audit"; version: string };
  findings: BaselineEntry[];
}

/**
 * The fingerprint of a site: 16 hex digits of the SHA-256 of its file, rule,
 * kind and whitespace-normalised code line.
 */
export function fingerprintOf(site: Pick<SpawnSite, "file" | "rule" | "kind" | "code">): string {
  const normalized = site.code.replace(/\s+/g, " ").trim();
  return createHash("sha256").update([site.file, site.rule, site.kind, normalized].join("\n")).digest("hex").slice(
    0,
    16,
  );
}

/** A baseline accepting every unsupervised site in `sites`. */
export function createBaseline(sites: readonly SpawnSite[]): Baseline {
  return {
    schemaVersion: 1,
    tool: { name: "spawn-audit", version: VERSION },
    findings: sites
      .filter((site) => site.status === "unsupervised")
      .map((site) => ({ fingerprint: fingerprintOf(site), file: site.file, kind: site.kind, code: site.code })),
  };
}

/**
 * Reads a baseline file.
 *
 * @throws {UsageError} when the file is missing, not JSON, or not a baseline.
 */
export function loadBaseline(path: string): Baseline {
  if (!existsSync(path)) throw new UsageError(`baseline file not found: ${path} (create it with --write-baseline)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`baseline ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const findings = (raw as { findings?: unknown })?.findings;
  if (
    (raw as { schemaVersion?: unknown })?.schemaVersion !== 1 || !Array.isArray(findings) ||
    !findings.every((entry) =>
      typeof entry?.fingerprint === "string" && typeof entry?.file === "string" &&
      (KINDS as readonly unknown[]).includes(entry?.kind) && typeof entry?.code === "string"
    )
  ) {
    throw new UsageError(`baseline ${path} is not a spawn-audit baseline (schemaVersion 1 with a findings array)`);
  }
  return raw as Baseline;
}

/**
 * How a baseline matches a scan: the unsupervised sites it accepts, and its
 * stale entries — those of a file the scan analysed that match no finding
 * any more (the code was fixed, changed or moved to another file). Entries
 * of files the scan did not analyse (other paths, `--changed`, a file that
 * no longer parses) are neither: nothing is known of them.
 */
export interface BaselineMatch {
  accepted: Set<SpawnSite>;
  stale: BaselineEntry[];
}

/**
 * Matches a baseline against a scan's sites. Each entry matches at most one
 * site (equal fingerprints as a multiset).
 *
 * @param sites the scan's sites.
 * @param baseline the baseline read with {@link loadBaseline}.
 * @param scannedFiles the files the scan analysed, as its sites name them.
 * @returns the accepted sites (a subset of `sites`) and the stale entries, in file order.
 */
export function matchBaseline(
  sites: readonly SpawnSite[],
  baseline: Baseline,
  scannedFiles: readonly string[],
): BaselineMatch {
  const remaining = new Map<string, BaselineEntry[]>();
  for (const entry of baseline.findings) {
    remaining.set(entry.fingerprint, [...(remaining.get(entry.fingerprint) ?? []), entry]);
  }
  const accepted = new Set<SpawnSite>();
  for (const site of sites) {
    if (site.status !== "unsupervised") continue;
    const left = remaining.get(fingerprintOf(site));
    if (left !== undefined && left.length > 0) {
      left.pop();
      accepted.add(site);
    }
  }
  const scanned = new Set(scannedFiles);
  const unmatched = new Set([...remaining.values()].flat());
  const stale = baseline.findings.filter((entry) => unmatched.has(entry) && scanned.has(entry.file));
  return { accepted, stale };
}

/**
 * The baseline without `stale` entries (`--prune-baseline`); the other
 * entries and their order are kept, the tool version is this one.
 */
export function pruneBaseline(baseline: Baseline, stale: readonly BaselineEntry[]): Baseline {
  const removed = new Set(stale);
  return {
    schemaVersion: 1,
    tool: { name: "spawn-audit", version: VERSION },
    findings: baseline.findings.filter((entry) => !removed.has(entry)),
  };
}
