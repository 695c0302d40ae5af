/**
 * The shim's core in a browser, checked without a browser (CI machines have
 * no Chromium and only the npm registry): Deno's own module graph of
 * `shim/mod.ts` reaches no `node:` built-in, no npm package, no adapter and
 * not the blocking pool; and the core run by Deno with the server
 * runtime's globals removed (no `Deno`, no `process`), with read access to
 * shim/ only, spawns, completes and shuts down tasks without a console
 * error or warning.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { repoRoot } from "../support/repo.ts";

const deno = join(repoRoot(), "node_modules", ".bin", "deno");
const shimDir = join(repoRoot(), "shim");
const entry = pathToFileURL(join(shimDir, "mod.ts")).href;

interface GraphModule {
  specifier: string;
  kind?: string;
  dependencies?: { specifier: string; code?: { specifier: string } }[];
}

/** The modules reachable from `root` through runtime (code) imports, static or dynamic; type-only edges are left out. */
function runtimeGraph(root: string, modules: GraphModule[]): string[] {
  const bySpecifier = new Map(modules.map((module) => [module.specifier, module]));
  const reached = new Set<string>([root]);
  const pending = [root];
  for (let specifier = pending.pop(); specifier !== undefined; specifier = pending.pop()) {
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (target !== undefined && !reached.has(target)) {
        reached.add(target);
        pending.push(target);
      }
    }
  }
  return [...reached].sort();
}

test("the core's module graph reaches no node: built-in, npm package, adapter or blocking pool", () => {
  const run = spawnSync(deno, ["info", "--json", entry], {
    cwd: shimDir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(run.status, 0, run.stderr);
  const reached = runtimeGraph(entry, (JSON.parse(run.stdout) as { modules: GraphModule[] }).modules);
  assert.ok(reached.length > 10, `the graph was walked: ${reached.join(", ")}`);
  const shimUrl = pathToFileURL(shimDir).href + "/";
  const outside = reached.filter((specifier) => !specifier.startsWith(shimUrl));
  assert.deepEqual(outside, [], "every module the core reaches is a file of shim/ (no node:, npm: or remote import)");
  assert.deepEqual(
    reached.filter((specifier) => /\/adapters\/|\/blocking/.test(specifier)),
    [],
    "the core imports no adapter and not the blocking pool",
  );
});

/** Read from stdin by `deno run` with no permission at all: no server globals, as on a page; prints what it saw. */
const BROWSER_LIKE = `
const messages = [];
for (const level of ["error", "warn"]) console[level] = (...args) => messages.push(level + ": " + args.map(String).join(" "));
delete globalThis.Deno;
globalThis.process = undefined;
const shim = await import(${JSON.stringify(entry)});
const supervisor = new shim.TaskSupervisor();
const value = await supervisor.run("compute", () => 42);
const logged = await shim.spawnLogged("flush", Promise.resolve("flushed"), { supervisor }).done;
const summary = await supervisor.shutdown({ timeoutMs: 1000 });
console.log(JSON.stringify({ value, logged: logged.status, timedOut: summary.timedOut, messages, deno: typeof globalThis.Deno }));
`;

test("the core runs without Node or Deno globals and no permission, and writes nothing to the console", () => {
  const run = spawnSync(deno, ["run", "--no-prompt", "--no-npm", "--no-remote", "--no-config", "-"], {
    cwd: shimDir,
    input: BROWSER_LIKE,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    value: 42,
    logged: "completed",
    timedOut: false,
    messages: [],
    deno: "undefined",
  });
});
