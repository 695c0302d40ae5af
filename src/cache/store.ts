/**
 * The result cache on disk: one JSON file (`results.json` in the cache
 * directory) mapping each scanned file, by path relative to the project
 * root, to its key and its results, and each text read for the keys, by
 * its hash, to what it imports. Read whole at the start of a scan and
 * written whole, atomically, at its end; a cache that cannot be read or
 * has another shape is ignored with a warning, never an error. Every entry
 * is checked on read against the report schema's definitions of a site, a
 * problem and a skipped file (`schema/scan-report.v1.json`), so a cache
 * edited or damaged by hand is rebuilt, never trusted into a TypeError.
 *
 * @module
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { writeAtomically } from "../atomic-write.ts";
import { packageFile } from "../package-files.ts";
import type { ScanProblem, ScanWarning, SkippedFile, SpawnSite } from "../site.ts";
import type { StoredReads, TextFacts } from "./keys.ts";

/** Bumped when the shape of the cache file changes: a cache of another format is discarded, silently. */
const FORMAT = 3;

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

/** Per-file results kept between runs in a cache directory. */
export class ResultCache {
  /** Problems met reading or writing the cache (the scan went on without it). */
  readonly warnings: ScanWarning[] = [];
  private entries: Map<string, CachedFile>;
  private texts: ReadonlyMap<string, TextFacts> = new Map();
  /** Whether an entry was set, or the file on disk was unusable, since it was read. */
  private changed = false;

  /**
   * Opens the cache in `directory` (which need not exist yet). A cache
   * file that cannot be read or parsed, or has another format, is
   * ignored with a warning.
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
      const parsed = JSON.parse(text) as { format?: unknown; files?: unknown; texts?: unknown };
      // Another version's cache is replaced without a word; only a broken one is worth a warning.
      if (typeof parsed.format === "number" && parsed.format !== FORMAT) {
        this.changed = true;
        return;
      }
      if (parsed.format !== FORMAT || !isRecord(parsed.files) || !isRecord(parsed.texts)) {
        throw new Error("not a spawn-audit cache");
      }
      const isCachedFile = cachedFileValidator();
      for (const [path, entry] of Object.entries(parsed.files)) {
        if (!isCachedFile(entry)) {
          const [first] = isCachedFile.errors ?? [];
          throw new Error(
            `malformed entry for ${path}${
              first === undefined ? "" : `: ${first.instancePath || "/"} ${first.message}`
            }`,
          );
        }
        this.entries.set(path, entry as CachedFile);
      }
      const texts = new Map<string, TextFacts>();
      for (const [hash, facts] of Object.entries(parsed.texts)) {
        if (!isTextFacts(facts)) throw new Error(`malformed text entry ${hash}`);
        texts.set(hash, facts);
      }
      this.texts = texts;
    } catch (error) {
      this.entries = new Map();
      this.texts = new Map();
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
   * Writes the cache atomically, keeping only the entries of `keep` (the
   * files of this scan, so entries of deleted files do not pile up). A
   * write that fails is a warning.
   */
  save(keep: ReadonlySet<string>): void {
    const files: Record<string, CachedFile> = {};
    for (const [path, entry] of this.entries) if (keep.has(path)) files[path] = entry;
    // A run that changed nothing leaves the file alone (a write and its fsync cost more than the rest of a cached run).
    if (!this.changed && Object.keys(files).length === this.entries.size) return;
    try {
      mkdirSync(this.directory, { recursive: true });
      writeAtomically(
        join(this.directory, CACHE_FILE),
        JSON.stringify({ format: FORMAT, files, texts: Object.fromEntries(this.texts) }),
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTextFacts(value: unknown): value is TextFacts {
  if (!isRecord(value)) return false;
  const declares = value["declares"];
  return typeof value["global"] === "boolean" && isStrings(value["modules"]) &&
    isStrings(value["references"]) && isStrings(value["typeReferences"]) &&
    (declares === undefined ||
      Array.isArray(declares) && declares.every((entry) => isStrings(entry) && entry.length === 3));
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Where the report schema is, relative to the package root: its sites, problems and skipped entries are the cache's. */
const REPORT_SCHEMA_FILE = "schema/scan-report.v1.json";

/** Fields of a report's site that a scan adds on output (the cache keeps sites as the scan produced them). */
const REPORT_ONLY_FIELDS: readonly string[] = ["fingerprint", "inBaseline"];

let compiledEntry: ValidateFunction | undefined;

/**
 * A validator of one cache entry ({@link CachedFile}), compiled once per
 * process from the report schema's `$defs` (its site without the fields the
 * report adds).
 *
 * @throws {Error} when this installation lacks the report schema (a cache is then not read).
 */
function cachedFileValidator(): ValidateFunction {
  if (compiledEntry !== undefined) return compiledEntry;
  const path = packageFile(REPORT_SCHEMA_FILE);
  if (path === undefined) throw new Error(`this installation lacks ${REPORT_SCHEMA_FILE}`);
  const report = JSON.parse(readFileSync(path, "utf8")) as {
    $defs: Record<string, { required: string[]; properties: Record<string, unknown> }>;
  };
  const site = report.$defs["site"]!;
  const cachedSite = {
    ...site,
    required: site.required.filter((field) => !REPORT_ONLY_FIELDS.includes(field)),
    properties: Object.fromEntries(
      Object.entries(site.properties).filter(([field]) => !REPORT_ONLY_FIELDS.includes(field)),
    ),
  };
  const list = (definition: string): object => ({ type: "array", items: { $ref: `#/$defs/${definition}` } });
  compiledEntry = new Ajv2020({ allErrors: false, strict: false }).compile({
    $defs: { ...report.$defs, site: cachedSite },
    type: "object",
    additionalProperties: false,
    required: ["key", "reads", "scanned", "sites", "problems", "skipped"],
    properties: {
      key: { type: "string" },
      reads: {
        type: "object",
        additionalProperties: false,
        required: ["names", "files", "callers"],
        properties: {
          names: { type: "array", items: { type: "string" } },
          files: { type: "array", items: { type: "string" } },
          callers: {
            type: "array",
            items: {
              type: "array",
              prefixItems: [{ type: "string" }, { type: ["string", "null"] }],
              minItems: 2,
              maxItems: 2,
            },
          },
        },
      },
      scanned: { type: "boolean" },
      sites: list("site"),
      problems: list("problem"),
      skipped: list("skipped"),
    },
  });
  return compiledEntry;
}
