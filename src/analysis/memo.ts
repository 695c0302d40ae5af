/**
 * Memo tables scoped to the program and the file being analysed. A fact
 * about a node that depends on other files (where a call goes, what a
 * function starts, whether a callee can fail) is only true in the program
 * it was computed in: a language service (typescript-eslint's project
 * service, an editor) hands over a new program after each edit and reuses
 * the parsed files that did not change, so a table keyed by their nodes
 * alone would answer from the old program. And a file's results must not
 * depend on which files were analysed before it in the same program: the
 * result cache (src/cache/) re-analyses only some files, and records what
 * each file's analysis read (src/analysis/reads.ts), which a fact memoised
 * for another file would hide. The rule driver says which program and file
 * it analyses ({@link analysing}); each {@link ProgramMemo} keeps one table
 * per program and file, dropped with them. (Measured on kafkajs' 385 files
 * and eslint's 389: sharing tables across the files of a program saved no
 * time.)
 *
 * Facts about a node that read only its own file (its text, its syntax)
 * may stay in a plain `WeakMap`.
 *
 * @module
 */
import type { ts } from "./ts.ts";

/** The scope of the tables in use: one per program and analysed file, or a stand-in for analysis outside any program (parsed files only). */
let current: object = {};

/** The scope object of each program and file analysed. */
const scopes = new WeakMap<ts.Program, WeakMap<ts.SourceFile, object>>();

/**
 * Declares the program and the file the next analysis calls are about. The
 * rule driver calls it before it scans a file; it stays in force until the
 * next call. Declaring a file again reuses its tables.
 *
 * @param program the program the analysed nodes belong to.
 * @param file the file whose results the analysis is for (a file of `program`).
 */
export function analysing(program: ts.Program, file: ts.SourceFile): void {
  current = fileScope(scopes, program, file);
}

/** The scope object `table` holds for `file` of `program`, made on first use. */
function fileScope(
  table: WeakMap<ts.Program, WeakMap<ts.SourceFile, object>>,
  program: ts.Program,
  file: ts.SourceFile,
): object {
  let files = table.get(program);
  if (files === undefined) table.set(program, files = new WeakMap());
  let scope = files.get(file);
  if (scope === undefined) files.set(file, scope = {});
  return scope;
}

/** The scope of each program's whole-program indexes (see {@link apartFromFiles}). */
const indexScopes = new WeakMap<ts.Program, object>();

/** The scopes of an index's part about one file, per program (see {@link apartFromFiles}). */
const indexFileScopes = new WeakMap<ts.Program, WeakMap<ts.SourceFile, object>>();

/**
 * Runs `work` in a scope of its own for `program`, apart from every file's
 * (an index of the whole program, built once, must neither use nor leave
 * facts in the tables of the file being analysed when it is built), then
 * returns to the scope in force. With `part`, the scope is one of the
 * index's own for that file, apart from the index's other parts too: what
 * that part reads is then all looked up, and recorded, while it is built
 * (a part kept between runs with what it read, see src/cache/).
 *
 * @param program the program the index is about.
 * @param work what builds the index.
 * @param part the file the part of the index being built is about.
 * @returns what `work` returns.
 */
export function apartFromFiles<T>(program: ts.Program, work: () => T, part?: ts.SourceFile): T {
  const outer = current;
  let scope = part === undefined ? indexScopes.get(program) : fileScope(indexFileScopes, program, part);
  if (scope === undefined) indexScopes.set(program, scope = {});
  current = scope;
  try {
    return work();
  } finally {
    current = outer;
  }
}

/**
 * A memo table whose entries belong to the program and file being analysed
 * ({@link analysing}): `get`, `has`, `set` and `delete` read and write that
 * scope's table only. It is a `WeakMap` (its own storage unused), so code
 * typed for one takes it.
 */
