/**
 * Cache keys for per-file scan results, computed without building a
 * program: a file's result can only change when something it is analysed
 * with changes, so its key hashes
 *
 * - the file's own content and its paths (relative to the working
 *   directory and to the project root: reports and test globs use them);
 * - its type-relevant import closure: every project file it imports,
 *   transitively (a content hash each), and for imports of packages (found
 *   through `node_modules`) the file's size and modification time;
 * - its program's base: the compiler options, the config's declaration
 *   files and the program's global scripts (files without imports or
 *   exports, and files with `declare global` or `declare module`, whose
 *   declarations every file sees), the declaration packages its `types`
 *   loads (each `@types` package of its type roots for `*`: where each was
 *   found, its version and its entry file's size and modification time),
 *   the lockfiles of the project root, and a salt the caller gives (tool
 *   version and spawn-audit configuration).
 *
 * - what its analysis read beyond that closure (src/analysis/reads.ts):
 *   for each name it looked up among the program's declared function
 *   names, every declaration of that name in the program (its file, whether
 *   async, whether a class member; not the rest of the file); for each file
 *   a lookup found a function in, that file's closure; for each function
 *   whose callers it looked up, the closure of every file that could call
 *   it — the files whose import closure contains the function's file, and
 *   for the only function of its name, when it is a class member, the files
 *   with a property access of its name —, the
 *   declarations of its name and the set of all declared names (which the
 *   call index's resolution reads); for each file whose importers it looked
 *   up (test-support placement), the set of files that import it directly
 *   and its nearest package manifest (whose entry points are never
 *   test-support).
 *
 * So an edit invalidates the edited file, the files whose import closure
 * contains it, and the files whose lookups it could answer differently.
 *
 * Closures are hashed once per strongly connected component of the import
 * graph (Tarjan's algorithm, iterative), so a key costs the size of the
 * file's own imports, not of its closure.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ts } from "ts-morph";
import { type CallerFiles, type DeclarationIndex, declaredNames, isFunctionEntry } from "../analysis/calls.ts";
import { isDeclarationFile } from "../files/discover.ts";
import { ImportResolver, type ImportSpecifiers, importSpecifiers } from "../files/imports.ts";
import { PackageEntries } from "../files/package-entries.ts";
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
 * import specifiers, whether it is a global script and, once some key
 * needed them, the function names it declares (`declares`, see
 * `declaredNames` in src/analysis/calls.ts). Kept between runs (see
 * src/cache/store.ts) so an unchanged file is not tokenized or parsed
 * again; its imports are still resolved every run.
 */
export interface TextFacts extends ImportSpecifiers {
  global: boolean;
  declares?: Array<[string, string, string]>;
}

/**
 * What one file's analysis read beyond its import closure, as the cache
 * keeps it (src/analysis/reads.ts's `Reads`, with paths relative to the
 * project root, `/`-separated): names looked up, files of the functions
 * found, functions whose callers were looked up (file and name, null
 * for an anonymous function), and files whose importers were looked up.
 */
export interface StoredReads {
  names: string[];
  files: string[];
  callers: Array<[string, string | null]>;
  importers: string[];
}

