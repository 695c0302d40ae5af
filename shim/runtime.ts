/**
 * Which runtime the shim runs on, judged from its globals alone (nothing is
 * imported or probed, so a browser sees no failed import on its console),
 * and the two things the shim takes from a server runtime: Node's `process`
 * events and a built-in module such as `node:diagnostics_channel`.
 *
 * @module
 */

/**
 * The globals that tell runtimes apart; every field is optional, so a test
 * or another realm can pass a stand-in for `globalThis`.
 */
export interface RuntimeGlobals {
  /** Node's and Bun's `process` (Deno 2 has one too). */
  process?: unknown;
  /** Present on Deno, which gets the web events although it also has a `process`. */
  Deno?: unknown;
  /** Present on Bun. */
  Bun?: unknown;
  /** The realm's `Promise`, which the process guard rejects with on Bun (see process-guard.ts); default the shim's own. */
  Promise?: Pick<PromiseConstructor, "reject">;
  /** The global event target of web runtimes and Deno. */
  addEventListener?: (type: string, listener: (event: Event) => void) => void;
  /** Its counterpart. */
  removeEventListener?: (type: string, listener: (event: Event) => void) => void;
}

/** The part of Node's `process` the shim uses. */
export interface ProcessLike {
  versions?: { node?: unknown };
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  /** How many listeners `event` has (the process guard asks on Bun; absent: the guard takes its own as the only one). */
  listenerCount?(event: string): number;
  /** Node 20.16+, Deno and Bun: a built-in module by specifier, synchronously. */
  getBuiltinModule?(specifier: string): unknown;
}

/**
 * Whether the runtime is a server one: Node (`process.versions.node`), Deno
 * (`Deno.version`) or Bun (`Bun`). A browser has none of these (a bundler's
 * `process` stand-in has no `versions.node`). A global whose getter throws
 * counts as a browser.
 *
 * @param globals the global object (default `globalThis`)
 * @returns true on Node, Deno and Bun
 */
export function isServerRuntime(globals: RuntimeGlobals = globalThis as RuntimeGlobals): boolean {
  try {
    const { process, Deno, Bun } = globals as {
      process?: { versions?: { node?: unknown } };
      Deno?: { version?: unknown };
      Bun?: unknown;
    };
    return typeof process?.versions?.node === "string" || Deno?.version !== undefined || Bun !== undefined;
  } catch {
    return false;
  }
}

/**
 * Node's (or Bun's) `process`, when the shim should listen to its events:
 * `process.versions.node` is a string, `on` and `removeListener` are
 * functions, and the runtime is not Deno (whose native events are the web
 * ones on the global object).
 *
 * @param globals the global object (default `globalThis`)
 * @returns the process object, or undefined on Deno, in browsers and elsewhere
 */
export function nodeProcess(globals: RuntimeGlobals = globalThis as RuntimeGlobals): ProcessLike | undefined {
  const candidate = globals.process as Partial<ProcessLike> | undefined;
  if (globals.Deno !== undefined || typeof candidate?.versions?.node !== "string") return undefined;
  if (typeof candidate.on !== "function" || typeof candidate.removeListener !== "function") return undefined;
  return candidate as ProcessLike;
}

/**
 * A built-in module of a server runtime, loaded synchronously through
 * `process.getBuiltinModule` (Node 20.16+, Deno, Bun); nothing is attempted
 * in a browser. Never throws.
 *
 * @param specifier e.g. `"node:diagnostics_channel"`
 * @param globals the global object (default `globalThis`)
 * @returns the module namespace, or undefined where it is not available
 */
export function builtinModule(specifier: string, globals: RuntimeGlobals = globalThis as RuntimeGlobals): unknown {
  if (!isServerRuntime(globals)) return undefined;
  try {
    const load = (globals.process as Partial<ProcessLike> | undefined)?.getBuiltinModule;
    return typeof load === "function" ? load.call(globals.process, specifier) : undefined;
  } catch {
    return undefined;
  }
}
