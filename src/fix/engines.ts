/**
 * Whether the shim runs on every Node a package says it supports: the
 * shim's package runs on Node 18 and later (its ES module and CommonJS
 * builds alike), so a package whose `engines.node` allows an older Node is
 * told so — a note, not a refusal: those Nodes are past their end of life,
 * and whether to raise `engines` is the maintainer's call, not the
 * codemod's. Files under a Deno config are not checked.
 *
 * @module
 */
import { dirname } from "node:path";
import semver from "semver";
import { nearestPackage, underDenoConfig } from "./manifest.ts";

/** The Node versions the shim runs on (its package's `engines.node`). */
const SHIM_NODE = ">=18";

/**
 * A note when the package of `file` allows, by its `engines.node`, a Node
 * older than the shim runs on; undefined when it does not, has no
 * `engines.node`, has one that is not a semver range, or is a Deno project.
 *
 * @param file absolute path of a file that now imports the shim.
 * @param shown the file as the report names it.
 */
export function engineNote(file: string, shown: string): string | undefined {
  const dir = dirname(file);
  if (underDenoConfig(dir)) return undefined;
  const engine = nearestPackage(dir)?.nodeEngine;
  const range = engine === undefined ? undefined : semver.validRange(engine) ?? undefined;
  if (range === undefined || semver.subset(range, SHIM_NODE)) return undefined;
  return `engines.node "${engine}" (package of ${shown}) allows Nodes older than 18, on which the shim does not run`;
}
