/**
 * What a file is for, as far as the codemod's promise needs it: files that
 * are never rewritten (benchmarks and examples: their failures must stay
 * visible to whoever runs them), files whose process reports its outcome by
 * its exit status (a command-line script, a package's `bin`, a worker-thread
 * script: a logged failure must still exit non-zero), library code (whose
 * callbacks may run its users' code), and the process-level handlers a
 * package installs (`process.on("unhandledRejection", …)`), which already
 * receive the failures fix would otherwise take over.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import picomatch from "picomatch";
import { ts } from "../analysis/ts.ts";
import { skipOuterExpressions } from "../analysis/functions.ts";
import { displayPath } from "../files/paths.ts";
import { isDenoConfig, nearestManifest, nearestPackage } from "./manifest.ts";

/** Benchmarks and examples, which fix never rewrites, as globs (test files are the scan's `test` group). */
const NEVER_REWRITTEN = picomatch([
  "**/{bench,benchmark,benchmarks,example,examples,demo,demos}/**",
  "**/{bench,benchmark,benchmarks}.*",
  "**/*.{bench,benchmark}.*",
], { dot: true });

/**
 * Why fix leaves a file as it is whatever its sites, or undefined.
 *
 * @param file the file's path relative to its package (or project), `/`-separated.
 */
export function neverRewritten(file: string): string | undefined {
  return NEVER_REWRITTEN(file)
    ? "benchmarks and examples are never rewritten: their failures must stay visible to whoever runs them"
    : undefined;
}

/**
 * The name a file's code reaches the Node process object by (`process`, or
 * the local name of `import … from "node:process"`), when the file's exit
 * status reports its outcome: it starts with a `#!` line, it is (or is the
 * source of) a `bin` script of its package, or it is a worker-thread script
 * (it reads `parentPort` or `workerData` of `worker_threads`). Undefined
 * for any other file.
 *
 * @param sourceFile the file.
 */
export function exitStatusProcess(sourceFile: ts.SourceFile): string | undefined {
  const text = sourceFile.text;
  const file = resolve(sourceFile.fileName);
  const stem = (path: string): string => path.slice(0, path.length - extname(path).length).replace(/^.*[\\/]/, "");
  const isBin = nearestPackage(dirname(file))?.bins.some((bin) => bin === file || stem(bin) === stem(file)) === true;
  // A worker script takes parentPort or workerData from worker_threads; a file that starts workers only imports Worker.
  const isWorker =
    /\{[^}]*\b(parentPort|workerData)\b[^}]*\}\s*(=\s*require\(\s*|from\s*)["'](node:)?worker_threads["']/.test(text) ||
    /require\(\s*["'](node:)?worker_threads["']\s*\)\s*\.\s*(parentPort|workerData)\b/.test(text);
  if (!text.startsWith("#!") && !isBin && !isWorker) return undefined;
  return processBinding(sourceFile) ?? "process";
}

/** The local name of a default or namespace import (or `require`) of `process` / `node:process`, if any. */
function processBinding(sourceFile: ts.SourceFile): string | undefined {
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (!/^(node:)?process$/.test(statement.moduleSpecifier.text)) continue;
      const clause = statement.importClause;
      if (clause?.name !== undefined) return clause.name.text;
      if (clause?.namedBindings !== undefined && ts.isNamespaceImport(clause.namedBindings)) {
        return clause.namedBindings.name.text;
      }
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer === undefined ? undefined : skipOuterExpressions(declaration.initializer);
        if (
          init !== undefined && ts.isCallExpression(init) && ts.isIdentifier(init.expression) &&
          init.expression.text === "require" && ts.isIdentifier(declaration.name) &&
          init.arguments[0] !== undefined && ts.isStringLiteralLike(init.arguments[0]) &&
          /^(node:)?process$/.test(init.arguments[0].text)
        ) return declaration.name.text;
      }
    }
  }
  return undefined;
}

/**
 * Whether a file is library code: its nearest manifest is a library's — a
 * package.json not private, with an entry point (see
 * `PackageFields.library`), or a Deno config that publishes a package
 * (`exports`, as JSR requires).
 *
 * @param file absolute path of the file.
 */
export function isLibraryFile(file: string): boolean {
  const manifest = nearestManifest(dirname(file));
  if (isDenoConfig(manifest)) return denoExports(manifest.path);
  return nearestPackage(dirname(file))?.library === true;
}

/** Whether the Deno config at `path` has `exports` (comments allowed; unreadable: no). */
function denoExports(path: string): boolean {
  try {
    const { config } = ts.parseConfigFileTextToJson(path, readFileSync(path, "utf8"));
    return typeof config === "object" && config !== null && "exports" in config;
  } catch {
    return false;
  }
}

/** The process-level failure events a handler can be installed for. */
export type ProcessEvent = "unhandledRejection" | "uncaughtException";

/**
 * Where each package installs process-level handlers: package directory →
 * event → the first handler's place (`src/main.ts:12`, relative to `cwd`).
 * Only calls on the process object itself count (`process.on`, `once`,
 * `addListener`, `prependListener`, `prependOnceListener`).
 *
 * @param files the project's source files (test files excluded by the caller).
 * @param cwd the directory places are shown relative to.
 */
export function processHandlers(
  files: readonly ts.SourceFile[],
  cwd: string,
): Map<string, Map<ProcessEvent, string>> {
  const byPackage = new Map<string, Map<ProcessEvent, string>>();
  for (const sourceFile of files) {
    if (!/\b(unhandledRejection|uncaughtException)\b/.test(sourceFile.text)) continue;
    const dir = nearestPackage(dirname(resolve(sourceFile.fileName)))?.dir ?? "";
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = skipOuterExpressions(node.expression);
        const [event] = node.arguments;
        if (
          ts.isPropertyAccessExpression(callee) && LISTEN.has(callee.name.text) &&
          /^(process|proc)$/.test(skipOuterExpressions(callee.expression).getText(sourceFile)) &&
          event !== undefined && ts.isStringLiteralLike(event) &&
          (event.text === "unhandledRejection" || event.text === "uncaughtException")
        ) {
          const events = byPackage.get(dir) ?? new Map<ProcessEvent, string>();
          const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
          if (!events.has(event.text)) events.set(event.text, `${displayPath(sourceFile.fileName, cwd)}:${line}`);
          byPackage.set(dir, events);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return byPackage;
}

const LISTEN = new Set(["on", "once", "addListener", "prependListener", "prependOnceListener"]);

/**
 * Why a site's failure already reaches a process-level handler of its
 * package, or undefined: an `uncaughtException` handler receives both kinds
 * (Node raises an unhandled rejection as an uncaught exception when no
 * `unhandledRejection` handler exists), an `unhandledRejection` handler
 * only rejections.
 *
 * @param handlers from {@link processHandlers}.
 * @param file absolute path of the site's file.
 * @param failure what the site's failure is at the process level.
 */
export function processHandlerFor(
  handlers: ReadonlyMap<string, ReadonlyMap<ProcessEvent, string>>,
  file: string,
  failure: ProcessEvent,
): string | undefined {
  const events = handlers.get(nearestPackage(dirname(file))?.dir ?? "");
  if (events === undefined) return undefined;
  const event = failure === "unhandledRejection" && events.has("unhandledRejection")
    ? "unhandledRejection"
    : events.has("uncaughtException")
    ? "uncaughtException"
    : undefined;
  if (event === undefined) return undefined;
  return `the failure already reaches the package's process.on("${event}") handler (${
    events.get(event)
  }); fix leaves it there`;
}
