import { describeFixCases } from "../../test/fix/support.ts";

describeFixCases("async-listener fix: the listener body runs under spawnLogged", [
  {
    name: "an async arrow listener keeps its parameters and loses async; the import merges into an existing one",
    code: `import { EventEmitter } from "node:events";
import { spawnSupervised } from "spawn-audit/shim";
declare function save(message: string): Promise<void>;
export const bus = new EventEmitter();
bus.on("message", async (message: string) => {
  await save(message);
});
spawnSupervised("keep", () => save("x"));
`,
    expected: `import { EventEmitter } from "node:events";
import { spawnSupervised, spawnLogged } from "spawn-audit/shim";
declare function save(message: string): Promise<void>;
export const bus = new EventEmitter();
bus.on("message", (message: string) => spawnLogged("case-1.message", async () => {
  await save(message);
}));
spawnSupervised("keep", () => save("x"));
`,
  },
  {
    name: "an async function listener keeps this: the body moves into an arrow inside it",
    code: `declare function save(text: string): Promise<void>;
export function attach(target: EventTarget): void {
  target.addEventListener("change", async function (this: EventTarget, event: Event) {
    await save(String(this) + event.type);
  });
}
`,
    expected: `import { spawnLogged } from "spawn-audit/shim";

declare function save(text: string): Promise<void>;
export function attach(target: EventTarget): void {
  target.addEventListener("change", function (this: EventTarget, event: Event) { spawnLogged("attach.change", async () => {
    await save(String(this) + event.type);
  }); });
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
