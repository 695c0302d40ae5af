/**
 * Checking a configuration object against the published JSON schema
 * (`schema/config.v1.json`, draft 2020-12) with Ajv, and turning the first
 * violation into one line that names the file, the JSON path and the
 * offending key or value.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { UsageError } from "../errors.ts";
import { closest } from "../suggest.ts";
import { packageFile } from "../package-files.ts";

/** Where the configuration schema is, relative to the package root. */
export const CONFIG_SCHEMA_FILE = "schema/config.v1.json";

let compiled: ValidateFunction | undefined;

/** The compiled schema, built on first use (Ajv compiles to a function once per process). */
function validator(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  const path = packageFile(CONFIG_SCHEMA_FILE);
  if (path === undefined) {
    throw new UsageError(`this spawn-audit installation lacks ${CONFIG_SCHEMA_FILE}; reinstall it`);
  }
  // Every error, so an unknown key is found even where a required key is missing too (a misspelt "group").
  compiled = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false }).compile(
    JSON.parse(readFileSync(path, "utf8")),
  );
  return compiled;
}

/**
 * Validates a parsed configuration object against the schema.
 *
 * @param value the configuration object.
 * @param source how the configuration is named in errors: the file path,
 *   with the manifest key when it came from one (`package.json` key
 *   `spawnAudit` gives paths like `spawnAudit.overrides[0]`).
 * @param key the manifest key, prefixed to JSON paths, or undefined.
 * @throws {UsageError} `config <source>: <problem>` for the first violation,
 *   an unknown key before anything else (a misspelt required key is named as
 *   what it is, not as the key it lacks), e.g. `unknown key "grop" in
 *   overrides[0], did you mean "group"? (allowed: files, callees, group)`.
 */
export function validateConfig(value: unknown, source: string, key: string | undefined): void {
  const validate = validator();
  if (validate(value)) return;
  const errors = validate.errors ?? [];
  const unknownKey = errors.find((error) => error.keyword === "additionalProperties");
  const anyOf = errors.find((error) => error.keyword === "anyOf");
  const first = unknownKey ?? anyOf ?? errors[0];
  if (first === undefined) throw new UsageError(`config ${source}: does not match ${CONFIG_SCHEMA_FILE}`);
  throw new UsageError(`config ${source}: ${describe(first, errors, key)}`);
}

/** One sentence for an Ajv error; `key` prefixes the JSON path. */
function describe(error: ErrorObject, all: readonly ErrorObject[], key: string | undefined): string {
  const at = jsonPath(error.instancePath, key);
  const where = at === "" ? "at the top level" : `in ${at}`;
  const subject = at === "" ? "the configuration" : at;
  switch (error.keyword) {
    case "additionalProperties": {
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const unknown = String(error.params["additionalProperty"]);
      // A key the object already has is not what the misspelt one meant.
      const present = (error.data ?? {}) as object;
      const guess = closest(unknown, allowed.filter((name) => !Object.hasOwn(present, name)));
      return `unknown key "${unknown}" ${where}${guess === undefined ? "" : `, did you mean "${guess}"?`} (allowed: ${
        allowed.join(", ")
      })`;
    }
    case "required":
      return `missing key "${String(error.params["missingProperty"])}" ${where}`;
    case "anyOf": {
      const options = all.filter((other) => other.keyword === "required" && other.instancePath === error.instancePath)
        .map((other) => `"${String(other.params["missingProperty"])}"`);
      return `${subject} needs ${options.join(" or ")}`;
    }
    case "enum":
      return `${subject} must be one of ${(error.params["allowedValues"] as unknown[]).join(", ")} (got ${
        JSON.stringify(error.data)
      })`;
    case "type":
      return `${subject} must be ${article(String(error.params["type"]))} (got ${JSON.stringify(error.data)})`;
    case "minLength":
      return `${subject} must not be empty`;
    default:
      return `${subject} ${error.message ?? "does not match the schema"}`;
  }
}

/** `/overrides/0/files` → `overrides[0].files` (JSON Pointer, RFC 6901, to a JavaScript-style path). */
function jsonPath(pointer: string, key: string | undefined): string {
  const segments = pointer === ""
    ? []
    : pointer.slice(1).split("/").map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  let path = key ?? "";
  for (const segment of segments) {
    path += /^\d+$/.test(segment) ? `[${segment}]` : path === "" ? segment : `.${segment}`;
  }
  return path;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
