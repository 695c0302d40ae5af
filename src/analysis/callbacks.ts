/**
 * The platform calls that take a callback and run it later: timer and queue
 * functions (with the spawn kind each starts) and event-listener
 * registration methods. One list for the rules, classification,
 * self-rescheduling detection and the codemod.
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

/** Methods that register an event listener (Node's EventEmitter, the DOM's EventTarget). */
export const LISTENER_METHODS: ReadonlySet<string> = new Set([
  "on",
  "once",
  "addListener",
  "prependListener",
  "prependOnceListener",
  "addEventListener",
]);
