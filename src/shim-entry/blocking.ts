/**
 * `spawn-audit/shim/blocking`: `@spawn-audit/shim/blocking` re-exported, so that both
 * names load the same modules of the shim's own package (one copy, and the
 * same tree-shaking in a bundle: the shim declares no side effects).
 *
 * @module
 */
export * from "@spawn-audit/shim/blocking";
