/**
 * Inline ignore comments, scoped to rules:
 *
 * ```ts
 * // spawn-audit-ignore-next-line <name>[, <name>] -- <reason>
 * work(); // spawn-audit-ignore <name>[, <name>] -- <reason>
 * // spawn-audit-ignore-file <name>[, <name>] -- <reason>   (before the first statement)
 * ```
 *
 * A name is a kind (`void-promise`, `interval`) or a rule id (`timers`, for
 * every kind the rule reports). `floating-promise`, `async-listener` and
 * `worker` are both: they mean the kind, so `floating-promise` never
 * silences a `void-promise` site. A comment silences only unsupervised sites
 * of the kinds it names. Problems, each with an id (the idea of deno lint's
 * `ban-untagged-ignore` / `ban-unused-ignore` and ESLint's unused disable
 * directives): `malformed-ignore` (no or unknown names, or a file-level
 * comment after code; such a comment silences nothing),
 * `ignore-without-reason`, `unused-ignore` (a name that silenced no site).
 *
 * ESLint's disable comments that name a spawn-audit rule as the ESLint
 * plugin does (`spawn-audit/timers`) count too, with ESLint's scopes, so one
 * comment serves the CLI and the plugin:
 *
 * ```ts
 * // eslint-disable-next-line spawn-audit/timers -- <reason>
 * work(); // eslint-disable-line spawn-audit/floating-promise
 * /* eslint-disable spawn-audit/worker *\/ ... /* eslint-enable spawn-audit/worker *\/
 * ```
 *
 * There a name is always a rule (`spawn-audit/floating-promise` covers
 * `void-promise` too, as the ESLint rule reports it); names of other
 * plugins' rules are passed over, a comment naming none of ours (or no rule:
 * ESLint's "every rule") is not ours, and the reason is optional (ESLint's
 * `-- description`). An unknown `spawn-audit/` name is malformed, an unused
 * one reported unused, as for spawn-audit's own comments.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { IgnoreCommentOptions } from "../config.ts";
import type { Rule } from "../rule.ts";
import type { Kind, ScanProblem } from "../site.ts";

/**
 * Where an ignore comment applies: its own line, the next line, the whole
 * file, or (`eslint-disable` ... `eslint-enable`) from its line to the line
 * before the enabling comment or the end of the file.
 */
export type IgnoreScope = "line" | "next-line" | "file" | "region";

/** The ids of problems about ignore comments ({@link ScanProblem}'s `id`). */
export const IGNORE_PROBLEM_IDS: readonly NonNullable<ScanProblem["id"]>[] = [
  "malformed-ignore",
  "ignore-without-reason",
  "unused-ignore",
];

