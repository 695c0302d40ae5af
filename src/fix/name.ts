/**
 * Task names for rewritten sites: static, readable and unique within a
 * file. A name is where the site is — the innermost named function, after
 * its class when it is in one (`Runner.runTask`), else the file —
 * a dot, and what the task runs (`Runner.runTask.execute`): the callee,
 * read through promise chains (`fetchJobs().then(…)` runs `fetchJobs`) and
 * event emits (`emit("flush")` runs the `flush` listeners). A name that two
 * sites of one file really share gets a numeric suffix on the second
 * (`Runner.runTask.execute-2`). Names come from identifiers and string
 * literals in the source only, never from values.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import { ts } from "../analysis/ts.ts";
import {
  enclosingFunction,
  functionName,
  type FunctionNode,
  isFunctionNode,
  skipOuterExpressions,
} from "../analysis/functions.ts";
import { PROMISE_CHAIN_METHODS } from "../analysis/promise.ts";
import { SHIM_SUPERVISORS } from "../classify/status.ts";
import { type CodeStyle, codeStyle, stringLiteral } from "./style.ts";

/** File stems that say nothing about a module; the folder name is used instead. */
const GENERIC_STEMS = new Set(["index", "mod", "main"]);

/** Event emitters' emit methods (Node's `emit`, Emittery's `emitSerial`, EventEmitter2's `emitAsync`): the work is the event's listeners. */
const EMIT_METHODS = new Set(["emit", "emitAsync", "emitSerial"]);

/** Hands out unique task names for one file. */
export class TaskNamer {
  readonly #used = new Set<string>();
  readonly #fileScope: string;
  readonly #quote: CodeStyle["quote"];

