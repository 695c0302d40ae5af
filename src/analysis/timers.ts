/**
 * The platform's timer and queue functions, by name, with the spawn kind
 * each starts. One list for the timers rule, the rules that leave timers to
 * it, self-rescheduling detection and the codemod.
 *
 * @module
 */
import type { Kind } from "../site.ts";

/** `setTimeout` → `timeout`, `setInterval` → `interval`, `setImmediate` → `immediate`, `queueMicrotask` → `microtask`. */
export const TIMER_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ["setTimeout", "timeout"],
  ["setInterval", "interval"],
  ["setImmediate", "immediate"],
  ["queueMicrotask", "microtask"],
]);