const MARKER = "spawn-audit-ignore";
/** A comment that starts with the marker: `//` or `/*` (or `/**`), spaces, then the marker and its scope suffix. */
const DIRECTIVE = /^\/[/*]\*?\s*spawn-audit-ignore(-next-line|-file)?(?![\w-])([^]*)$/;
/** ESLint's disable and enable comments, as ESLint reads them: the label first, `//` only for the two line forms. */
const ESLINT_DIRECTIVE = /^\/([/*])\s*(eslint-disable(?:-next-line|-line)?|eslint-enable)(?:\s([^]*))?$/;
/** The prefix of the ESLint plugin's rule names. */
const ESLINT_PREFIX = "spawn-audit/";

/**
 * A parsed, well-formed comment: 0-based `line` and `column` of the marker,
 * names in order, the reason ("" when missing); `until`, for a region, the
 * last 0-based line it covers; `eslint`, whether it is ESLint's comment
 * (its names are `spawn-audit/<rule>`).
 */
interface Directive {
  scope: IgnoreScope;
  line: number;
  column: number;
  names: string[];
  reason: string;
  used: Set<string>;
  until?: number;
  eslint?: boolean;
}

/**
 * The ignore comments of one file, and what they silenced during a scan.
 * Build one per file with {@link FileIgnores.read}, ask {@link silence} for
 * each unsupervised site, then collect {@link problems}.
 */
export class FileIgnores {
  private constructor(
    private readonly directives: readonly Directive[],
    private readonly malformed: readonly Omit<ScanProblem, "file">[],
    private readonly names: NameTable,
  ) {}

  /**
   * Reads every ignore comment in a file: a line or block comment that
   * starts with the marker. A marker in a string, template or regular
   * expression, or further inside a comment's text (a doc comment quoting
   * the syntax), is not a directive.
   *
   * @param sourceFile the parsed file.
   * @param vocabulary every registered rule: its id and kinds are the names
   *   a comment may use.
   * @param options `eslintDirectives: false` reads spawn-audit's comments
   *   only (the ESLint plugin, where ESLint applies its own).
   */
  static read(
    sourceFile: ts.SourceFile,
    vocabulary: readonly Rule[],
    options: { eslintDirectives?: boolean } = {},
  ): FileIgnores {
    const names = nameTableOf(vocabulary);
    const directives: Directive[] = [];
    const malformed: Omit<ScanProblem, "file">[] = [];
    const eslint = (options.eslintDirectives ?? true) && sourceFile.text.includes(ESLINT_PREFIX);
    if (!sourceFile.text.includes(MARKER) && !eslint) return new FileIgnores(directives, malformed, names);
    const firstStatement = sourceFile.statements[0]?.getStart(sourceFile) ?? sourceFile.text.length;
    const regions: Directive[] = [];
    for (const comment of comments(sourceFile)) {
      const text = sourceFile.text.slice(comment.pos, comment.end);
      const fromEslint = eslint ? eslintDirective(sourceFile, comment, text, names) : undefined;
      if (fromEslint !== undefined) {
        if ("message" in fromEslint) malformed.push(fromEslint);
        else if (fromEslint.scope !== "region") directives.push(fromEslint);
        else if (fromEslint.until === undefined) regions.push(fromEslint);
        else closeRegions(regions, fromEslint, directives);
        continue;
      }
      const match = DIRECTIVE.exec(text);
      if (match === null) continue;
      const position = comment.pos + match[0].indexOf(MARKER);
      const { line, character: column } = sourceFile.getLineAndCharacterOfPosition(position);
      const scope: IgnoreScope = match[1] === "-next-line" ? "next-line" : match[1] === "-file" ? "file" : "line";
      const body = (comment.kind === ts.SyntaxKind.MultiLineCommentTrivia ? match[2]!.replace(/\*\/$/, "") : match[2]!)
        .trim();
      const at = { line: line + 1, column: column + 1 };
      const parsed = parseBody(body, scope, names);
      if (typeof parsed === "string") {
        malformed.push({ ...at, id: "malformed-ignore", message: parsed });
      } else if (scope === "file" && position > firstStatement) {
        malformed.push({
          ...at,
          id: "malformed-ignore",
          message:
            `malformed ${MARKER}-file: it must come before the first statement of the file; it silences nothing here`,
        });
      } else {
        directives.push({ scope, line, column, ...parsed, used: new Set() });
      }
    }
    directives.push(...regions);
    return new FileIgnores(directives, malformed, names);
  }

  /**
   * Whether a comment silences an unsupervised site, marking the names used.
   *
   * @param line the 0-based line the site starts on.
   * @param kind the site's kind.
   * @returns the status reason for the ignored site, or undefined.
   */
  silence(line: number, kind: Kind): string | undefined {
    let reason: string | undefined;
    for (const directive of this.directives) {
      if (!appliesTo(directive, line)) continue;
      const covered = (name: string): readonly Kind[] | undefined =>
        directive.eslint === true
          ? this.names.ruleKinds.get(name.slice(ESLINT_PREFIX.length))
          : this.names.kinds.get(name);
      const name = directive.names.find((candidate) => covered(candidate)?.includes(kind));
      if (name === undefined) continue;
      directive.used.add(name);
      const marker = directive.eslint === true ? eslintLabel(directive.scope) : MARKER;
      reason ??= directive.reason === "" ? `${marker} comment` : `${marker}: ${directive.reason}`;
    }
    return reason;
  }

  /**
   * The problems about this file's comments, in line order.
   *
   * @param file the file as reports show it.
   * @param options which problems the configuration reports (malformed
   *   comments always are).
   * @param runs whether a rule ran in this scan; a name of a rule that did
   *   not run is never reported unused.
   */
  problems(file: string, options: IgnoreCommentOptions, runs: (ruleId: string) => boolean): ScanProblem[] {
    const found: ScanProblem[] = this.malformed.map((problem) => ({ file, ...problem }));
    for (const directive of this.directives) {
      const at = { file, line: directive.line + 1, column: directive.column + 1 };
      // A reason on ESLint's comments is ESLint's (and its plugins') business.
      if (options.requireReason && directive.reason === "" && directive.eslint !== true) {
        found.push({
          ...at,
          id: "ignore-without-reason",
          message: `${MARKER} comment without a reason: add " -- <why>" after the names`,
        });
      }
      if (!options.reportUnused) continue;
      for (const name of directive.names) {
        const ran = directive.eslint === true
          ? runs(name.slice(ESLINT_PREFIX.length))
          : (this.names.kinds.get(name) ?? []).some((kind) => runs(this.names.ruleOf.get(kind)!));
        if (directive.used.has(name) || !ran) continue;
        const where = directive.scope === "file"
          ? "in this file"
          : directive.scope === "region"
          ? directive.until === undefined
            ? `from line ${directive.line + 1} on`
            : `on lines ${directive.line + 1}-${directive.until + 1}`
          : `on line ${directive.line + (directive.scope === "next-line" ? 2 : 1)}`;
        const marker = directive.eslint === true ? eslintLabel(directive.scope) : MARKER;
        found.push({
          ...at,
          id: "unused-ignore",
          message: `unused ${marker}: "${name}" silences no unsupervised site ${where}; remove it`,
        });
      }
    }
    return found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  }
}

/** The names a comment may use: the kinds each covers, the rule each kind belongs to, and each rule's kinds. */
interface NameTable {
  kinds: ReadonlyMap<string, readonly Kind[]>;
  ruleOf: ReadonlyMap<Kind, string>;
  ruleKinds: ReadonlyMap<string, readonly Kind[]>;
}

/** A kind names itself; a rule id that is not also a kind names the rule's kinds. */
/** The name table of a rule list, built once per list: `read` runs for every scanned file. */
function nameTableOf(rules: readonly Rule[]): NameTable {
  let table = nameTables.get(rules);
  if (table === undefined) nameTables.set(rules, table = nameTable(rules));
  return table;
}

const nameTables = new WeakMap<readonly Rule[], NameTable>();

function nameTable(rules: readonly Rule[]): NameTable {
  const kinds = new Map<string, readonly Kind[]>();
  const ruleOf = new Map<Kind, string>();
  const ruleKinds = new Map(rules.map((rule) => [rule.id, rule.kinds]));
  for (const rule of rules) kinds.set(rule.id, rule.kinds);
  for (const rule of rules) {
    for (const kind of rule.kinds) {
      kinds.set(kind, [kind]);
      ruleOf.set(kind, rule.id);
    }
  }
  return { kinds, ruleOf, ruleKinds };
}

/**
 * An ESLint disable or enable comment that names spawn-audit rules, as ESLint
 * reads it (a block comment for `eslint-disable`/`eslint-enable`, either
 * form for the `-line` and `-next-line` ones, which apply to the line after
 * the comment ends); its problem when it names an unknown spawn-audit rule;
 * undefined when it is not such a comment. An `eslint-enable` is returned as
 * a region with `until` set and its names (none: every rule), to close the
 * open regions with {@link closeRegions}.
 */
function eslintDirective(
  sourceFile: ts.SourceFile,
  comment: ts.CommentRange,
  text: string,
  table: NameTable,
): Directive | Omit<ScanProblem, "file"> | undefined {
  const block = comment.kind === ts.SyntaxKind.MultiLineCommentTrivia;
  const match = ESLINT_DIRECTIVE.exec(block ? text.replace(/\*\/$/, "") : text);
  if (match === null) return undefined;
  const label = match[2]!;
  if (!block && (label === "eslint-disable" || label === "eslint-enable")) return undefined;
  // ESLint's justification follows the rule list after a `--` between spaces.
  const [list = "", ...justification] = ` ${match[3] ?? ""} `.split(/\s-{2,}\s/);
  const reason = justification.join(" -- ").trim();
  const names = list.split(",").map((name) => name.trim()).filter((name) => name.startsWith(ESLINT_PREFIX));
  const enable = label === "eslint-enable";
  if (names.length === 0 && !enable) return undefined;
  const position = comment.pos + match[0].indexOf(label);
  const { line, character: column } = sourceFile.getLineAndCharacterOfPosition(position);
  const unknown = names.find((name) => !table.ruleKinds.has(name.slice(ESLINT_PREFIX.length)));
  if (unknown !== undefined) {
    const valid = [...table.ruleKinds.keys()].map((id) => ESLINT_PREFIX + id).join(", ");
    return {
      line: line + 1,
      column: column + 1,
      id: "malformed-ignore",
      message: `malformed ${label}: unknown rule "${unknown}" (rules: ${valid}); it silences nothing`,
    };
  }
  const endLine = sourceFile.getLineAndCharacterOfPosition(comment.end).line;
  const scope: IgnoreScope = label === "eslint-disable-line"
    ? "line"
    : label === "eslint-disable-next-line"
    ? "next-line"
    : "region";
  // A multi-line block comment's next line is the one after it ends; an enable marks where regions end.
  const at = scope === "next-line" ? endLine : line;
  return { scope, line: at, column, names, reason, used: new Set(), eslint: true, ...(enable ? { until: line } : {}) };
}

/**
 * Ends the open `eslint-disable` regions an `eslint-enable` names (every
 * open one when it names none), as ESLint does: each then covers its lines
 * up to the one before the enabling comment; a region enabled for some of
 * its names goes on for the others.
 */
function closeRegions(open: Directive[], enable: Directive, closed: Directive[]): void {
  for (const [index, region] of [...open.entries()].reverse()) {
    const ending = enable.names.length === 0
      ? region.names
      : region.names.filter((name) => enable.names.includes(name));
    if (ending.length === 0) continue;
    closed.push({ ...region, names: ending, until: enable.line - 1, used: new Set() });
    const rest = region.names.filter((name) => !ending.includes(name));
    if (rest.length === 0) open.splice(index, 1);
    else open[index] = { ...region, names: rest };
  }
}

/** How a problem or status reason names an ESLint comment of a scope. */
function eslintLabel(scope: IgnoreScope): string {
  return scope === "line"
    ? "eslint-disable-line"
    : scope === "next-line"
    ? "eslint-disable-next-line"
    : "eslint-disable";
}

/** The names and reason of a comment's text after the marker, or the problem with it. */
function parseBody(body: string, scope: IgnoreScope, table: NameTable): { names: string[]; reason: string } | string {
  const marker = scope === "line" ? MARKER : `${MARKER}-${scope}`;
  const syntax = `// ${marker} <rule or kind>[, ...] -- <reason>`;
  const separator = /(^|\s)--(\s|$)/.exec(body);
  const namesText = separator === null ? body : body.slice(0, separator.index);
  const reason = separator === null ? "" : body.slice(separator.index + separator[0].length).trim();
  const names = namesText.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const valid = [...table.kinds.keys()].sort().join(", ");
  if (names.length === 0) {
    return `malformed ${marker}: it must name the rules or kinds it silences, as ${syntax}; it silences nothing`;
  }
  const unknown = names.find((name) => !table.kinds.has(name));
  if (unknown !== undefined) {
    return separator === null
      ? `malformed ${marker}: "${body}" names no rule; write ${syntax} (names: ${valid}); it silences nothing`
      : `malformed ${marker}: unknown rule or kind "${unknown}" (names: ${valid}); it silences nothing`;
  }
  return { names, reason };
}

function appliesTo(directive: Directive, line: number): boolean {
  if (directive.scope === "region") return line >= directive.line && line <= (directive.until ?? Infinity);
  return directive.scope === "file" || line === directive.line + (directive.scope === "next-line" ? 1 : 0);
}

/**
 * Every comment of a file, in order: the leading and trailing comment
 * ranges of each token (every comment is trivia next to some token, the
 * end-of-file token included). JSDoc nodes are skipped: their text is a
 * comment, read as one.
 */
function comments(sourceFile: ts.SourceFile): ts.CommentRange[] {
  const text = sourceFile.text;
  const found = new Map<number, ts.CommentRange>();
  const add = (pos: number, end: number, kind: ts.CommentKind): void => {
    found.set(pos, { pos, end, kind });
  };
  const visit = (node: ts.Node): void => {
    const children = node.getChildren(sourceFile);
    if (children.length === 0 || node.kind === ts.SyntaxKind.EndOfFileToken) {
      ts.forEachLeadingCommentRange(text, node.pos, add);
      ts.forEachTrailingCommentRange(text, node.end, add);
      return;
    }
    for (const child of children) {
      if (child.kind < ts.SyntaxKind.FirstJSDocNode || child.kind > ts.SyntaxKind.LastJSDocNode) visit(child);
    }
  };
  visit(sourceFile);
  return [...found.values()].sort((a, b) => a.pos - b.pos);
}
