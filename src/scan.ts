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
import type { Config } from "./config.ts";
import type { Detection, Rule, RuleContext } from "./rule.ts";
import type { Group, ScanProblem, ScanWarning, SkippedFile, SpawnSite, Status } from "./site.ts";
import { displayPath, type LoadedProject } from "./project.ts";
import { RULES } from "../rules/mod.ts";
import { classify } from "./classify/classify.ts";
import { placementSignals } from "./classify/context.ts";
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
  "**/{test,tests,__tests__,__mocks__,spec,fixtures,__fixtures__,bench,benchmarks,e2e,cypress}/**",
];

/**
 * What a scan found: classified spawn sites sorted by file and position,
 * problems (unparsable or skipped files), and the number of files scanned;
 * `skipped` lists every file (or directory) under the paths left out, with
 * why, and `warnings` the defects of the configs used (e.g. an `extends`
 * that does not resolve). `root`, `tsconfig` and every file are display
 * paths relative to the working directory.
 */
export interface ScanResult {
  root: string;
  tsconfig: string | null;
  filesScanned: number;
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
  const active = rules.filter((rule) => config.rules[rule.id] !== "off");
  const runs = (id: string): boolean => active.some((rule) => rule.id === id);
  const byKind = new Map<ts.SyntaxKind, Rule[]>();
  for (const rule of active) {
    for (const name of rule.visits) {
      const kind = ts.SyntaxKind[name];
      byKind.set(kind, [...(byKind.get(kind) ?? []), rule]);
    }
  }
  const isTestPath = picomatch([...DEFAULT_TEST_PATTERNS, ...config.testPatterns], { dot: true });
  const supervisors = new Set([...SHIM_SUPERVISORS, ...config.supervisors]);
  const overrides: CompiledOverride[] = config.overrides.map((override) => ({
    group: override.group,
    matchesFile: override.files === undefined ? () => true : picomatch(override.files, { dot: true }),
    callees: override.callees === undefined ? undefined : new Set(override.callees),
  }));
  const problems: ScanProblem[] = project.problems.map((problem) => ({
    ...problem,
    file: displayPath(problem.file, cwd),
  }));
  const skipped: SkippedFile[] = project.skipped.map((entry) => ({ ...entry, file: displayEntry(entry.file, cwd) }));
  const located: LocatedSite[] = [];
  let filesScanned = 0;

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
    filesScanned++;
    const context: RuleContext = { program, checker, sourceFile, supervisors };
    const fromRoot = displayPath(sourceFile.fileName, project.root);
    const fileFacts: FileFacts = {
      file,
      sourceFile,
      ignores: FileIgnores.read(sourceFile, RULES),
      lines: undefined,
      testPattern: isTestPath(fromRoot) ? "test path pattern" : undefined,
      fromRoot,
    };
    const visit = (node: ts.Node): void => {
      const interested = byKind.get(node.kind);
      if (interested !== undefined) {
        for (const rule of interested) {
          const detection = rule.check(node, context);
          if (detection !== undefined) {
            located.push({
              site: toSite(detection, rule, fileFacts, overrides, supervisors),
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
    problems.push(...fileFacts.ignores.problems(file, config.ignoreComments, runs));
  }
  located.sort(({ site: a }, { site: b }) =>
    a.file.localeCompare(b.file) || a.start.line - b.start.line || a.start.column - b.start.column
  );
  const result: ScanResult = {
    root: displayPath(project.root, cwd),
    tsconfig: project.tsconfig === null ? null : displayPath(project.tsconfig, cwd),
    filesScanned,
    sites: located.map(({ site }) => site),
    problems,
    skipped,
    warnings: project.warnings.map((warning) => ({ ...warning, file: displayPath(warning.file, cwd) })),
  };
  return { result, located };
}

interface FileFacts {
  file: string;
  fromRoot: string;
  sourceFile: ts.SourceFile;
  lines: string[] | undefined;
  testPattern: string | undefined;
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

  const signals = [...detection.signals, ...placementSignals(detection.node, detection.loopsThrough)];
  if (facts.testPattern !== undefined) signals.unshift(signal("test-file-path", facts.fromRoot));
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