/** The keys of the files of one scan plan. */
export interface FileKeys {
  /** The {@link TextFacts} of every file read for these keys, by content hash: the ones to keep for the next run. */
  textFacts: ReadonlyMap<string, TextFacts>;
  /**
   * The key of `file` (absolute, one of the plan's files) whose analysis
   * read `reads`: its content, import closure and program base, and what
   * the reads depend on.
   */
  key(file: string, reads: StoredReads): string;
  /**
   * Gives the parsed files of a program built from the plan, so the names
   * a file declares are taken from them instead of parsing it again.
   */
  useParsed(parsed: (file: string) => ts.SourceFile | undefined): void;
  /**
   * The root names of a program of the plan built to analyse `files` (its
   * files, absolute) as the whole program would: `files`, what they import
   * (transitively, with the JavaScript beside a declaration file), the
   * program's global scripts and the config's declaration files.
   */
  rootsFor(program: ProgramPlan, files: Iterable<string>): string[];
  /**
   * The files (absolute) a program must contain for `reads` of `file` to
   * be answered as in the whole program: the files whose functions a lookup
   * found, every file that could call a function whose callers were
   * looked up, and every file directly importing a file whose importers were.
   */
  needs(file: string, reads: StoredReads): string[];
  /** The declarations by name of the project files of `file`'s program (see `DeclarationIndex`). */
  declarationsOf(file: string): DeclarationIndex;
  /** The files of `file`'s program that can call a function, as a caller lookup's key has them (see `CallerFiles`). */
  callerFilesOf(file: string): CallerFiles;
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
  const byFile = new Map<string, ProgramKeys>();
  const byProgram = new Map<ProgramPlan, ProgramKeys>();
  for (const program of plan.programs) {
    const keys = new ProgramKeys(program, plan.root, contents, hash(salt, lockfiles));
    byProgram.set(program, keys);
    for (const file of program.files) byFile.set(file, keys);
  }
  const absolute = (path: string): string => join(plan.root, ...path.split("/"));
  const keysOf = (file: string): ProgramKeys => {
    const keys = byFile.get(file);
    if (keys === undefined) throw new Error(`${file} is not a file of this scan plan`);
    return keys;
  };
  return {
    textFacts: contents.facts,
    key: (file, reads) => {
      const keys = keysOf(file);
      return hash(
        keys.closureHash(file),
        displayPath(file, cwd),
        displayPath(file, plan.root),
        ...[...new Set(reads.names)].sort().map((name) => `name:${name}=${keys.nameHash(name)}`),
        ...[...new Set(reads.files)].sort().map((path) => `file:${path}=${keys.readHash(absolute(path))}`),
        ...reads.callers.map(([path, name]) =>
          `callers:${path}:${name ?? ""}=${keys.callersHash(absolute(path), name ?? undefined)}`
        )
          .sort(),
        ...reads.importers.map((path) => `importers:${path}=${keys.importersHash(absolute(path))}`),
      );
    },
    useParsed: (parsed) => contents.useParsed(parsed),
    rootsFor: (program, files) => {
      const keys = byProgram.get(program);
      if (keys === undefined) throw new Error(`${program.tsconfig} is not a program of this scan plan`);
      const planned = new Set(program.files);
      return [...new Set([...program.rootNames.filter((root) => !planned.has(root)), ...keys.reachedFrom(files)])];
    },
    needs: (file, reads) => {
      const keys = keysOf(file);
      return [
        ...reads.files.map(absolute),
        ...reads.callers.flatMap(([path, name]) => [...keys.callersOf(absolute(path), name ?? undefined)]),
        ...reads.importers.flatMap((path) => keys.directImportersOf(absolute(path))),
      ];
    },
    declarationsOf: (file) => keysOf(file).declarationIndex(),
    callerFilesOf: (file) => {
      const keys = keysOf(file);
      // The analysis names files as the compiler does (`/`-separated); the plan, as the platform does.
      return (declared, name) => keys.callersOf(resolve(declared), name);
    },
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

  private parsed: (file: string) => ts.SourceFile | undefined = () => undefined;

  constructor(private readonly earlier: ReadonlyMap<string, TextFacts>) {}

  /** Takes parsed files from a built program from now on (see {@link FileKeys.useParsed}). */
  useParsed(parsed: (file: string) => ts.SourceFile | undefined): void {
    this.parsed = parsed;
  }

  /**
   * The function names a file declares (see `declaredNames`), from the
   * facts of its text when an earlier key needed them, else from its parse
   * in a built program, else from a parse of its own; kept in the facts.
   */
  declaresOf(file: string, content: string, text: string): Array<[string, string, string]> {
    const facts = this.factsOf(content, text);
    facts.declares ??= declaredNames(
      this.parsed(file) ?? ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true),
    );
    return facts.declares;
  }

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

/**
 * One file of the import graph: its own hash (content, unresolved imports,
 * dependency stats), the project files it imports, whether it is a global
 * script, and its content hash and text (undefined when unreadable).
 */
interface GraphNode {
  own: string;
  imports: string[];
  global: boolean;
  content: string;
  text: string | undefined;
}

/** Keys of the files of one program: the import graph of all its files, condensed to hashed components. */
class ProgramKeys {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly componentHash = new Map<string, string>();
  /** The components (by hash) that import each component directly, filled by {@link condense}. */
  private readonly importingComponents = new Map<string, Set<string>>();
  private readonly closureHashes = new Map<string, string>();
  private readonly importerClosures = new Map<string, string>();
  private allClosures: string | undefined;
  private readonly importerSets = new Map<string, ReadonlySet<string>>();
  private readonly base: string;
  private declarations: Map<string, Array<readonly [string, string, string]>> | undefined;
  private readonly nameHashes = new Map<string, string>();
  private allNames: string | undefined;
  private importers: Map<string, string[]> | undefined;
  private readonly callers = new Map<string, string>();
  private readonly callerFiles = new Map<string, ReadonlySet<string>>();
  /** By name: the file of the one function of that name when it is a class member, else null (see {@link onlyMemberNamed}). */
  private readonly onlyMembers = new Map<string, string | null>();
  private readonly manifests = new PackageEntries();

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
    // The declaration packages every file sees: where `types` found each, its version and its entry's stat.
    const configFile = plan.compilerOptions.configFilePath;
    const types = resolver.typePackages(typeof configFile === "string" ? dirname(configFile) : root).map((found) =>
      `types:${found.name}=${
        found.file === undefined ? "missing" : `${found.file}@${found.version ?? ""}=${contents.statHash(found.file)}`
      }`
    );
    this.base = hash(salt, stableJson(plan.compilerOptions), ...globals, ...types);
    this.condense();
  }

