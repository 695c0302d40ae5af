/**
 * `spawn-audit/shim/logger`: `@spawn-audit/shim/logger` re-exported, so that both
 * names load the same modules of the shim's own package (one copy, and the
 * same tree-shaking in a bundle: the shim declares no side effects).
 *
 * @module
 */
export * from "@spawn-audit/shim/logger";
