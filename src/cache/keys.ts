/**
 * Cache keys for per-file scan results, computed without building a
 * program: a file's result can only change when something it is analysed
 * with changes, so its key hashes
 *
 * - the file's own content and its paths (relative to the working
 *   directory and to the project root: reports and test globs use them);
 * - its type-relevant import closure: every project file it imports,
 *   transitively (a content hash each), and for imports that lead into
 *   `node_modules` the file's size and modification time;
 * - its program's base: the compiler options, the config's declaration
 *   files and the program's global scripts (files without imports or
 *   exports, and files with `declare global` or `declare module`, whose
 *   declarations every file sees), the lockfiles of the project root, and
 *   a salt the caller gives (tool version and spawn-audit configuration).
 *
 * A file whose scan used a whole-program lookup (see
 * `wholeProgramLookupCount` in src/analysis/calls.ts) is keyed with
 * {@link FileKeys.wholeProgram}, which adds every project file of its program.
 *
 * Closures are hashed once per strongly connected component of the import
 * graph (Tarjan's algorithm, iterative), so a key costs the size of the
 * file's own imports, not of its closure.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isDeclarationFile } from "../files/discover.ts";
import { ImportResolver, type ImportSpecifiers, importSpecifiers } from "../files/imports.ts";
import { displayPath } from "../files/paths.ts";
import type { ProgramPlan, ScanPlan } from "../project.ts";

/** Lockfiles whose change (a dependency installed or upgraded) changes every key. */
const LOCKFILES = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
  "deno.lock",
  "node_modules/.package-lock.json",
];

/**
 * What a file's text alone decides for its key, by the text's hash: its
 * import specifiers and whether it is a global script. Kept between runs
 * (see src/cache/store.ts) so an unchanged file is not tokenized again;
 * its imports are still resolved every run.
 */
export interface TextFacts extends ImportSpecifiers {
  global: boolean;
}

/** The keys of the files of one scan plan. */
export interface FileKeys {
  /** The {@link TextFacts} of every file read for these keys, by content hash: the ones to keep for the next run. */
  textFacts: ReadonlyMap<string, TextFacts>;
  /** The key of `file` (absolute, one of the plan's files) from its content, import closure and program base. */
  closure(file: string): string;
  /** The key of `file` when its result may depend on any file of its program: {@link FileKeys.closure} plus every project file of the program. */
  wholeProgram(file: string): string;
}

/**
 * Computes the keys of a plan's files: reads every file of every program
 * (the plan's files and the project files they import), hashes them and
 * resolves their imports; builds no program.
 *
 * @param plan the scan plan.
 * @param cwd the directory report paths are relative to.
 * @param salt what else every result depends on (tool version, configuration).
 * @param known text facts from an earlier run, by content hash.
 */
export function fileKeys(
  plan: ScanPlan,
  cwd: string,
  salt: string,
  known: ReadonlyMap<string, TextFacts> = new Map(),
): FileKeys {
  const contents = new ContentHashes(known);
  const lockfiles = LOCKFILES.map((name) => `${name}=${contents.statHash(join(plan.root, name))}`).join("\n");
  const byFile = new Map<string, { keys: ProgramKeys; program: ProgramPlan }>();
  for (const program of plan.programs) {
    const keys = new ProgramKeys(program, plan.root, contents, hash(salt, lockfiles));
    for (const file of program.files) byFile.set(file, { keys, program });
  }
  const entry = (file: string): ProgramKeys => {
    const found = byFile.get(file);
    if (found === undefined) throw new Error(`${file} is not a file of this scan plan`);
    return found.keys;
  };
  const closure = (file: string): string =>
    hash(entry(file).closureHash(file), displayPath(file, cwd), displayPath(file, plan.root));
  return {
    textFacts: contents.facts,
    closure,
    wholeProgram: (file) => hash(closure(file), entry(file).programHash()),
  };
}

/** SHA-256 of the parts, each length-prefixed (so parts cannot run into each other), in hex. */
function hash(...parts: string[]): string {
  const digest = createHash("sha256");
  for (const part of parts) digest.update(`${part.length}:${part}`);
  return digest.digest("hex");
}

/** Content hashes and texts of files, each file read once per scan, and the facts of their texts. */
class ContentHashes {
  private readonly known = new Map<string, { hash: string; text: string | undefined }>();
  /** The facts of the texts read in this run, by content hash. */
  readonly facts = new Map<string, TextFacts>();

  constructor(private readonly earlier: ReadonlyMap<string, TextFacts>) {}

  /** The facts of a text whose hash is `content`: from an earlier run when it read the same text. */
  factsOf(content: string, text: string): TextFacts {
    let found = this.facts.get(content) ?? this.earlier.get(content);
    if (found === undefined) found = { ...importSpecifiers(text), global: isGlobalScript(text) };
    this.facts.set(content, found);
    return found;
  }

  /**
   * The text and content hash of a project file; a missing or unreadable
   * file gets a hash of its own and no text.
   */
  read(file: string): { hash: string; text: string | undefined } {
    let found = this.known.get(file);
    if (found === undefined) {
      let text: string | undefined;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        text = undefined;
      }
      found = { hash: text === undefined ? "missing" : hash(text), text };
      this.known.set(file, found);
    }
    return found;
  }

  /** A dependency file's size and modification time in ms (content hashes would read all of `node_modules`), or `missing`. */
  statHash(file: string): string {
    const stat = statSync(file, { throwIfNoEntry: false });
    return stat === undefined ? "missing" : `${stat.size}@${stat.mtimeMs}`;
  }
}

/** One file of the import graph: its own hash (content, unresolved imports, dependency stats) and the project files it imports. */
interface GraphNode {
  own: string;
  imports: string[];
  global: boolean;
}

