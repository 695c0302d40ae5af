/**
 * Memo tables scoped to the program being analysed. A fact about a node
 * that depends on other files (where a call goes, what a function starts,
 * whether a callee can fail) is only true in the program it was computed
 * in: a language service (typescript-eslint's project service, an editor)
 * hands over a new program after each edit and reuses the parsed files that
 * did not change, so a table keyed by their nodes alone would answer from
 * the old program. The rule driver says which program it analyses
 * ({@link analysing}); each {@link ProgramMemo} keeps one table per program,
 * dropped with it.
 *
 * Facts about a node that read only its own file (its text, its syntax)
 * may stay in a plain `WeakMap`.
 *
 * @module
 */
import type { ts } from "./ts.ts";

/** The program being analysed, or a stand-in for analysis outside any program (parsed files only). */
let current: object = {};

/**
 * Declares the program the next analysis calls are about. The rule driver
 * calls it before it scans a file; it stays in force until the next call.
 *
 * @param program the program the analysed nodes belong to.
 */
export function analysing(program: ts.Program): void {
  current = program;
}

/**
 * A memo table whose entries belong to the program being analysed
 * ({@link analysing}): `get`, `has`, `set` and `delete` read and write that
 * program's table only. It is a `WeakMap` (its own storage unused), so code
 * typed for one takes it.
 */
export class ProgramMemo<K extends WeakKey, V> extends WeakMap<K, V> {
  readonly #tables = new WeakMap<object, WeakMap<K, V>>();
  #program: object | undefined;
  #table: WeakMap<K, V> | undefined;

  /** The value memoised for `key` in the current program, if any. */
  override get(key: K): V | undefined {
    return this.table().get(key);
  }

  /** Whether `key` has a value in the current program. */
  override has(key: K): boolean {
    return this.table().has(key);
  }

  /** Memoises `value` for `key` in the current program. */
  override set(key: K, value: V): this {
    this.table().set(key, value);
    return this;
  }

  /** Forgets `key` in the current program. */
  override delete(key: K): boolean {
    return this.table().delete(key);
  }

  private table(): WeakMap<K, V> {
    if (this.#program !== current || this.#table === undefined) {
      this.#program = current;
      this.#table = this.#tables.get(current);
      if (this.#table === undefined) this.#tables.set(current, this.#table = new WeakMap());
    }
    return this.#table;
  }
}
