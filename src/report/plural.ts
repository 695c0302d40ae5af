/**
 * Counted nouns in English output: `1 file`, `2 files`.
 *
 * @module
 */

/**
 * `count` and `noun`, the noun in the plural unless the count is exactly 1.
 *
 * @param count how many.
 * @param noun the singular noun, e.g. `spawn site`.
 * @param nouns the plural (default: the singular with an `s`).
 * @returns e.g. `1 spawn site`, `0 files`.
 */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
