/**
 * GitHub Actions workflow-command annotations, `--format github`: one
 * `::error`/`::warning`/`::notice` line per unsupervised site (durable,
 * per-request, test), which GitHub shows on the pull request diff, with the
 * link to the rule's page. File paths are relative to `GITHUB_WORKSPACE`
 * (the checkout GitHub resolves annotation paths against) when it is set,
 * else to the git work tree holding the scan root. Values are escaped as
 * the workflow-command format requires.
 *
 * @module
 */
import type { Group, SpawnSite } from "../site.ts";
import type { ScanResult } from "../scan.ts";
import { type FailOn, failsThreshold } from "./summary.ts";
import { rebase, reportBase } from "./paths.ts";
import { ruleDocUrl } from "./rules.ts";

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
 * Where the annotations are made and which ones.
 *
 * - `cwd`: the working directory the result's paths are relative to, absolute.
 * - `workspace`: the `GITHUB_WORKSPACE` directory, absolute, when set.
 * - `failing`: with `--quiet`, the `--fail-on` threshold: only findings that fail the run are annotated.
 */
export interface GithubOptions {
  cwd: string;
  workspace?: string | undefined;
  failing?: FailOn | undefined;
}

/**
 * Renders annotations for unsupervised sites not accepted by a baseline.
 *
 * @param result the scan result.
 * @param accepted sites accepted by a baseline, not annotated.
 * @param options paths and filter (see {@link GithubOptions}).
 * @returns one line per annotation, ending with a newline (empty when none).
 */
export function formatGithub(
  result: ScanResult,
  accepted: ReadonlySet<SpawnSite> | undefined,
  options: GithubOptions,
): string {
  const base = options.workspace ?? reportBase(result.root, options.cwd);
  return result.sites
    .filter((site) => site.status === "unsupervised" && !accepted?.has(site))
    .filter((site) => options.failing === undefined || failsThreshold([site], options.failing))
    .map((site) => {
      const properties = [
        `file=${escapeProperty(rebase(site.file, options.cwd, base))}`,
        `line=${site.start.line}`,
        `col=${site.start.column}`,
        `endLine=${site.end.line}`,
        `endColumn=${site.end.column}`,
        `title=${escapeProperty(`spawn-audit: ${site.kind} (${site.group})`)}`,
      ].join(",");
      return `::${COMMANDS[site.group]} ${properties}::${
        escapeData(`${site.message}\nRule ${site.rule}: ${ruleDocUrl(site.rule)}`)
      }\n`;
    })
    .join("");
}
