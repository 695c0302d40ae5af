/**
 * The accuracy ratchet: the scanner's figures on each half of the truth set
 * (see `score.ts` and `split.ts`) may not fall below the committed floors in
 * `floor.json`, keyed by half (`handledReported` may not rise above its
 * ceiling, nor `unlabelledReported`, the count of findings no label
 * covers, above its own; absent, it is 0). A half with no floor yet (no
 * package labelled in it) is checked for unlabelled findings only. Floors are the
 * figures of the last accepted change rounded down to two decimals (the
 * `handledReported` ceiling rounded up); raise them as the tool improves. A
 * change may lower one only when it trades sites between figures, with the
 * sites named in its commit message, when newly labelled packages join a
 * half (the commit gives the figures with and without them), or when a rule
 * that decided by names or a fixed depth is replaced by a general mechanism
 * (the commit says by how much).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { type Figures, figuresOf, RATCHETED } from "./score.ts";
import { measureTruthSet, truthFiles } from "./measure.ts";
import { repoRoot } from "../support/repo.ts";
import { halfOf, HALVES } from "./split.ts";

describe("accuracy on the truth set", () => {
  const root = repoRoot();
  let figures: Figures;
  let byHalf: Map<string, Figures>;
  before(() => {
    const packages = measureTruthSet(root);
    figures = figuresOf(packages);
    byHalf = new Map(
      HALVES.map((half) => [half, figuresOf(packages.filter((entry) => halfOf(entry.package) === half))]),
    );
  });

  test("the truth set has at least 300 labelled sites in at least 8 packages", () => {
    const files = truthFiles(root);
    assert.ok(files.length >= 8, `${files.length} packages`);
    assert.ok(figures.sites >= 300, `${figures.sites} sites`);
    for (const file of files) {
      for (const site of file.sites) {
        assert.ok(site.reason.length > 0, `${file.package} ${site.file}:${site.line} has no reason`);
      }
    }
  });

  test("no figure of either half falls below its committed floor", () => {
    const floors = JSON.parse(readFileSync(join(root, "test", "truth", "floor.json"), "utf8")) as Record<
      string,
      Record<string, number>
    >;
    for (const [half, floor] of Object.entries(floors)) {
      const measured = byHalf.get(half);
      assert.ok(measured !== undefined, `floor.json names an unknown half "${half}"`);
      for (const { key, higherIsBetter } of RATCHETED) {
        const share = (measured[key] as { share: number | null }).share;
        assert.notEqual(share, null, `${half} ${key}`);
        const limit = floor[key];
        assert.equal(typeof limit, "number", `floor.json has no ${half} ${key}`);
        if (higherIsBetter) {
          assert.ok(share! >= limit!, `${half} ${key} ${share!.toFixed(3)} fell below the floor ${limit}`);
        } else assert.ok(share! <= limit!, `${half} ${key} ${share!.toFixed(3)} rose above the ceiling ${limit}`);
      }
    }
  });

  test("findings at places no label covers stay under each half's ceiling", () => {
    const floors = JSON.parse(readFileSync(join(root, "test", "truth", "floor.json"), "utf8")) as Record<
      string,
      Record<string, number>
    >;
    for (const [half, measured] of byHalf) {
      const ceiling = floors[half]?.["unlabelledReported"] ?? 0;
      assert.ok(
        measured.unlabelledReported <= ceiling,
        `${half}: ${measured.unlabelledReported} findings at unlabelled places (ceiling ${ceiling})`,
      );
    }
  });
});
