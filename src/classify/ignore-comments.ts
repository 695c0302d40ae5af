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
 * @module
 */
import { ts } from "../analysis/ts.ts";
import type { IgnoreCommentOptions } from "../config.ts";
import type { Rule } from "../rule.ts";
import type { Kind, ScanProblem } from "../site.ts";

/** Where an ignore comment applies: its own line, the next line, or the whole file. */
export type IgnoreScope = "line" | "next-line" | "file";

/** The ids of problems about ignore comments ({@link ScanProblem}'s `id`). */
export const IGNORE_PROBLEM_IDS: readonly NonNullable<ScanProblem["id"]>[] = [
  "malformed-ignore",
  "ignore-without-reason",
  "unused-ignore",
];

const MARKER = "spawn-audit-ignore";
/** A comment that starts with the marker: `//` or `/*` (or `/**`), spaces, then the marker and its scope suffix. */
const DIRECTIVE = /^\/[/*]\*?\s*spawn-audit-ignore(-next-line|-file)?(?![\w-])([^]*)$/;

/** A parsed, well-formed comment: 0-based `line` and `column` of the marker, names in order, the reason ("" when missing). */
interface Directive {
  scope: IgnoreScope;
  line: number;
  column: number;
  names: string[];
  reason: string;
  used: Set<string>;
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
   */
  static read(sourceFile: ts.SourceFile, vocabulary: readonly Rule[]): FileIgnores {
    const names = nameTableOf(vocabulary);
    const directives: Directive[] = [];
    const malformed: Omit<ScanProblem, "file">[] = [];
    if (!sourceFile.text.includes(MARKER)) return new FileIgnores(directives, malformed, names);
    const firstStatement = sourceFile.statements[0]?.getStart(sourceFile) ?? sourceFile.text.length;
    for (const comment of comments(sourceFile)) {
      const match = DIRECTIVE.exec(sourceFile.text.slice(comment.pos, comment.end));
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
      const name = directive.names.find((candidate) => this.names.kinds.get(candidate)?.includes(kind));
      if (name === undefined) continue;
      directive.used.add(name);
      reason ??= directive.reason === "" ? `${MARKER} comment` : `${MARKER}: ${directive.reason}`;
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
      if (options.requireReason && directive.reason === "") {
        found.push({
          ...at,
          id: "ignore-without-reason",
          message: `${MARKER} comment without a reason: add " -- <why>" after the names`,
        });
      }
      if (!options.reportUnused) continue;
      for (const name of directive.names) {
        const ran = (this.names.kinds.get(name) ?? []).some((kind) => runs(this.names.ruleOf.get(kind)!));
        if (directive.used.has(name) || !ran) continue;
        const where = directive.scope === "file"
          ? "in this file"
          : `on line ${directive.line + (directive.scope === "next-line" ? 2 : 1)}`;
        found.push({
          ...at,
          id: "unused-ignore",
          message: `unused ${MARKER}: "${name}" silences no unsupervised site ${where}; remove it`,
        });
      }
    }
    return found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  }
}

/** The names a comment may use: the kinds each covers, and the rule each kind belongs to. */
interface NameTable {
  kinds: ReadonlyMap<string, readonly Kind[]>;
  ruleOf: ReadonlyMap<Kind, string>;
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
  for (const rule of rules) kinds.set(rule.id, rule.kinds);
  for (const rule of rules) {
    for (const kind of rule.kinds) {
      kinds.set(kind, [kind]);
      ruleOf.set(kind, rule.id);
    }
  }
  return { kinds, ruleOf };
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
