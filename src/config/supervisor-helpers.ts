/**
 * Finding a project's own supervisor helpers for `spawn-audit init`: named
 * functions that run a function they are given and observe its failure —
 * the call of the parameter sits in the `try` block of a `try`/`catch`, or
 * its result is chained into `.catch(handler)` or `.then(onFulfilled,
 * onRejected)`. Work passed to such a helper is watched, so `init` records
 * the names as `supervisors`. Syntax only (no type-check): a file is parsed,
 * never compiled, so this is cheap on a large project.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { ts } from "ts-morph";
import { handledChain, rethrows } from "../analysis/failure.ts";

/**
 * The names of the supervisor helpers declared in `files`, sorted, each once.
 * A helper is a function declaration, or a function or arrow function
 * assigned to a `const`/`let`/`var` or declared as a class method, with a
 * parameter it calls where a failure is observed (see the module comment).
 *
 * @param files absolute paths of source files; one that cannot be read is passed over.
 * @param known names already recognised (the shim's), left out of the result.
 */
export function findSupervisorHelpers(files: readonly string[], known: ReadonlySet<string>): string[] {
  const names = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      const name = helperName(node);
      if (name !== undefined && !known.has(name) && observesParameterCall(node as ts.FunctionLikeDeclaration)) {
        names.add(name);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...names].sort();
}

/** The name a function-like node is called by: its own, or the variable's it is assigned to; undefined when anonymous. */
function helperName(node: ts.Node): string | undefined {
  if (
    (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.body !== undefined &&
    node.name !== undefined
  ) {
    return ts.isIdentifier(node.name) ? node.name.text : undefined;
  }
  if (
    (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent) &&
    ts.isIdentifier(node.parent.name)
  ) {
    return node.parent.name.text;
  }
  return undefined;
}

/** Whether the function calls one of its own parameters where a failure of that call is observed. */
function observesParameterCall(fn: ts.FunctionLikeDeclaration): boolean {
  const parameters = new Set(
    fn.parameters.map((parameter) => parameter.name).filter(ts.isIdentifier).map((name) => name.text),
  );
  if (parameters.size === 0 || fn.body === undefined) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    // A nested function's parameters are its own; its calls of ours still count (a retry loop's closure).
    if (
      ts.isCallExpression(node) && ts.isIdentifier(node.expression) && parameters.has(node.expression.text) &&
      isObserved(node, fn)
    ) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return found;
}

/**
 * Whether a failure of `call` is observed before it leaves `fn`: the call
 * (awaited or not) is inside the `try` block of a `try` whose `catch`
 * clause does not throw again, or its result, through `.then(f)` and
 * `.finally(f)` links, meets `.catch(h)` or `.then(f, h)`.
 */
function isObserved(call: ts.CallExpression, fn: ts.Node): boolean {
  let node: ts.Node = call;
  // Up the chain the result flows through: call → .then(...)/.catch(...) → ...
  while (
    ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node &&
    ts.isCallExpression(node.parent.parent)
  ) {
    const method = node.parent.name.text;
    const chained = node.parent.parent;
    if (handledChain(chained) !== undefined) return true;
    if (method !== "then" && method !== "finally") break;
    node = chained;
  }
  for (let at: ts.Node = call; at !== fn; at = at.parent) {
    if (
      ts.isTryStatement(at.parent) && at.parent.tryBlock === at && at.parent.catchClause !== undefined &&
      !rethrows(at.parent.catchClause.block)
    ) return true;
  }
  return false;
}