/** Keys of the files of one program: the import graph of all its files, condensed to hashed components. */
class ProgramKeys {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly componentHash = new Map<string, string>();
  private readonly base: string;
  private program: string | undefined;

  constructor(plan: ProgramPlan, root: string, private readonly contents: ContentHashes, salt: string) {
    const resolver = new ImportResolver(plan.compilerOptions, root);
    const pending = [...plan.rootNames];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (this.nodes.has(file)) continue;
      const node = this.node(file, resolver, plan.inMemory);
      this.nodes.set(file, node);
      pending.push(...node.imports);
    }
    const declarations = new Set(plan.rootNames.filter(isDeclarationFile));
    const globals = [...this.nodes].filter(([file, node]) => node.global || declarations.has(file))
      .map(([file, node]) => `${file}=${node.own}`).sort();
    this.base = hash(salt, stableJson(plan.compilerOptions), ...globals);
    this.condense();
  }

  /** The hash of `file` with its import closure and the program's base. */
  closureHash(file: string): string {
    const component = this.componentHash.get(file);
    if (component === undefined) throw new Error(`${file} is not in this program`);
    return hash(this.base, component);
  }

  /** The hash of every project file of the program (computed once). */
  programHash(): string {
    this.program ??= hash(this.base, ...[...this.nodes].map(([file, node]) => `${file}=${node.own}`).sort());
    return this.program;
  }

  private node(file: string, resolver: ImportResolver, inMemory: ReadonlyMap<string, string>): GraphNode {
    const memory = inMemory.get(file);
    const { hash: content, text } = memory === undefined
      ? this.contents.read(file)
      : { hash: hash(memory), text: memory };
    if (text === undefined || file.endsWith(".json")) return { own: content, imports: [], global: false };
    const facts = this.contents.factsOf(content, text);
    const found = resolver.resolve(file, facts);
    const imports: string[] = [];
    const outside: string[] = [];
    for (const target of found.resolved) {
      if (target.includes("/node_modules/")) outside.push(`${target}=${this.contents.statHash(target)}`);
      else imports.push(target, ...implementationsBeside(target));
    }
    const own = hash(
      content,
      ...found.unresolved.map((specifier) => `unresolved:${specifier}`),
      ...found.typeReferences.map((name) => `types:${name}`),
      ...outside.sort(),
    );
    return { own, imports: [...new Set(imports)], global: facts.global };
  }

  /**
   * Tarjan's strongly connected components, iterative (import chains can
   * be thousands deep); each component's hash covers its members' own
   * hashes and the hashes of the components it imports, which Tarjan's
   * order finishes first.
   */
  private condense(): void {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    let counter = 0;
    for (const start of this.nodes.keys()) {
      if (index.has(start)) continue;
      const frames: Array<{ file: string; next: number }> = [{ file: start, next: 0 }];
      index.set(start, counter);
      low.set(start, counter++);
      stack.push(start);
      onStack.add(start);
      while (frames.length > 0) {
        const frame = frames[frames.length - 1]!;
        const imports = this.nodes.get(frame.file)!.imports;
        if (frame.next < imports.length) {
          const target = imports[frame.next++]!;
          if (!this.nodes.has(target)) continue;
          if (!index.has(target)) {
            index.set(target, counter);
            low.set(target, counter++);
            stack.push(target);
            onStack.add(target);
            frames.push({ file: target, next: 0 });
          } else if (onStack.has(target)) {
            low.set(frame.file, Math.min(low.get(frame.file)!, index.get(target)!));
          }
          continue;
        }
        frames.pop();
        const parent = frames[frames.length - 1];
        if (parent !== undefined) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(frame.file)!));
        if (low.get(frame.file) !== index.get(frame.file)) continue;
        const members: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          members.push(member);
        } while (member !== frame.file);
        const memberSet = new Set(members);
        const own = members.map((file) => `${file}=${this.nodes.get(file)!.own}`).sort();
        const imported = new Set<string>();
        for (const file of members) {
          for (const target of this.nodes.get(file)!.imports) {
            const done = this.componentHash.get(target);
            if (!memberSet.has(target) && done !== undefined) imported.add(done);
          }
        }
        const component = hash(...own, ...[...imported].sort());
        for (const file of members) this.componentHash.set(file, component);
      }
    }
  }
}

/**
 * The JavaScript files beside a project declaration file (`x.d.ts` →
 * `x.js`): the analysis reads a function's body there when a call resolves
 * to its declaration (src/analysis/declarations.ts).
 */
function implementationsBeside(file: string): string[] {
  if (!isDeclarationFile(file)) return [];
  return [[/\.d\.ts$/, ".js"], [/\.d\.mts$/, ".mjs"], [/\.d\.cts$/, ".cjs"]]
    .map(([pattern, extension]) => file.replace(pattern as RegExp, extension as string))
    .filter((candidate) => candidate !== file && existsSync(candidate));
}

/**
 * Whether a file's declarations are seen by every file of its program: it
 * has no import or export statement and no CommonJS `require`/`exports`
 * (a script), or it declares globals or augments a module.
 */
function isGlobalScript(text: string): boolean {
  if (/^\s*declare\s+(global\b|module\s)/m.test(text)) return true;
  return !/^\s*(import|export)\b/m.test(text) && !/\brequire\s*\(|\bmodule\.exports\b|\bexports\.[\w$]/.test(text);
}

/** JSON with every object's keys sorted, at every depth: equal options give equal text whatever order they were written in. */
function stableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, inner: unknown) =>
      typeof inner === "object" && inner !== null && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner,
  );
}
