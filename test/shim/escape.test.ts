// Process-level test: failing user hooks (an async listener, an async logger, a throwing clock)
// never end the process. Each scenario runs in a child under `node --unhandled-rejections=strict`
// (Node) or `deno run` (strict by default), so an escaped rejection fails the child and this test.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
const fixture = fileURLToPath(new URL(`./escape.fixture.${extension}`, import.meta.url));

interface Report {
  outcome: string;
  reason?: string;
  hookErrors: string[];
  stuck: number;
}

function runScenario(scenario: string): Promise<{ code: number | null; report: Report | undefined; stderr: string }> {
  const [command, args] = deno === undefined
    ? [process.execPath, ["--unhandled-rejections=strict", fixture]]
    : [deno.execPath(), ["run", "-A", "--quiet", fixture]];
  return new Promise((resolve) => {
    // The timeout is a safety net for a hung child, not a sleep.
    execFile(command, [...args, "--escape", scenario], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      const last = stdout.trim().split("\n").pop();
      resolve({ code, report: last ? (JSON.parse(last) as Report) : undefined, stderr });
    });
  });
}

describe("nothing escapes from failing hooks (child process, strict unhandled rejections)", () => {
  test("async listeners that reject: reported as hookError, the task still completes", async () => {
    const { code, report, stderr } = await runScenario("async-listener");
    assert.equal(code, 0, `child failed:\n${stderr}`);
    assert.equal(report?.outcome, "completed");
    assert.ok(
      report.hookErrors.length >= 4 && report.hookErrors.every((source) => source === "listener"),
      String(report.hookErrors),
    );
    assert.equal(report.stuck, 0);
  });

  test("an async logger whose methods reject: reported as hookError, the task still completes", async () => {
    const { code, report, stderr } = await runScenario("async-logger");
    assert.equal(code, 0, `child failed:\n${stderr}`);
    assert.equal(report?.outcome, "completed");
    assert.ok(report.hookErrors.includes("logger"), String(report.hookErrors));
    assert.equal(report.stuck, 0);
  });

  test("an async logger that rejects with nobody listening: one console line, nothing escapes", async () => {
    const { code, report, stderr } = await runScenario("async-logger-unheard");
    assert.equal(code, 0, `child failed:\n${stderr}`);
    assert.equal(report?.outcome, "completed");
    assert.match(stderr, /spawn-audit\/shim: the logger failed: Error: async logger\.\w+ rejects/);
  });

  test("a clock whose setTimeout throws: the restarting task ends failed instead of waiting forever", async () => {
    const { code, report, stderr } = await runScenario("throwing-clock");
    assert.equal(code, 0, `child failed:\n${stderr}`);
    assert.equal(report?.outcome, "failed");
    assert.match(report.reason ?? "", /clock could not schedule the restart: Error: clock\.setTimeout is broken/);
    assert.deepEqual(report.hookErrors, ["clock"]);
    assert.equal(report.stuck, 0);
  });

  // Issue 18, defect 11: an async clock or jitter source that rejected ended the process.
  test("a clock and a jitter source whose async methods reject: reported as hookError, nothing escapes, the task ends", async () => {
    const { code, report, stderr } = await runScenario("async-hooks");
    assert.equal(code, 0, `child failed:\n${stderr}`);
    assert.equal(report?.outcome, "failed");
    assert.match(report.reason ?? "", /clock could not schedule the restart: Error: async clock\.setTimeout rejects/);
    assert.deepEqual([...new Set(report.hookErrors)].sort(), ["clock", "random"]);
    assert.equal(report.stuck, 0);
  });

  // Issue 18, defect 11: with attemptTimeoutMs, a throwing setTimeout left the attempt running forever.
  test("a clock whose setTimeout throws under attemptTimeoutMs: the attempt fails instead of running forever", async () => {
    const { code, report, stderr } = await runScenario("throwing-clock-timeout");
    assert.equal(code, 0, `child failed:\n${stderr}`);
    assert.equal(report?.outcome, "failed");
    assert.match(report.reason ?? "", /clock could not schedule the restart: Error: clock\.setTimeout is broken/);
    assert.equal(report.stuck, 0);
  });
});
