/**
 * spawn-audit as a library: load a project, scan it, render reports, and
 * rewrite sites to run under the shim (`runFix`).
 *
 * @example
 * ```ts
 * import { loadProject, scanProject, DEFAULT_CONFIG } from "spawn-audit";
 * const project = loadProject({ paths: ["src"], cwd: process.cwd() });
 * const { sites } = scanProject(project, DEFAULT_CONFIG, process.cwd());
 * console.log(sites.filter((site) => site.status === "unsupervised").length);
 * ```
 *
 * @module
 */
/** The data model: spawn sites, kinds, groups, statuses, signals (src/site.ts). */
export type {
  Group,
  Kind,
  Position,
  Resolution,
  ScanProblem,
  ScanWarning,
  Signal,
  SkippedFile,
  SkipReason,
  SpawnSite,
  Status,
} from "./site.ts";
export { GROUPS, KINDS, SKIP_REASONS, STATUSES } from "./site.ts";
/** The configuration's shape, discovery and validation (src/config.ts, schema/config.v1.json). */
export type { Config, GroupOverride, IgnoreCommentOptions, ResolvedConfig, RuleSetting } from "./config.ts";
export { DEFAULT_CONFIG, loadConfig, parseConfig, resolveConfig } from "./config.ts";
/** Project loading: paths and tsconfig to a program and target files (src/project.ts). */
export type { LoadedProject, LoadOptions } from "./project.ts";
export { loadProject } from "./project.ts";
/** The rule driver's result (src/scan.ts). */
export type { ScanResult } from "./scan.ts";
export { scanProject } from "./scan.ts";
/** The versioned JSON report (src/report/json.ts, schema/scan-report.v1.json). */
export type { JsonReport } from "./report/json.ts";
export { jsonReport } from "./report/json.ts";
/** The codemod: options, per-file changes, rewrites and skips (src/fix/fix.ts, docs/fix.md). */
export type {
  FileChange,
  FixOptions,
  FixResult,
  FormatRun,
  LintRun,
  SiteRewrite,
  SiteSkip,
  VendorChange,
} from "./fix/fix.ts";
export { runFix } from "./fix/fix.ts";
export { formatFixReport } from "./fix/report.ts";
/** What a rule's rewrite receives and returns (src/rule.ts). */
export type { FixContext, FixOutcome, FixSkip, Rewrite, ShimFunction, TextEdit } from "./rule.ts";
export { UsageError } from "./errors.ts";
export { runCli } from "./cli.ts";
