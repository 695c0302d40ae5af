/**
 * The result cache on disk: one JSON file (`results.json` in the cache
 * directory) mapping each scanned file, by path relative to the project
 * root, to its key and its results, each file's function summaries to
 * what they were computed from (src/cache/summaries.ts), and each text
 * read for the keys, by its hash, to what it imports. The sites' human texts (a rule's message,
 * a status reason, a signal's message: a few distinct texts repeated on
 * thousands of sites, most of a cache's size) are stored once each, in a
 * table the sites name by index. Read whole at the start of a scan and
 * written whole, atomically, at its end; a cache that cannot be read, has
 * another shape or another format (written by another version of this
 * tool) is ignored with a warning, never an error, and rebuilt. The file
 * holds a SHA-256 of its entries as written; entries whose checksum does
 * not match were edited or damaged after this tool wrote them, and the
 * cache is rebuilt, never trusted into a TypeError. (A checksum costs a
 * hash of the entries' text; checking each entry against the report
 * schema cost more than the rest of an unchanged run: 0.5 s on kafkajs'
 * 385 files, most of it compiling the schema.)
 *
 * @module
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { writeAtomically } from "../atomic-write.ts";
import type { ScanProblem, ScanWarning, Signal, SkippedFile, SpawnSite } from "../site.ts";
import type { StoredReads, TextFacts } from "./keys.ts";

/** Bumped when the shape of the cache file changes: a cache of another format is a warning and is rebuilt. */
const FORMAT = 8;

/** Where `--cache` keeps its file by default, relative to the project root (where tools' caches go by convention). */
export const DEFAULT_CACHE_LOCATION = "node_modules/.cache/spawn-audit";

/** The name of the cache file in the cache directory. */
export const CACHE_FILE = "results.json";

/**
 * The results of one file as a scan produced them: `key` (see
 * src/cache/keys.ts), what its analysis read beyond its import closure
 * (`reads`, which the key covers), whether the file was scanned (false:
 * unparsable), and its sites, problems and skip entry, with report paths
 * as the scan wrote them.
 */
export interface CachedFile {
  key: string;
  reads: StoredReads;
  scanned: boolean;
  sites: SpawnSite[];
  problems: ScanProblem[];
  skipped: SkippedFile[];
}

/**
 * The function summaries of one file (src/analysis/summary.ts) as the
 * cache keeps them: `key` (its import closure and what `reads` depend on,
 * see src/cache/keys.ts), `reads`, the answers of the program's names the
 * summaries read (`answers`, each `s` or `d` for the stored or dispatched
 * names, `+` or `-` for the answer, and the name; see `NameAnswer` in
 * src/analysis/graph.ts), and the summaries' JSON text with the project
 * root in their ids written as `<root>/` (see src/cache/summaries.ts; a
 * text, so a run that uses none of them does not parse them).
 */
export interface CachedSummaries {
  key: string;
  reads: StoredReads;
  answers: string[];
  summaries: string;
}

/** A site as the cache file holds it: its human texts by their index in the file's table of texts. */
type StoredSite = Omit<SpawnSite, "statusReason" | "signals" | "message"> & {
  statusReason: number | null;
  signals: Array<Omit<Signal, "message"> & { message: number }>;
  message: number;
};

/** Per-file results kept between runs in a cache directory. */
export class ResultCache {
  /** Problems met reading or writing the cache (the scan went on without it). */
  readonly warnings: ScanWarning[] = [];
  private entries: Map<string, CachedFile>;
  private summaries = new Map<string, CachedSummaries>();
  private texts: ReadonlyMap<string, TextFacts> = new Map();
  /** Whether an entry was set, or the file on disk was unusable, since it was read. */
  private changed = false;

