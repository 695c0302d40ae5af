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
import { ts } from "../analysis/ts.ts";

/**
 * One file's imports: `resolved`, the absolute paths they lead to (project
 * files and dependencies alike); `external`, those of them found as a
 * package's (through `node_modules`, what TypeScript calls an external
 * library); `unresolved`, the module specifiers no file was found for (as
 * written); `typeReferences`, the packages named by `/// <reference types>`
 * directives.
 */
export interface FileImports {
  resolved: string[];
  external: string[];
  unresolved: string[];
  typeReferences: string[];
}

/**
 * What a file's text imports, before resolution: module specifiers
 * (static and dynamic imports, re-exports, `import x = require()`,
 * `require()` calls in JavaScript), `/// <reference path>` targets and
 * `/// <reference types>` package names, each as written.
 */
export interface ImportSpecifiers {
  modules: string[];
  references: string[];
  typeReferences: string[];
}

/**
 * The import specifiers of a file's text, found by TypeScript's
 * pre-processor (a scan of the tokens, no parse).
 *
 * @param text the file's content.
 */
export function importSpecifiers(text: string): ImportSpecifiers {
  const info = ts.preProcessFile(text, true, true);
  return {
    modules: info.importedFiles.map(({ fileName }) => fileName),
    references: info.referencedFiles.map(({ fileName }) => fileName),
    typeReferences: info.typeReferenceDirectives.map(({ fileName }) => fileName),
  };
}

/**
 * Resolves the imports of files under one set of compiler options, with
 * one module resolution cache for all of them (the cache a program's own
 * resolution uses, so each package is looked up once) and one answer per
 * path to whether a file or folder exists (resolution asks about the same
 * folder once per candidate file in it).
 */
export class ImportResolver {
  private readonly cache: ts.ModuleResolutionCache;
  private readonly host: ts.ModuleResolutionHost = {
    fileExists: remembered((path) => ts.sys.fileExists(path)),
    directoryExists: remembered((path) => ts.sys.directoryExists(path)),
    readFile: (path) => ts.sys.readFile(path),
    ...(ts.sys.realpath === undefined ? {} : { realpath: ts.sys.realpath }),
    getCurrentDirectory: () => ts.sys.getCurrentDirectory(),
    getDirectories: (path) => ts.sys.getDirectories(path),
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
  };

  /**
   * @param options the compiler options of the program the files belong to.
   * @param cwd the directory relative paths in `options` are resolved against.
   */
  constructor(private readonly options: ts.CompilerOptions, cwd: string) {
    this.cache = ts.createModuleResolutionCache(cwd, (name) => name, options);
  }

  /**
   * Resolves what `file` imports, as a program with these options would.
   *
   * @param file an absolute path.
   * @param specifiers its import specifiers ({@link importSpecifiers}).
   */
  resolve(file: string, specifiers: ImportSpecifiers): FileImports {
    const resolved: string[] = [];
    const external: string[] = [];
    const unresolved: string[] = [];
    for (const name of specifiers.modules) {
      const found = ts.resolveModuleName(name, file, this.options, this.host, this.cache).resolvedModule;
      if (found === undefined) unresolved.push(name);
      else {
        resolved.push(resolve(found.resolvedFileName));
        if (found.isExternalLibraryImport === true) external.push(resolve(found.resolvedFileName));
      }
    }
    for (const name of specifiers.references) resolved.push(resolve(dirname(file), name));
    return { resolved, external, unresolved, typeReferences: specifiers.typeReferences };
  }

  /**
   * The declaration packages a program of these options loads without an
   * import naming them: its `types` (each package of its type roots for
   * `*`), each resolved as TypeScript resolves them for a program whose
   * config sits in `directory` (`typeRoots`, else the `node_modules/@types`
   * folders above `directory`; then `node_modules` up from it): the name,
   * the entry file found (absolute; undefined when none is) and the
   * package's version when its package.json gives one.
   *
   * @param directory the folder of the program's config, or the folder it stands for.
   */
  typePackages(directory: string): Array<{ name: string; file: string | undefined; version: string | undefined }> {
    const host = { ...this.host, getCurrentDirectory: () => directory };
    const containingFile = resolve(directory, "__inferred type names__.ts");
    return ts.getAutomaticTypeDirectiveNames(this.options, host).map((name) => {
      const found = ts.resolveTypeReferenceDirective(name, containingFile, this.options, host)
        .resolvedTypeReferenceDirective;
      const file = found?.resolvedFileName;
      return { name, file: file === undefined ? undefined : resolve(file), version: found?.packageId?.version };
    });
  }
}

/** `exists` answering once per path: a resolver's whole run sees the file system as it was when first asked. */
function remembered(exists: (path: string) => boolean): (path: string) => boolean {
  const known = new Map<string, boolean>();
  return (path) => {
    let found = known.get(path);
    if (found === undefined) known.set(path, found = exists(path));
    return found;
  };
}
