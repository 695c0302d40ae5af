/**
 * Renamed named imports in a file (`import { Worker as NodeWorker } from
 * "node:worker_threads"`), so rules that prefilter calls by name also see
 * platform functions and classes under a local alias.
 *
 * @module
 */
import { ts } from "./ts.ts";

/** A renamed import: the module it comes from and the name it has there. */
export interface ImportedName {
  module: string;
  imported: string;
}

const cache = new WeakMap<ts.SourceFile, ReadonlyMap<string, ImportedName>>();

/**
 * The file's renamed named imports, by local name. Computed once per file
 * from its top-level import declarations.
 */
export function renamedImports(sourceFile: ts.SourceFile): ReadonlyMap<string, ImportedName> {
  const cached = cache.get(sourceFile);
  if (cached !== undefined) return cached;
  const found = new Map<string, ImportedName>();
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings === undefined || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      if (element.propertyName === undefined) continue;
      const imported = element.propertyName.text;
      if (imported !== element.name.text) {
        found.set(element.name.text, { module: statement.moduleSpecifier.text, imported });
      }
    }
  }
  cache.set(sourceFile, found);
  return found;
}

/**
 * The platform name a local identifier stands for: `name` itself, or what it
 * was imported as from a module matching `modules` (e.g. `/^(node:)?timers$/`).
 */
export function platformName(sourceFile: ts.SourceFile, name: string, modules: RegExp): string {
  const renamed = renamedImports(sourceFile).get(name);
  return renamed !== undefined && modules.test(renamed.module) ? renamed.imported : name;
}
