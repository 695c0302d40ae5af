/**
 * The rule driver: walks each target file once, hands nodes to the rules that
 * asked for their syntax kind, and turns detections into classified spawn
 * sites. Data flows one way: program → detections → spawn sites.
 *
 * @module
 */
import { sep } from "node:path";
import picomatch from "picomatch";
import { checkBuiltBy, ts } from "./analysis/ts.ts";
import { analysing } from "./analysis/memo.ts";
import { startReads } from "./analysis/reads.ts";
import { rememberProgram } from "./analysis/declarations.ts";
import type { Config } from "./config.ts";
import { isStackExhausted, largerStackCommand } from "./fatal.ts";
import type { Detection, Rule, RuleContext } from "./rule.ts";
import type { Group, ScanProblem, ScanWarning, Signal, SkippedFile, SpawnSite, Status } from "./site.ts";
import { displayPath } from "./files/paths.ts";
import type { LoadedProject } from "./project.ts";
import { RULES } from "../rules/mod.ts";
import { classify } from "./classify/classify.ts";
import { placementSignals } from "./classify/context.ts";
import { testSupportImporter } from "./classify/test-support.ts";
import { signal } from "./classify/signals.ts";
import { SHIM_SUPERVISORS, supervisionReason } from "./classify/status.ts";
import { FileIgnores } from "./classify/ignore-comments.ts";

/**
 * Path globs (relative to the project root) that mark test, fixture and
 * benchmark files: Jest/Vitest/Mocha (`*.test.*`, `*.spec.*`, `__tests__`),
 * Deno (`*_test.*`, `*.bench.*`), and common folders.
 */
export const DEFAULT_TEST_PATTERNS: readonly string[] = [
  "**/*.{test,spec}.*",
  "**/*_{test,spec}.*",
  "**/*.bench.*",
  "**/*_bench.*",
  "**/{test,tests,spec,bench,benchmark}.*",
  "**/{test,tests,__tests__,__mocks__,spec,fixtures,__fixtures__,bench,benchmark,benchmarks,e2e,cypress}/**",
];

/**
 * What a scan found: classified spawn sites sorted by file and position,
 * problems (unparsable or skipped files), and the files scanned (those
 * analysed, in scan order; a file that could not be is a problem instead);
 * `skipped` lists every file (or directory) under the paths left out, with
 * why, and `warnings` the defects of the configs used (e.g. an `extends`
 * that does not resolve). `root`, `tsconfig` and every file are display
 * paths relative to the working directory.
 */
export interface ScanResult {
  root: string;
  tsconfig: string | null;
  scannedFiles: string[];
  sites: SpawnSite[];
  problems: ScanProblem[];
  skipped: SkippedFile[];
  warnings: ScanWarning[];
}

/**
 * A spawn site together with the compiler nodes it came from, for consumers
 * that edit code (the codemod): `node` is the reported expression, `work`
 * the function run as background work when known, `rule` the rule that found it.
 */
export interface LocatedSite {
  site: SpawnSite;
  node: ts.Node;
  work: ts.Node | undefined;
  rule: Rule;
}

/**
 * Scans a loaded project.
 *
 * @param project the program and target files from `loadProject`.
 * @param config the user's configuration.
 * @param cwd the directory report paths are relative to.
 * @param rules the rules to run (all registered rules by default).
 * @param onFile called before each target file with how many are done, the total and the file (as reports show it): a progress display.
 */
export function scanProject(
  project: LoadedProject,
  config: Config,
  cwd: string,
  rules: readonly Rule[] = RULES,
  onFile?: (done: number, total: number, file: string) => void,
): ScanResult {
  return scanProjectLocated(project, config, cwd, rules, onFile).result;
}

/**
 * Scans a loaded project and keeps, for each site, the compiler nodes it was
 * found at (in the same order as `result.sites`).
 *
 * @param project the program and target files from `loadProject`.
 * @param config the user's configuration.
 * @param cwd the directory report paths are relative to.
 * @param rules the rules to run (all registered rules by default); those
 *   config `rules` turns off do not run.
 * @param onFile called before each target file with how many are done, the total and the file (as reports show it): a progress display.
 */
