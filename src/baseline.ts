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
 * The unsupervised sites the baseline accepts. Each baseline entry matches
 * at most one site.
 *
 * @returns the accepted sites (a subset of `sites`).
 */
export function acceptedByBaseline(sites: readonly SpawnSite[], baseline: Baseline): Set<SpawnSite> {
  const remaining = new Map<string, number>();
  for (const entry of baseline.findings) remaining.set(entry.fingerprint, (remaining.get(entry.fingerprint) ?? 0) + 1);
  const accepted = new Set<SpawnSite>();
  for (const site of sites) {
    if (site.status !== "unsupervised") continue;
    const fingerprint = fingerprintOf(site);
    const left = remaining.get(fingerprint) ?? 0;
    if (left > 0) {
      remaining.set(fingerprint, left - 1);
      accepted.add(site);
    }
  }
  return accepted;
}
