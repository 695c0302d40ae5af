/**
 * The data model every stage shares: spawn sites as rules detect them and as
 * the classifier and reporters see them. Names follow the vocabulary in
 * DESIGN.md ("spawn site", "kind", "group", "status", "signal").
 *
 * @module
 */

/**
 * What starts the background work at a spawn site.
 *
 * - `timeout`, `interval`, `immediate`, `microtask`: a timer or queue call
 *   (`setTimeout`, `setInterval`, `setImmediate`, `queueMicrotask`).
 * - `floating-promise`: a Promise-like expression statement nobody observes.
 * - `void-promise`: `void p` where `p` is Promise-like.
 * - `then-without-catch`: `p.then(f)` with no rejection handler.
 * - `async-iife`: `(async () => { ... })()` as a statement.
 * - `async-listener`: an async function passed where a void callback is
 *   expected (`.on(...)`, `addEventListener`, `forEach`).
 * - `worker`: `new Worker(...)`.
 */
export type Kind =
  | "timeout"
  | "interval"
  | "immediate"
  | "microtask"
  | "floating-promise"
  | "void-promise"
  | "then-without-catch"
  | "async-iife"
  | "async-listener"
  | "worker";

/** Every kind, in report order. */
export const KINDS: readonly Kind[] = [
  "interval",
  "timeout",
  "immediate",
  "microtask",
  "floating-promise",
  "void-promise",
  "then-without-catch",
  "async-iife",
  "async-listener",
  "worker",
];

/**
 * How long the work at a site is meant to live (DESIGN.md "group"):
 * `durable` (started once, lives with the process), `per-request` (ends with
 * its request, message, job or user action), `test` (tests, fixtures,
 * benchmarks).
 */
export type Group = "durable" | "per-request" | "test";

/** Every group, most severe first: the order `--fail-on` thresholds use. */
export const GROUPS: readonly Group[] = ["durable", "per-request", "test"];

/**
 * Whether a failure at the site is observed.
 *
 * - `unsupervised`: nobody observes a failure (a finding).
 * - `handled`: failure observed (`.catch(h)`, `.then(a, b)`, try/catch around
 *   the whole callback body, an error listener on a worker).
 * - `supervised`: inside `spawnSupervised`/`spawnLogged`/`superviseWorker` or
 *   a supervisor function named in config.
 * - `benign`: the callback cannot fail (`resolve`, `reject`, a bare
 *   assignment); not in DESIGN.md's list, added so a sleep helper is not a
 *   finding yet stays visible.
 * - `ignored`: an inline `spawn-audit-ignore` comment (a config ignore glob
 *   excludes the whole file before it is loaded: see `SkippedFile`).
 */
export type Status = "unsupervised" | "handled" | "supervised" | "benign" | "ignored";

/** Every status, in report order. */
export const STATUSES: readonly Status[] = ["unsupervised", "handled", "supervised", "benign", "ignored"];

/**
 * Which of the two classification questions a signal answers (DESIGN.md
 * "Classification"): `work` — is the work recurring or unbounded (signals
 * pointing to `durable`) or one-shot (`per-request`)? `placement` — is it
 * started once per process or long-lived instance (`durable`), per request,
 * event or item (`per-request`), or in a test (`test`)?
 */
export type Question = "work" | "placement";

/**
 * The answer to the first question: `recurring` (a loop until stopped, a
 * self-rescheduling timer, an interval left running, a worker), `one-shot`
 * (bounded work), or `unknown` only for test sites, where it is not asked.
 */
export type Work = "recurring" | "one-shot" | "unknown";

/**
 * The answer to the second question: `long-lived` (once per process or
 * long-lived instance), `per-request` (per request, connection, event,
 * message, item or job), `test`, or `unknown` (no placement evidence: a
 * method whose callers were not followed).
 */
export type Placement = "long-lived" | "per-request" | "test" | "unknown";

/**
 * One piece of evidence: a stable machine-readable `id` (e.g.
 * `interval-timer`), the `question` it answers, the `group` it points to,
 * its `weight` (a positive number; within a question, weights of the same
 * group add up) and a human `message`.
 */
export interface Signal {
  id: string;
  question: Question;
  group: Group;
  weight: number;
  message: string;
}

/**
 * How a site was recognised: `type` when the TypeScript checker resolved the
 * callee or the expression's type, `syntax` when it fell back to names only
 * (lower confidence; DESIGN.md "never to silence").
 */
export type Resolution = "type" | "syntax";

/** A 1-based line and column in a source file. */
export interface Position {
  line: number;
  column: number;
}

/**
 * A classified spawn site, as reporters and the codemod consume it.
 * `file` is relative to the scan root with `/` separators; `start`/`end`
 * bound the reported expression; `code` is its first source line, trimmed;
 * `callee` is the called name when there is one (`pollForever`,
 * `setInterval`); `confidence` is in [0, 1]; `work` and `placement` are
 * the answers to the two classification questions the group comes from.
 */
export interface SpawnSite {
  file: string;
  start: Position;
  end: Position;
  kind: Kind;
  rule: string;
  code: string;
  callee: string | null;
  status: Status;
  statusReason: string | null;
  group: Group;
  confidence: number;
  work: Work;
  placement: Placement;
  resolution: Resolution;
  signals: Signal[];
  message: string;
}

/**
 * A problem met while scanning that is not a spawn site: a file that does not
 * parse, a file skipped for being binary or too large, or an ignore comment
 * that is malformed, has no reason or silences nothing (then `id` is
 * `malformed-ignore`, `ignore-without-reason` or `unused-ignore`; see
 * `classify/ignore-comments.ts`). `line`/`column` are 1-based when known.
 */
export interface ScanProblem {
  file: string;
  line: number | null;
  column: number | null;
  message: string;
  id?: "malformed-ignore" | "ignore-without-reason" | "unused-ignore";
}

/**
 * Why a file (or a whole directory) under the scanned paths was not scanned:
 *
 * - `gitignored`: a `.gitignore` rule or `.git/info/exclude` (off with `--no-ignore`).
 * - `ignore-pattern`: a glob in the config's `ignore` or an `--ignore-pattern`.
 * - `node_modules`: a `node_modules` directory below the paths (never walked).
 * - `declaration`: a declaration file (`.d.ts`), types only.
 * - `too-large`: over `--max-file-size`.
 * - `binary`: contains NUL bytes.
 * - `unreadable`: the file or folder cannot be read (permissions).
 * - `unparsable`: has a syntax error.
 * - `vendored`: the shim as `fix --vendor-shim` wrote it (its first line says so).
 */
export type SkipReason =
  | "gitignored"
  | "ignore-pattern"
  | "node_modules"
  | "declaration"
  | "too-large"
  | "binary"
  | "unreadable"
  | "unparsable"
  | "vendored";

/** Every skip reason, in report order. */
export const SKIP_REASONS: readonly SkipReason[] = [
  "gitignored",
  "ignore-pattern",
  "node_modules",
  "declaration",
  "too-large",
  "binary",
  "unreadable",
  "unparsable",
  "vendored",
];

/**
 * A source file, or a directory that was not walked, left out of the scan.
 * `file` is a display path (a directory's ends with `/`); `detail` says
 * which rule or limit applied (e.g. `.gitignore: dist/`).
 */
export interface SkippedFile {
  file: string;
  reason: SkipReason;
  detail: string;
}

/**
 * Something the user should know that did not stop the scan, e.g. a
 * tsconfig whose `extends` does not resolve (the rest of it was used).
 * `file` is the file it is about (absolute while loading, a display path in
 * a scan result).
 */
export interface ScanWarning {
  file: string;
  message: string;
}
