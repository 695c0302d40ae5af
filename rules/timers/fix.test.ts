import { describeFixCases } from "../../test/fix/support.ts";

describeFixCases("timers fix: each tick catches its own failure, the timer is kept", [
  {
    name: "an arrow callback's expression body becomes a try block and the import is added at the top",
    code: `declare function tick(): void;
setInterval(() => tick(), 1000);
export {};
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function tick(): void;
setInterval(() => { try { tick(); } catch (error) { logFailure("case-1.tick", error); } }, 1000);
export {};
`,
  },
  {
    name: "an async block body keeps its statements, the timer id still clears the timer",
    code: `import { readFile } from "node:fs/promises";
export function start(): void {
  const handle = setInterval(async () => {
    const text = await readFile("jobs.json", "utf8");
    process.stdout.write(String(text.length));
  }, 5_000);
  process.once("SIGTERM", () => clearInterval(handle));
}
`,
    expected: `import { readFile } from "node:fs/promises";
import { logFailure } from "@spawn-audit/shim";
export function start(): void {
  const handle = setInterval(async () => {
    try {
      const text = await readFile("jobs.json", "utf8");
      process.stdout.write(String(text.length));
    } catch (error) {
      logFailure("start.interval", error);
    }
  }, 5_000);
  process.once("SIGTERM", () => clearInterval(handle));
}
`,
  },
  {
    name: "a named callback is called from an arrow that catches, without arguments (a timer passes none)",
    code: `function beat(): void { process.stdout.write("beat"); }
function flush(force?: boolean): void { process.stdout.write(String(force)); }
setInterval(beat, 1000);
setInterval(flush, 1000);
export {};
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

function beat(): void { process.stdout.write("beat"); }
function flush(force?: boolean): void { process.stdout.write(String(force)); }
setInterval(() => { try { beat(); } catch (error) { logFailure("case-3.beat", error); } }, 1000);
setInterval(() => { try { flush(); } catch (error) { logFailure("case-3.flush", error); } }, 1000);
export {};
`,
  },
  {
    name: "a named callback given extra timer arguments is skipped",
    code: `function report(label: string): void { process.stdout.write(label); }
setInterval(report, 1000, "stats");
export {};
`,
    skips: [/extra arguments/],
  },
  {
    name:
      "a self-rescheduling tick reschedules in a finally, after a deliberate stop; a function callback keeps this; names get a suffix only when shared",
    code: `declare function pollOnce(): Promise<void>;
declare function record(): void;
export class Poller {
  running = true;
  loop(): void {
    if (!this.running) return;
    setTimeout(function (this: unknown) {
      void pollOnce();
    }, 100);
    record();
    setTimeout(() => this.loop(), 100);
  }
}
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function pollOnce(): Promise<void>;
declare function record(): void;
export class Poller {
  running = true;
  loop(): void {
    if (!this.running) return;
    try {
      setTimeout(function (this: unknown) {
        try {
          void Promise.resolve(pollOnce()).catch((error) => logFailure("Poller.loop.pollOnce-2", error));
        } catch (error) {
          logFailure("Poller.loop.pollOnce", error);
        }
      }, 100);
      record();
    } finally {
      setTimeout(() => { try { this.loop(); } catch (error) { logFailure("Poller.loop.loop", error); } }, 100);
    }
  }
}
`,
  },
  {
    name:
      "a loop rescheduled from its callback keeps calling itself after a failing step; a name used after the step is skipped",
    code: `declare function step(): number;
export function poll(): void {
  setTimeout(() => {
    step();
    poll();
  }, 50);
}
export function count(): void {
  setTimeout(() => {
    const done = step();
    count();
    if (done > 3) return;
  }, 50);
}
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function step(): number;
export function poll(): void {
  setTimeout(() => {
    try {
      try {
        step();
      } finally {
        poll();
      }
    } catch (error) {
      logFailure("poll.timeout", error);
    }
  }, 50);
}
export function count(): void {
  setTimeout(() => {
    const done = step();
    count();
    if (done > 3) return;
  }, 50);
}
`,
    skips: [/`done` is declared before the rescheduling and used after it.*a failing tick would end the schedule/],
  },
  {
    name:
      "an interval started inside a timeout gets its own per-tick catch; the timeout, which only starts it, cannot fail",
    code: `declare function tick(): void;
setTimeout(() => {
  setInterval(() => tick(), 1000);
}, 10);
export {};
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function tick(): void;
setTimeout(() => {
  setInterval(() => { try { tick(); } catch (error) { logFailure("case-7.tick", error); } }, 1000);
}, 10);
export {};
`,
  },
  {
    name: "a callback that is neither a function nor a name is skipped",
    code: `declare function makeTick(): () => void;
setInterval(makeTick(), 1000);
export {};
`,
    skips: [/neither a function nor a name/],
  },
  {
    name: "the body is indented by the file's unit, which a JSDoc comment's one-space lines do not set",
    code: `declare function tick(): void;
/**
 * Starts ticking.
 */
export function start(): void {
  setInterval(() => {
    tick();
  }, 5);
}
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function tick(): void;
/**
 * Starts ticking.
 */
export function start(): void {
  setInterval(() => {
    try {
      tick();
    } catch (error) {
      logFailure("start.tick", error);
    }
  }, 5);
}
`,
  },
  {
    name:
      "work set up in a new Promise executor that settles the promise fails to its reject (a second parameter added when missing); an interval, a nested function, a shadowed reject or work that settles nothing keep the logger",
    code: `declare function work(): void;
export function delay(ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(() => {
      work();
      resolve();
    }, ms);
  });
}
export function poll(ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const id = setInterval(() => {
      work();
      clearInterval(id);
      resolve();
    }, ms);
    setTimeout(() => reject(new Error("timed out")), ms * 10);
  });
}
export function shadowed(ms: number): Promise<void> {
  return new Promise<void>((resolve, fail) => {
    setTimeout(() => {
      const fail = (): void => work();
      fail();
      resolve();
    }, ms);
    if (ms < 0) fail(new RangeError("negative delay"));
  });
}
export function nested(ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const later = (): void => {
      setTimeout(() => {
        work();
        resolve();
      }, ms);
    };
    later();
  });
}
export function unsettled(ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(() => work(), ms);
    resolve();
  });
}
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function work(): void;
export function delay(ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    setTimeout(() => {
      try {
        work();
        resolve();
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
}
export function poll(ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const id = setInterval(() => {
      try {
        work();
        clearInterval(id);
        resolve();
      } catch (error) {
        logFailure("poll.interval", error);
      }
    }, ms);
    setTimeout(() => reject(new Error("timed out")), ms * 10);
  });
}
export function shadowed(ms: number): Promise<void> {
  return new Promise<void>((resolve, fail) => {
    setTimeout(() => {
      try {
        const fail = (): void => work();
        fail();
        resolve();
      } catch (error) {
        logFailure("shadowed.timeout", error);
      }
    }, ms);
    if (ms < 0) fail(new RangeError("negative delay"));
  });
}
export function nested(ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const later = (): void => {
      setTimeout(() => {
        try {
          work();
          resolve();
        } catch (error) {
          logFailure("later.timeout", error);
        }
      }, ms);
    };
    later();
  });
}
export function unsettled(ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(() => { try { work(); } catch (error) { logFailure("unsettled.work", error); } }, ms);
    resolve();
  });
}
`,
  },
]);
