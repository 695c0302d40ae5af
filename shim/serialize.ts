/**
 * Turning any value — including what user code throws — into bounded,
 * JSON-safe data for log lines and snapshots. Nothing here throws, whatever
 * the value does (throwing getters, `toString` or `toJSON`, proxies, cycles,
 * bigints, symbols), and every string is cut to a length limit.
 *
 * @module
 */

/** Default cap on one logged string (message, stack, field), in UTF-16 code units. */
export const DEFAULT_MAX_STRING_LENGTH = 8192;
/** Nesting below this depth is summarised as `"[Object]"` / `"[Array]"`. */
const MAX_DEPTH = 8;
/** Keys (or array items) kept per object; the rest are counted in a `"…"` key. */
const MAX_KEYS = 100;

/**
 * Cut `text` to at most `max` code units, the note of how much was dropped
 * included, so cutting twice changes nothing. (With `max` shorter than the
 * note, the result is the note alone.)
 *
 * @param text any string
 * @param max the limit, ≥ 0
 * @returns `text` itself when short enough, else its head and `…[N more chars]`
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // The note for the whole length is at least as long as the note for what is actually dropped.
  const keep = Math.max(0, max - dropped(text.length).length);
  return text.slice(0, keep) + dropped(text.length - keep);
}

function dropped(count: number): string {
  return `…[${count} more chars]`;
}

/**
 * `String(value)` that never throws: a throwing `toString` falls back to
 * `Object.prototype.toString`, then to `"[unprintable]"`.
 *
 * @param value anything
 * @returns a string form of `value`, not truncated
 */
function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return "[unprintable]";
    }
  }
}

/**
 * A one-line human summary of a thrown value (for snapshots, reasons and
 * messages): `Name: message` for errors, the string form otherwise; never
 * throws and is at most `max` code units (plus the truncation note).
 *
 * @param value what was thrown
 * @param max length limit (default {@link DEFAULT_MAX_STRING_LENGTH})
 * @returns the summary
 */
export function errorMessage(value: unknown, max = DEFAULT_MAX_STRING_LENGTH): string {
  try {
    if (value instanceof Error) return truncate(`${safeString(value.name)}: ${safeString(value.message)}`, max);
  } catch {
    // A proxy or a throwing getter: fall through to the string form.
  }
  return truncate(safeString(value), max);
}

/**
 * The error to hand a user-supplied logger: `value` itself unless it is
 * oversized (a string, or an error's message, longer than `max`) or cannot
 * even be inspected; then a bounded description: `{ type, message, stack }`
 * plus `cause` and the error's own enumerable properties for an error,
 * `{ type, value }` for anything else, every string cut to `max` — so a huge
 * error is never logged whole. The stack is not read when `value` is handed
 * on: reading it makes V8 format it, which costs microseconds per failure
 * even for a logger that never looks at it (its length follows the
 * message's, the frames being capped by `Error.stackTraceLimit`).
 *
 * @param value what was thrown
 * @param max length limit
 * @returns `value` or a bounded description of it
 */
export function boundedError(value: unknown, max: number): unknown {
  if (typeof value === "string") return truncate(value, max);
  try {
    if (!(value instanceof Error) || safeString(value.message).length <= max) return value;
  } catch {
    // A throwing getter: describe it instead.
  }
  const safe = toJsonSafe(value, max);
  if (isError(value) && typeof safe === "object" && safe !== null) return safe;
  return {
    type: value === null ? "null" : typeof value,
    value: typeof safe === "string" ? safe : errorMessage(value, max),
  };
}

/**
 * A JSON-safe, bounded copy of `value`: strings cut to `max`, bigints and
 * symbols as strings, functions as `[Function: name]`, cycles as
 * `"[Circular]"`, errors as `{ type, message, stack, cause, …own enumerable
 * properties }`, `toJSON` honoured, a property whose read throws as
 * `"[unserialisable: …]"`, nesting below depth 8 as `"[Object]"` /
 * `"[Array]"`, and 100 keys or items kept per object or array (the rest
 * counted). `JSON.stringify` of the result cannot throw.
 *
 * @param value anything
 * @param max length limit for each string (default {@link DEFAULT_MAX_STRING_LENGTH})
 * @returns the copy (primitives are returned as they are, except as noted)
 */
export function toJsonSafe(value: unknown, max = DEFAULT_MAX_STRING_LENGTH): unknown {
  const path = new Set<object>(); // the objects being copied, outermost first: meeting one again is a cycle
  const unserialisable = (error: unknown): string => `[unserialisable: ${errorMessage(error, max)}]`;
  const read = (object: object, key: string): unknown => {
    try {
      return (object as Record<string, unknown>)[key];
    } catch (error) {
      return unserialisable(error);
    }
  };
  const walk = (value: unknown, depth: number): unknown => {
    switch (typeof value) {
      case "string":
        return truncate(value, max);
      case "number":
        return Number.isFinite(value) ? value : String(value);
      case "bigint":
      case "symbol":
        return truncate(safeString(value), max);
      case "function":
        return `[Function: ${truncate(safeString((value as { name?: unknown }).name), max)}]`;
      case "object":
        if (value !== null) break;
        return null;
      default:
        return value; // boolean, undefined
    }
    if (path.has(value)) return "[Circular]";
    path.add(value);
    try {
      const array = Array.isArray(value);
      if (depth >= MAX_DEPTH) return array ? "[Array]" : "[Object]";
      if (array) {
        const items = value.slice(0, MAX_KEYS).map((item) => walk(item, depth + 1));
        if (value.length > MAX_KEYS) items.push(`…[${value.length - MAX_KEYS} more items]`);
        return items;
      }
      const out: Record<string, unknown> = {};
      if (isError(value)) {
        const name = read(value, "name");
        out["type"] = typeof name === "string" ? truncate(name, max) : "Error";
        out["message"] = walk(read(value, "message"), depth + 1);
        const stack = read(value, "stack");
        if (typeof stack === "string") out["stack"] = truncate(stack, max);
        const cause = read(value, "cause");
        if (cause !== undefined) out["cause"] = walk(cause, depth + 1);
      } else if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
        return walk((value as { toJSON(): unknown }).toJSON(), depth + 1);
      }
      const keys = Object.keys(value);
      for (const key of keys.slice(0, MAX_KEYS)) {
        if (!(key in out)) out[truncate(key, max)] = walk(read(value, key), depth + 1);
      }
      if (keys.length > MAX_KEYS) out["…"] = `${keys.length - MAX_KEYS} more keys`;
      return out;
    } catch (error) {
      return unserialisable(error);
    } finally {
      path.delete(value);
    }
  };
  return walk(value, 0);
}

function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}
