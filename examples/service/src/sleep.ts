/** Resolves after `ms` milliseconds. The timer callback only settles the promise. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
