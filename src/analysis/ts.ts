/**
 * The TypeScript module the analysis works with. Syntax kinds, flags and
 * helpers (`ts.SyntaxKind.CallExpression`, `ts.isCallExpression`) must come
 * from the copy of TypeScript that built the program being analysed: the
 * numbers of `SyntaxKind` differ between TypeScript releases. The CLI
 * analyses programs ts-morph builds, so the module starts as the copy
 * ts-morph bundles; the ESLint plugin analyses typescript-eslint's program
 * and calls {@link useTypeScript} with the `typescript` that built it.
 *
 * Every module of the analysis (`src/analysis/`, `src/classify/`, the rule
 * driver and `rules/`) imports `ts` from here, never from `ts-morph` or
 * `typescript`; `ts` is a live binding, so a later {@link useTypeScript}
 * reaches them all. The type names (`ts.Node`, `ts.TypeChecker`) are those
 * of ts-morph's copy; other releases' objects have the same shape for what
 * the analysis reads.
 *
 * @module
 */
import { ts as bundled } from "ts-morph";

/** The TypeScript module in use (initially ts-morph's copy; see {@link useTypeScript}). */
export let ts: typeof bundled = bundled;

/**
 * Makes the analysis use another copy of TypeScript: the one that builds the
 * programs it will be given (typescript-eslint's, for the ESLint plugin).
 * Analyse a program only with the module that built it; results cached per
 * program stay valid, since a program belongs to one module.
 *
 * @param module the `typescript` module (its namespace object, as `import * as ts from "typescript"` gives).
 * @throws {TypeError} when `module` does not look like TypeScript (no `SyntaxKind` or `forEachChild`).
 */
export function useTypeScript(module: typeof bundled): void {
  if (typeof module?.forEachChild !== "function" || typeof module.SyntaxKind !== "object") {
    throw new TypeError('useTypeScript: expected the typescript module (import * as ts from "typescript")');
  }
  ts = module;
}

/**
 * The name of a syntax kind (`"CallExpression"`). Code that runs when a
 * module loads holds kinds by name and looks the number up in {@link ts}
 * when it runs: a number read at load time would be ts-morph's, whatever
 * {@link useTypeScript} sets later.
 */
export type SyntaxKindName = keyof typeof bundled.SyntaxKind;

/**
 * Checks that a parsed file comes from the TypeScript in use: a file parsed
 * by another release is caught whenever the two number `SyntaxKind.SourceFile`
 * differently (they do across minor releases, e.g. 5.5 and 6.0), before
 * any syntax kind is misread.
 *
 * @param sourceFile a file of the program about to be analysed.
 * @throws {Error} when the file's kind is not this module's `SourceFile`: the
 *   program was built by another TypeScript; call {@link useTypeScript} with it.
 */
export function checkBuiltBy(sourceFile: ts.SourceFile): void {
  if (sourceFile.kind !== ts.SyntaxKind.SourceFile) {
    throw new Error(
      `${sourceFile.fileName} was parsed by another TypeScript than the analysis uses (${ts.version}); ` +
        "call useTypeScript with the module that built the program",
    );
  }
}

/** The TypeScript type names the analysis uses, as `ts.Node` etc. (ts-morph's copy's declarations). */
export declare namespace ts {
  export type ArrowFunction = bundled.ArrowFunction;
  export type BinaryExpression = bundled.BinaryExpression;
  export type BindingElement = bundled.BindingElement;
  export type BindingName = bundled.BindingName;
  export type Block = bundled.Block;
  export type CallExpression = bundled.CallExpression;
  export type ClassLikeDeclaration = bundled.ClassLikeDeclaration;
  export type CommentKind = bundled.CommentKind;
  export type CommentRange = bundled.CommentRange;
  export type CompilerOptions = bundled.CompilerOptions;
  export type Declaration = bundled.Declaration;
  export type Diagnostic = bundled.Diagnostic;
  export type Expression = bundled.Expression;
  export type ExpressionStatement = bundled.ExpressionStatement;
  export type ForStatement = bundled.ForStatement;
  export type FunctionExpression = bundled.FunctionExpression;
  export type Identifier = bundled.Identifier;
  export type IfStatement = bundled.IfStatement;
  export type InterfaceType = bundled.InterfaceType;
  export type IterationStatement = bundled.IterationStatement;
  export type MethodDeclaration = bundled.MethodDeclaration;
  export type ModuleResolutionCache = bundled.ModuleResolutionCache;
  export type ModuleResolutionHost = bundled.ModuleResolutionHost;
  export type NamedDeclaration = bundled.NamedDeclaration;
  export type NamedImports = bundled.NamedImports;
  export type NewExpression = bundled.NewExpression;
  export type NumericLiteral = bundled.NumericLiteral;
  export type Node = bundled.Node;
  export type ObjectBindingPattern = bundled.ObjectBindingPattern;
  export type ObjectLiteralExpression = bundled.ObjectLiteralExpression;
  export type ParameterDeclaration = bundled.ParameterDeclaration;
  export type Program = bundled.Program;
  export type PrivateIdentifier = bundled.PrivateIdentifier;
  export type PropertyName = bundled.PropertyName;
  export type PropertyAccessExpression = bundled.PropertyAccessExpression;
  export type PropertyAssignment = bundled.PropertyAssignment;
  export type ShorthandPropertyAssignment = bundled.ShorthandPropertyAssignment;
  export type SignatureDeclaration = bundled.SignatureDeclaration;
  export type SourceFile = bundled.SourceFile;
  export type Statement = bundled.Statement;
  export type Symbol = bundled.Symbol;
  export type SyntaxKind = bundled.SyntaxKind;
  export type TryStatement = bundled.TryStatement;
  export type Type = bundled.Type;
  export type TypeChecker = bundled.TypeChecker;
  export type TypeReference = bundled.TypeReference;
}
