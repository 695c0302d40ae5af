/**
 * A file's imports without parsing it: the module specifiers, triple-slash
 * references and `require` calls TypeScript's pre-processor finds with its
 * scanner, each resolved the way a program with the same compiler options
 * resolves it. Used to key cached results on what a file imports and to
 * find imports that do not resolve locally.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { ts } from "ts-morph";

/**
 * One file's imports: `resolved`, the absolute paths they lead to (project
 * files and dependencies alike); `unresolved`, the module specifiers no
 * file was found for (as written); `typeReferences`, the packages named by
 * `/// <reference types>` directives.
 */
export interface FileImports {
  resolved: string[];
  unresolved: string[];
  typeReferences: string[];
}

/**
 * Resolves the imports of files under one set of compiler options, with
 * one module resolution cache for all of them (the cache a program's own
 * resolution uses, so each package is looked up once).
 */
export class ImportResolver {
  private readonly cache: ts.ModuleResolutionCache;

  /**
   * @param options the compiler options of the program the files belong to.
   * @param cwd the directory relative paths in `options` are resolved against.
   */
  constructor(private readonly options: ts.CompilerOptions, cwd: string) {
    this.cache = ts.createModuleResolutionCache(cwd, (name) => name, options);
  }

  /**
   * The imports of `file`, whose text is `text`: static and dynamic
   * imports, re-exports, `import x = require()`, `require()` calls in
   * JavaScript and `/// <reference path>` directives.
   *
   * @param file an absolute path.
   * @param text the file's content.
   */
  importsOf(file: string, text: string): FileImports {
    const info = ts.preProcessFile(text, true, true);
    const resolved: string[] = [];
    const unresolved: string[] = [];
    for (const { fileName } of info.importedFiles) {
      const found = ts.resolveModuleName(fileName, file, this.options, ts.sys, this.cache).resolvedModule;
      if (found === undefined) unresolved.push(fileName);
      else resolved.push(resolve(found.resolvedFileName));
    }
    for (const { fileName } of info.referencedFiles) resolved.push(resolve(dirname(file), fileName));
    return { resolved, unresolved, typeReferences: info.typeReferenceDirectives.map(({ fileName }) => fileName) };
  }
}
