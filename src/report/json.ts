/**
 * The JSON report, `--format json`. Its shape is versioned by
 * `schemaVersion` and described field by field in
 * `schema/scan-report.v1.json` (JSON Schema 2020-12); a new field bumps the
 * minor part of the tool version, a changed or removed one bumps
 * `schemaVersion`.
 *
 * @module
 */
import type { ScanProblem, SpawnSite } from "../site.ts";
import type { ScanResult } from "../scan.ts";
import { VERSION } from "../version.ts";
import { summarize, type FailOn, type Summary } from "./summary.ts";

/** The current JSON report schema version. */
export const SCHEMA_VERSION = 1;

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
  sites: SpawnSite[];
  problems: ScanProblem[];
}

/**
 * Builds the JSON report for a scan.
 *
 * @param result the scan result.
 * @param failOn the threshold used.
 * @param failed whether the threshold was reached (the exit code is 1).
 */
export function jsonReport(result: ScanResult, failOn: FailOn, failed: boolean): JsonReport {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "spawn-audit", version: VERSION },
    root: result.root,
    tsconfig: result.tsconfig,
    filesScanned: result.filesScanned,
    failOn,
    failed,
    summary: summarize(result.sites),
    sites: result.sites,
    problems: result.problems,
  };
}

/** Serialises the report as pretty-printed JSON with a trailing newline. */
export function formatJson(report: JsonReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}