export function scanProjectLocated(
  project: LoadedProject,
  config: Config,
  cwd: string,
  rules: readonly Rule[] = RULES,
  onFile?: (done: number, total: number, file: string) => void,
): { result: ScanResult; located: LocatedSite[] } {
  const scanner = new FileScanner(config, project.root, rules);
  const problems: ScanProblem[] = project.problems.map((problem) => ({
    ...problem,
    file: displayPath(problem.file, cwd),
  }));
  const skipped: SkippedFile[] = project.skipped.map((entry) => ({ ...entry, file: displayEntry(entry.file, cwd) }));
  const located: LocatedSite[] = [];
  const scannedFiles: string[] = [];

  const targets = project.programs.flatMap(({ program, checker, targets }) =>
    targets.map((sourceFile) => ({ program, checker, sourceFile }))
  );
  for (const { targets: [first] } of project.programs) if (first !== undefined) checkBuiltBy(first);
  for (const [done, { program, checker, sourceFile }] of targets.entries()) {
    const file = displayPath(sourceFile.fileName, cwd);
    onFile?.(done, targets.length, file);
    const syntaxErrors = program.getSyntacticDiagnostics(sourceFile);
    if (syntaxErrors.length > 0) {
      const { problem, error } = parseProblem(file, syntaxErrors[0]!);
      problems.push(problem);
      skipped.push({ file, reason: "unparsable", detail: `syntax error: ${error}` });
      continue;
    }
    scannedFiles.push(file);
    let scanned: ReturnType<typeof scanner.scanFile>;
    try {
      scanned = scanner.scanFile({ program, checker, sourceFile }, file);
    } catch (error) {
      // A file that exhausts the stack (code nested thousands deep) is a problem of that file; the rest is scanned.
      if (!isStackExhausted(error)) throw error;
      scannedFiles.pop();
      const detail =
        `ran out of stack analysing it (code nested thousands deep; a larger stack: ${largerStackCommand()})`;
      problems.push({ file, line: null, column: null, message: `not analysed: ${detail}` });
      skipped.push({ file, reason: "unparsable", detail });
      continue;
    }
    located.push(...scanned.located);
    problems.push(...scanned.problems);
  }
  located.sort(({ site: a }, { site: b }) =>
    a.file.localeCompare(b.file) || a.start.line - b.start.line || a.start.column - b.start.column
  );
  const result: ScanResult = {
    root: displayPath(project.root, cwd),
    tsconfig: project.tsconfig === null ? null : displayPath(project.tsconfig, cwd),
    scannedFiles,
    sites: located.map(({ site }) => site),
    problems,
    skipped,
    warnings: project.warnings.map((warning) => ({ ...warning, file: displayPath(warning.file, cwd) })),
  };
  return { result, located };
}

/** A parsed file to scan, with the program it belongs to and that program's checker. */
export interface ScanTarget {
  program: ts.Program;
  checker: ts.TypeChecker;
  sourceFile: ts.SourceFile;
}

/**
 * The per-file rule driver, shared by `scan` and the ESLint plugin: the
 * configuration and rules compiled once (test path patterns, supervisor
 * names, group overrides, which syntax kinds each rule visits), then
 * {@link FileScanner.scanFile} walks one file and turns its detections into
 * classified spawn sites.
 */
export class FileScanner {
  private readonly active: readonly Rule[];
  private readonly byKind = new Map<ts.SyntaxKind, Rule[]>();
  private readonly isTestPath: (path: string) => boolean;
  /** {@link isTestPath} on an absolute path: one function object per scanner, so the test-support index is built once per program. */
  private readonly isTestFile: (path: string) => boolean;
  private readonly supervisors: ReadonlySet<string>;
  private readonly overrides: readonly CompiledOverride[];