export class ProgramMemo<K extends WeakKey, V> extends WeakMap<K, V> {
  readonly #tables = new WeakMap<object, WeakMap<K, V>>();
  #scope: object | undefined;
  #table: WeakMap<K, V> | undefined;

  /** The value memoised for `key` in the current scope, if any. */
  override get(key: K): V | undefined {
    return this.table().get(key);
  }

  /** Whether `key` has a value in the current scope. */
  override has(key: K): boolean {
    return this.table().has(key);
  }

  /** Memoises `value` for `key` in the current scope. */
  override set(key: K, value: V): this {
    this.table().set(key, value);
    return this;
  }

  /** Forgets `key` in the current scope. */
  override delete(key: K): boolean {
    return this.table().delete(key);
  }

  private table(): WeakMap<K, V> {
    if (this.#scope !== current || this.#table === undefined) {
      this.#scope = current;
      this.#table = this.#tables.get(current);
      if (this.#table === undefined) this.#tables.set(current, this.#table = new WeakMap());
    }
    return this.#table;
  }
}

/** One computation under way in a {@link RecursiveMemo}: the lowest stack position it met in progress, and what to forget when it ends. */
interface Frame {
  lowest: number;
  readonly provisional: (() => void)[];
}

/** The computations under way in every {@link RecursiveMemo}, outermost first (tables answer one another, so they share it). */
const frames: Frame[] = [];

/** Lowers the innermost computation's `lowest` to `position`: what it returns depends on the one there being in progress. */
function dependsOn(position: number): void {
  const top = frames[frames.length - 1];
  if (top !== undefined && position < top.lowest) top.lowest = position;
}

/**
 * A memo table ({@link ProgramMemo}) for a recursive fact — one whose
 * answer for a key asks the same fact of other keys, which may ask it of
 * the first again (a function calling itself, two functions calling each
 * other) — followed without a depth limit. A key asked again while its own
 * answer is being computed gets `undefined` (the fact does not hold: a
 * cycle is no evidence). An answer is kept for good when nothing it read
 * was still in progress, other than its own key; one that read a key
 * further out on the stack is provisional: reused only while that key is
 * still being computed, then forgotten, so what is kept never depends on
 * which key was asked first. (Tarjan's strongly-connected-components
 * bookkeeping: the stack position plays the part of the index.) Each key
 * is computed once per program and file, plus at most once as a
 * provisional answer inside each cycle it is part of.
 */
export class RecursiveMemo<K extends WeakKey, V> {
  readonly #kept = new ProgramMemo<K, V | null>();
  readonly #open = new Map<K, number>();
  readonly #provisional = new Map<K, { value: V | undefined; lowest: number }>();

  /**
   * The answer for `key`: kept or provisional if there is one, `undefined`
   * while `key` is itself being computed, else what `compute` returns.
   *
   * @param key the node the fact is about.
   * @param compute works the answer out; it may ask this or any other table again.
   */
  answer(key: K, compute: () => V | undefined): V | undefined {
    if (this.#kept.has(key)) return this.#kept.get(key) ?? undefined;
    const open = this.#open.get(key);
    if (open !== undefined) {
      dependsOn(open);
      return undefined;
    }
    const earlier = this.#provisional.get(key);
    if (earlier !== undefined) {
      dependsOn(earlier.lowest);
      return earlier.value;
    }
    const position = frames.length;
    const frame: Frame = { lowest: position, provisional: [] };
    frames.push(frame);
    this.#open.set(key, position);
    let value: V | undefined;
    try {
      value = compute();
    } finally {
      frames.pop();
      this.#open.delete(key);
      for (const forget of frame.provisional) forget();
    }
    if (frame.lowest >= position) {
      this.#kept.set(key, value ?? null);
    } else {
      this.#provisional.set(key, { value, lowest: frame.lowest });
      frames[frame.lowest]!.provisional.push(() => this.#provisional.delete(key));
      dependsOn(frame.lowest);
    }
    return value;
  }
}
