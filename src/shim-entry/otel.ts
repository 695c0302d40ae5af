/**
 * `spawn-audit/shim/otel`: `@spawn-audit/shim/otel` re-exported, so that both
 * names load the same modules of the shim's own package (one copy, and the
 * same tree-shaking in a bundle: the shim declares no side effects).
 *
 * @module
 */
export * from "@spawn-audit/shim/otel";
