/**
 * What the supervisor's option resolvers share: merging option layers
 * (task over supervisor defaults over the shim's), and validation with one
 * message shape, `<option> must be <what it must be>, got <value>`.
 *
 * @module
 */

/**
 * Refuse an option value that is not as it must be.
 *
 * @param ok whether `value` is valid
 * @param option the option's name, as the caller wrote it (e.g. `backoff.maxMs`)
 * @param expected what it must be (e.g. `a finite number ≥ 0`)
 * @param value the value given
 * @throws {RangeError} `<option> must be <expected>, got <value>` unless `ok`
 */
export function check(ok: boolean, option: string, expected: string, value: unknown): void {
  if (!ok) throw new RangeError(`${option} must be ${expected}, got ${String(value)}`);
}

/**
 * Refuse an option value that is not one of `allowed`.
 *
 * @param allowed the values allowed
 * @param option the option's name
 * @param value the value given
 * @returns `value`
 * @throws {RangeError} `<option> must be one of <allowed>, got <value>` when it is not
 */
export function checkOneOf<T>(allowed: readonly T[], option: string, value: T): T {
  check(allowed.includes(value), option, `one of ${allowed.join(", ")}`, value);
  return value;
}

/**
 * Refuse a count that is not an integer ≥ `min` (or, when `infinite` is allowed, Infinity).
 *
 * @param option the option's name
 * @param value the value given
 * @param min the least value allowed
 * @param infinite true when Infinity is allowed too
 * @returns `value`
 * @throws {RangeError} `<option> must be an integer ≥ <min>[ or Infinity], got <value>` when it is not
 */
export function checkCount(option: string, value: number, min: number, infinite: boolean): number {
  check(
    (infinite && value === Infinity) || (Number.isInteger(value) && value >= min),
    option,
    `an integer ≥ ${min}${infinite ? " or Infinity" : ""}`,
    value,
  );
  return value;
}

/**
 * Copy of the given layers merged in order, a later one's key over an
 * earlier one's unless its value is `undefined` (an option left out).
 *
 * @param layers partial objects, lowest precedence first; `undefined` or `null` ones are skipped
 * @returns the merged copy
 */
export function merge<T extends object>(...layers: (Partial<T> | null | undefined)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const layer of layers) {
    for (const key of Object.keys(layer ?? {}) as (keyof T)[]) {
      if (layer![key] !== undefined) out[key] = layer![key];
    }
  }
  return out;
}
