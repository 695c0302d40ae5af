import { observeRejection } from "./guard.ts";
import type { AttemptOutcome } from "./types.ts";

/**
 * What every supervisor event says about the task attempt it concerns.
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * supervisor.on("start", ({ name, attempt }) => console.log(name, attempt));
 * ```
 */
export interface TaskEventInfo {
  /** Task name as given at spawn. */
  name: string;
  /** Unique id of this spawn (a same-name replacement gets a new id). */
  id: number;
  /** Attempt number, 1 for the first run, +1 per restart. */
  attempt: number;
  /** Task class, when one was given. */
  class: string | undefined;
}

/**
 * A failure of user code that is not the task itself — a listener, the
 * logger, the clock, the jitter source or a `shouldRestart` predicate —
 * thrown synchronously or as the rejection of a returned promise. The
 * supervisor carries on: the failure is reported (`hookError` event, then
 * the logger) and every task still reaches a terminal state.
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * supervisor.on("hookError", ({ source, error }) => metrics.count("shim_hook_error", { source }));
 * ```
 */
export interface HookFailure {
  /** Which kind of hook failed. */
  source: "listener" | "logger" | "clock" | "random" | "shouldRestart";
  /** For a listener: the event it was called for. */
  event?: string;
  /** The task concerned, when there is one. */
  task?: string;
  /** What the hook threw or rejected with. */
  error: unknown;
}

/**
 * The supervisor's events and their payloads: `queued` (a task waits for a
 * slot of its class; emitted in the spawning call, so a listener sees the
 * spawning code's context), `start` (an attempt begins),
 * `end` (an attempt settled or timed out), `restart` (a restart is scheduled
 * after a backoff), `failed` (the task is marked failed), `exit` (the task
 * left `running`/`restarting` for good), `hookError` (a listener, the
 * logger, the clock or another hook failed; see {@link HookFailure}). The
 * logger and the diagnostics_channel publisher are listeners like any other.
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor({ logger: false });
 * supervisor.on("restart", ({ name, attempt, delayMs }) => metrics.count("restart", { name, attempt, delayMs }));
 * supervisor.on("exit", ({ name, status }) => console.log(`${name} ${status}`));
 * ```
 */
export interface SupervisorEvents {
  /** `attempt` is 1, the attempt that starts when a slot is free. */
  queued: TaskEventInfo;
  start: TaskEventInfo;
  end: TaskEventInfo & {
    /** How the attempt ended; `timedOut` when it ran past `attemptTimeoutMs`; `aborted` when the task's signal had aborted by then. */
    outcome: AttemptOutcome;
    /** Attempt duration in ms (clock time). */
    durationMs: number;
    /** The thrown value, when `outcome` is `threw` (or `aborted` after a throw); a `TaskTimeoutError` when `timedOut`. */
    error?: unknown;
  };
  restart: TaskEventInfo & {
    /** Backoff before the restart, in ms. `attempt` is the attempt about to start. */
    delayMs: number;
    /** The failure that caused the restart (absent when an `always` task returned). */
    error?: unknown;
  };
  failed: TaskEventInfo & {
    /** Why the task is failed. */
    reason: string;
    /** The last failure. */
    error: unknown;
    /** True when the supervisor gave up restarting (failure limit or restart intensity). */
    gaveUp: boolean;
  };
  exit: TaskEventInfo & {
    /** Final status. */
    status: "completed" | "aborted" | "failed";
    /** Time from spawn to exit, in ms. */
    durationMs: number;
  };
  hookError: HookFailure;
}

/** A listener for event `K` of `Events`; an async listener's rejection is caught like a throw. */
export type Listener<Events, K extends keyof Events> = (payload: Events[K]) => unknown;

/** What an emitter keeps per event name (see {@link Emitter.slot}). */
export interface Slot {
  /** The listeners, in the order they were added. */
  listeners: Set<(payload: never) => unknown>;
  /** How many of them always want the event. */
  always: number;
  /** The `wanted` gates of the others (replaced, never changed in place, so a `has` in progress is not disturbed). */
  gates: readonly ((hint: string | undefined) => boolean)[];
}

