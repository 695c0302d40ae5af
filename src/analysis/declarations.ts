/**
 * From a name to what it declares, following import aliases: the one lookup
 * rules and analysis helpers share (platform origin, callee bodies, timer
 * callbacks).
 *
 * @module
 */
import { ts } from "ts-morph";
import { isFunctionNode, skipOuterExpressions, type FunctionNode } from "./functions.ts";

/**
 * The declarations of the symbol `name` refers to, with `import` aliases
 * followed to the exported declaration; empty when the checker finds none.
 *
 * @param checker the program's type checker.
 * @param name an identifier (for a property access, pass its `name`).
 */
export function declarationsOf(checker: ts.TypeChecker, name: ts.Node): readonly ts.Declaration[] {
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol === undefined) return [];
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol.getDeclarations() ?? [];
}

/**
 * The function `name` stands for in the program's own sources (declaration
 * files skipped): a function or method declaration, or a function assigned
 * to a variable, class property or object property.
 *
 * @param checker the program's type checker.
 * @param name an identifier, or a property access whose `name` is resolved.
 */
export function functionNamed(checker: ts.TypeChecker, name: ts.Node): FunctionNode | undefined {
  const target = ts.isPropertyAccessExpression(name) ? name.name : name;
  for (const declaration of declarationsOf(checker, target)) {
    if (declaration.getSourceFile().isDeclarationFile) continue;
    if (isFunctionNode(declaration)) return declaration;
    if ((ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration)) &&
      declaration.initializer !== undefined) {
      const initializer = skipOuterExpressions(declaration.initializer);
      if (isFunctionNode(initializer)) return initializer;
    }
  }
  return undefined;
}

/**
 * The body of the function a call invokes, when the checker can find its
 * declaration in the program's own (non-declaration) sources.
 *
 * @param checker the program's type checker.
 * @param call a call expression.
 */
export function calleeBody(checker: ts.TypeChecker, call: ts.CallExpression): ts.Node | undefined {
  return functionNamed(checker, skipOuterExpressions(call.expression))?.body;
}
