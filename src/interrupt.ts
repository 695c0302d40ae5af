/**
 * Stopping a run between two steps when the user interrupts it (Ctrl-C,
 * SIGINT) or the system asks it to end (SIGTERM): a synchronous loop never
 * sees a signal (Node and Deno deliver it between turns of the event loop),
 * so the steps yield and the driver gives the event loop a turn between
 * them. The step under way is finished (an atomic write is completed or
 * rolled back by the writer, never left partial); the next ones are not
 * started. Listeners are installed only once the steps start, so a signal
 * before them ends the process as usual. Node runs the listener at the next
 * turn; Deno resolves it through a polled operation, which on a loaded
 * machine can come a turn or more later, so there a step or two more may run.
 *
 * @module
 */
import process from "node:process";
import { setImmediate } from "node:timers";

/** The signals that stop the steps, with the exit code a shell gives a process they end (128 + the signal's number). */
export const INTERRUPT_EXIT_CODES: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs `steps` to the end, resuming each pause with whether SIGINT or
 * SIGTERM arrived since the steps began (from the first pause on).
 *
 * @param steps a generator that pauses between steps and is resumed with `true` to stop.
 * @returns its return value, and the signal that stopped it (undefined when none came).
 */
export async function runInterruptibly<T>(
  steps: Generator<void, T, boolean>,
): Promise<{ value: T; signal: keyof typeof INTERRUPT_EXIT_CODES | undefined }> {
  let signal: keyof typeof INTERRUPT_EXIT_CODES | undefined;
  const listeners = (Object.keys(INTERRUPT_EXIT_CODES) as (keyof typeof INTERRUPT_EXIT_CODES)[]).map((name) => {
    const listener = (): void => {
      signal ??= name;
    };
    return [name, listener] as const;
  });
  let step = steps.next(false);
  if (step.done) return { value: step.value, signal };
  for (const [name, listener] of listeners) process.on(name, listener);
  try {
    while (!step.done) {
      // One turn of the event loop: a signal that came during the last step is delivered now.
      await new Promise<void>((resolve) => setImmediate(resolve));
      step = steps.next(signal !== undefined);
    }
    return { value: step.value, signal };
  } finally {
    for (const [name, listener] of listeners) process.removeListener(name, listener);
  }
}
