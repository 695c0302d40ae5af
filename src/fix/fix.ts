/**
 * The codemod engine behind `spawn-audit fix`: scan, select the
 * unsupervised sites asked for, let each site's rule rewrite it, add the
 * shim import, check every edited file (parses, no new TypeScript errors),
 * and write atomically — or, in a dry run, only report. Data flows one way:
 * located sites → per-file edits → checked new texts → writes.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import picomatch from "picomatch";
import type { ts } from "../analysis/ts.ts";
import { fileSystemReason, UsageError } from "../errors.ts";
import { displayPath } from "../files/paths.ts";
import { buildProgram, type LoadOptions, planScan, type ProgramPlan } from "../project.ts";
import type { IndentRegion, Rewrite, Rule, ShimFunction, TextEdit } from "../rule.ts";
import { DEFAULT_TEST_PATTERNS, type LocatedSite, scanProjectLocated } from "../scan.ts";
import type { Group, Kind, ScanProblem, SpawnSite } from "../site.ts";
import { RULES } from "../../rules/mod.ts";
import { isAsyncFunction, isFunctionNode } from "../analysis/functions.ts";
import { returnsPromiseLike } from "../analysis/promise.ts";
import { applyEdits, combineEdits, distinctEdits, templateRanges } from "./edits.ts";
import { assertionIn, namedTimerCallback, onlyThrows } from "./syntax.ts";
import { hasUncommittedChanges, isInsideRoots } from "./files.ts";
import { protectedReason, removeStaleTemporaries, writeAtomically } from "../atomic-write.ts";
import {
  DENO_SPECIFIER,
  importEdits,
  importStyle,
  SHIM_PACKAGE,
  shimImportSource,
  type ShimSource,
  shimSpecifier,
} from "./imports.ts";
import { TaskNamer } from "./name.ts";
import { isVendored, vendorEntry, type VendorFile, vendorFiles, vendorTargetProblem } from "./vendor.ts";
import { type Refusal, verifyEdits } from "./verify.ts";
import { unresolvedShim } from "./resolve.ts";
import { addCommand, nearestManifest, nearestPackage, underDenoConfig } from "./manifest.ts";
import { engineNote } from "./engines.ts";
import { findFormatter, projectFormatter } from "./format.ts";
import { finishChanges, type FormatRun, type LintRun, unformattedChanges } from "./finish.ts";
import type { ConfiguredChannel } from "./channel.ts";
import { fileLayout, fixContext } from "./context.ts";
import { isLibraryFile, neverRewritten, type ProcessEvent, processHandlerFor, processHandlers } from "./file-role.ts";
import { userCodeIn, useTestFiles } from "./user-code.ts";
import { recordWritten, writtenByFix } from "./ledger.ts";

/**
 * What to fix and how.
 *
 * - `groups`: groups whose unsupervised sites are rewritten (the CLI's
 *   default is every one but `test`); `kinds` and `files` (globs matched
 *   against the path relative to `cwd`) narrow further when given. Test
 *   sites, benchmarks and examples are never rewritten, whatever the
 *   groups: a failing test must still fail.
 * - `write`: apply the changes; otherwise a dry run.
 * - `allowDirty`: also rewrite files with uncommitted git changes (fix's
 *   own earlier edits never count as such).
 * - `install`: when the shim's package is not in the project's
 *   `dependencies`, add it with the project's package manager instead of
 *   stopping (`--install`).
 * - `shimImport`: the import specifier (`--shim-import`; a `./` or `../`
 *   path is a module of the project relative to `cwd`, imported by each
 *   file's relative path), else the config's `shimImport`; `vendorShim`: a
 *   directory to copy the shim into (`--vendor-shim`), relative to `cwd`.
 * - `format`: run the project's formatter on each edited file's new text
 *   before it is written (`--format`; else the config's `format`); see
 *   `./format.ts`. `lint` (default true; `--no-lint`): then the project's
 *   linter's fixer and check, refusing a file that would break a rule the
 *   original did not; see `./lint.ts` and `./finish.ts`.
 * - `rules`: the rules to run (all registered rules by default; tests
 *   inject their own). The config (`config`) and file selection come from
 *   {@link LoadOptions}.
 */
