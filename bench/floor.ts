/**
 * The cost floor for a type-aware spawn-site scan: build a bare TypeScript
 * program over the same files with the same options and ask the checker for
 * the type of every expression-statement call, nothing else. The scan
 * benchmark reports spawn-audit's time as a ratio of this.
 *
 * @module
 */
import ts from "typescript";

/**
 * Runs the floor over `files` (absolute paths) with the compiler options
 * spawn-audit would use for them.
 *
 * @returns how many expression-statement calls were typed (so the work cannot be optimised away).
 */
export function floorScan(files: readonly string[], options: ts.CompilerOptions): number {
  const program = ts.createProgram({ rootNames: files, options });
  const checker = program.getTypeChecker();
  let typed = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression)) {
      checker.getTypeAtLocation(node.expression);
      typed++;
    }
    ts.forEachChild(node, visit);
  };
  for (const file of files) {
    const sourceFile = program.getSourceFile(file);
    if (sourceFile !== undefined) visit(sourceFile);
  }
  return typed;
}
