/**
 * The JSON report, `--format json`. Its shape is versioned by
 * `schemaVersion` and described field by field in
 * `schema/scan-report.v1.json` (JSON Schema 2020-12); a new field bumps the
 * minor part of the tool version, a changed or removed one bumps
 * `schemaVersion`.
 *
 * @module
 */
import type { ScanProblem, ScanWarning, SkippedFile, SpawnSite } from "../site.ts";
import { fingerprintOf } from "../baseline.ts";
import type { ScanResult } from "../scan.ts";
import { VERSION } from "../version.ts";
import { type FailOn, summarize, type Summary } from "./summary.ts";

/** The current JSON report schema version. */
export const SCHEMA_VERSION = 1;

/**
 * A site as the JSON report shows it: every {@link SpawnSite} field, its
 * baseline `fingerprint`, and `inBaseline` (true when a `--baseline`
 * accepts this finding, false when it does not, null without a baseline or
 * for sites that are not findings).
 */
export interface JsonSite extends SpawnSite {
  fingerprint: string;
  inBaseline: boolean | null;
}

/** The JSON report document (see `schema/scan-report.v1.json`). */
export interface JsonReport {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: "spawn-audit"; version: string };
  root: string;
  tsconfig: string | null;
  filesScanned: number;
  failOn: FailOn;
  failed: boolean;
  summary: Summary;
  sites: JsonSite[];
  problems: ScanProblem[];
  skipped: SkippedFile[];
  warnings: ScanWarning[];
}

/**
 * Builds the JSON report for a scan.
 *
 * @param result the scan result.
 * @param failOn the threshold used.
 * @param failed whether the threshold was reached (the exit code is 1).
 * @param accepted findings a baseline accepts, when a baseline is used.
 */
export function jsonReport(
  result: ScanResult,
  failOn: FailOn,
  failed: boolean,
  accepted?: ReadonlySet<SpawnSite>,
): JsonReport {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "spawn-audit", version: VERSION },
    root: result.root,
    tsconfig: result.tsconfig,
    filesScanned: result.scannedFiles.length,
    failOn,
    failed,
    summary: summarize(result.sites),
    sites: result.sites.map((site) => ({
      ...site,
      fingerprint: fingerprintOf(site),
      inBaseline: accepted === undefined || site.status !== "unsupervised" ? null : accepted.has(site),
    })),
    problems: result.problems,
    skipped: result.skipped,
    warnings: result.warnings,
  };
}

/** Serialises the report as pretty-printed JSON with a trailing newline. */
export function formatJson(report: JsonReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}
