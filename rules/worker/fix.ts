/**
 * The worker rule's rewrite: `new Worker(...)` becomes
 * `superviseWorker(name, () => new Worker(...))`, re-created on an `error`
 * event or a non-zero exit, when nobody uses the worker afterwards (a bare
 * statement, or a variable no code reads: the value becomes a task handle).
 * A worker that is used after creation, or whose arguments cannot be
 * evaluated again, becomes `logWorker(name, new Worker(...))`: its failure
 * is logged and the value stays the worker.
 *
 * @module
 */
import { ts } from "../../src/analysis/ts.ts";
import type { FixContext, FixOutcome } from "../../src/rule.ts";
import { enclosingLoop, wrap } from "../../src/fix/syntax.ts";

/**
 * Rewrites one worker site, or skips it when it is per-request or created
 * in a loop (tasks of one name replace each other).
 *
 * @param context the site (a `new Worker(...)` expression) and its file.
 */
export function fixWorker(context: FixContext): FixOutcome {
  const { node, sourceFile, checker } = context;
  if (context.group !== "durable") {
    return { skip: "a worker outside the durable group is not restarted; supervise it by hand" };
  }
  if (enclosingLoop(node) !== undefined) {
    return {
      skip:
        "the worker is created in a loop, and workers supervised under one name replace each other; supervise them by hand",
    };
  }
  let holder: ts.Node = node.parent;
  while (ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder) || ts.isSatisfiesExpression(holder)) {
    holder = holder.parent;
  }
  const unused = ts.isVariableDeclaration(holder)
    ? ts.isIdentifier(holder.name) && holder.type === undefined && !isReadElsewhere(holder.name, checker, sourceFile)
    : ts.isExpressionStatement(holder);
  const blocked = sideEffect(node);
  if (!unused || blocked !== undefined) {
    // The worker value is used (or cannot be made again): watch it log-only and keep it.
    return {
      transform: "logged-worker",
      edits: wrap(node, node, sourceFile, `logWorker(${context.taskName("worker")}, `, ")"),
      uses: ["logWorker"],
    };
  }
  return {
    transform: "worker",
    edits: wrap(node, node, sourceFile, `superviseWorker(${context.taskName("worker")}, () => `, ")"),
    uses: ["superviseWorker"],
  };
}

/** Whether the variable is exported or referenced anywhere in the file besides its declaration. */
function isReadElsewhere(name: ts.Identifier, checker: ts.TypeChecker, sourceFile: ts.SourceFile): boolean {
  const symbol = checker.getSymbolAtLocation(name);
  const statement = name.parent.parent.parent;
  if (symbol === undefined) return true;
  if (
    ts.isVariableStatement(statement) &&
    ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)
  ) return true;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      ts.isIdentifier(node) && node !== name && node.text === name.text && checker.getSymbolAtLocation(node) === symbol
    ) found = true;
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(sourceFile, visit);
  return found;
}

/** The first `await`, `yield`, assignment or increment inside the expression: it would change meaning inside a factory. */
function sideEffect(node: ts.Node): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (child: ts.Node): void => {
    if (found !== undefined) return;
    if (
      ts.isAwaitExpression(child) || ts.isYieldExpression(child) ||
      (ts.isBinaryExpression(child) && child.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        child.operatorToken.kind <= ts.SyntaxKind.LastAssignment) ||
      ((ts.isPrefixUnaryExpression(child) || ts.isPostfixUnaryExpression(child)) &&
        (child.operator === ts.SyntaxKind.PlusPlusToken || child.operator === ts.SyntaxKind.MinusMinusToken))
    ) {
      found = child;
    } else {
      ts.forEachChild(child, visit);
    }
  };
  ts.forEachChild(node, visit);
  return found;
}