  /**
   * @param config the user's configuration; rules its `rules` turns off do not run.
   * @param root the project root (absolute): test path patterns and override
   *   globs match file paths relative to it.
   * @param rules the rules to run (all registered rules by default).
   */
  constructor(private readonly config: Config, private readonly root: string, rules: readonly Rule[] = RULES) {
    this.active = rules.filter((rule) => config.rules[rule.id] !== "off");
    // Kinds by name, looked up now: the numbers are those of the TypeScript in use (src/analysis/ts.ts).
    for (const rule of this.active) {
      for (const name of rule.visits) {
        const kind = ts.SyntaxKind[name];
        this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), rule]);
      }
    }
    this.isTestPath = picomatch([...DEFAULT_TEST_PATTERNS, ...config.testPatterns], { dot: true });
    this.isTestFile = (path) => this.isTestPath(displayPath(path, this.root));
    this.supervisors = new Set([...SHIM_SUPERVISORS, ...config.supervisors]);
    this.overrides = config.overrides.map((override) => ({
      group: override.group,
      matchesFile: override.files === undefined ? () => true : picomatch(override.files, { dot: true }),
      callees: override.callees === undefined ? undefined : new Set(override.callees),
    }));
  }

  /**
   * Walks one file once, handing each node to the rules that visit its
   * kind, and classifies what they detect: group, status (supervised,
   * ignored by a comment) and evidence.
   *
   * @param target the file, its program and checker; the program must have
   *   been built by the TypeScript in use (see `checkBuiltBy`).
   * @param file the file as reports show it (`site.file`).
   * @param options `eslintDirectives: false` leaves `eslint-disable` comments
   *   to ESLint (the plugin): they then silence no site here.
   * @returns the sites in the order found, and the problems about the file's ignore comments.
   */
  scanFile(
    target: ScanTarget,
    file: string,
    options: { eslintDirectives?: boolean } = {},
  ): { located: LocatedSite[]; problems: ScanProblem[] } {
    const { sourceFile } = target;
    analysing(target.program, sourceFile);
    startReads();
    rememberProgram(target.program);
    const context: RuleContext = { ...target, supervisors: this.supervisors };
    const fromRoot = displayPath(sourceFile.fileName, this.root);
    const facts: FileFacts = {
      file,
      sourceFile,
      ignores: FileIgnores.read(sourceFile, RULES, options),
      lines: undefined,
      testEvidence: this.testEvidence(target, fromRoot),
      checker: target.checker,
      fromRoot,
    };
    const located: LocatedSite[] = [];
    const visit = (node: ts.Node): void => {
      const interested = this.byKind.get(node.kind);
      if (interested !== undefined) {
        for (const rule of interested) {
          const detection = rule.check(node, context);
          if (detection !== undefined) {
            located.push({
              site: toSite(detection, rule, facts, this.overrides, this.supervisors),
              node: detection.node,
              work: detection.work,
              rule,
            });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(sourceFile, visit);
    const runs = (id: string): boolean => this.active.some((rule) => rule.id === id);
    return { located, problems: facts.ignores.problems(file, this.config.ignoreComments, runs) };
  }

  /** The file's test placement: its path matches a test pattern, or only test files import it (test-support). */
  private testEvidence({ program, sourceFile }: ScanTarget, fromRoot: string): Signal | undefined {
    if (this.isTestPath(fromRoot)) return signal("test-file-path", fromRoot);
    const importer = testSupportImporter(program, sourceFile, this.isTestFile);
    return importer === undefined ? undefined : signal("test-support-file", displayPath(importer, this.root));
  }
}

interface FileFacts {
  file: string;
  fromRoot: string;
  sourceFile: ts.SourceFile;
  lines: string[] | undefined;
  testEvidence: Signal | undefined;
  checker: ts.TypeChecker;
  ignores: FileIgnores;
}

/** A config group override with its globs compiled once per scan. */
interface CompiledOverride {
  group: Group;
  matchesFile: (path: string) => boolean;
  callees: ReadonlySet<string> | undefined;
}

function toSite(
  detection: Detection,
  rule: Rule,
  facts: FileFacts,
  overrides: readonly CompiledOverride[],
  supervisors: ReadonlySet<string>,
): SpawnSite {
  const { sourceFile } = facts;
  const startOffset = detection.node.getStart(sourceFile);
  const start = sourceFile.getLineAndCharacterOfPosition(startOffset);
  const end = sourceFile.getLineAndCharacterOfPosition(detection.node.getEnd());
  facts.lines ??= sourceFile.text.split(/\r?\n/);

  const signals = [...detection.signals, ...placementSignals(detection.node, facts.checker, detection.loopsThrough)];
  if (facts.testEvidence !== undefined) signals.unshift({ ...facts.testEvidence });
  const calleeName = detection.callee?.split(".").pop();
  const override = overrides.find((candidate) =>
    candidate.matchesFile(facts.fromRoot) &&
    (candidate.callees === undefined || (calleeName !== undefined && candidate.callees.has(calleeName)))
  );
  if (override !== undefined) signals.unshift(signal("config-override", override.group, override.group));
  const { group, confidence, work, placement, signals: evidence } = classify(signals, detection.resolution);

  let status: Status = detection.status ?? "unsupervised";
  let statusReason = detection.statusReason ?? null;
  const supervised = supervisionReason(detection.node, detection.work, supervisors);
  if (supervised !== undefined) {
    status = "supervised";
    statusReason = supervised;
  }
  // An ignore comment silences findings only; one on a handled or supervised site is reported unused.
  const silenced = status === "unsupervised" ? facts.ignores.silence(start.line, detection.kind) : undefined;
  if (silenced !== undefined) {
    status = "ignored";
    statusReason = silenced;
  }

  return {
    file: facts.file,
    start: { line: start.line + 1, column: start.character + 1 },
    end: { line: end.line + 1, column: end.character + 1 },
    kind: detection.kind,
    rule: rule.id,
    code: (facts.lines[start.line] ?? "").trim(),
    callee: detection.callee,
    status,
    statusReason,
    group,
    confidence,
    work,
    placement,
    resolution: detection.resolution,
    signals: evidence,
    message: rule.messages[detection.kind] ?? rule.description,
  };
}

/** A skipped entry's display path relative to `cwd` (both absolute); a directory keeps its trailing `/`. */
export function displayEntry(path: string, cwd: string): string {
  const directory = path.endsWith(sep);
  return displayPath(directory ? path.slice(0, -1) : path, cwd) + (directory ? "/" : "");
}

/** A file's first syntax error: the problem reported (at its position) and the compiler's message alone, for the skip entry. */
function parseProblem(file: string, diagnostic: ts.Diagnostic): { problem: ScanProblem; error: string } {
  const position = diagnostic.file !== undefined && diagnostic.start !== undefined
    ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
    : undefined;
  const error = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
  return {
    problem: {
      file,
      line: position === undefined ? null : position.line + 1,
      column: position === undefined ? null : position.character + 1,
      message: `syntax error, file not scanned: ${error}`,
    },
    error,
  };
}
