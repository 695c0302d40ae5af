import { describeFixCases } from "../../test/fix/support.ts";

describeFixCases("async-listener fix: the listener catches its own failure, and stays the same function", [
  {
    name: "an async arrow listener keeps its parameters and async; the import merges into an existing one",
    code: `import { EventEmitter } from "node:events";
import { spawnSupervised } from "@spawn-audit/shim";
declare function save(message: string): Promise<void>;
export const bus = new EventEmitter();
bus.on("message", async (message: string) => {
  await save(message);
});
spawnSupervised("keep", () => save("x"));
`,
    expected: `import { EventEmitter } from "node:events";
import { spawnSupervised, logFailure } from "@spawn-audit/shim";
declare function save(message: string): Promise<void>;
export const bus = new EventEmitter();
bus.on("message", async (message: string) => {
  try {
    await save(message);
  } catch (error) {
    logFailure("case-1.message", error);
  }
});
spawnSupervised("keep", () => save("x"));
`,
  },
  {
    name: "an async function listener keeps this",
    code: `declare function save(text: string): Promise<void>;
export function attach(target: EventTarget): void {
  target.addEventListener("change", async function (this: EventTarget, event: Event) {
    await save(String(this) + event.type);
  });
}
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function save(text: string): Promise<void>;
export function attach(target: EventTarget): void {
  target.addEventListener("change", async function (this: EventTarget, event: Event) {
    try {
      await save(String(this) + event.type);
    } catch (error) {
      logFailure("attach.change", error);
    }
  });
}
`,
  },
  {
    name: "a listener passed by name is skipped so off() keeps working",
    code: `import { EventEmitter } from "node:events";
declare function save(message: string): Promise<void>;
export const bus = new EventEmitter();
const onMessage = async (message: string): Promise<void> => { await save(message); };
bus.on("message", onMessage);
`,
    skips: [/passed by name/],
  },
]);
