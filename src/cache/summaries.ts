/**
 * Function summaries kept between runs: a program built from part of a
 * plan's files takes the summaries of every other project file from the
 * cache (src/cache/store.ts), when their keys still match (see
 * `summaryKey` in src/cache/keys.ts), so its graph of functions
 * (src/analysis/graph.ts) is the whole program's without reading every
 * file's code. Summaries read in a run are kept only once that run's
 * program was found to hold every file their reads need (a summary read
 * in a program lacking one would be keyed as if it were right).
 *
 * A file's summaries are kept per program (two configs can compile one
 * file differently), under `[config, path]` as JSON: the program's
 * tsconfig and the file, relative to the project root (`""` for no
 * config). The file names in summary ids are relative to the project root
 * too (`./src/a.js:120`).
 *
 * @module
 */
import { relative, resolve, sep } from "node:path";
import type { SummarySource } from "../analysis/graph.ts";
import type { Reads } from "../analysis/reads.ts";
import { type FunctionId, mapSummaryIds } from "../analysis/summary.ts";
import type { ProgramPlan, ScanPlan } from "../project.ts";
import type { FileKeys, StoredReads } from "./keys.ts";
import type { CachedSummaries, ResultCache } from "./store.ts";

/** The summaries of one scan: which cached ones are valid, and those read in this run until they are kept. */
export class SummaryCache {
  /** Whether the cached summaries of a file are valid, by cache name. */
  private readonly valid = new Map<string, boolean>();
  /** Summaries read in this run, by cache name, with their program and file (absolute). */
  private readonly pending = new Map<string, { program: ProgramPlan; file: string; entry: CachedSummaries }>();
  /** The project root as the compiler names files (`/`-separated). */
  private readonly root: string;

  /**
   * @param plan the scan plan.
   * @param cache the result cache the summaries are kept in.
   * @param keys the keys of the plan's files.
   */
  constructor(private readonly plan: ScanPlan, private readonly cache: ResultCache, private readonly keys: FileKeys) {
    this.root = plan.root.split(sep).join("/");
    keys.useSummaryReads((program, path) => cache.summaries(this.name(program, path))?.reads);
  }

  /** The project files (absolute) of a program of the plan whose cached summaries are not valid. */
  invalidOf(program: ProgramPlan): string[] {
    return this.keys.ownFilesOf(program).filter((file) => !this.isValid(program, file));
  }

  /** The files (absolute) the last reads of the summaries of `files` of `program` needed: likely needed again. */
  staleNeeds(program: ProgramPlan, files: Iterable<string>): string[] {
    return [...files].flatMap((file) => {
      const stale = this.cache.summaries(this.name(program, this.path(file)));
      return stale === undefined ? [] : this.keys.summaryNeeds(program, stale.reads);
    });
  }

  /**
   * The summary source of a program of the plan: its project files, its
   * names, the valid cached summaries, and a record of the summaries read
   * from code in this run.
   *
   * @param program the program.
   * @param stored how a record of reads is kept (paths relative to the root).
   */
  sourceOf(program: ProgramPlan, stored: (reads: Reads) => StoredReads): SummarySource {
    return {
      files: this.keys.ownFilesOf(program).map((file) => file.split(sep).join("/")),
      names: this.keys.namesOf(program),
      cached: (name) => {
        const file = resolve(name);
        if (!this.isValid(program, file)) return undefined;
        return this.cache.summaries(this.name(program, this.path(file)))!.summaries.map((summary) =>
          mapSummaryIds(summary, (id) => this.fromStored(id))
        );
      },
      read: (name, summaries, reads) => {
        const file = resolve(name);
        const kept = stored(reads);
        this.pending.set(this.name(program, this.path(file)), {
          program,
          file,
          entry: {
            key: this.keys.summaryKey(program, file, kept),
            reads: kept,
            summaries: summaries.map((summary) => mapSummaryIds(summary, (id) => this.toStored(id))),
          },
        });
      },
    };
  }

  /** The files (absolute) the reads of the summaries read in this run need in their programs. */
  pendingNeeds(): string[] {
    return [...this.pending.values()].flatMap(({ program, entry }) => this.keys.summaryNeeds(program, entry.reads));
  }

  /** Keeps the summaries read in this run (their program held every file their reads needed). */
  keep(): void {
    for (const [name, { entry }] of this.pending) {
      this.cache.setSummaries(name, entry);
      this.valid.set(name, true);
    }
    this.pending.clear();
  }

  /** Drops the summaries read in this run (their program lacked a file their reads needed; they are read again). */
  drop(): void {
    this.pending.clear();
  }

  /** The cache names of the summaries of every project file of the plan's programs: those to keep on disk. */
  names(): Set<string> {
    return new Set(
      this.plan.programs.flatMap((program) =>
        this.keys.ownFilesOf(program).map((file) => this.name(program, this.path(file)))
      ),
    );
  }

  private isValid(program: ProgramPlan, file: string): boolean {
    const name = this.name(program, this.path(file));
    let found = this.valid.get(name);
    if (found === undefined) {
      const entry = this.cache.summaries(name);
      found = entry !== undefined && entry.key === this.keys.summaryKey(program, file, entry.reads);
      this.valid.set(name, found);
    }
    return found;
  }

  /** The cache's name for the summaries of a file (by {@link path}) in a program. */
  private name(program: ProgramPlan, path: string): string {
    return JSON.stringify([program.tsconfig === null ? "" : this.path(program.tsconfig), path]);
  }

  /** A file's path relative to the project root, `/`-separated. */
  private path(file: string): string {
    return relative(this.plan.root, file).split(sep).join("/");
  }

  /** An id as the cache keeps it: a file under the root by its path from there, after `./`. */
  private toStored(id: FunctionId): FunctionId {
    return id.startsWith(`${this.root}/`) ? `./${id.slice(this.root.length + 1)}` : id;
  }

  /** An id as the cache kept it, as the analysis names it. */
  private fromStored(id: FunctionId): FunctionId {
    return id.startsWith("./") ? `${this.root}/${id.slice(2)}` : id;
  }
}
