// Process-level test: the chaos fixture must exit 0 on its own with no unhandled rejection,
// under `node --unhandled-rejections=strict` and under Deno (strict by default).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
// From dist/ on Node the fixture is compiled JavaScript; on Deno it is the TypeScript source.
const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
const fixture = fileURLToPath(new URL(`./chaos.fixture.${extension}`, import.meta.url));

function runFixture(count: number, seed: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, args] = deno === undefined
    ? [process.execPath, ["--unhandled-rejections=strict", fixture]]
    : [deno.execPath(), ["run", "-A", "--quiet", fixture]];
  return new Promise((resolve) => {
    // The timeout is a safety net for a hung child, not a sleep; the child is expected to exit on its own.
    execFile(
      command,
      [...args, "--chaos", String(count), String(seed)],
      { timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

for (const seed of [1, 2]) {
  test(`thousands of randomly failing tasks: exit 0, no unhandled rejection (seed ${seed})`, async () => {
    const { code, stdout, stderr } = await runFixture(4000, seed);
    assert.equal(code, 0, `child failed:\n${stderr}`);
    assert.doesNotMatch(stderr, /unhandled/i);
    const report = JSON.parse(stdout.trim().split("\n").pop()!) as {
      count: number;
      logLines: number;
      stragglers: number;
    };
    assert.equal(report.count, 4000);
    assert.ok(report.logLines > 1000, "failures were logged");
    assert.ok(report.stragglers > 0, "hung tasks were cut off at the deadline");
  });
}
