/**
 * The SARIF 2.1.0 report, `--format sarif`, for GitHub code scanning and
 * other SARIF consumers, built with node-sarif-builder. One SARIF rule per
 * spawn-audit rule (its id is the one config, ignore comments and `explain`
 * use: `timers`, `floating-promise`, ...), with the message of each of its
 * kinds as help text (plain and markdown), the link to its rule page, tags,
 * precision and default level; one result per unsupervised or ignored site,
 * its kind in `properties.kind` (ignored ones carry an in-source
 * suppression with the comment's reason). Levels: durable →
 * error, per-request → warning, test → note. With a baseline, results carry
 * `baselineState`.
 *
 * What GitHub code scanning reads beyond the schema (its "SARIF support for
 * code scanning" page): artifact URIs relative to the repository root under
 * `uriBaseId: "%SRCROOT%"`, the root itself in the run's
 * `originalUriBaseIds`, and `partialFingerprints.primaryLocationLineHash`
 * to follow an alert across commits.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from "node-sarif-builder";
import type { Group, SpawnSite } from "../site.ts";
import type { ScanResult } from "../scan.ts";
import { fingerprintOf } from "../baseline.ts";
import { RULES } from "../../rules/mod.ts";
import { VERSION } from "../version.ts";
import { DOCS_BASE_URL, ruleDocUrl } from "./rules.ts";
import { rebase, reportBase } from "./paths.ts";

const LEVELS: Record<Group, "error" | "warning" | "note"> = {
  durable: "error",
  "per-request": "warning",
  test: "note",
};

/**
 * A rule's level when a result gives none (each result gives its group's:
 * see {@link LEVELS}): error, as a finding of the default `--fail-on`
 * (durable) fails the run.
 */
const DEFAULT_LEVEL = "error";

/** Tags of every rule (GitHub code scanning filters alerts by them), followed by the rule's kinds. */
const TAGS = ["reliability", "error-handling"];

/**
 * How often a finding is right, on code scanning's scale (very-high, high,
 * medium, low): medium for every rule. Measured on the truth set
 * (test/truth: `npm run accuracy`), about 7 of 10 findings are work that
 * is truly unsupervised — tuning half 204 of 267, evaluation half 75 of
 * 111 — the rest mostly work whose failure is handled in a way the
 * analysis does not see. The truth set does not give a figure per rule.
 */
const PRECISION = "medium";

/** The `uriBaseId` every artifact location is relative to: the repository root (GitHub's convention). */
const SOURCE_ROOT_ID = "%SRCROOT%";

/**
 * Renders the SARIF log.
 *
 * @param result the scan result.
 * @param accepted sites accepted by a baseline (`baselineState: "unchanged"`),
 *   or undefined when no baseline is used.
 * @param cwd the working directory the result's paths are relative to,
 *   absolute. Artifact URIs are made relative to the git work tree holding
 *   the scan root, else to `cwd`.
 * @returns the SARIF document as indented JSON with a trailing newline.
 */
export function formatSarif(result: ScanResult, accepted: ReadonlySet<SpawnSite> | undefined, cwd: string): string {
  const base = reportBase(result.root, cwd);
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: "spawn-audit",
    toolDriverVersion: VERSION,
    url: `${DOCS_BASE_URL}README.md`,
  });
  run.run.originalUriBaseIds = { [SOURCE_ROOT_ID]: { uri: pathToFileURL(base).href.replace(/\/?$/, "/") } };
  for (const rule of RULES) {
    const url = ruleDocUrl(rule.id);
    const messages = rule.kinds.map((kind) => ({ kind, message: rule.messages[kind] ?? rule.description }));
    const builder = new SarifRuleBuilder().initSimple({
      ruleId: rule.id,
      shortDescriptionText: rule.description,
      fullDescriptionText: messages.map(({ kind, message }) => `${kind}: ${message}`).join("\n"),
      helpUri: url,
    });
    builder.rule.help = {
      text: `${messages.map(({ kind, message }) => `${kind}: ${message}`).join("\n\n")}\n\nRule ${rule.id}: ${url}`,
      markdown: `${
        messages.map(({ kind, message }) => `**\`${kind}\`**: ${message}`).join("\n\n")
      }\n\nSee the [${rule.id} rule](${url}) for examples and how it is fixed.`,
    };
    builder.rule.defaultConfiguration = { level: DEFAULT_LEVEL };
    builder.rule.properties = { tags: [...TAGS, ...rule.kinds], precision: PRECISION };
    run.addRule(builder);
  }
  const occurrences = new Map<string, number>();
  const listed = new Set<string>();
  for (const site of result.sites) {
    if (site.status !== "unsupervised" && site.status !== "ignored") continue;
    const builder = new SarifResultBuilder().initSimple({
      level: LEVELS[site.group],
      messageText: `${site.message} (${site.group}, confidence ${site.confidence.toFixed(2)}: ${
        site.signals.map((s) => s.id).join(", ")
      })`,
      ruleId: site.rule,
      startLine: site.start.line,
      startColumn: site.start.column,
      endLine: site.end.line,
      endColumn: site.end.column,
    });
    const uri = rebase(site.file, cwd, base);
    builder.setLocationArtifactUri({ uri, uriBaseId: SOURCE_ROOT_ID });
    // Listed here so the run's artifacts carry the base id too (node-sarif-builder lists only missing ones, without it).
    if (!listed.has(uri)) {
      listed.add(uri);
      (run.run.artifacts ??= []).push({ location: { uri, uriBaseId: SOURCE_ROOT_ID } });
    }
    builder.result.partialFingerprints = { primaryLocationLineHash: lineHash({ ...site, file: uri }, occurrences) };
    builder.result.properties = {
      kind: site.kind,
      group: site.group,
      confidence: site.confidence,
      signals: site.signals.map((s) => s.id),
    };
    if (site.status === "ignored") {
      builder.result.suppressions = [{ kind: "inSource", justification: site.statusReason ?? "" }];
    }
    if (accepted !== undefined) builder.result.baselineState = accepted.has(site) ? "unchanged" : "new";
    run.addResult(builder);
  }
  const log = new SarifBuilder();
  log.addRun(run);
  return log.buildSarifJsonString({ indent: true }) + "\n";
}

/**
 * `primaryLocationLineHash`: the baseline fingerprint (file, rule, kind and
 * code line, see {@link fingerprintOf}) of the site with its path relative
 * to the repository root, so the hash does not depend on the folder the
 * scan ran from; then, after a colon, which occurrence of that fingerprint
 * this is (1 for the first), as github/codeql-action writes the hash, so
 * identical lines stay distinct.
 *
 * @param site the site, its `file` relative to the repository root.
 * @param occurrences fingerprints seen so far in this report, updated.
 */
function lineHash(site: SpawnSite, occurrences: Map<string, number>): string {
  const fingerprint = fingerprintOf(site);
  const occurrence = (occurrences.get(fingerprint) ?? 0) + 1;
  occurrences.set(fingerprint, occurrence);
  return `${fingerprint}:${occurrence}`;
}
