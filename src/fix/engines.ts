/**
 * Whether the shim will load where the project says it runs: the Node
 * versions its `engines.node` allows against what the shim needs (Node 20;
 * and, for a CommonJS file that `require`s an ES module build, a Node with
 * `require(esm)`: 20.19+ or 22.12+). Checked before anything is written, so
 * a fixed program cannot die at start-up with `ERR_REQUIRE_ESM`. Files under
 * a Deno config are not checked (Deno loads ES modules from CommonJS).
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname, extname } from "node:path";
import process from "node:process";
import semver from "semver";
import { ts } from "ts-morph";
import { importStyle, type ShimSource } from "./imports.ts";
import { addCommand, nearestPackage, underDenoConfig } from "./manifest.ts";

/** The Node versions the shim runs on (its package's `engines.node`). */
const SHIM_NODE = ">=20";

/** The Node versions whose `require` loads an ES module without a flag (Node's `require(esm)`). */
const REQUIRE_ESM_NODE = "^20.19.0 || >=22.12.0";

/** The shim's package with a CommonJS build, suggested to CommonJS projects on older Nodes. */
const CJS_SHIM_PACKAGE = "@spawn-audit/shim";

/**
 * Whether the compiled `sourceFile` loads its imports with `require`:
 * CommonJS JavaScript (as `importStyle` decides), a `.cts` file, or a
 * TypeScript file compiled to CommonJS (`module: commonjs`, or `node16`…
 * `nodenext` in a package that is not `"type": "module"`).
 *
 * @param sourceFile the parsed file.
 * @param options its program's compiler options.
 */
export function loadsWithRequire(sourceFile: ts.SourceFile, options: ts.CompilerOptions): boolean {
  const extension = extname(sourceFile.fileName);
  if ([".js", ".jsx", ".cjs", ".mjs"].includes(extension)) return importStyle(sourceFile) === "require";
  if (extension === ".cts" || extension === ".mts") return extension === ".cts";
  const kind = options.module;
  if (kind === ts.ModuleKind.CommonJS) return true;
  const nodeKind = kind !== undefined && kind >= ts.ModuleKind.Node16 && kind <= ts.ModuleKind.NodeNext;
  return nodeKind && nearestPackage(dirname(sourceFile.fileName))?.type !== "module";
}

/**
 * Why the shim would not load from `file` on every Node the project allows,
 * with what to do; undefined when it loads (or nothing can be told: no
 * `engines.node` and an ES module file, an `engines.node` that is not a
 * semver range, a specifier Node cannot resolve from the file).
 *
 * Without `engines.node`, a CommonJS file is checked against the Node
 * running the codemod.
 *
 * @param file absolute path of a file to edit.
 * @param requires whether it loads the shim with `require` ({@link loadsWithRequire}).
 * @param source where the shim comes from.
 * @param specifier the specifier the file would load.
 * @param shown how to name the file in the message (relative to the working directory).
 */
export function shimLoadProblem(
  file: string,
  requires: boolean,
  source: ShimSource,
  specifier: string,
  shown: string,
): string | undefined {
  const dir = dirname(file);
  if (underDenoConfig(dir)) return undefined;
  const engine = nearestPackage(dir)?.nodeEngine;
  const range = engine === undefined ? undefined : semver.validRange(engine) ?? undefined;
  if (engine !== undefined && range === undefined) return undefined;
  const needsRequireEsm = requires && loadsEsModule(file, source, specifier) === true;
  if (needsRequireEsm) {
    const allowed = range ?? (isDeno() ? undefined : process.versions.node);
    if (allowed === undefined || semver.subset(allowed, REQUIRE_ESM_NODE)) return undefined;
    const where = range === undefined ? `this Node (${process.versions.node})` : `engines.node "${engine}"`;
    return `${shown} is CommonJS and would require() ${specifier}, an ES module, which ${where} cannot load ` +
      `(require(esm) needs Node ${REQUIRE_ESM_NODE}); nothing was written. Install ${CJS_SHIM_PACKAGE}, which has a CommonJS build ` +
      `(${
        addCommand(dir, CJS_SHIM_PACKAGE)
      }), and pass --shim-import ${CJS_SHIM_PACKAGE}, or raise engines.node to "${REQUIRE_ESM_NODE}"`;
  }
  if (range === undefined || semver.subset(range, SHIM_NODE)) return undefined;
  return `engines.node "${engine}" (package of ${shown}) allows Nodes the shim does not run on (it needs Node ${SHIM_NODE}); ` +
    `nothing was written. Raise engines.node to "${SHIM_NODE}" or later`;
}

/** Whether `require(specifier)` from `file` loads an ES module; undefined when Node cannot resolve it from there. */
function loadsEsModule(file: string, source: ShimSource, specifier: string): boolean | undefined {
  // A vendored shim is the ES module build with "type": "module", and is not there yet.
  if (source.kind === "vendor") return true;
  let resolved: string;
  try {
    resolved = createRequire(file).resolve(specifier);
  } catch {
    return undefined;
  }
  if (isEsModule(resolved)) return true;
  // A CommonJS module of the project (init --shim) passes the shim package's build on.
  if (source.kind !== "local") return false;
  try {
    return isEsModule(createRequire(resolved).resolve("spawn-audit/shim"));
  } catch {
    return undefined;
  }
}

function isEsModule(path: string): boolean {
  const extension = extname(path);
  if (extension === ".mjs" || extension === ".cjs") return extension === ".mjs";
  return nearestPackage(dirname(path))?.type === "module";
}

function isDeno(): boolean {
  return (globalThis as { Deno?: unknown }).Deno !== undefined;
}
