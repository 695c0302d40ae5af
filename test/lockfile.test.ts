/**
 * `npm ci` refuses a lockfile that lacks any optional dependency a package
 * declares, even one for another platform. The npm registry reachable here
 * serves only the current platform's Deno binary package, so `npm install`
 * leaves the other `@deno/*` entries out of package-lock.json and they were
 * added by hand (version, os, cpu; never fetched on this platform). This
 * test says so if a regenerated lockfile drops them again.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "./support/repo.ts";

test("package-lock.json lists every optional dependency of the deno package", () => {
  const lock = JSON.parse(readFileSync(join(repoRoot(), "package-lock.json"), "utf8"));
  const deno = lock.packages["node_modules/deno"];
  const missing = Object.keys(deno.optionalDependencies).filter((name) =>
    lock.packages[`node_modules/${name}`] === undefined
  );
  assert.deepEqual(missing, [], "re-add these entries (version, os, cpu, optional: true) or npm ci fails");
});