  /** The hash of `file` with its import closure and the program's base. */
  closureHash(file: string): string {
    const component = this.componentHash.get(file);
    if (component === undefined) throw new Error(`${file} is not in this program`);
    let found = this.closureHashes.get(component);
    if (found === undefined) this.closureHashes.set(component, found = hash(this.base, component));
    return found;
  }

  /** The hash of a file a lookup found a function in: its closure, or `outside` for a file that is not a project file of the program. */
  readHash(file: string): string {
    return this.componentHash.has(file) ? this.closureHash(file) : "outside";
  }

  /** The hash of every declaration of `name` in the program's project files: what a lookup of that name answers from. */
  nameHash(name: string): string {
    let found = this.nameHashes.get(name);
    if (found === undefined) {
      const entries = (this.declarationIndex().get(name) ?? []).map((entry) => entry.join(":"));
      this.nameHashes.set(name, found = hash(...entries.sort()));
    }
    return found;
  }

  /**
   * The hash of what a lookup of the callers of a function (declared in
   * `file` under `name`, undefined when anonymous) depends on: the closure
   * of every file that could call it (those whose import closure contains
   * `file`, every file when `file` is a global script, and the files with
   * a property access of its name when a call on an untyped receiver can
   * resolve to it by that name), the declarations of its name and the set of all
   * declared names. Computed once per function.
   */
  callersHash(file: string, name: string | undefined): string {
    const id = `${file}\0${name ?? ""}`;
    let found = this.callers.get(id);
    if (found === undefined) {
      found = hash(
        name === undefined ? "" : this.nameHash(name),
        this.allNamesHash(),
        this.importerClosuresHash(file),
        ...this.accessFiles(file, name).sort().map((candidate) => `${candidate}=${this.readHash(candidate)}`),
      );
      this.callers.set(id, found);
    }
    return found;
  }

