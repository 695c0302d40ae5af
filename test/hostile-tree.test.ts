/**
 * Property test (fast-check): `scan` over generated hostile trees — names
 * with invalid UTF-8 bytes, control characters and spaces, symbolic links
 * (to files, to folders, to themselves, dangling), FIFOs, empty and binary
 * files, deep folders, code nested deep — never throws a stack trace: it
 * exits 0 or 1 with a JSON report in which every entry that could not be
 * scanned is a problem, or 2 with one line. The CLI runs in-process (a few
 * dozen trees in seconds).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Buffer } from "node:buffer";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { FINDING_SOURCE, runInProcess, STACK_LINE } from "./support/cli.ts";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-hostile-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** One entry of a generated tree, under a folder path of `depth` levels. */
type Entry =
  | { kind: "source"; name: Uint8Array; depth: number; body: "finding" | "empty" | "binary" | "nested" | "broken" }
  | { kind: "link"; name: Uint8Array; depth: number; to: "file" | "folder" | "self" | "nowhere" }
  | { kind: "fifo"; name: Uint8Array; depth: number };

/** A file name's stem: letters, spaces, control characters, non-ASCII and bytes that are not UTF-8. */
const stem = fc.array(
  fc.oneof(
    fc.constantFrom(..."abc xyz-_.".split("").map((char) => Buffer.from(char))),
    fc.constantFrom(Buffer.from("é"), Buffer.from("😀"), Buffer.from([0x07]), Buffer.from([0x1b]), Buffer.from([0x0a])),
    fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0x80])),
  ),
  { minLength: 1, maxLength: 8 },
).map((parts) => Buffer.concat([Buffer.from("f"), ...parts, Buffer.from(".ts")]));

const entry: fc.Arbitrary<Entry> = fc.oneof(
  fc.record({
    kind: fc.constant("source" as const),
    name: stem,
    depth: fc.integer({ min: 0, max: 3 }),
    body: fc.constantFrom(
      "finding" as const,
      "empty" as const,
      "binary" as const,
      "nested" as const,
      "broken" as const,
    ),
  }),
  fc.record({
    kind: fc.constant("link" as const),
    name: stem,
    depth: fc.integer({ min: 0, max: 3 }),
    to: fc.constantFrom("file" as const, "folder" as const, "self" as const, "nowhere" as const),
  }),
  fc.record({ kind: fc.constant("fifo" as const), name: stem, depth: fc.integer({ min: 0, max: 3 }) }),
);

const BODIES: Record<Extract<Entry, { kind: "source" }>["body"], Uint8Array> = {
  finding: Buffer.from(FINDING_SOURCE),
  empty: Buffer.alloc(0),
  binary: Buffer.from([0, 1, 2, 0, 255]),
  nested: Buffer.from(`export const v = ${"(".repeat(5000)}1${")".repeat(5000)};\n`),
  broken: Buffer.from("export const = ;\n"),
};

let serial = 0;
/** Writes the entries under a new folder (names as bytes); entries the file system refuses are left out. */
function makeTree(entries: readonly Entry[]): string {
  const root = join(dir, `t${serial++}`);
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(root, "package.json"), '{ "name": "hostile" }\n');
  writeFileSync(join(root, "src", "anchor.ts"), FINDING_SOURCE);
  for (const item of entries) {
    const folder = join(root, "src", ...Array.from({ length: item.depth }, (_, i) => `d${i}`));
    mkdirSync(folder, { recursive: true });
    const path = Buffer.concat([Buffer.from(folder + "/"), item.name]);
    try {
      if (item.kind === "source") writeFileSync(path, BODIES[item.body]);
      else if (item.kind === "fifo") spawnSync("mkfifo", [path.toString("latin1")], { encoding: "latin1" });
      else {
        const target =
          { file: join(root, "src", "anchor.ts"), folder: join(root, "src"), self: path, nowhere: "gone.ts" }[
            item.to
          ];
        symlinkSync(target, path);
      }
    } catch {
      // An entry this file system refuses (a name, an existing one) is simply not in the tree.
    }
  }
  return root;
}

test("property: scan over hostile trees exits 0, 1 or 2, with a JSON report or one line, never a stack trace", async (t) => {
  if (process.platform === "win32") return t.skip("names as bytes, FIFOs and symbolic links are POSIX");
  const runs: string[] = [];
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
      const root = makeTree(entries);
      const run = await runInProcess(["scan", ".", "--format", "json"], { cwd: root });
      runs.push(`${run.code}`);
      assert.doesNotMatch(run.stderr, STACK_LINE, run.stderr);
      assert.ok([0, 1, 2].includes(run.code), `exit ${run.code}: ${run.stderr}`);
      if (run.code === 2) {
        assert.match(run.stderr, /^spawn-audit: [^\n]+\n$/);
        return;
      }
      const report = JSON.parse(run.stdout) as {
        sites: { file: string }[];
        problems: { file: string }[];
        skipped: { file: string; reason: string }[];
      };
      // The anchor file is always there and always reported: one bad entry never stops the scan.
      assert.ok(report.sites.some((site) => site.file === "src/anchor.ts"), run.stdout);
      // Whatever could not be read is a problem, not a silent skip.
      for (const skipped of report.skipped) {
        if (skipped.reason === "unreadable" || skipped.reason === "unparsable") {
          assert.ok(report.problems.some((problem) => skipped.file.startsWith(problem.file)), JSON.stringify(skipped));
        }
      }
      // No raw control character reaches the report's paths.
      for (const path of [...report.sites, ...report.problems].map((item) => item.file)) {
        assert.ok(![...path].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f), path);
      }
      rmSync(root, { recursive: true, force: true });
    }),
    { numRuns: 20 },
  );
  assert.equal(runs.length, 20);
});
