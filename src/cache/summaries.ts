/**
 * Function summaries kept between runs: the graph of a program
 * (src/analysis/graph.ts) is built from every file's summaries, so a
 * re-run that builds a program takes the summaries of the files whose
 * import closure and lookups did not change from the cache instead of
 * reading every file again. A file's summaries are keyed as its results
 * are (src/cache/keys.ts: its content, import closure and program base,
 * and what its lookups beyond them read), plus the answers the program's
 * names gave them (which names functions are stored under, which members
 * can dispatch: names of every file, read from syntax), checked against
 * the program being built.
 *
 * Ids name functions by file name and offset; the cache writes the project
 * root in them as `<root>/`, as it keeps paths relative to the root.
 *
 * @module
 */
import { resolve } from "node:path";
import type { NameAnswer, SummaryKeeper } from "../analysis/graph.ts";
import type { FunctionSummary, ProgramNames } from "../analysis/summary.ts";
import type { Reads } from "../analysis/reads.ts";
import type { FileKeys, StoredReads } from "./keys.ts";
import type { ResultCache } from "./store.ts";

/** How the project root is written in the ids of cached summaries. */
const ROOT = "<root>/";

/**
 * The keeper of a scan's programs: summaries of the plan's files found in
 * and kept to `cache`, under `keys`.
 *
 * @param root the project root (absolute).
 * @param files the plan's files (absolute): only theirs are kept.
 * @param keys the keys of the plan's files.
 * @param cache the result cache.
 * @param path the cache's name for a file of the plan.
 * @param stored the reads as the cache keeps them.
 */
export function summaryKeeper(
  root: string,
  files: ReadonlySet<string>,
  keys: FileKeys,
  cache: ResultCache,
  path: (file: string) => string,
  stored: (reads: Reads) => StoredReads,
): SummaryKeeper {
  // Compiler file names are `/`-separated; ids start with them.
  const prefix = resolve(root).split("\\").join("/") + "/";
  const relative = (summaries: readonly FunctionSummary[]): string =>
    JSON.stringify(
      summaries,
      (_, value) => typeof value === "string" && value.startsWith(prefix) ? ROOT + value.slice(prefix.length) : value,
    );
  const absolute = (text: string): FunctionSummary[] =>
    JSON.parse(
      text,
      (_, value) => typeof value === "string" && value.startsWith(ROOT) ? prefix + value.slice(ROOT.length) : value,
    ) as FunctionSummary[];
  return {
    find: (fileName: string, names: ProgramNames) => {
      const file = resolve(fileName);
      if (!files.has(file)) return undefined;
      const entry = cache.getSummaries(path(file));
      if (entry === undefined || entry.key !== keys.key(file, entry.reads)) return undefined;
      const holds = (answer: string): boolean =>
        names[answer[0] === "s" ? "stored" : "dispatched"].has(answer.slice(2)) === (answer[1] === "+");
      if (!entry.answers.every(holds)) return undefined;
      return absolute(entry.summaries);
    },
    keep: (fileName: string, summaries: readonly FunctionSummary[], reads: Reads, answers: readonly NameAnswer[]) => {
      const file = resolve(fileName);
      if (!files.has(file)) return;
      const kept = stored(reads);
      const written = answers.map(([set, name, found]) => `${set === "stored" ? "s" : "d"}${found ? "+" : "-"}${name}`);
      cache.setSummaries(path(file), {
        key: keys.key(file, kept),
        reads: kept,
        answers: [...new Set(written)],
        summaries: relative(summaries),
      });
    },
  };
}
