// A manual clock for the shim tests: time moves only when a test says so.
import type { Clock } from "../../shim/clock.ts";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Let every pending promise continuation run (one macrotask turn drains the microtask queue). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A Clock whose time only moves through `advance()`; timers fire in time order. */
export class ManualClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Map<number, Timer>();
  /** Every delay ever scheduled, in ms, in scheduling order. */
  readonly scheduled: number[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.scheduled.push(ms);
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers not yet fired or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Move time forward by `ms`, firing due timers in order and flushing promises between them. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flush();
      let next: [number, Timer] | undefined;
      for (const entry of this.#timers) {
        if (
          entry[1].at <= target &&
          (next === undefined || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq))
        ) {
          next = entry;
        }
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = target;
    await flush();
  }
}
