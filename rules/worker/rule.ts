/**
 * Workers: `new Worker(...)` (web Workers, `node:worker_threads`, Deno). An
 * uncaught error inside a worker surfaces only as an `error` event on the
 * Worker object; with no listener it is lost (browser) or ends the process
 * (Node). Handled when an error listener or `onerror` is attached to the same
 * binding in the same scope, or, for a field (`this.worker`), anywhere in
 * its class.
 *
 * @module
 */
import { ts } from "ts-morph";
import type { Detection, Rule, RuleContext } from "../../src/rule.ts";
import { fixWorker } from "./fix.ts";
import { originOf } from "../../src/analysis/platform.ts";
import { declarationsOf } from "../../src/analysis/declarations.ts";
import { LISTENER_METHODS } from "../../src/analysis/callbacks.ts";
import { platformName } from "../../src/analysis/imports.ts";
import { enclosingFunction, skipOuterExpressions } from "../../src/analysis/functions.ts";
import { signal } from "../../src/classify/signals.ts";

const WORKER_CLASSES = new Set(["Worker", "SharedWorker"]);
const WORKER_MODULES = /^(node:)?worker_threads$/;

/** The worker rule (kind `worker`). */
export const workerRule: Rule = {
  id: "worker",
  description: "Workers started without an error listener.",
  kinds: ["worker"],
  messages: {
    worker:
      "Worker started without an error listener: its failure is lost or ends the process. Attach onerror / .on('error') or start it with superviseWorker.",
  },
  visits: [ts.SyntaxKind.NewExpression],
  fix: fixWorker,
  check(node: ts.Node, context: RuleContext): Detection | undefined {
    const creation = node as ts.NewExpression;
    const callee = skipOuterExpressions(creation.expression);
    const nameNode = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
    if (nameNode === undefined || !ts.isIdentifier(nameNode)) return undefined;
    const className = ts.isIdentifier(callee) ? platformName(context.sourceFile, callee.text, WORKER_MODULES) : nameNode.text;
    if (!WORKER_CLASSES.has(className)) return undefined;
    const origin = originOf(context.program, declarationsOf(context.checker, nameNode));
    if (origin === "user") return undefined;
    if (origin === "unresolved" && !ts.isIdentifier(callee)) return undefined;
    const detection: Detection = {
      kind: "worker",
      node: creation,
      callee: className,
      resolution: origin === "platform" ? "type" : "syntax",
      signals: [signal("worker-thread")],
    };
    const listener = errorListener(creation, context.sourceFile);
    if (listener !== undefined) {
      detection.status = "handled";
      detection.statusReason = listener;
    }
    return detection;
  },
};

/** Describes the error listener attached to the created worker, if any. */
function errorListener(creation: ts.NewExpression, sourceFile: ts.SourceFile): string | undefined {
  let parent: ts.Node = creation.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent)) parent = parent.parent;
  if (ts.isPropertyAccessExpression(parent) && LISTENER_METHODS.has(parent.name.text) &&
    ts.isCallExpression(parent.parent) && isErrorEventArgument(parent.parent.arguments[0])) {
    return `.${parent.name.text}("error") is chained on the new worker`;
  }
  let binding: string | undefined;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) binding = parent.name.text;
  else if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    binding = parent.left.getText(sourceFile);
  }
  if (binding === undefined) return undefined;
  // A field (`this.worker = new Worker(...)`) is reachable from every method of its class.
  const owner = binding.startsWith("this.") ? owningClassOf(creation) : undefined;
  const scope = owner ?? enclosingFunction(creation) ?? sourceFile;
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found !== undefined) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) && node.left.name.text === "onerror" &&
      node.left.expression.getText(sourceFile) === binding) {
      found = `${binding}.onerror is assigned`;
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) &&
      LISTENER_METHODS.has(node.expression.name.text) && node.expression.expression.getText(sourceFile) === binding &&
      isErrorEventArgument(node.arguments[0])) {
      found = `${binding}.${node.expression.name.text}("error") is attached`;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

function owningClassOf(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (ts.isClassLike(current)) return current;
  }
  return undefined;
}

function isErrorEventArgument(argument: ts.Expression | undefined): boolean {
  return argument !== undefined && ts.isStringLiteralLike(argument) && argument.text === "error";
}
