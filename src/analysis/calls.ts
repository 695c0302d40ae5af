/**
 * Following calls to the functions they invoke, by symbol: the call graph
 * the classifier walks a few levels deep to see what a site's work does
 * (loops, starts itself again, catches everything). Memoised per function
 * node, so many sites sharing a callee cost one walk.
 *
 * @module
 */
import { ts } from "ts-morph";
import { functionNamed } from "./declarations.ts";
import { TIMER_KINDS } from "./callbacks.ts";
import { isFunctionNode, skipOuterExpressions, type FunctionNode } from "./functions.ts";

/**
 * The function a call (or a function reference handed to a timer) invokes:
 * the declaration the checker resolves the callee's symbol to — function,
 * method (including `#private`), class-field or `const` arrow, imported
 * function — and, when the receiver has no type (`this` in untyped
 * JavaScript), the method or field of the same name of the enclosing class
 * for `this.name`.
 *
 * @param checker the program's type checker.
 * @param callee the callee expression (or a reference like `this.tick`).
 * @returns the function node, or undefined when it is not in the program's own sources.
 */
export function resolveFunction(checker: ts.TypeChecker, callee: ts.Node): FunctionNode | undefined {
  const target = skipOuterExpressions(callee);
  if (isFunctionNode(target)) return target;
  if (!ts.isIdentifier(target) && !ts.isPropertyAccessExpression(target)) return undefined;
  const cached = resolved.get(target);
  if (cached !== undefined) return cached ?? undefined;
  const found = functionNamed(checker, target) ?? ownClassMember(target);
  resolved.set(target, found ?? null);
  return found;
}

const resolved = new WeakMap<ts.Node, FunctionNode | null>();

/** `this.name` inside a class: the class's method or function-valued field `name`. */
function ownClassMember(reference: ts.Node): FunctionNode | undefined {
  if (!ts.isPropertyAccessExpression(reference) || reference.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const name = reference.name.text;
  for (let node: ts.Node | undefined = reference.parent; node !== undefined; node = node.parent) {
    if (!ts.isClassLike(node)) continue;
    for (const member of node.members) {
      const memberName = member.name !== undefined && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name))
        ? member.name.text
        : undefined;
      if (memberName !== name) continue;
      if (isFunctionNode(member)) return member;
      if (ts.isPropertyDeclaration(member) && member.initializer !== undefined) {
        const initializer = skipOuterExpressions(member.initializer);
        if (isFunctionNode(initializer)) return initializer;
      }
    }
    return undefined;
  }
  return undefined;
}

/**
 * The functions `fn` starts, by symbol: every call in its body, including
 * calls inside nested callbacks (`.then(() => this.loop())`,
 * `setTimeout(() => poll(), ms)`), and function references handed to timers
 * (`setTimeout(this.tick, ms)`). Declarations outside the program's own
 * sources are left out.
 *
 * @param checker the program's type checker.
 * @param fn a function node.
 */
export function calledFunctions(checker: ts.TypeChecker, fn: FunctionNode): readonly FunctionNode[] {
  const cached = callees.get(fn);
  if (cached !== undefined) return cached;
  const found = new Set<FunctionNode>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const target = resolveFunction(checker, node.expression);
      if (target !== undefined) found.add(target);
      const callee = skipOuterExpressions(node.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      const first = node.arguments[0];
      if (name !== undefined && TIMER_KINDS.has(name) && first !== undefined) {
        const reference = skipOuterExpressions(first);
        if (ts.isIdentifier(reference) || ts.isPropertyAccessExpression(reference)) {
          const handed = resolveFunction(checker, reference);
          if (handed !== undefined) found.add(handed);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body !== undefined) visit(fn.body);
  const result = [...found];
  callees.set(fn, result);
  return result;
}

const callees = new WeakMap<ts.Node, readonly FunctionNode[]>();

/**
 * Whether starting `from` leads to `targets` within `depth` calls: `from`
 * is one of them, or calls one, or calls a function that does, … A
 * breadth-first walk over {@link calledFunctions}.
 *
 * @param checker the program's type checker.
 * @param from the function started.
 * @param targets the functions looked for.
 * @param depth how many calls deep to follow (0: `from` itself only).
 * @returns the target reached, or undefined.
 */
export function reaches(
  checker: ts.TypeChecker,
  from: FunctionNode,
  targets: ReadonlySet<FunctionNode>,
  depth: number,
): FunctionNode | undefined {
  return findInCalls(checker, from, depth, (fn) => targets.has(fn) ? fn : undefined);
}

/**
 * The first result of `find` on `from` or a function it starts, within
 * `depth` calls (breadth-first: the nearest wins).
 *
 * @param checker the program's type checker.
 * @param from the function started.
 * @param depth how many calls deep to follow.
 * @param find a test returning a description, or undefined.
 */
export function findInCalls<T>(
  checker: ts.TypeChecker,
  from: FunctionNode,
  depth: number,
  find: (fn: FunctionNode) => T | undefined,
): T | undefined {
  let frontier: FunctionNode[] = [from];
  const seen = new Set<FunctionNode>(frontier);
  for (let level = 0; level <= depth; level++) {
    const next: FunctionNode[] = [];
    for (const fn of frontier) {
      const result = find(fn);
      if (result !== undefined) return result;
      if (level === depth) continue;
      for (const callee of calledFunctions(checker, fn)) {
        if (!seen.has(callee)) {
          seen.add(callee);
          next.push(callee);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}
