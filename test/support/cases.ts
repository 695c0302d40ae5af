/**
 * Rule fixtures as data: each case is a code string and the spawn sites it
 * must produce. All cases of one test file are written to one temporary
 * project and scanned with one program (one type-checker start per file).
 *
 * @module
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Config, DEFAULT_CONFIG } from "../../src/config.ts";
import { loadProject } from "../../src/project.ts";
import { scanProject } from "../../src/scan.ts";
import type { Group, Kind, SpawnSite, Status } from "../../src/site.ts";
import { repoRoot } from "./repo.ts";

/** What one expected site must have; omitted fields are not checked. */
export interface ExpectedSite {
  kind: Kind;
  line?: number;
  status?: Status;
  group?: Group;
  /** Signal ids that must be among the site's signals. */
  signals?: string[];
  resolution?: "type" | "syntax";
  /** Text the site's status reason must contain. */
  reason?: string;
}

/**
 * One fixture: `code` is written to `path` (default `src/case-N.ts`) and must
 * produce exactly `sites` in order. `files` adds helper files to the project.
 * Code is made a module (`export {}` appended) unless `script` is set.
 */
export interface Case {
  name: string;
  code: string;
  path?: string;
  script?: boolean;
  sites: ExpectedSite[];
}

/** Options for {@link describeCases}: extra project files, a config, compiler options merged into the default tsconfig. */
export interface CaseOptions {
  files?: Record<string, string>;
  config?: Config;
  compilerOptions?: Record<string, unknown>;
}

/**
 * Registers a `describe` block that scans every case in one temporary
 * project and checks each case's sites in its own test.
 */
export function describeCases(title: string, cases: readonly Case[], options: CaseOptions = {}): void {
  describe(title, () => {
    let dir = "";
    let sites: SpawnSite[] = [];
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "spawn-audit-cases-"));
      sites = scanCaseProject(dir, cases, options);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    cases.forEach((item, index) => {
      test(item.name, () => {
        const file = casePath(item, index);
        const actual = sites.filter((site) => site.file === file);
        assert.deepEqual(
          actual.map((site, at) => project(site, item.sites[at])),
          item.sites,
          `sites of case "${item.name}":\n${
            actual.map((site) =>
              `  ${site.start.line}:${site.start.column} ${site.kind} ${site.status} ${site.group} [${
                site.signals.map((s) => s.id).join(", ")
              }]`
            ).join("\n")
          }`,
        );
      });
    });
  });
}

function casePath(item: Case, index: number): string {
  return item.path ?? `src/case-${index + 1}.ts`;
}

/** The fields of `site` that `expected` asks about, in `expected`'s shape. */
function project(site: SpawnSite, expected: ExpectedSite | undefined): Record<string, unknown> {
  const ids = site.signals.map((signal) => signal.id);
  if (expected === undefined) return { kind: site.kind, line: site.start.line, status: site.status, group: site.group };
  const shown: Record<string, unknown> = { kind: site.kind };
  if (expected.line !== undefined) shown["line"] = site.start.line;
  if (expected.status !== undefined) shown["status"] = site.status;
  if (expected.group !== undefined) shown["group"] = site.group;
  if (expected.signals !== undefined) shown["signals"] = expected.signals.filter((id) => ids.includes(id));
  if (expected.resolution !== undefined) shown["resolution"] = site.resolution;
  if (expected.reason !== undefined) {
    shown["reason"] = site.statusReason?.includes(expected.reason) ? expected.reason : site.statusReason;
  }
  return shown;
}

/**
 * The tsconfig of a temporary test project: strict TypeScript with DOM and
 * the repository's Node types, every file included; `compilerOptions` are
 * merged over the defaults.
 */
export function caseTsconfig(compilerOptions: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2022", "DOM"],
        allowJs: true,
        strict: true,
        noEmit: true,
        types: ["node"],
        typeRoots: [join(repoRoot(), "node_modules", "@types")],
        ...compilerOptions,
      },
      include: ["**/*"],
    },
    null,
    2,
  );
}

/** Writes the cases to `dir` as a project with a tsconfig and scans it; site files are relative to `dir`. */
export function scanCaseProject(dir: string, cases: readonly Case[], options: CaseOptions = {}): SpawnSite[] {
  write(dir, "tsconfig.json", caseTsconfig(options.compilerOptions));
  for (const [path, text] of Object.entries(options.files ?? {})) write(dir, path, text);
  cases.forEach((item, index) =>
    write(dir, casePath(item, index), item.script === true ? item.code : `${item.code}\nexport {};\n`)
  );
  const loaded = loadProject({
    paths: [dir],
    cwd: dir,
    ...(options.config === undefined ? {} : { config: options.config }),
  });
  return scanProject(loaded, options.config ?? DEFAULT_CONFIG, dir).sites;
}

function write(dir: string, path: string, text: string): void {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}
