/**
 * The first line `spawn-audit fix --vendor-shim` writes in every file it
 * vendors, and the test for it: the scan skips such a file (skip reason
 * `vendored`) and the codemod never rewrites it.
 *
 * @module
 */

/** First line of every vendored file. */
export const VENDOR_MARKER = "// Vendored by spawn-audit fix from @spawn-audit/shim; do not edit";

/**
 * Whether a file's text (or its first bytes) was written by `--vendor-shim`.
 *
 * @param text the file's text, or at least its first line.
 */
export function isVendored(text: string): boolean {
  return text.startsWith(VENDOR_MARKER);
}
