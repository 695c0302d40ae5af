/**
 * Command-line parsing behind one small interface, so the parser (today
 * `node:util`'s `parseArgs`, which Deno also provides) can be swapped in one
 * place.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

/**
 * One option: a boolean flag, or a string value; `short` is a one-letter
 * alias. A string option with `optionalValue` takes its value only as
 * `--name=value`; a bare `--name` gives the empty string (so the next
 * argument stays a positional: `--changed src` is `--changed` and `src`).
 */
export interface OptionSpec {
  type: "boolean" | "string";
  short?: string;
  multiple?: boolean;
  optionalValue?: boolean;
}

/** Parsed arguments: option values by long name, and positionals in order. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` (without the runtime and script) against `options`.
 * `--no-NAME` is accepted for every boolean `NAME` and sets it to false.
 *
 * @throws {UsageError} for an unknown option or a missing option value,
 *   with the parser's own explanation.
 */
export function parseCommandLine(argv: readonly string[], options: Record<string, OptionSpec>): ParsedArgs {
  const bare = new Set(
    Object.entries(options).filter(([, spec]) => spec.optionalValue === true).map(([name]) => `--${name}`),
  );
  const end = argv.indexOf("--");
  const args = argv.map((arg, index) => (bare.has(arg) && (end === -1 || index < end) ? `${arg}=` : arg));
  try {
    const { values, positionals } = parseArgs(
      {
        args,
        options: Object.fromEntries(
          Object.entries(options).map(([name, { optionalValue: _, ...spec }]) => [name, spec]),
        ),
        allowPositionals: true,
        allowNegative: true,
        strict: true,
      } as Parameters<typeof parseArgs>[0],
    );
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    if (error instanceof TypeError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}

/**
 * Whether the boolean flag `--name` is among `argv`'s options (before a
 * `--` that ends them), whatever else `argv` holds: for what must be known
 * even when the rest does not parse (`--debug`).
 *
 * @param argv arguments without the runtime and script.
 * @param name the flag's long name, without dashes.
 */
export function flagGiven(argv: readonly string[], name: string): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes(`--${name}`);
}

/**
 * Reads a string option that must be one of `allowed`.
 *
 * @throws {UsageError} naming the option and the allowed values.
 */
export function choice<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got "${String(value)}")`);
}
