/**
 * Reading a configuration file: the bytes (with a clear error when the file
 * cannot be read), then JSON with comments and trailing commas (JSONC, as
 * VS Code and Deno read their own config files) after an optional byte
 * order mark, then, for a package manifest, its `"spawnAudit"` key.
 *
 * @module
 */
import { basename } from "node:path";
import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";
import { fileSystemReason, UsageError } from "../errors.ts";
import { readRegularFile } from "../files/read.ts";

/** The key that holds spawn-audit's configuration inside `package.json`, `deno.json` and `deno.jsonc`. */
export const MANIFEST_KEY = "spawnAudit";

/** Manifests of other tools that may carry a {@link MANIFEST_KEY} section. */
export const MANIFEST_NAMES: readonly string[] = ["package.json", "deno.json", "deno.jsonc"];

/**
 * A configuration as found in a file: `value` is the parsed configuration
 * object (not yet validated), `path` the absolute file path, and `key` the
 * manifest key it was read from (`spawnAudit`) or undefined for a file that
 * is all configuration.
 */
export interface ConfigDocument {
  path: string;
  key: string | undefined;
  value: unknown;
}

/** Whether `path` is a manifest whose configuration lives under {@link MANIFEST_KEY}. */
function isManifest(path: string): boolean {
  return MANIFEST_NAMES.includes(basename(path));
}

/**
 * Reads and parses a JSONC file (comments, trailing commas, a leading BOM).
 *
 * @param path absolute path.
 * @param what how to name the file in errors (e.g. `config file`).
 * @throws {UsageError} `cannot read <what> <path>: <reason>` when the file
 *   is missing or unreadable, `<what> <path> is not valid JSON: <error> at
 *   line L, column C` when it does not parse.
 */
function readJsonc(path: string, what: string): unknown {
  let text: string;
  try {
    text = readRegularFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${fileSystemReason(error)}`);
  }
  const { value, error } = parseJsonc(text);
  if (error !== undefined) throw new UsageError(`${what} ${path} is not valid JSON: ${error}`);
  return value;
}

/**
 * Parses JSONC text (comments, trailing commas, a leading BOM); never throws.
 *
 * @param text the file's text.
 * @returns the value (what parsed of it, on an error) and the first error
 *   as `<error> at line L, column C`, or undefined when the text parses.
 */
export function parseJsonc(text: string): { value: unknown; error: string | undefined } {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const errors: ParseError[] = [];
  const value: unknown = parse(body, errors, {
    allowTrailingComma: true,
    disallowComments: false,
    allowEmptyContent: false,
  });
  const [first] = errors;
  if (first === undefined) return { value, error: undefined };
  const before = body.slice(0, first.offset).split("\n");
  return {
    value,
    error: `${printParseErrorCode(first.error)} at line ${before.length}, column ${
      before[before.length - 1]!.length + 1
    }`,
  };
}

/**
 * Reads the configuration in `path`: the whole file, or its
 * {@link MANIFEST_KEY} section for a manifest.
 *
 * @param path absolute path of a config file or manifest.
 * @returns the document; `value` is undefined for a manifest without the key.
 * @throws {UsageError} as {@link readJsonc}.
 */
export function readConfigDocument(path: string): ConfigDocument {
  const parsed = readJsonc(path, "config file");
  if (!isManifest(path)) return { path, key: undefined, value: parsed };
  const value = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)[MANIFEST_KEY]
    : undefined;
  return { path, key: MANIFEST_KEY, value };
}
