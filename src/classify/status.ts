/**
 * Status that does not depend on the rule: inline ignore comments, config
 * ignore globs, and supervision by the shim or a configured supervisor.
 *
 * @module
 */
import { ts } from "ts-morph";
import { isFunctionNode, skipOuterExpressions } from "../analysis/functions.ts";

/** The shim's supervisor functions, always recognised (see `shim/mod.ts`). */
export const SHIM_SUPERVISORS: readonly string[] = ["spawnSupervised", "spawnLogged", "superviseWorker"];

const IGNORE_SAME_LINE = /\/[/*]\s*spawn-audit-ignore(?!-next-line)\b\s*(.*?)\s*(\*\/)?\s*$/;
const IGNORE_NEXT_LINE = /^\s*\/[/*]\s*spawn-audit-ignore-next-line\b\s*(.*?)\s*(\*\/)?\s*$/;

/**
 * The reason given by an ignore comment for a site starting on `line`
 * (0-based): `// spawn-audit-ignore-next-line reason` alone on the line
 * before, or `// spawn-audit-ignore reason` at the end of the same line. The
 * marker must be in a comment, not in a string or template literal.
 *
 * @param sourceFile the parsed file.
 * @param lines the file's lines.
 * @param line the 0-based line the site starts on.
 * @returns the reason ("" when none was written), or undefined when not ignored.
 */
export function ignoreCommentReason(sourceFile: ts.SourceFile, lines: readonly string[], line: number): string | undefined {
  for (const [at, pattern] of [[line, IGNORE_SAME_LINE], [line - 1, IGNORE_NEXT_LINE]] as const) {
    const text = lines[at];
    if (text === undefined) continue;
    const match = pattern.exec(text);
    if (match !== null && isInComment(sourceFile, sourceFile.getPositionOfLineAndCharacter(at, text.indexOf("spawn-audit-ignore")))) {
      return match[1] ?? "";
    }
  }
  return undefined;
}

/** Whether `position` falls in trivia rather than inside a literal token. */
function isInComment(sourceFile: ts.SourceFile, position: number): boolean {
  let node: ts.Node = sourceFile;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (candidate) =>
      candidate.getStart(sourceFile) <= position && position < candidate.end ? candidate : undefined
    );
    if (child === undefined) break;
    node = child;
  }
  return !(ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node) || ts.isJsxText(node)) ||
    position < node.getStart(sourceFile);
}

/**
 * Why a site counts as supervised, or undefined: the node is an argument (or
 * inside a function passed as an argument) of a call to a supervisor, or the
 * site's work function does nothing but call one (a timer whose tick runs
 * under `spawnLogged`).
 *
 * @param node the site's reported node.
 * @param work the function the site runs, when known.
 * @param supervisors names of supervisor functions (last segment of the callee).
 */
export function supervisionReason(node: ts.Node, work: ts.Node | undefined, supervisors: ReadonlySet<string>): string | undefined {
  for (let child: ts.Node = node, current = node.parent; current !== undefined; child = current, current = current.parent) {
    if (ts.isCallExpression(current) && current.arguments.includes(child as ts.Expression)) {
      const name = supervisorName(current, supervisors);
      if (name !== undefined) return `inside ${name}(...)`;
    }
  }
  if (work !== undefined && isFunctionNode(work) && work.body !== undefined) {
    const only = onlyExpression(work.body);
    if (only !== undefined && ts.isCallExpression(only)) {
      const name = supervisorName(only, supervisors);
      if (name !== undefined) return `each run goes through ${name}(...)`;
    }
  }
  return undefined;
}

function supervisorName(call: ts.CallExpression, supervisors: ReadonlySet<string>): string | undefined {
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name !== undefined && supervisors.has(name) ? name : undefined;
}

function onlyExpression(body: ts.Node): ts.Node | undefined {
  if (!ts.isBlock(body)) return skipVoid(body);
  const statements = body.statements.filter((statement) => !ts.isEmptyStatement(statement));
  if (statements.length !== 1) return undefined;
  const statement = statements[0]!;
  if (ts.isExpressionStatement(statement)) return skipVoid(statement.expression);
  if (ts.isReturnStatement(statement) && statement.expression !== undefined) return skipVoid(statement.expression);
  return undefined;
}

function skipVoid(node: ts.Node): ts.Node {
  const inner = skipOuterExpressions(node);
  return ts.isVoidExpression(inner) ? skipOuterExpressions(inner.expression) : inner;
}
