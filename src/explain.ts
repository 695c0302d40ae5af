/**
 * `spawn-audit explain <name>`: what a rule, a kind or a signal means. A rule
 * id prints the rule's page (`rules/<rule>/README.md`, shipped with the
 * package); a kind prints its finding message and its rule; a signal prints
 * its entry of the catalogue (`classify/signals.ts`). A name that is both a
 * rule id and a kind (`floating-promise`) gives the rule page, which
 * describes the kind.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { RULES } from "../rules/mod.ts";
import { SIGNAL_CATALOGUE, type SignalId } from "./classify/signals.ts";
import { UsageError } from "./errors.ts";
import { closest } from "./suggest.ts";
import { packageFile } from "./package-files.ts";
import { type Kind, KINDS } from "./site.ts";

/**
 * The explanation of `name`, as text ending in a newline.
 *
 * @param name a rule id, kind or signal id.
 * @throws {UsageError} for an unknown name, with the nearest known one
 *   when one is close (`timer`: did you mean `timers`) and the rules; or
 *   when the rule's page is missing from the installation.
 */
export function explain(name: string): string {
  const rule = RULES.find((candidate) => candidate.id === name);
  if (rule !== undefined) {
    const page = packageFile(`rules/${rule.id}/README.md`);
    if (page === undefined) {
      throw new UsageError(`this spawn-audit installation lacks rules/${rule.id}/README.md; reinstall it`);
    }
    const text = readFileSync(page, "utf8");
    return text.endsWith("\n") ? text : `${text}\n`;
  }
  if ((KINDS as readonly string[]).includes(name)) {
    const kind = name as Kind;
    const owner = RULES.find((candidate) => candidate.kinds.includes(kind))!;
    return `kind ${kind} (rule ${owner.id}: ${owner.description})\n\n${owner.messages[kind] ?? owner.description}\n\n` +
      `The rule's page: spawn-audit explain ${owner.id}\n`;
  }
  if (Object.hasOwn(SIGNAL_CATALOGUE, name)) {
    const spec = SIGNAL_CATALOGUE[name as SignalId];
    const points = name === "config-override" ? "the configured group" : spec.group;
    return `signal ${name}: ${spec.message.replace("{detail}", "…")}\n\n` +
      `It answers the ${
        spec.question === "work" ? "first question (what is the work?)" : "second question (where is it started?)"
      }, ` +
      `points to ${points}, with weight ${spec.weight}. See docs/rules.md, "Groups: two questions".\n`;
  }
  const guess = closest(name, allNames());
  throw new UsageError(
    `unknown rule, kind or signal "${name}"${guess === undefined ? "" : ` (did you mean ${guess}?)`}; ` +
      `rules: ${RULES.map((rule) => rule.id).join(", ")} (spawn-audit explain --help lists every name)`,
  );
}

/** Every name {@link explain} accepts: rule ids, kinds, signal ids. */
function allNames(): string[] {
  return [...RULES.map((rule) => rule.id), ...KINDS, ...Object.keys(SIGNAL_CATALOGUE)];
}

/** The names {@link explain} accepts, for messages: `rules: …; kinds: …; signals: …`. */
export function validNames(): string {
  return `rules: ${RULES.map((rule) => rule.id).join(", ")}; kinds: ${KINDS.join(", ")}; signals: ${
    Object.keys(SIGNAL_CATALOGUE).join(", ")
  }`;
}
