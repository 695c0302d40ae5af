/**
 * Task names for rewritten sites: static, readable and unique within a
 * file, built from where the site is (its class, else its named function,
 * else the file) and what it runs (`scheduler.pollJobs`). A name repeated in
 * one file gets a numeric suffix (`scheduler.pollJobs-2`). Names come from
 * identifiers and string literals in the source only, never from values.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import { ts } from "ts-morph";
import { enclosingFunction, functionName, owningClass, skipOuterExpressions } from "../analysis/functions.ts";
import { SHIM_SUPERVISORS } from "../classify/status.ts";
import { codeStyle, stringLiteral, type CodeStyle } from "./style.ts";

/** File stems that say nothing about a module; the folder name is used instead. */
const GENERIC_STEMS = new Set(["index", "mod", "main"]);

/** Hands out unique task names for one file. */
export class TaskNamer {
  readonly #used = new Set<string>();
  readonly #fileScope: string;

  /**
   * @param sourceFile the file; names already given to shim calls in it
   *   (`spawnLogged("x", …)`) are reserved.
   */
  readonly #quote: CodeStyle["quote"];

  constructor(sourceFile: ts.SourceFile) {
    this.#quote = codeStyle(sourceFile).quote;
    const stem = basename(sourceFile.fileName).replace(/\.[^.]*$/, "").replace(/\.(test|spec|d)$/, "");
    this.#fileScope = sanitize(GENERIC_STEMS.has(stem) ? basename(dirname(sourceFile.fileName)) : stem) || "task";
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = skipOuterExpressions(node.expression);
        const first = node.arguments[0];
        if (ts.isIdentifier(callee) && (SHIM_SUPERVISORS as readonly string[]).includes(callee.text) && first !== undefined && ts.isStringLiteralLike(first)) {
          this.#used.add(first.text);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }

  /**
   * A new name for a site, as a string literal in the file's quotes.
   *
   * @param node the site's node (its position decides the scope part).
   * @param what what the task runs: a callee, event or callback name.
   */
  nameFor(node: ts.Node, what: string): string {
    const base = `${this.#scopeOf(node)}.${sanitize(what) || "task"}`;
    let name = base;
    for (let suffix = 2; this.#used.has(name); suffix++) name = `${base}-${suffix}`;
    this.#used.add(name);
    return stringLiteral(name, this.#quote);
  }

  #scopeOf(node: ts.Node): string {
    let named: string | undefined;
    for (let fn = enclosingFunction(node); fn !== undefined; fn = enclosingFunction(fn)) {
      const owner = owningClass(fn);
      if (owner?.name !== undefined) return sanitize(owner.name.text) || this.#fileScope;
      named ??= functionName(fn);
    }
    return (named !== undefined ? sanitize(named) : "") || this.#fileScope;
  }
}

function sanitize(text: string): string {
  return text.replace(/[^\w$:-]+/g, "-").replace(/^-+|-+$/g, "");
}