  /**
   * @param sourceFile the file; names already given to shim calls in it
   *   (`spawnLogged("x", …)`) are reserved.
   */
  constructor(sourceFile: ts.SourceFile) {
    this.#quote = codeStyle(sourceFile).quote;
    const stem = basename(sourceFile.fileName).replace(/\.[^.]*$/, "").replace(/\.(test|spec|d)$/, "");
    this.#fileScope = sanitize(GENERIC_STEMS.has(stem) ? basename(dirname(sourceFile.fileName)) : stem) || "task";
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = skipOuterExpressions(node.expression);
        const first = node.arguments[0];
        if (
          ts.isIdentifier(callee) && (SHIM_SUPERVISORS as readonly string[]).includes(callee.text) &&
          first !== undefined && ts.isStringLiteralLike(first)
        ) {
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
   * @param what what the task runs: a callee, event or callback name
   *   (see {@link workName}), or the site's kind when nothing names it.
   */
  nameFor(node: ts.Node, what: string): string {
    const base = `${scopeOf(node) ?? this.#fileScope}.${sanitize(what) || "task"}`;
    let name = base;
    for (let suffix = 2; this.#used.has(name); suffix++) name = `${base}-${suffix}`;
    this.#used.add(name);
    return stringLiteral(name, this.#quote);
  }
}

/**
 * What an expression or a function runs, by the names in the source:
 *
 * - a call: its callee's last segment (`this.pollJobs()` → `pollJobs`);
 *   through `await`, `void`, parentheses and promise chain methods
 *   (`load().then(f).catch(g)` → `load`); for an emit with a literal or
 *   named event, the event (`emit("flush")` → `flush`);
 * - a promise held in a variable or property: its name;
 * - a function: the one function its body calls, else its own name.
 *
 * @param node an expression or a function node.
 * @returns the name, or undefined when the source names nothing (an
 *   anonymous function doing several things, an element access).
 */
export function workName(node: ts.Node): string | undefined {
  let current = skipOuterExpressions(node);
  for (;;) {
    if (ts.isAwaitExpression(current) || ts.isVoidExpression(current)) {
      current = skipOuterExpressions(current.expression);
    } else if (
      (ts.isCallExpression(current) || ts.isPropertyAccessExpression(current)) && chainedOn(current) !== undefined
    ) {
      current = chainedOn(current)!;
    } else {
      break;
    }
  }
  if (isFunctionNode(current)) return functionWork(current);
  if (!ts.isCallExpression(current) && !ts.isNewExpression(current)) return lastSegment(current);
  const callee = skipOuterExpressions(current.expression);
  if (isFunctionNode(callee)) return functionWork(callee);
  const name = lastSegment(callee);
  const event = current.arguments?.[0];
  if (name !== undefined && EMIT_METHODS.has(name) && event !== undefined) {
    return ts.isStringLiteralLike(event) ? event.text : lastSegment(skipOuterExpressions(event)) ?? name;
  }
  return name;
}

/** The promise a chain method is called on (`p` in `p.then(f)` and in `p.then`), else undefined. */
function chainedOn(node: ts.CallExpression | ts.PropertyAccessExpression): ts.Node | undefined {
  const access = ts.isCallExpression(node) ? skipOuterExpressions(node.expression) : node;
  return ts.isPropertyAccessExpression(access) && PROMISE_CHAIN_METHODS.has(access.name.text)
    ? skipOuterExpressions(access.expression)
    : undefined;
}

/** What a function runs: the one call its body makes (an expression body, or a block's only expression or return statement), else its own name. */
function functionWork(fn: FunctionNode): string | undefined {
  let only: ts.Node | undefined = fn.body;
  if (only !== undefined && ts.isBlock(only)) {
    const [statement, ...rest] = only.statements;
    only = rest.length > 0 || statement === undefined
      ? undefined
      : ts.isExpressionStatement(statement)
      ? statement.expression
      : ts.isReturnStatement(statement)
      ? statement.expression
      : undefined;
  }
  return (only !== undefined && isCall(only) ? workName(only) : undefined) ?? functionName(fn);
}

/** Whether an expression, under `await`, `void` and parentheses, is a call. */
function isCall(node: ts.Node): boolean {
  let current = skipOuterExpressions(node);
  while (ts.isAwaitExpression(current) || ts.isVoidExpression(current)) {
    current = skipOuterExpressions(current.expression);
  }
  return ts.isCallExpression(current);
}

/** `name` of an identifier, `x.name` or `x.#name`; undefined for anything else. */
function lastSegment(node: ts.Node): string | undefined {
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  return ts.isPropertyAccessExpression(node) ? node.name.text : undefined;
}

/**
 * Where a node is, by name: the innermost named function around it, after
 * the class it is a member of (a method, constructor, accessor, an arrow in
 * a property, or `X.prototype.m = function …`) or else the class around it
 * (`conn.onerror = () => …` in a method); inside a class but no named
 * function (a property initializer), the class. Undefined at the top level.
 */
function scopeOf(node: ts.Node): string | undefined {
  for (let fn = enclosingFunction(node); fn !== undefined; fn = enclosingFunction(fn)) {
    const name = functionName(fn);
    if (name === undefined) continue;
    const owner = memberOf(fn) ?? enclosingClassName(fn);
    return [owner, name].filter((part) => part !== undefined).map(sanitize).filter((part) => part !== "").join(".") ||
      undefined;
  }
  return enclosingClassName(node);
}

/** The name of the innermost class around a node, if any. */
function enclosingClassName(node: ts.Node): string | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (ts.isClassLike(current)) return className(current);
  }
  return undefined;
}

/** The class (or constructor function, for a prototype assignment) a function is a member of. */
function memberOf(fn: FunctionNode): string | undefined {
  let holder: ts.Node = fn.parent;
  while (ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder)) holder = holder.parent;
  if (ts.isPropertyDeclaration(holder)) holder = holder.parent;
  if (ts.isClassLike(holder)) return className(holder);
  if (ts.isBinaryExpression(holder) && ts.isPropertyAccessExpression(holder.left)) {
    const target = holder.left.expression;
    if (ts.isPropertyAccessExpression(target) && target.name.text === "prototype") {
      return lastSegment(target.expression);
    }
  }
  return undefined;
}

/** A class's name, or the variable an anonymous class expression is assigned to. */
function className(node: ts.ClassLikeDeclaration): string | undefined {
  if (node.name !== undefined) return node.name.text;
  return ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent.name.text : undefined;
}

function sanitize(text: string): string {
  return text.replace(/[^\w$:-]+/g, "-").replace(/^-+|-+$/g, "");
}
