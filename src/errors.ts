/**
 * Errors that are the user's to fix. The CLI prints their message on one line
 * and exits with code 2; anything else is a bug and keeps its stack trace.
 *
 * @module
 */

/**
 * A usage or configuration error: bad flags, a missing path, a broken
 * tsconfig or config file. `message` is the whole user-facing text.
 */
export class UsageError extends Error {
  /** Process exit code for usage and configuration errors (ESLint's convention). */
  readonly exitCode = 2;

  /** @param message one line saying what is wrong and, where it helps, what to do. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
