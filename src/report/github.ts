/**
 * GitHub Actions workflow-command annotations, `--format github`: one
 * `::error`/`::warning`/`::notice` line per unsupervised site (durable,
 * per-request, test), which GitHub shows on the pull request diff. Values
 * are escaped as the workflow-command format requires.
 *
 * @module
 */
import type { Group, SpawnSite } from "../site.ts";
import type { ScanResult } from "../scan.ts";

const COMMANDS: Record<Group, string> = { durable: "error", "per-request": "warning", test: "notice" };

/** Escapes a message (the part after `::`). */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a property value (`file=...`, `title=...`). */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * Renders annotations for unsupervised sites not accepted by a baseline.
 *
 * @param result the scan result.
 * @param accepted sites accepted by a baseline, not annotated.
 * @returns one line per annotation, ending with a newline (empty when none).
 */
export function formatGithub(result: ScanResult, accepted: ReadonlySet<SpawnSite> | undefined): string {
  return result.sites
    .filter((site) => site.status === "unsupervised" && !accepted?.has(site))
    .map((site) => {
      const properties = [
        `file=${escapeProperty(site.file)}`,
        `line=${site.start.line}`,
        `col=${site.start.column}`,
        `endLine=${site.end.line}`,
        `endColumn=${site.end.column}`,
        `title=${escapeProperty(`spawn-audit: ${site.kind} (${site.group})`)}`,
      ].join(",");
      return `::${COMMANDS[site.group]} ${properties}::${escapeData(site.message)}\n`;
    })
    .join("");
}
