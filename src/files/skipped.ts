/**
 * How skipped files are summed up in one line, for the text report and
 * error messages.
 *
 * @module
 */
import { SKIP_REASONS, type SkippedFile } from "../site.ts";

/**
 * The number of skipped entries per reason, in {@link SKIP_REASONS} order,
 * reasons with none left out: `3 gitignored, 1 declaration`.
 *
 * @param skipped the skipped files and directories.
 */
export function skippedCounts(skipped: readonly SkippedFile[]): string {
  return SKIP_REASONS
    .map((reason) => [reason, skipped.filter((entry) => entry.reason === reason).length] as const)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
}
