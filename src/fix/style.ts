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
  semicolons: boolean;
}

/**
 * Reads the style from the file: the quote most of its string literals use
 * (double on a tie or with none), and whether most of its top-level
 * statements end with a semicolon (yes with none).
 *
 * @param sourceFile the parsed file.
 */
export function codeStyle(sourceFile: ts.SourceFile): CodeStyle {
  const cached = styles.get(sourceFile);
  if (cached !== undefined) return cached;
  let single = 0;
  let double = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) && !ts.isJsxAttribute(node.parent)) {
      if (sourceFile.text[node.getStart(sourceFile)] === "'") single++;
      else double++;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  const endings = sourceFile.statements
    .filter((statement) =>
      ts.isExpressionStatement(statement) || ts.isVariableStatement(statement) || ts.isImportDeclaration(statement)
    )
    .map((statement) => sourceFile.text[statement.getEnd() - 1] === ";");
  const style: CodeStyle = {
    quote: single > double ? "'" : '"',
    semicolons: endings.length === 0 || endings.filter(Boolean).length * 2 >= endings.length,
  };
  styles.set(sourceFile, style);
  return style;
}

const styles = new WeakMap<ts.SourceFile, CodeStyle>();

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