/**
 * A small synchronous typed event emitter. What a listener throws, and the
 * rejection of a promise it returns, are handed to `onListenerError`, so
 * emitting never throws into the supervisor and never leaves an unhandled
 * rejection. Whether an event is wanted is asked for every task, so the
 * core holds the {@link Slot} of each event it emits and asks {@link wants}
 * without any lookup.
 */
export class Emitter<Events extends object> {
  readonly #slots = new Map<keyof Events, Slot>();
  readonly #onListenerError: (error: unknown, type: keyof Events) => void;

  /**
   * Create an emitter.
   *
   * @param onListenerError called with whatever a listener threw or rejected with (must not throw)
   */
  constructor(onListenerError: (error: unknown, type: keyof Events) => void) {
    this.#onListenerError = onListenerError;
  }

  /**
   * Add a listener.
   *
   * @param type event name
   * @param listener called synchronously with the payload
   * @param wanted for a listener that only sometimes cares (a logger that
   *   logs only when the supervisor gives up): given the emitter's hint (see
   *   {@link has}), while it returns false this listener does not make
   *   {@link has} true, so no payload is built for it. The listener must
   *   still ignore payloads it does not want: it is called whenever another
   *   listener made the payload worth building.
   * @returns a function that removes the listener (once; later calls do nothing)
   */
  on<K extends keyof Events>(
    type: K,
    listener: Listener<Events, K>,
    wanted?: (hint: string | undefined) => boolean,
  ): () => void {
    const slot = this.slot(type);
    slot.listeners.add(listener as (payload: never) => unknown);
    if (wanted === undefined) slot.always++;
    else slot.gates = [...slot.gates, wanted];
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      slot.listeners.delete(listener as (payload: never) => unknown);
      if (wanted === undefined) slot.always--;
      else slot.gates = slot.gates.filter((gate) => gate !== wanted);
    };
  }

  /**
   * Whether event `type` has a listener that wants it now (lets callers
   * skip building payloads).
   *
   * @param type event name
   * @param hint what the payload would say, for conditional listeners (the attempt outcome of `end`, `"gaveUp"` for `failed`)
   * @returns true when an unconditional listener is registered or a conditional one's `wanted` says yes
   */
  has(type: keyof Events, hint?: string): boolean {
    return wants(this.slot(type), hint);
  }

  /**
   * The record of event `type`: created on first use and never replaced,
   * so a hot path can hold it and ask {@link wants} without a lookup.
   *
   * @param type event name
   * @returns its listeners, unconditional count and gates
   */
  slot(type: keyof Events): Slot {
    let slot = this.#slots.get(type);
    if (slot === undefined) this.#slots.set(type, slot = { listeners: new Set(), always: 0, gates: [] });
    return slot;
  }

  /**
   * Call every listener of `type` with `payload`, in the order they were
   * added; never throws, and a returned promise's rejection goes to
   * `onListenerError`.
   *
   * @param type event name
   * @param payload the event payload
   */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    for (const listener of this.slot(type).listeners) {
      let result: unknown;
      try {
        result = (listener as Listener<Events, K>)(payload);
      } catch (error) {
        this.#onListenerError(error, type);
        continue;
      }
      if (result !== undefined) observeRejection(result, (error) => this.#onListenerError(error, type));
    }
  }
}

/**
 * Whether an event has a listener that wants it now (see {@link Emitter.has}).
 *
 * @param slot the event's record, from {@link Emitter.slot}
 * @param hint what the payload would say, for conditional listeners
 * @returns true when an unconditional listener is registered or a conditional one's `wanted` says yes
 */
export function wants(slot: Slot, hint?: string): boolean {
  if (slot.always > 0) return true;
  const gates = slot.gates;
  for (let i = 0; i < gates.length; i++) if (gates[i]!(hint)) return true;
  return false;
}