export interface FixOptions extends LoadOptions {
  groups: readonly Group[];
  kinds?: readonly Kind[];
  files?: readonly string[];
  write: boolean;
  allowDirty: boolean;
  shimImport?: string;
  vendorShim?: string;
  format?: boolean;
  lint?: boolean;
  install?: boolean;
  rules?: readonly Rule[];
  /** Also replace read-only and hard-linked files (`--force-write`; see `WriteOptions.replaceProtected`). */
  forceWrite?: boolean;
}

/**
 * One site rewritten (or to be): the site, the rewrite's `transform` id,
 * when the rewrite restarts the work, why (one line, ≤ 80 characters), and
 * where its failure now goes (`channel`; null for a restart or a worker).
 */
export interface SiteRewrite {
  site: SpawnSite;
  transform: string;
  restarts: string | null;
  channel: string | null;
}

/** One selected site left as it was, and why. */
export interface SiteSkip {
  site: SpawnSite;
  reason: string;
}

/**
 * One file's change: `file` is relative to `cwd`, `path` absolute; `before`
 * and `after` are its texts. `refused` says why it was not (or would not
 * be) written, null when it is fine; `writeFailed` is true when that is the
 * file system's error while writing (an environment error: exit 2);
 * `written` is true once it is on disk.
 */
export interface FileChange {
  path: string;
  file: string;
  before: string;
  after: string;
  rewrites: SiteRewrite[];
  refused: string | null;
  writeFailed: boolean;
  written: boolean;
}

/** The vendored shim: its directory relative to `cwd`, files to add or update, and a refusal. */
export interface VendorChange {
  dir: string;
  files: VendorFile[];
  refused: string | null;
  written: boolean;
}

/**
 * What the formatter (`--format`) and the project's linter did to the edited
 * texts before they were written: defined in `./finish.ts`, re-exported so
 * callers of {@link runFix}'s result need only this module.
 */
export type { FormatRun, LintRun } from "./finish.ts";

/**
 * The outcome of a fix run: changes by file (sorted by path), selected
 * sites that were skipped, files that could not be analysed (unreadable,
 * unparsable, too large; as scan reports them), how many unsupervised sites
 * were outside the selection, the vendored shim when asked for, the
 * formatter run (null without `format` or when nothing was edited), the
 * linter run (null when no file was linted), notes for the maintainer (an `engines.node` older than the shim's), what
 * `--install` ran (null when nothing), and whether it wrote.
 */
export interface FixResult {
  changes: FileChange[];
  skipped: SiteSkip[];
  problems: ScanProblem[];
  unselected: number;
  vendor: VendorChange | null;
  format: FormatRun | null;
  lint: LintRun | null;
  notes: string[];
  installed: string | null;
  write: boolean;
  /** True when the writes were stopped between two files (SIGINT or SIGTERM, see `src/interrupt.ts`); the rest are refused. */
  interrupted: boolean;
}

/**
 * Runs the codemod.
 *
 * @param options what to fix, where, and whether to write.
 * @returns what changed (or would), what was skipped and what was refused.
 * @throws {UsageError} as {@link planScan}, for a config error, when the
 *   vendor directory is outside the given paths or the built shim is
 *   missing, when the shim's package is not in the `dependencies` of a
 *   package (or the import map of a Deno project) whose files would import
 *   it (unless `install`) or does not
 *   resolve from a file to edit (the message gives the install command),
 *   when `install` fails, or when `format` is asked for and no formatter is
 *   found (`./format.ts`); nothing is written then.
 * @throws the file system's error when vendoring the shim fails; a file
 *   that cannot be written is refused (reported), not thrown.
 */
export function runFix(options: FixOptions): FixResult {
  const steps = fixSteps(options);
  for (let step = steps.next(false);; step = steps.next(false)) if (step.done) return step.value;
}

/**
 * {@link runFix} as steps: it pauses (yields) before writing each file and
 * is resumed with whether to stop there; stopped, the files not yet written
 * are refused ("not written: fix was interrupted").
 * Nothing before the writes pauses. `src/interrupt.ts` drives it so that a
 * SIGINT during the writes ends them after the file being written.
 *
 * @param options as {@link runFix}.
 * @returns the generator; its return value is {@link runFix}'s.
 * @throws as {@link runFix}.
 */
