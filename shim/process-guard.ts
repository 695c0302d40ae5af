/**
 * The process guard: counts and logs, through a supervisor, the failures
 * that escaped every supervised task — unhandled promise rejections and
 * uncaught exceptions — so what is still unsupervised shows up in the logs
 * and in `guardStats()`.
 *
 * @module
 */
import { lastResort } from "./guard.ts";
import { nodeProcess, type RuntimeGlobals } from "./runtime.ts";
import { errorMessage } from "./serialize.ts";
import type { UnsupervisedKind } from "./types.ts";

/** What the guard needs of a supervisor: somewhere to report (see `TaskSupervisor.reportUnsupervised`). */
export interface UnsupervisedSink {
  /** Count and log one failure outside any task; must not throw. */
  reportUnsupervised(kind: UnsupervisedKind, error: unknown): void;
}

/** The globals the guard looks at to choose between Node's `process` events and web events (see runtime.ts). */
export type GuardGlobals = RuntimeGlobals;

/**
 * Options of {@link installProcessGuard}.
 *
 * @example
 * ```ts
 * import { installProcessGuard, TaskSupervisor } from "spawn-audit/shim";
 * const dispose = installProcessGuard(new TaskSupervisor(), { preventExit: true });
 * ```
 */
export interface ProcessGuardOptions {
  /**
   * Keep the process (or page) alive after an unhandled rejection or an
   * uncaught exception, instead of the runtime's own policy (default
   * `false`: Node and Deno still exit with their usual non-zero code, a
   * browser still reports the error on the console). A process that goes
   * on after an uncaught exception may be in an inconsistent state.
   */
  preventExit?: boolean;
  /** The global object to watch (default `globalThis`); for tests and other realms. */
  globals?: GuardGlobals;
}

/**
 * Watch the runtime for failures no supervised task owned, and report each
 * to `supervisor` (`reportUnsupervised`: one `error` log line with `event`
 * and `err`, counted in `guardStats()`).
 *
 * - Node and Bun, recognised by `process.versions.node`: without
 *   `preventExit`, one `uncaughtExceptionMonitor` listener, which sees both
 *   an uncaught exception and an unhandled rejection that Node raises as one
 *   (its default `--unhandled-rejections=throw`) and changes nothing in
 *   Node's handling, so the process exits as it would have (code 1). Under
 *   `--unhandled-rejections=warn|none`, or when another `unhandledRejection`
 *   listener already handles rejections, Node raises nothing and the guard
 *   sees nothing, because listening to `unhandledRejection` itself would
 *   switch Node's exit off. With `preventExit`, `unhandledRejection` and
 *   `uncaughtException` listeners instead, whose presence keeps Node running.
 *   Bun does not tell the monitor about unhandled rejections, so on Bun
 *   (a global `Bun`) without `preventExit` an `unhandledRejection` listener
 *   reports them too; when no other listener handles rejections it removes
 *   itself and rejects a new promise with the same reason (with the
 *   watched realm's `Promise`), which Bun handles as it would have without
 *   the guard: it prints the error and exits with code 1.
 * - Deno and web runtimes: `unhandledrejection` and `error` listeners on the
 *   global object; with `preventExit` they call `event.preventDefault()`,
 *   which keeps Deno running and a browser quiet.
 * - Anywhere else nothing is installed.
 *
 * Installing twice adds a second set of listeners (each failure is then
 * reported twice). The guard never throws into the runtime's dispatch.
 *
 * @param supervisor where failures are counted and logged
 * @param options `preventExit`, `globals`
 * @returns a disposer removing every listener this call added (calling it again does nothing)
 * @example
 * ```ts
 * import { defaultSupervisor, installProcessGuard } from "spawn-audit/shim";
 * const dispose = installProcessGuard(defaultSupervisor);
 * // …
 * dispose();
 * ```
 */
export function installProcessGuard(supervisor: UnsupervisedSink, options: ProcessGuardOptions = {}): () => void {
  const globals = options.globals ?? (globalThis as GuardGlobals);
  const preventExit = options.preventExit === true;
  const report = (kind: UnsupervisedKind, error: unknown): void => {
    try {
      supervisor.reportUnsupervised(kind, error);
    } catch (failure) {
      lastResort(`the process guard could not report an ${kind}: ${errorMessage(failure)}`);
    }
  };
  const node = nodeProcess(globals);
  if (node !== undefined) {
    // What Bun raises for an unhandled rejection never reaches uncaughtExceptionMonitor: a listener sees it instead, and
    // when it is the only one, raises the rejection again without itself, so Bun ends the process as it would have.
    let raisedAgain: { reason: unknown } | undefined;
    const onBunRejection = (reason: unknown): void => {
      report("unhandledRejection", reason);
      if ((node.listenerCount?.("unhandledRejection") ?? 1) > 1) return;
      node.removeListener("unhandledRejection", onBunRejection);
      raisedAgain = { reason };
      void (globals.Promise ?? Promise).reject(reason);
    };
    const added: Array<[string, (...args: never[]) => void]> = preventExit
      ? [
        ["unhandledRejection", (reason: unknown) => report("unhandledRejection", reason)],
        ["uncaughtException", (error: unknown) => report("uncaughtException", error)],
      ]
      : [
        ["uncaughtExceptionMonitor", (error: unknown, origin: unknown) => {
          if (raisedAgain !== undefined && raisedAgain.reason === error) return;
          report(origin === "unhandledRejection" ? "unhandledRejection" : "uncaughtException", error);
        }],
        ...(globals.Bun === undefined
          ? []
          : [["unhandledRejection", onBunRejection] as [string, typeof onBunRejection]]),
      ];
    for (const [event, listener] of added) node.on(event, listener);
    return once(() => {
      for (const [event, listener] of added) node.removeListener(event, listener);
    });
  }
  const { addEventListener: add, removeEventListener: remove } = globals;
  if (typeof add !== "function" || typeof remove !== "function") return () => {};
  const onRejection = (event: Event): void => {
    report("unhandledRejection", (event as Event & { reason?: unknown }).reason);
    if (preventExit) event.preventDefault();
  };
  const onError = (event: Event): void => {
    const { error, message } = event as Event & { error?: unknown; message?: unknown };
    report("uncaughtException", error ?? message);
    if (preventExit) event.preventDefault();
  };
  add.call(globals, "unhandledrejection", onRejection);
  add.call(globals, "error", onError);
  return once(() => {
    remove.call(globals, "unhandledrejection", onRejection);
    remove.call(globals, "error", onError);
  });
}

/** `fn` callable any number of times, running once. */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
