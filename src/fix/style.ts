/**
 * The file's own style for the code the codemod writes: which quote its
 * string literals use and whether its statements end with semicolons, so
 * that the project's linter and formatter accept the edits.
 *
 * @module
 */
import { ts } from "../analysis/ts.ts";

/** A file's style: the quote for new string literals and whether a new statement ends with `;`. */
export interface CodeStyle {
  quote: "'" | '"';
  /** The quote for a new import's (or `require`'s) module specifier. */
  importQuote: "'" | '"';
  semicolons: boolean;
}

/**
 * Reads the style from the file: the quote most of its string literals use
 * (double on a tie or with none); the quote most of its module specifiers
 * use (of imports, re-exports and `require` calls: a file may quote them
 * unlike its other strings; the string literals' quote when it has none);
 * and whether most of its top-level statements end with a semicolon (yes
 * with none).
 *
 * @param sourceFile the parsed file.
 */
export function codeStyle(sourceFile: ts.SourceFile): CodeStyle {
  const cached = styles.get(sourceFile);
  if (cached !== undefined) return cached;
  const strings = { single: 0, double: 0 };
  const specifiers = { single: 0, double: 0 };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) && !ts.isJsxAttribute(node.parent)) {
      const counts = isModuleSpecifier(node) ? specifiers : strings;
      if (sourceFile.text[node.getStart(sourceFile)] === "'") counts.single++;
      else counts.double++;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  const endings = sourceFile.statements
    .filter((statement) =>
      ts.isExpressionStatement(statement) || ts.isVariableStatement(statement) || ts.isImportDeclaration(statement)
    )
    .map((statement) => sourceFile.text[statement.getEnd() - 1] === ";");
  const quote = strings.single + specifiers.single > strings.double + specifiers.double ? "'" : '"';
  const style: CodeStyle = {
    quote,
    importQuote: specifiers.single === specifiers.double ? quote : specifiers.single > specifiers.double ? "'" : '"',
    semicolons: endings.length === 0 || endings.filter(Boolean).length * 2 >= endings.length,
  };
  styles.set(sourceFile, style);
  return style;
}

const styles = new WeakMap<ts.SourceFile, CodeStyle>();

/** Whether `literal` names a module: of an import, a re-export or a `require(...)` call. */
export function isModuleSpecifier(literal: ts.Node): boolean {
  const parent = literal.parent;
  return ((ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent)) && parent.moduleSpecifier === literal) ||
    (ts.isCallExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === "require" &&
      parent.arguments[0] === literal);
}

/**
 * `text` as a string literal in `quote`s, escaped as JavaScript requires.
 *
 * @param text the string's value.
 * @param quote the quote character.
 */
export function stringLiteral(text: string, quote: CodeStyle["quote"]): string {
  const double = JSON.stringify(text);
  if (quote === '"') return double;
  return `'${double.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}