export function* fixSteps(options: FixOptions): Generator<void, FixResult, boolean> {
  const roots = (options.paths.length === 0 ? ["."] : options.paths).map((path) => resolve(options.cwd, path));
  const plan = planScan(options);
  const project = buildProgram(plan);
  // Each file is resolved and checked under its own program's options: a package's file with its package's tsconfig.
  const programOf = new Map(plan.programs.flatMap((program) => program.files.map((file) => [file, program] as const)));
  const { located, result: scanned } = scanProjectLocated(project, project.config, options.cwd, options.rules ?? RULES);

  const vendorDir = options.vendorShim === undefined ? undefined : resolve(options.cwd, options.vendorShim);
  if (vendorDir !== undefined && !isInsideRoots(vendorDir, roots)) {
    throw new UsageError(`--vendor-shim ${options.vendorShim} is outside the paths being fixed`);
  }
  const vendorProblem = vendorDir === undefined ? undefined : vendorTargetProblem(vendorDir, options.vendorShim!);
  if (vendorProblem !== undefined) throw new UsageError(vendorProblem);
  // --shim-import is relative to the working directory, the config's shimImport to the project root.
  const shim: ShimSource = vendorDir !== undefined
    ? { kind: "vendor", entry: vendorEntry(vendorDir) }
    : options.shimImport !== undefined
    ? shimImportSource(options.shimImport, options.cwd)
    : project.config.shimImport !== null
    ? shimImportSource(project.config.shimImport, project.root)
    : { kind: "package" };
  const setting = project.config.errorChannel;
  const configured = typeof setting === "object"
    ? { name: setting.name, source: shimImportSource(setting.import, project.root) }
    : undefined;

  const unsupervised = located.filter(({ site, node }) =>
    site.status === "unsupervised" && !isVendored(node.getSourceFile().text)
  );
  const isChosenFile = options.files === undefined || options.files.length === 0
    ? () => true
    : picomatch([...options.files], { dot: true });
  const selected = unsupervised.filter(({ site }) =>
    options.groups.includes(site.group) &&
    (options.kinds === undefined || options.kinds.length === 0 || options.kinds.includes(site.kind)) &&
    isChosenFile(site.file)
  );

  const skipped: SiteSkip[] = [];
  for (const { site } of selected) {
    if (site.group === "test") {
      skipped.push({ site, reason: "test sites are never rewritten: a failing test must still fail" });
    }
  }
  const isTestPath = picomatch([...DEFAULT_TEST_PATTERNS, ...project.config.testPatterns], { dot: true });
  // A library's tests call it as its users do (user-code.ts).
  for (const { program } of project.programs) {
    useTestFiles(program, (file) => isTestPath(displayPath(file, project.root)));
  }
  const handlers = processHandlers(
    project.programs.flatMap((program) => program.targets).filter((file) =>
      !isTestPath(displayPath(file.fileName, project.root))
    ),
    options.cwd,
  );
  const changes: FileChange[] = [];
  const plans = new Map<FileChange, FilePlan>();
  for (const [sourceFile, sites] of groupByFile(selected.filter(({ site }) => site.group !== "test"))) {
    const change = fixFile(sourceFile, sites, {
      checker: project.checkerOf(sourceFile),
      shim,
      setting: setting === "shim" ? "shim" : "auto",
      configured,
      handlers,
      options,
      roots,
      skipped,
      plans,
    });
    if (change !== undefined) changes.push(change);
  }
  changes.sort((a, b) => a.file.localeCompare(b.file));

  const usingShim = changes.filter((change) => plans.get(change)!.parts.some((part) => part.uses.length > 0));
  const installed = shim.kind === "package"
    ? requireDependency(usingShim, (change) => plans.get(change)!.specifier, shim.specifier, options)
    : null;
  if (installed !== null) {
    // `deno add` gave the import map its entry: files of a Deno project import it by that key now.
    for (const change of usingShim) {
      const plan = plans.get(change)!;
      if (plan.specifier !== DENO_SPECIFIER) continue;
      plan.specifier = shimSpecifier(change.path, shim);
      const remade = assemble(plan);
      if (!("skip" in remade)) change.after = remade.text;
    }
  }
  if (shim.kind !== "vendor") {
    // Each change's plan already holds the specifier its imports use.
    const specifierOf = new Map(changes.map((change) => [change.path, plans.get(change)!.specifier]));
    const missing = plan.programs.flatMap((program) =>
      unresolvedShim(
        usingShim.map((change) => change.path).filter((path) => programOf.get(path) === program),
        (file) => specifierOf.get(file)!,
        program.compilerOptions,
      )
    );
    if (missing.length > 0) {
      const specifier = specifierOf.get(missing[0]!)!;
      const remedy = shim.kind === "local"
        ? `Write ${displayPath(shim.entry, options.cwd)} (spawn-audit init --shim) or correct the shim import`
        : `Install the project's dependencies (${
          addCommand(dirname(missing[0]!), packageOf(specifier))
        }), or copy the shim into the project with --vendor-shim DIR`;
      throw new UsageError(
        `${specifier} does not resolve from ${displayPath(missing[0]!, options.cwd)}${
          missing.length > 1 ? ` and ${missing.length - 1} more file(s)` : ""
        }; ` +
          `nothing was written. ${remedy}`,
      );
    }
  }
  const notes = [
    ...new Set(usingShim.map((change) => engineNote(change.path, change.file)).filter((note) => note !== undefined)),
  ];

  const formatter = (options.format ?? project.config.format) && changes.length > 0
    ? findFormatter(project.root)
    : undefined;
  const vendor = vendorDir === undefined || usingShim.length === 0 ? null : vendorChange(
    vendorDir,
    options.cwd,
    usingShim.flatMap((change) => plans.get(change)!.parts.flatMap((part) => part.uses)),
  );
  const pending = changes.filter((change) => change.refused === null);
  const added = new Map(
    (vendor?.files ?? []).filter((file) => !/\.[mc]?js$/.test(file.path)).map((file) => [file.path, file.text]),
  );
  checkChanges(pending, plans, { programs: plan.programs, programOf, added, skipped });
  // A file whose every rewrite was dropped is left as it was, its import with them: nothing half-done.
  for (const emptied of pending.filter((change) => change.rewrites.length === 0)) {
    changes.splice(changes.indexOf(emptied), 1);
    pending.splice(pending.indexOf(emptied), 1);
  }
  if (vendor !== null && vendor.refused !== null) {
    for (const change of pending) change.refused ??= `the shim could not be vendored: ${vendor.refused}`;
  }
  const finished = finishChanges(pending, formatter, options.lint ?? true);
  notes.push(...finished.notes);
  const checker = formatter === undefined && pending.length > 0 ? projectFormatter(project.root) : undefined;
  const unformatted = checker === undefined ? [] : unformattedChanges(pending, checker);
  if (unformatted.length > 0) {
    const files = unformatted.map((path) => relative(options.cwd, path));
    notes.push(
      `${checker!.name} would reformat ${
        files.length === 1 ? "a rewritten file" : `${files.length} rewritten files`
      } ` +
        `its check accepted before (${files.slice(0, 3).join(", ")}${files.length > 3 ? ", …" : ""}): ` +
        `run fix with --format`,
    );
  }

  let interrupted = false;
  if (options.write) {
    for (const dir of new Set(changes.map((change) => dirname(change.path)))) removeStaleTemporaries(dir);
    if (vendor !== null && vendor.refused === null && changes.some((change) => change.refused === null)) {
      mkdirSync(vendorDir!, { recursive: true });
      for (const file of vendor.files) writeAtomically(file.path, file.text, { replaceProtected: options.forceWrite });
      vendor.written = true;
    }
    for (const [index, change] of changes.entries()) {
      if (yield) {
        interrupted = true;
        for (const rest of changes.slice(index)) rest.refused ??= "not written: fix was interrupted";
        break;
      }
      writeChange(change, roots, options.forceWrite === true);
    }
  }
  const written = changes.filter((change) => change.written).map((change) => change.path);
  recordWritten(written.map((path) => ({ path, text: readFileSync(path, "utf8") })));
  // Ignore-comment problems are scan's business; files not analysed are fix's too: their sites were not seen.
  const problems = scanned.problems.filter((problem) => problem.id === undefined);
  return {
    changes,
    skipped,
    problems,
    unselected: unsupervised.length - selected.length,
    vendor,
    format: finished.format,
    lint: finished.lint,
    notes,
    installed,
    write: options.write,
    interrupted,
  };
}