  /**
   * The hash of the closure of every file whose import closure contains
   * `file` (`file` included; every file when it is a global script): over
   * the condensed import graph, each component's hash with those of the
   * components importing it, computed once per component (iteratively:
   * import chains can be thousands deep), so it changes when any of those
   * closures, or which files import `file`, changes.
   */
  private importerClosuresHash(file: string): string {
    if (this.nodes.get(file)?.global === true) {
      this.allClosures ??= hash(...[...new Set(this.componentHash.values())].sort());
      return this.allClosures;
    }
    const start = this.componentHash.get(file);
    if (start === undefined) return "outside";
    const pending = [start];
    while (pending.length > 0) {
      const component = pending[pending.length - 1]!;
      if (this.importerClosures.has(component)) {
        pending.pop();
        continue;
      }
      const importing = [...(this.importingComponents.get(component) ?? [])];
      const waiting = importing.filter((other) => !this.importerClosures.has(other));
      if (waiting.length > 0) {
        pending.push(...waiting);
        continue;
      }
      pending.pop();
      this.importerClosures.set(
        component,
        hash(component, ...importing.map((other) => this.importerClosures.get(other)!).sort()),
      );
    }
    return this.importerClosures.get(start)!;
  }

  /**
   * The files that could call a function declared in `file` under `name`
   * (undefined when anonymous): those whose import closure contains `file`
   * (every file when it is a global script), and, when a call on an untyped
   * receiver can resolve to it by its name — it is the only function the
   * program declares under that name, and a class member (see `uniqueMethod`
   * in src/analysis/calls.ts) —, the files with a property access of that
   * name. (Whether it is the only one is keyed by the name's declarations.)
   * Computed once per function.
   */
  callersOf(file: string, name: string | undefined): ReadonlySet<string> {
    const id = `${file}\0${name ?? ""}`;
    let found = this.callerFiles.get(id);
    if (found === undefined) {
      const importers = this.importersOf(file);
      const access = this.accessFiles(file, name);
      found = access.length === 0 ? importers : new Set([...importers, ...access]);
      this.callerFiles.set(id, found);
    }
    return found;
  }

  /**
   * The files with a property access of `name` when a call on an untyped
   * receiver can resolve to the function `file` declares under that name
   * (see {@link callersOf}); else none.
   */
  private accessFiles(file: string, name: string | undefined): string[] {
    if (name === undefined || !this.onlyMemberNamed(file, name)) return [];
    const access = new RegExp(`\\.\\s*${name.replace(/[$]/g, "\\$&")}(?![\\w$])`);
    return [...this.nodes].filter(([, node]) => node.text !== undefined && access.test(node.text)).map(([other]) =>
      other
    );
  }

  /**
   * Whether the one function (not a `require` binding nor a field given a
   * function by reference, see `isFunctionEntry`) the program's project
   * files declare under `name` is a class member declared in `file`: the
   * only case a call on an untyped receiver resolves by name. Computed
   * once per name.
   */
  private onlyMemberNamed(file: string, name: string): boolean {
    let owner = this.onlyMembers.get(name);
    if (owner === undefined) {
      const functions = (this.declarationIndex().get(name) ?? []).filter(isFunctionEntry);
      owner = functions.length === 1 && functions[0]![2] === "member" ? functions[0]![0] : null;
      this.onlyMembers.set(name, owner);
    }
    return owner === file;
  }

