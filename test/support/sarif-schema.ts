/**
 * The official OASIS SARIF 2.1.0 JSON schema, for validating `--format sarif`.
 *
 * The schema cannot be downloaded during tests, and no npm package ships it
 * as a file. `@datadog/datadog-ci-plugin-sarif` (a pinned devDependency)
 * validates uploads against it and bundles it into `dist/bundle.js` as an
 * object literal; this module reads that literal out of the bundle. A new
 * version of the plugin that bundles it differently fails here, loudly,
 * rather than validating against something else.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo.ts";

/** The `$id` of the final OASIS schema (sarif-spec, Schemata/sarif-schema-2.1.0.json). */
export const OFFICIAL_SARIF_SCHEMA_ID =
  "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

/**
 * Loads the official SARIF 2.1.0 schema (JSON Schema draft-07).
 *
 * @throws {Error} when the bundle no longer holds the schema where expected.
 */
export function officialSarifSchema(): Record<string, unknown> {
  const bundle = readFileSync(
    join(repoRoot(), "node_modules", "@datadog", "datadog-ci-plugin-sarif", "dist", "bundle.js"),
    "utf8",
  );
  const start = bundle.indexOf("var sarif_schema_2_1_0_default = {");
  const end = start < 0 ? -1 : bundle.indexOf("\n};", start);
  if (end < 0) throw new Error("the SARIF schema was not found in @datadog/datadog-ci-plugin-sarif's bundle");
  const literal = bundle.slice(bundle.indexOf("{", start), end + 2);
  // The literal is plain data (strings, numbers, arrays, objects), so evaluating it only builds the object.
  const schema = new Function(`return (${literal});`)() as Record<string, unknown>;
  if (schema["$id"] !== OFFICIAL_SARIF_SCHEMA_ID) {
    throw new Error(`unexpected SARIF schema id ${String(schema["$id"])}`);
  }
  return schema;
}
