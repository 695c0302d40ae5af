/**
 * The contract between the rule driver (`src/scan.ts`) and the rule modules in
 * `rules/`: what a rule declares about itself and what it returns for a node.
 *
 * @module
 */
import type { SyntaxKindName, ts } from "./analysis/ts.ts";
import type { Group, Kind, Resolution, Signal } from "./site.ts";
import type { SHIM_SUPERVISORS } from "./classify/status.ts";

/**
 * What a rule may ask while it checks a node: the checker, the program it
 * came from, and the names of supervisor functions (the shim's and those in
 * config), so a rule can report already-supervised sites instead of losing
 * them.
 */
export interface RuleContext {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
  readonly supervisors: ReadonlySet<string>;
}

/**
 * A spawn site as one rule sees it, before the driver adds ignore and
 * supervision status and the classifier adds a group.
 *
 * - `node`: the expression reported (its range is the site's range).
 * - `work`: the function whose body runs as background work (a timer
 *   callback, a listener, an IIFE), when there is one in the source.
 * - `status`: set when the rule itself sees the failure observed (`handled`)
 *   or impossible (`benign`), with `statusReason` saying how.
 * - `signals`: group evidence the rule contributes (e.g. `interval-timer`).
 */
export interface Detection {
  kind: Kind;
  node: ts.Node;
  callee: string | null;
  resolution: Resolution;
  work?: ts.Node;
  status?: "handled" | "benign";
  statusReason?: string;
  signals: Signal[];
  /**
   * The functions enclosing the site that lie on the cycle its work recurs
   * through (a reconnect timer set in the close handler its reconnect
   * triggers): the loop passes through them, so their registration as a
   * listener is not evidence of where the loop is started (see `placementSignals`).
   */
  loopsThrough?: readonly ts.Node[];
}

/**
 * One rule module: a self-contained detector for one family of kinds.
 *
 * `visits` lists, by name (`"CallExpression"`), the syntax kinds the driver
 * should hand to `check` (names, not numbers: the numbers depend on the
 * TypeScript release that built the program, see `src/analysis/ts.ts`); `check`
 * returns a detection or `undefined` and must not throw for any input the
 * TypeScript parser accepts. `messages` gives, per kind, the finding text:
 * what is wrong and what to do.
 */
export interface Rule {
  readonly id: string;
  readonly description: string;
  readonly kinds: readonly Kind[];
  readonly messages: Readonly<Partial<Record<Kind, string>>>;
  readonly visits: readonly SyntaxKindName[];
  check(node: ts.Node, context: RuleContext): Detection | undefined;
  /** How `spawn-audit fix` rewrites this rule's sites; rules without it are reported as not fixable. */
  readonly fix?: (context: FixContext) => FixOutcome;
}

/** A replacement of the source text in `[start, end)` (offsets into the original file) by `text`; `start === end` inserts. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A shim export a rewrite calls, imported into the file by the codemod (one of {@link SHIM_SUPERVISORS}, or `logFailure`). */
export type ShimFunction = (typeof SHIM_SUPERVISORS)[number] | "logFailure";

/**
 * Lines a rewrite moves one indent deeper: `from` is the offset of the line
 * break before the first of them and `to` the end of the last (offsets into
 * the original file); every line starting after `from` and at or before
 * `to`, outside template literals and blank lines, gets `unit` in front, and
 * so does every line of text another rewrite inserts in `[from, to]`.
 */
export interface IndentRegion {
  from: number;
  to: number;
  unit: string;
}

/**
 * Where a site's failure is reported (see `src/fix/channel.ts`):
 * `statements(error)` are the statements that report the caught value named
 * `error` (`this.emit("error", error)`, `logFailure("Queue.add.run", error)`,
 * then `process.exitCode = 1` in a script whose exit status reports its
 * outcome), each ending as the file's statements do (with or without `;`;
 * an `if` ends with its block); `expression(error)` is the same report as
 * one expression, for an arrow function's body, or undefined when it needs
 * statements (a channel the code calls only when it is set: `if (this.onError
 * != null) { … } else { … }`); `label` says where, for the report; `uses`
 * the shim functions the statements call and `imports` the project's
 * functions to import (a configured `fix.errorChannel`); `declarations` are
 * edits outside the site that declare a name the statements use (the
 * `reject` parameter fix adds to a promise executor), the same for every site
 * that needs them; `shim` is true when no project channel was found or
 * configured.
 */
export interface FailureHandler {
  statements(error: string): string[];
  expression(error: string): string | undefined;
  label: string;
  uses: ShimFunction[];
  imports: { name: string; specifier: string }[];
  declarations: TextEdit[];
  shim: boolean;
}

/**
 * What a rule's fix sees of one unsupervised site.
 *
 * - `node`, `work`: the detection's nodes (see {@link Detection}).
 * - `group`, `kind`, `signals`: the classified site and its evidence.
 * - `taskName(what)`: a unique, static task name for this file built from
 *   the innermost named function (after its class) or the file, and `what`
 *   (e.g. the callee, see `workName` in src/fix/name.ts), as a string
 *   literal ready to insert (`"Runner.runTask.execute"`). Call it only when
 *   rewriting.
 * - `newline`, `semicolons`, `indent`: the file's line ending (`\n` or
 *   `\r\n`), whether its statements end with `;`, its indent unit.
 * - `handler(what)`: where the site's failure is reported (the project's
 *   channel, the configured one, or the shim's logger under the task name
 *   `taskName(what)`); call it only when rewriting.
 * - `errorName`: a name for the caught value that shadows nothing at the site.
 * - `exitStatus`: true in a file whose process reports its outcome by its
 *   exit status (a script, a `bin`, a worker-thread script): its work is
 *   never restarted.
 */
export interface FixContext {
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
  readonly node: ts.Node;
  readonly work: ts.Node | undefined;
  readonly group: Group;
  readonly kind: Kind;
  readonly signals: readonly Signal[];
  readonly newline: string;
  readonly semicolons: boolean;
  readonly indent: string;
  readonly errorName: string;
  readonly exitStatus: boolean;
  taskName(what: string): string;
  handler(what: string): FailureHandler;
}

/**
 * A rule's rewrite of one site: text edits on the original file, the lines
 * they indent, the shim functions they call, the project functions they
 * import, where the failure now goes (`channel`, the handler's label; absent
 * for restarts), and `transform`, a short id of the rewrite's shape
 * (`supervised-call`, `logged-promise`, `caught-promise`, `caught-callback`,
 * `kept-schedule`, `worker`, `logged-worker`) used in summaries.
 * `declarations` are the handler's edits outside the site (see
 * {@link FailureHandler}); sites that share them get them once.
 */
export interface Rewrite {
  transform: string;
  edits: TextEdit[];
  declarations?: TextEdit[];
  indents?: IndentRegion[];
  uses: ShimFunction[];
  imports?: { name: string; specifier: string }[];
  channel?: string;
  /** For a rewrite that restarts the work (`spawnSupervised`): why restarting is safe, one line of at most 80 characters. */
  restarts?: string;
}

/** A rule's decision not to rewrite a site: `skip` says why, and what to do by hand. */
export interface FixSkip {
  skip: string;
}

/** The result of a rule's fix for one site. */
export type FixOutcome = Rewrite | FixSkip;
