import { describeFixCases } from "../../test/fix/support.ts";

describeFixCases("timers fix: each tick runs under spawnLogged, the timer is kept", [
  {
    name: "an arrow callback's expression body is wrapped and the import added at the top",
    code: `declare function tick(): void;
setInterval(() => tick(), 1000);
export {};
`,
    expected: `import { spawnLogged } from "spawn-audit/shim";

declare function tick(): void;
setInterval(() => spawnLogged("case-1.tick", () => tick()), 1000);
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
import { spawnLogged } from "spawn-audit/shim";
export function start(): void {
  const handle = setInterval(() => spawnLogged("start.interval", async () => {
    const text = await readFile("jobs.json", "utf8");
    process.stdout.write(String(text.length));
  }), 5_000);
  process.once("SIGTERM", () => clearInterval(handle));
}
`,
  },
  {
    name:
      "a named callback without parameters is handed to spawnLogged; one with parameters is called without arguments",
    code: `function beat(): void { process.stdout.write("beat"); }
function flush(force?: boolean): void { process.stdout.write(String(force)); }
setInterval(beat, 1000);
setInterval(flush, 1000);
export {};
`,
    expected: `import { spawnLogged } from "spawn-audit/shim";

function beat(): void { process.stdout.write("beat"); }
function flush(force?: boolean): void { process.stdout.write(String(force)); }
setInterval(() => spawnLogged("case-3.beat", beat), 1000);
setInterval(() => spawnLogged("case-3.flush", () => flush()), 1000);
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
    name: "a self-rescheduling function callback keeps this and arguments; duplicate names get a suffix",
    code: `import { spawnLogged } from "spawn-audit/shim";
declare function pollOnce(): Promise<void>;
export class Poller {
  stopped = false;
  loop(): void {
    if (this.stopped) throw new Error("stopped");
    setTimeout(function (this: unknown) {
      void pollOnce();
    }, 100);
    setTimeout(() => this.loop(), 100);
    setTimeout(() => this.loop(), 200);
  }
}
`,
    expected: `import { spawnLogged } from "spawn-audit/shim";
declare function pollOnce(): Promise<void>;
export class Poller {
  stopped = false;
  loop(): void {
    if (this.stopped) throw new Error("stopped");
    setTimeout(function (this: unknown) { spawnLogged("Poller.loop.pollOnce", () => {
      spawnLogged("Poller.loop.pollOnce-2", pollOnce());
    }); }, 100);
    setTimeout(() => spawnLogged("Poller.loop.loop", () => this.loop()), 100);
    setTimeout(() => spawnLogged("Poller.loop.loop-2", () => this.loop()), 200);
  }
}
`,
  },
  {
    name:
      "an interval started inside a timeout gets its own per-tick spawnLogged; the timeout, which only starts it, cannot fail",
    code: `declare function tick(): void;
setTimeout(() => {
  setInterval(() => tick(), 1000);
}, 10);
export {};
`,
    expected: `import { spawnLogged } from "spawn-audit/shim";

declare function tick(): void;
setTimeout(() => {
  setInterval(() => spawnLogged("case-6.tick", () => tick()), 1000);
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
]);
