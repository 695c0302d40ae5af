/**
 * Real code, run: the installed ioredis (a pinned devDependency, CommonJS)
 * is copied twice under this repository's `node_modules/.cache/`, one copy
 * fixed with `fix --write` (`@spawn-audit/shim` added to its dependencies
 * first, as its maintainer would; its CommonJS build is what the fixed
 * files require), and the same program drives both: start a client against a Redis
 * that refuses connections and one that answers every command with an
 * error, send a command, stop. (A server that drops connections gives
 * EPIPE or ECONNRESET by timing, so it is not compared.) What the program sees
 * (events, the command's outcome, the client's status, any uncaught error)
 * and what is printed must be the same. Node only: ioredis is a Node
 * package, and the program runs on Node.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { runChild } from "../support/cli.ts";
import { repoRoot } from "../support/repo.ts";

const PROGRAM = `const net = require("node:net");
const Redis = require(\`./\${process.argv[2]}/ioredis\`).default;
const events = [];
const log = (line) => events.push(line);
process.on("uncaughtException", (error) => log(\`uncaughtException \${error.message}\`));
process.on("unhandledRejection", (error) => log(\`unhandledRejection \${error && error.message}\`));
function listen(onConnection) {
  const server = net.createServer(onConnection);
  return new Promise((ready) => server.listen(0, "127.0.0.1", () => ready(server)));
}
async function scenario(name, port) {
  const redis = new Redis({ port, host: "127.0.0.1", retryStrategy: (times) => (times <= 2 ? 5 : null), maxRetriesPerRequest: 1 });
  redis.on("error", (error) => log(\`\${name} error \${error.code ?? error.message}\`));
  redis.on("reconnecting", () => log(\`\${name} reconnecting\`));
  redis.on("end", () => log(\`\${name} end\`));
  try {
    await redis.get("key");
    log(\`\${name} get resolved\`);
  } catch (error) {
    log(\`\${name} get rejected \${error.message}\`);
  }
  redis.disconnect();
  log(\`\${name} status after disconnect \${redis.status}\`);
}
(async () => {
  const closed = await listen(() => {});
  const port = closed.address().port;
  await new Promise((done) => closed.close(done));
  await scenario("refused", port);
  const failing = await listen((socket) => socket.on("data", () => socket.end("-ERR failing\\r\\n")));
  await scenario("failing", failing.address().port);
  failing.close();
  console.log(events.join("\\n"));
})();
`;

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

describe("ioredis fixed behaves as it did: start, fail a dependency, stop", {
  skip: isDeno && "ioredis and the program run on Node",
}, () => {
  const cache = join(repoRoot(), "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "spawn-audit-installed-"));
  let fix: ReturnType<typeof runChild>;
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(() => {
    mkdirSync(join(dir, "node_modules", "@spawn-audit"), { recursive: true });
    symlinkSync(join(repoRoot(), "shim"), join(dir, "node_modules", "@spawn-audit", "shim"), "dir");
    const installed = join(repoRoot(), "node_modules", "ioredis");
    for (const copy of ["original", "fixed"]) {
      cpSync(join(installed, "package.json"), join(dir, copy, "ioredis", "package.json"));
      cpSync(join(installed, "built"), join(dir, copy, "ioredis", "built"), {
        recursive: true,
        filter: (path) => !path.endsWith(".map"),
      });
    }
    const manifest = join(dir, "fixed", "ioredis", "package.json");
    const published = JSON.parse(readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> };
    writeFileSync(
      manifest,
      JSON.stringify({ ...published, dependencies: { ...published.dependencies, "@spawn-audit/shim": "^0.1.0" } }),
    );
    writeFileSync(join(dir, "program.cjs"), PROGRAM);
    fix = runChild(
      ["fix", ".", "--write", "--allow-dirty"],
      join(dir, "fixed", "ioredis"),
    );
  });

  function drive(copy: string): { code: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ["program.cjs", copy], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test("the fixed copy has rewritten sites, and the program sees and prints the same", (t) => {
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    assert.match(fix.stdout, /^Rewrote [1-9]\d* sites? in [1-9]\d* files?/);
    t.diagnostic(`ioredis: ${fix.stdout.split("\n")[0]}`);
    const original = drive("original");
    const fixed = drive("fixed");
    assert.equal(original.code, 0, original.stderr);
    assert.match(original.stdout, /^refused error ECONNREFUSED$/m);
    assert.match(original.stdout, /^failing get rejected /m);
    assert.deepEqual(fixed, original);
  });
});