  /**
   * Opens the cache in `directory` (which need not exist yet). A cache
   * file that cannot be read or parsed, or has another format, is
   * ignored with a warning (and rebuilt when the scan saves).
   *
   * @param directory absolute path of the cache directory.
   */
  constructor(private readonly directory: string) {
    this.entries = new Map();
    const file = join(directory, CACHE_FILE);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        this.warn(
          `cannot read the cache (${
            (error as NodeJS.ErrnoException).code ?? (error as Error).message
          }); scanning without it`,
        );
      }
      return;
    }
    try {
      const parsed = JSON.parse(text) as {
        format?: unknown;
        checksum?: unknown;
        files?: unknown;
        texts?: unknown;
        strings?: unknown;
        summaries?: unknown;
      };
      if (typeof parsed.format === "number" && parsed.format !== FORMAT) {
        this.changed = true;
        this.warn(
          `the cache was written in another format (${parsed.format}; this version reads ${FORMAT}); it is rebuilt`,
        );
        return;
      }
      if (
        parsed.format !== FORMAT || !isRecord(parsed.files) || !isRecord(parsed.texts) ||
        !Array.isArray(parsed.strings) || !isRecord(parsed.summaries)
      ) {
        throw new Error("not a spawn-audit cache");
      }
      if (parsed.checksum !== checksum(entriesText(text))) {
        throw new Error("its entries do not match their checksum");
      }
      const strings = parsed.strings as unknown[];
      this.entries = new Map(
        Object.entries(parsed.files as Record<string, Omit<CachedFile, "sites"> & { sites: StoredSite[] }>).map((
          [path, entry],
        ) => [path, { ...entry, sites: entry.sites.map((site) => readSite(site, strings)) }]),
      );
      this.texts = new Map(Object.entries(parsed.texts as Record<string, TextFacts>));
      this.summaries = new Map(Object.entries(parsed.summaries as Record<string, CachedSummaries>));
    } catch (error) {
      this.entries = new Map();
      this.texts = new Map();
      this.summaries = new Map();
      this.changed = true;
      this.warn(`the cache is corrupt (${(error as Error).message}); it is rebuilt`);
    }
  }

  /** The cached results of a file (by path relative to the project root), if any. */
  get(path: string): CachedFile | undefined {
    return this.entries.get(path);
  }

  /** Records the results of a file (by path relative to the project root). */
  set(path: string, entry: CachedFile): void {
    this.entries.set(path, entry);
    this.changed = true;
  }

  /** The cached function summaries of a file (by path relative to the project root), if any. */
  getSummaries(path: string): CachedSummaries | undefined {
    return this.summaries.get(path);
  }

  /** Records the function summaries of a file (by path relative to the project root). */
  setSummaries(path: string, entry: CachedSummaries): void {
    this.summaries.set(path, entry);
    this.changed = true;
  }

  /** The text facts kept from the last run, by content hash (see src/cache/keys.ts). */
  get textFacts(): ReadonlyMap<string, TextFacts> {
    return this.texts;
  }

  /** Replaces the text facts with those of this run (so those of texts no longer read do not pile up). */
  setTextFacts(facts: ReadonlyMap<string, TextFacts>): void {
    if (facts.size !== this.texts.size || [...facts.keys()].some((hash) => !this.texts.has(hash))) this.changed = true;
    this.texts = facts;
  }

  /**
   * Writes the cache atomically, keeping only the entries and summaries of
   * `keep` (the files of this scan, so entries of deleted files do not pile
   * up). A write that fails is a warning.
   */
  save(keep: ReadonlySet<string>): void {
    const kept = [...this.entries].filter(([path]) => keep.has(path));
    const summaries = [...this.summaries].filter(([path]) => keep.has(path));
    // A run that changed nothing leaves the file alone (a write and its fsync cost more than the rest of a cached run).
    if (!this.changed && kept.length === this.entries.size && summaries.length === this.summaries.size) return;
    try {
      mkdirSync(this.directory, { recursive: true });
      const table = new TextTable();
      const files = Object.fromEntries(
        kept.map(([path, entry]) => [path, { ...entry, sites: entry.sites.map((site) => storedSite(site, table)) }]),
      );
      const texts = Object.fromEntries(this.texts);
      writeAtomically(
        join(this.directory, CACHE_FILE),
        cacheText(
          JSON.stringify({ files, texts, strings: table.texts, summaries: Object.fromEntries(summaries) }).slice(1, -1),
        ),
      );
    } catch (error) {
      this.warn(
        `cannot write the cache (${
          (error as NodeJS.ErrnoException).code ?? (error as Error).message
        }); the next run starts cold`,
      );
    }
  }

  private warn(message: string): void {
    this.warnings.push({ file: join(this.directory, CACHE_FILE), message });
  }
}

/** The distinct texts of the sites stored in one cache file, each with its index (see {@link storedSite}). */
class TextTable {
  /** The texts, each once, in the order first met. */
  readonly texts: string[] = [];
  private readonly indexes = new Map<string, number>();

  /** The index of `text` in {@link texts}, added when new. */
  index(text: string): number {
    let found = this.indexes.get(text);
    if (found === undefined) {
      found = this.texts.push(text) - 1;
      this.indexes.set(text, found);
    }
    return found;
  }
}

/** A site as it is stored: its status reason, its signals' messages and its message by index in `table` (key order kept). */
function storedSite(site: SpawnSite, table: TextTable): StoredSite {
  return {
    ...site,
    statusReason: site.statusReason === null ? null : table.index(site.statusReason),
    signals: site.signals.map((signal) => ({ ...signal, message: table.index(signal.message) })),
    message: table.index(site.message),
  };
}

/**
 * The site {@link storedSite} stored, its texts taken from `strings` (the
 * cache file's table).
 *
 * @throws {Error} when an index names no text of the table (a cache not written by this version).
 */
function readSite(stored: StoredSite, strings: readonly unknown[]): SpawnSite {
  const text = (index: number): string => {
    const found = strings[index];
    if (typeof found !== "string") throw new Error("a site names a text the cache does not hold");
    return found;
  };
  return {
    ...stored,
    statusReason: stored.statusReason === null ? null : text(stored.statusReason),
    signals: stored.signals.map((signal) => ({ ...signal, message: text(signal.message) })),
    message: text(stored.message),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The text of a cache file: `{"format":…,"checksum":"…",` then `entries`
 * (the `"files":{…},"texts":{…},"strings":[…],"summaries":{…}` members, as JSON.stringify wrote them), so
 * the checksum is of the entries' text as written, and a read hashes that
 * text instead of writing the parsed entries out again.
 */
function cacheText(entries: string): string {
  return `{"format":${FORMAT},"checksum":"${checksum(entries)}",${entries}}`;
}

/** The entries' text of a cache file's `text` as {@link cacheText} lays it out (a file laid out otherwise fails its checksum). */
function entriesText(text: string): string {
  return text.slice(text.indexOf(',"files":') + 1, text.lastIndexOf("}"));
}

/** The SHA-256 (hex) of a cache's entries' text: what a cache file holds beside them, so one edited or damaged after it was written is found. */
function checksum(entries: string): string {
  return createHash("sha256").update(entries).digest("hex");
}