  /**
   * `files` and every project file they reach through imports (and from a
   * declaration file to the JavaScript beside it), with the program's
   * global scripts.
   */
  reachedFrom(files: Iterable<string>): Set<string> {
    const found = new Set<string>();
    const pending = [...files];
    for (const [file, node] of this.nodes) if (node.global) pending.push(file);
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (found.has(file)) continue;
      found.add(file);
      pending.push(...(this.nodes.get(file)?.imports ?? []));
    }
    return found;
  }

  /**
   * The hash of what test-support placement answers from for `file`: the
   * set of files that import it directly, and its nearest package manifest
   * (size and modification time), which says whether it is an entry point.
   */
  importersHash(file: string): string {
    const manifest = this.manifests.manifestOf(file);
    const declared = manifest === undefined ? "none" : `${manifest}=${this.contents.statHash(manifest)}`;
    return hash(...[...this.directImportersOf(file)].sort(), `manifest:${declared}`);
  }

  /** The files whose imports (resolved) include `file`. */
  directImportersOf(file: string): readonly string[] {
    return this.importerIndex().get(file) ?? [];
  }

  /** `file` and every file whose import closure contains it; every file when `file` is a global script. Memoised. */
  private importersOf(file: string): ReadonlySet<string> {
    const known = this.importerSets.get(file);
    if (known !== undefined) return known;
    if (this.nodes.get(file)?.global === true) {
      const all = new Set(this.nodes.keys());
      this.importerSets.set(file, all);
      return all;
    }
    const importers = this.importerIndex();
    const found = new Set([file]);
    this.importerSets.set(file, found);
    const pending = [file];
    while (pending.length > 0) {
      for (const importer of importers.get(pending.pop()!) ?? []) {
        if (!found.has(importer)) {
          found.add(importer);
          pending.push(importer);
        }
      }
    }
    return found;
  }

  /** Each file's direct importers, built on first use. */
  private importerIndex(): Map<string, string[]> {
    if (this.importers === undefined) {
      this.importers = new Map();
      for (const [importer, node] of this.nodes) {
        for (const target of node.imports) {
          const list = this.importers.get(target);
          if (list === undefined) this.importers.set(target, [importer]);
          else list.push(importer);
        }
      }
    }
    return this.importers;
  }

  /**
   * Every function declaration and `require` binding of the program's
   * project files by name (see `DeclarationIndex`): what the analysis's
   * lookups by name answer from. Built once, on first use.
   */
  declarationIndex(): DeclarationIndex {
    if (this.declarations === undefined) {
      this.declarations = new Map();
      for (const [file, node] of this.nodes) {
        if (node.text === undefined || file.endsWith(".json") || isDeclarationFile(file)) continue;
        for (const [name, kind, member] of this.contents.declaresOf(file, node.content, node.text)) {
          const list = this.declarations.get(name);
          if (list === undefined) this.declarations.set(name, [[file, kind, member]]);
          else list.push([file, kind, member]);
        }
      }
    }
    return this.declarations;
  }

  /** The hash of the set of every name the program's project files declare. */
  private allNamesHash(): string {
    this.allNames ??= hash(...[...this.declarationIndex().keys()].sort());
    return this.allNames;
  }

  private node(file: string, resolver: ImportResolver, inMemory: ReadonlyMap<string, string>): GraphNode {
    const memory = inMemory.get(file);
    const { hash: content, text } = memory === undefined
      ? this.contents.read(file)
      : { hash: hash(memory), text: memory };
    if (text === undefined || file.endsWith(".json")) {
      return { own: content, imports: [], global: false, content, text: undefined };
    }
    const facts = this.contents.factsOf(content, text);
    const found = resolver.resolve(file, facts);
    const imports: string[] = [];
    const outside: string[] = [];
    const external = new Set(found.external);
    for (const target of found.resolved) {
      if (external.has(target)) outside.push(`${target}=${this.contents.statHash(target)}`);
      else imports.push(target, ...implementationsBeside(target));
    }
    const own = hash(
      content,
      ...found.unresolved.map((specifier) => `unresolved:${specifier}`),
      ...found.typeReferences.map((name) => `types:${name}`),
      ...outside.sort(),
    );
    return { own, imports: [...new Set(imports)], global: facts.global, content, text };
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
        for (const done of imported) {
          const importing = this.importingComponents.get(done);
          if (importing === undefined) this.importingComponents.set(done, new Set([component]));
          else importing.add(component);
        }
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
