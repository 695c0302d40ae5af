/**
 * "Did you mean": the known name a mistyped one most likely stands for,
 * by edit distance (leven, as ESLint's config validation does).
 *
 * @module
 */
import leven from "leven";

/**
 * The name of `allowed` that `unknown` is likely a misspelling of: the
 * nearest, case ignored, within a third of its length in edits (at least 1).
 *
 * @param unknown the name given.
 * @param allowed the names known.
 * @returns the nearest allowed name, or undefined when none is that close.
 */
export function closest(unknown: string, allowed: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(unknown.length / 3));
  const [best] = allowed.map((name) => ({ name, distance: leven(unknown.toLowerCase(), name.toLowerCase()) }))
    .filter(({ distance }) => distance <= limit).sort((a, b) => a.distance - b.distance);
  return best?.name;
}
