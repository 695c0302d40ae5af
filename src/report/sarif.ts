/**
 * The SARIF 2.1.0 report, `--format sarif`, for GitHub code scanning and
 * other SARIF consumers, built with node-sarif-builder. One SARIF rule per
 * spawn kind; one result per unsupervised or ignored site (ignored ones carry
 * an in-source suppression). Levels: durable → error, per-request → warning,
 * test → note. With a baseline, results carry `baselineState`.
 *
 * @module
 */
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from "node-sarif-builder";
import type { Group, SpawnSite } from "../site.ts";
import type { ScanResult } from "../scan.ts";
import { RULES } from "../../rules/mod.ts";
import { VERSION } from "../version.ts";

const LEVELS: Record<Group, "error" | "warning" | "note"> = { durable: "error", "per-request": "warning", test: "note" };

/**
 * Renders the SARIF log.
 *
 * @param result the scan result.
 * @param accepted sites accepted by a baseline (`baselineState: "unchanged"`),
 *   or undefined when no baseline is used.
 * @returns the SARIF document as indented JSON with a trailing newline.
 */
export function formatSarif(result: ScanResult, accepted: ReadonlySet<SpawnSite> | undefined): string {
  const run = new SarifRunBuilder().initSimple({ toolDriverName: "spawn-audit", toolDriverVersion: VERSION });
  for (const rule of RULES) {
    for (const kind of rule.kinds) {
      run.addRule(new SarifRuleBuilder().initSimple({
        ruleId: kind,
        shortDescriptionText: rule.description,
        fullDescriptionText: rule.messages[kind] ?? rule.description,
      }));
    }
  }
  for (const site of result.sites) {
    if (site.status !== "unsupervised" && site.status !== "ignored") continue;
    const builder = new SarifResultBuilder().initSimple({
      level: LEVELS[site.group],
      messageText: `${site.message} (${site.group}, confidence ${site.confidence.toFixed(2)}: ${site.signals.map((s) => s.id).join(", ")})`,
      ruleId: site.kind,
      fileUri: site.file,
      startLine: site.start.line,
      startColumn: site.start.column,
      endLine: site.end.line,
      endColumn: site.end.column,
    });
    builder.result.properties = { group: site.group, confidence: site.confidence, signals: site.signals.map((s) => s.id) };
    if (site.status === "ignored") builder.result.suppressions = [{ kind: "inSource", justification: site.statusReason ?? "" }];
    if (accepted !== undefined) builder.result.baselineState = accepted.has(site) ? "unchanged" : "new";
    run.addResult(builder);
  }
  const log = new SarifBuilder();
  log.addRun(run);
  return log.buildSarifJsonString({ indent: true }) + "\n";
}
