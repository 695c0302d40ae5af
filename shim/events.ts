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
 * The supervisor's events and their payloads: `start` (an attempt begins),
 * `end` (an attempt's factory settled), `restart` (a restart is scheduled
 * after a backoff), `failed` (the task is marked failed), `exit` (the task
 * left `running`/`restarting` for good). The logger and the
 * diagnostics_channel publisher are listeners like any other.
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
  start: TaskEventInfo;
  end: TaskEventInfo & {
    /** How the attempt ended; `aborted` when the task's signal had aborted by then. */
    outcome: "returned" | "threw" | "aborted";
    /** Attempt duration in ms (clock time). */
    durationMs: number;
    /** The thrown value, when `outcome` is `threw` (or `aborted` after a throw). */
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
}

/** A listener for event `K` of `Events`. */
export type Listener<Events, K extends keyof Events> = (payload: Events[K]) => void;

/**
 * A small synchronous typed event emitter. Listener exceptions are caught and
 * handed to `onListenerError`, so emitting never throws into the supervisor.
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  readonly #onListenerError: (error: unknown, type: keyof Events) => void;

  /**
   * Create an emitter.
   *
   * @param onListenerError called with whatever a listener threw
   */
  constructor(onListenerError: (error: unknown, type: keyof Events) => void) {
    this.#onListenerError = onListenerError;
  }

  /**
   * Add a listener.
   *
   * @param type event name
   * @param listener called synchronously with the payload
   * @returns a function that removes the listener
   */
  on<K extends keyof Events>(type: K, listener: Listener<Events, K>): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  /**
   * Whether event `type` has listeners (lets callers skip building payloads).
   *
   * @param type event name
   * @returns true when at least one listener is registered
   */
  has(type: keyof Events): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  /**
   * Call every listener of `type` with `payload`; never throws.
   *
   * @param type event name
   * @param payload the event payload
   */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as Listener<Events, K>)(payload);
      } catch (error) {
        try {
          this.#onListenerError(error, type);
        } catch {
          // A failing error reporter must not break the supervisor either.
        }
      }
    }
  }
}