/** The npm package a specifier names (`@scope/name` or `name`, without a subpath). */
function packageOf(specifier: string): string {
  const parts = specifier.replace(/^npm:/, "").split("/");
  return specifier.replace(/^npm:/, "").startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * Makes sure every package whose files would import the shim lists its
 * package under `dependencies` — a devDependency is gone after a production
 * install (`npm prune --omit=dev`), and the fixed program would not start —
 * and every Deno project whose files would import it has it in its import
 * map (else they would import `npm:@spawn-audit/shim` inline, which `deno
 * lint`'s recommended `no-import-prefix` and `no-unversioned-import` reject).
 * With `install`, the project's package manager adds it (`deno add` for a
 * Deno project; the command is returned, for the report).
 *
 * @param specifierOf the specifier a change's file imports the shim by.
 * @param specifier the `--shim-import` / config specifier, when one is set.
 * @returns the install command run, or null when nothing was missing.
 * @throws {UsageError} naming the package and the command to add it, when it
 *   is missing and `install` is not set, or when that command fails.
 */
function requireDependency(
  changes: readonly FileChange[],
  specifierOf: (change: FileChange) => string,
  specifier: string | undefined,
  options: FixOptions,
): string | null {
  const name = specifier === undefined ? SHIM_PACKAGE : packageOf(specifier);
  const missing = new Map<string, FileChange>();
  for (const change of changes) {
    const dir = dirname(change.path);
    if (/^(npm|jsr|node|https?):/.test(specifier ?? "")) continue;
    if (underDenoConfig(dir)) {
      const manifest = nearestManifest(dir);
      if (specifierOf(change) === DENO_SPECIFIER && !missing.has(manifest!.dir)) missing.set(manifest!.dir, change);
      continue;
    }
    const manifest = nearestPackage(dir);
    if (manifest !== undefined && !manifest.runtimeDependencies.has(name) && !missing.has(manifest.dir)) {
      missing.set(manifest.dir, change);
    }
  }
  if (missing.size === 0) return null;
  const commands = [...missing].map(([dir, change]) => ({ dir, change, command: addCommand(dir, name) }));
  if (options.install !== true) {
    const first = commands[0]!;
    const deno = underDenoConfig(first.dir);
    throw new UsageError(
      `${name} is not in the ${deno ? "import map" : "dependencies"} of ${displayPath(first.dir, options.cwd) || "."}/${
        basename(nearestManifest(first.dir)!.path)
      }${
        commands.length > 1 ? ` (nor of ${commands.length - 1} more package(s))` : ""
      }, which ${first.change.file} would import it from; nothing was written. ` +
        `Add it (${first.command}) or pass --install; ${
          deno
            ? "an inline npm: import breaks deno lint's recommended rules"
            : "a devDependency would be gone after a production install"
        }`,
    );
  }
  for (const { dir, command } of commands) {
    const [program, ...args] = command.split(" ");
    const run = spawnSync(program!, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (run.status !== 0) {
      const detail = `${run.error?.message ?? ""}\n${run.stderr ?? ""}`.split("\n").map((line) => line.trim())
        .find((line) => line !== "");
      throw new UsageError(
        `--install: ${command} failed${detail === undefined ? "" : `: ${detail}`}; nothing was written`,
      );
    }
  }
  return commands.map(({ command }) => command).join("; ");
}

/** What {@link checkChanges} needs besides the changes: the scan's programs, each file's program, vendored declarations, and where dropped sites go. */
interface CheckInputs {
  programs: readonly ProgramPlan[];
  programOf: ReadonlyMap<string, ProgramPlan>;
  added: ReadonlyMap<string, string>;
  skipped: SiteSkip[];
}

/**
 * Checks the changes (see `./verify.ts`), each under its own program. A file
 * failing the check loses only the site its error falls in and is checked
 * again, alone with the other files that changed in that round (the files
 * that passed keep their new text in the program but are not checked
 * again); a file whose error no single site can be blamed for is refused.
 * A file whose every site was dropped gets its original text back and no
 * rewrites (the caller leaves it out).
 */
function checkChanges(
  pending: readonly FileChange[],
  plans: ReadonlyMap<FileChange, FilePlan>,
  inputs: CheckInputs,
): void {
  for (let checking = pending; checking.length > 0;) {
    const edited = new Map(
      pending.filter((change) => change.refused === null).map((change) => [change.path, change.after]),
    );
    const refusals = new Map<string, Refusal>();
    for (const program of inputs.programs) {
      const own = checking.filter((change) => inputs.programOf.get(change.path) === program).map((change) =>
        change.path
      );
      if (own.length === 0) continue;
      const overlay = {
        edited: new Map([...edited].filter(([path]) => inputs.programOf.get(path) === program)),
        added: inputs.added,
      };
      for (const [path, refusal] of verifyEdits(program, overlay, own)) refusals.set(path, refusal);
    }
    checking = checking.filter((change) => {
      const refusal = refusals.get(change.path);
      if (refusal === undefined) return false;
      // A file that lost its last rewrite is back to its original text: nothing left to check.
      if (dropFailingSite(change, plans.get(change)!, refusal, inputs.skipped)) return change.rewrites.length > 0;
      change.refused = refusal.reason;
      return false;
    });
  }
}

interface FileInputs {
  checker: ts.TypeChecker;
  shim: ShimSource;
  setting: "auto" | "shim";
  configured: { name: string; source: ShimSource } | undefined;
  handlers: ReturnType<typeof processHandlers>;
  options: FixOptions;
  roots: readonly string[];
  skipped: SiteSkip[];
  plans: Map<FileChange, FilePlan>;
}

/** Plans one file's change; pushes skipped sites to `inputs.skipped`. Undefined when nothing is rewritten. */
function fixFile(sourceFile: ts.SourceFile, sites: readonly LocatedSite[], inputs: FileInputs): FileChange | undefined {
  const skipAll = (reason: string): undefined => {
    for (const { site } of sites) inputs.skipped.push({ site, reason });
    return undefined;
  };
  const path = resolve(sourceFile.fileName);
  const text = sourceFile.text;
  // Relative to its package and to the working directory: an example with a package.json of its own is still an example.
  const never = [nearestPackage(dirname(path))?.dir, inputs.options.cwd]
    .map((base) => base === undefined ? undefined : relative(base, path).split("\\").join("/"))
    .filter((file) => file !== undefined && !file.startsWith("../"))
    .map((file) => neverRewritten(file!)).find((reason) => reason !== undefined);
  if (never !== undefined) return skipAll(never);
  if (!inputs.options.allowDirty && hasUncommittedChanges(path) && !writtenByFix(path, readOrNull(path) ?? "")) {
    return skipAll("the file has uncommitted changes; commit or stash them, or pass --allow-dirty");
  }
  const layout = fileLayout(sourceFile);
  const library = isLibraryFile(path);
  const configured: ConfiguredChannel | undefined = inputs.configured === undefined
    ? undefined
    : { name: inputs.configured.name, specifier: shimSpecifier(path, inputs.configured.source) };
  const namer = new TaskNamer(sourceFile);
  const edits: TextEdit[] = [];
  const parts: FilePlan["parts"] = [];
  // Rewrites only insert text around a site (and indent the lines they wrap), so a site inside another rewritten
  // one is rewritten too: a promise floating inside a timer's tick is no more observed after the tick catches its
  // own failure than before, and leaving it would make a second run differ.
  const outerFirst = [...sites].sort((a, b) =>
    a.node.getStart(sourceFile) - b.node.getStart(sourceFile) || b.node.getEnd() - a.node.getEnd()
  );
  for (const located of outerFirst) {
    const { site, node, rule } = located;
    if (rule.fix === undefined) {
      inputs.skipped.push({ site, reason: `the ${rule.id} rule has no automatic fix` });
      continue;
    }
    const assertion = located.work === undefined ? undefined : assertionIn(located.work);
    if (assertion !== undefined) {
      inputs.skipped.push({
        site,
        reason: "the callback asserts: wrapped, a failing assertion would be reported instead of failing",
      });
      continue;
    }
    if (located.work !== undefined && onlyThrows(located.work)) {
      inputs.skipped.push({
        site,
        reason: "the callback only throws: a crash its author meant, which fix leaves to crash",
      });
      continue;
    }
    // A timer's or a listener's work is its callback; a promise's also the rest of its expression (the chain's
    // callbacks and what makes its receiver), whose failures reach the same rejection.
    const userCode = library
      ? userCodeIn(located.work ?? namedTimerCallback(node, site.kind) ?? node, inputs.checker) ??
        (rule.id === "floating-promise" ? userCodeIn(node, inputs.checker) : undefined)
      : undefined;
    if (userCode !== undefined) {
      inputs.skipped.push({
        site,
        reason: `calls user code (${userCode}); a failure there belongs to the caller, so fix leaves it to surface`,
      });
      continue;
    }
    const handled = processHandlerFor(inputs.handlers, path, processEventOf(located, inputs.checker));
    if (handled !== undefined) {
      inputs.skipped.push({ site, reason: handled });
      continue;
    }
    const context = fixContext(located, inputs.checker, layout, namer, {
      setting: inputs.setting,
      configured,
    });
    const outcome = rule.fix(context);
    if ("skip" in outcome) {
      inputs.skipped.push({ site, reason: outcome.skip });
    } else if (overlaps(outcome, edits)) {
      inputs.skipped.push({ site, reason: "its rewrite would overlap another site's rewrite" });
    } else {
      edits.push(...outcome.edits);
      const rewrite: SiteRewrite = {
        site,
        transform: outcome.transform,
        restarts: outcome.restarts ?? null,
        channel: outcome.channel ?? null,
      };
      parts.push({
        rewrite,
        edits: outcome.edits,
        indents: outcome.indents ?? [],
        declarations: outcome.declarations ?? [],
        uses: outcome.uses,
        imports: outcome.imports ?? [],
      });
    }
  }
  if (parts.length === 0) return undefined;
  const plan: FilePlan = {
    sourceFile,
    specifier: shimSpecifier(path, inputs.shim),
    newline: layout.newline,
    literals: templateRanges(sourceFile),
    parts,
  };
  const assembled = assemble(plan);
  if ("skip" in assembled) return skipAll(assembled.skip);
  const change: FileChange = {
    path,
    file: displayPath(path, inputs.options.cwd),
    before: text,
    after: assembled.text,
    rewrites: parts.map((part) => part.rewrite),
    refused: isInsideRoots(path, inputs.roots) ? null : "the file's real path is outside the paths being fixed",
    writeFailed: false,
    written: false,
  };
  inputs.plans.set(change, plan);
  return change;
}

/**
 * What a site's failure is at the process level today: an uncaught
 * exception for a synchronous timer callback or a worker, an unhandled
 * rejection for everything else.
 */
function processEventOf(located: LocatedSite, checker: ts.TypeChecker): ProcessEvent {
  const { site, work } = located;
  if (site.kind === "worker") return "uncaughtException";
  if (!["timeout", "interval", "immediate", "microtask"].includes(site.kind)) return "unhandledRejection";
  return work !== undefined && isFunctionNode(work) && (isAsyncFunction(work) || returnsPromiseLike(checker, work))
    ? "unhandledRejection"
    : "uncaughtException";
}

/**
 * How a file's change was made, kept to remake it without one site: the
 * shim specifier, line ending and template literal ranges, and each
 * rewritten site's edits, indented regions, declarations, shim functions and
 * imports.
 */
interface FilePlan {
  sourceFile: ts.SourceFile;
  specifier: string;
  newline: string;
  literals: [number, number][];
  parts: {
    rewrite: SiteRewrite;
    edits: TextEdit[];
    indents: IndentRegion[];
    declarations: TextEdit[];
    uses: ShimFunction[];
    imports: { name: string; specifier: string }[];
  }[];
}

/**
 * The file's new text from its plan: the imports its rewrites need (the
 * shim's functions, a configured error channel) and the declarations they
 * share (each once), then every rewrite's edits and indentation, combined (see `combineEdits`). `edits` is the combined
 * list, for placing errors. A skip when an import cannot be added.
 */
function assemble(plan: FilePlan): { text: string; edits: TextEdit[] } | { skip: string } {
  const { sourceFile } = plan;
  const style = importStyle(sourceFile);
  const wanted = new Map<string, string[]>([[plan.specifier, []]]);
  for (const part of plan.parts) {
    wanted.get(plan.specifier)!.push(...part.uses);
    for (const { name, specifier } of part.imports) wanted.set(specifier, [...(wanted.get(specifier) ?? []), name]);
  }
  const imports: TextEdit[] = [];
  for (const [specifier, names] of wanted) {
    if (names.length === 0) continue;
    const edits = importEdits(sourceFile, [...new Set(names)], specifier, style, plan.newline);
    if ("skip" in edits) return edits;
    imports.push(...edits);
  }
  const edits = combineEdits(
    sourceFile.text,
    [
      { edits: imports, indents: [] },
      { edits: distinctEdits(plan.parts.flatMap((part) => part.declarations)), indents: [] },
      ...plan.parts.map((part) => ({ edits: part.edits, indents: part.indents })),
    ],
    plan.literals,
  );
  return { text: applyEdits(sourceFile.text, edits), edits };
}

/**
 * Drops from `change` the site whose rewrite a new error falls in (the
 * innermost rewrite whose edited span in the new text holds `start`) and
 * remakes the file's text without it; the dropped site becomes a skip with
 * the error as its reason. Dropping the file's only site leaves it with no
 * rewrites and its original text (no import, nothing else of the rewrite).
 * Returns false when no single site can be blamed (no position, or outside
 * every rewrite), and the file stays refused.
 */
function dropFailingSite(change: FileChange, plan: FilePlan, refusal: Refusal, skipped: SiteSkip[]): boolean {
  if (refusal.start === undefined) return false;
  const assembled = assemble(plan);
  if ("skip" in assembled) return false;
  const all = assembled.edits;
  const spans = plan.parts.map((part) => {
    const from = Math.min(...part.edits.map((edit) => edit.start));
    const to = Math.max(...part.edits.map((edit) => edit.end));
    // Insertions at the very end (a closing parenthesis) are not counted by newOffset.
    const closing = part.edits.filter((edit) => edit.start === to && edit.end === to).reduce(
      (sum, edit) => sum + edit.text.length,
      0,
    );
    return { part, start: newOffset(all, from), end: newOffset(all, to) + closing };
  });
  const at = refusal.start;
  const blamed =
    spans.filter((span) => span.start <= at && at <= span.end).sort((a, b) => (a.end - a.start) - (b.end - b.start))[0];
  if (blamed === undefined) return false;
  plan.parts = plan.parts.filter((part) => part !== blamed.part);
  skipped.push({
    site: blamed.part.rewrite.site,
    reason: `its rewrite would add ${refusal.reason.replace(/^new /, "a new ")}`,
  });
  const remade = plan.parts.length === 0 ? { text: change.before } : assemble(plan);
  if ("skip" in remade) return false;
  change.rewrites = plan.parts.map((part) => part.rewrite);
  change.after = remade.text;
  return true;
}

/** Where an offset of the original text lands after `edits` (edits wholly before it shift it). */
function newOffset(edits: readonly TextEdit[], offset: number): number {
  return offset + edits
    .filter((edit) => edit.end <= offset && edit.start < offset)
    .reduce((sum, edit) => sum + edit.text.length - (edit.end - edit.start), 0);
}

/** Whether any edit of `rewrite` replaces text another accepted edit touches (insertions at one point do not overlap). */
function overlaps(rewrite: Rewrite, accepted: readonly TextEdit[]): boolean {
  return rewrite.edits.some((edit) => accepted.some((other) => edit.start < other.end && other.start < edit.end));
}

function groupByFile(sites: readonly LocatedSite[]): Map<ts.SourceFile, LocatedSite[]> {
  const byFile = new Map<ts.SourceFile, LocatedSite[]>();
  for (const located of sites) {
    const sourceFile = located.node.getSourceFile();
    byFile.set(sourceFile, [...(byFile.get(sourceFile) ?? []), located]);
  }
  return byFile;
}

/** The vendored shim's files (with the functions `uses` names) that differ from what is on disk; refused when a file there was not vendored by spawn-audit. */
function vendorChange(dir: string, cwd: string, uses: readonly ShimFunction[]): VendorChange {
  const files = vendorFiles(dir, [...new Set(uses)]).filter((file) => readOrNull(file.path) !== file.text);
  const foreign = files.find((file) => {
    const existing = readOrNull(file.path);
    return existing !== null && !file.path.endsWith(".json") && !isVendored(existing);
  });
  return {
    dir: displayPath(dir, cwd),
    files,
    refused: foreign === undefined
      ? null
      : `${displayPath(foreign.path, cwd)} exists and was not vendored by spawn-audit`,
    written: false,
  };
}

/**
 * Writes one checked change, refusing it when the file moved outside the
 * roots, changed on disk since it was read, is read-only or hard-linked
 * (unless `forceWrite`), or cannot be written (the error's message, never a
 * stack trace). A byte order mark the file started with is kept (the parsed
 * text has none).
 */
function writeChange(change: FileChange, roots: readonly string[], forceWrite: boolean): void {
  if (change.refused !== null) return;
  const onDisk = readOrNull(change.path);
  const bom = onDisk?.startsWith(BOM) === true ? BOM : "";
  if (!isInsideRoots(change.path, roots) || !isInsideRoots(dirname(change.path), roots)) {
    change.refused = "the file's real path is outside the paths being fixed";
  } else if (onDisk === null || onDisk.slice(bom.length) !== change.before) {
    change.refused = "the file changed on disk while fix was running";
  } else {
    change.refused = protectedReason(change.path, forceWrite) ?? null;
    if (change.refused !== null) return;
    try {
      writeAtomically(change.path, bom + change.after, { replaceProtected: forceWrite });
      change.written = true;
    } catch (error) {
      change.refused = `could not be written: ${fileSystemReason(error)}`;
      change.writeFailed = true;
    }
  }
}

const BOM = "\uFEFF";

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
