/**
 * The accuracy ratchet: the scanner's figures on the truth set (see
 * `score.ts`) may not fall below the committed floors in `floor.json`
 * (`handledReported` may not rise above its ceiling). Floors are the
 * figures of the last accepted change rounded down to two decimals; raise
 * them as the tool improves. A change may lower one only when it trades
 * sites between figures, with the sites named in its commit message.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { type Figures, figuresOf, RATCHETED } from "./score.ts";
import { measureTruthSet, truthFiles } from "./measure.ts";
import { repoRoot } from "../support/repo.ts";

describe("accuracy on the truth set", () => {
  const root = repoRoot();
  let figures: Figures;
  before(() => {
    figures = figuresOf(measureTruthSet(root));
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

  test("no figure falls below its committed floor", () => {
    const floor = JSON.parse(readFileSync(join(root, "test", "truth", "floor.json"), "utf8")) as Record<string, number>;
    for (const { key, higherIsBetter } of RATCHETED) {
      const share = (figures[key] as { share: number | null }).share;
      assert.notEqual(share, null, key);
      const limit = floor[key];
      assert.equal(typeof limit, "number", `floor.json has no ${key}`);
      if (higherIsBetter) assert.ok(share! >= limit!, `${key} ${share!.toFixed(3)} fell below the floor ${limit}`);
      else assert.ok(share! <= limit!, `${key} ${share!.toFixed(3)} rose above the ceiling ${limit}`);
    }
  });

  test("every finding is at a labelled place", () => {
    assert.equal(figures.unlabelledReported, 0);
  });
});
