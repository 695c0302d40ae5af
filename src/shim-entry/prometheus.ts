/**
 * `spawn-audit/shim/prometheus`: `@spawn-audit/shim/prometheus` re-exported, so that both
 * names load the same modules of the shim's own package (one copy, and the
 * same tree-shaking in a bundle: the shim declares no side effects).
 *
 * @module
 */
export * from "@spawn-audit/shim/prometheus";
