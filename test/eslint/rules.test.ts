/**
 * The plugin's rules under ESLint's RuleTester, with typescript-eslint's
 * typed parser: for each rule the sites it reports (kind, group and reason
 * in the message), the groups its options choose, the sites it leaves
 * (handled, ignored by a spawn-audit comment), and the suggestions with the
 * code each one produces.
 */
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RuleTester } from "eslint";
import plugin from "../../eslint-plugin/src/plugin.ts";
import { typedLanguageOptions, typedProject } from "./support.ts";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const project = typedProject();
after(project.remove);
// One file name for every case: typescript-eslint's default project holds a few files only.
const filename = join(project.dir, "service.ts");
const tester = new RuleTester({ languageOptions: typedLanguageOptions(project.dir) });

/** Gives every case the shared file name. */
function cases<T extends { code: string }>(list: T[]): (T & { filename: string })[] {
  return list.map((item) => ({ ...item, filename }));
}

const SAVE = "declare function save(): Promise<void>;\n";
const CATCH = ".catch((error) => console.error(error))";
const STRICT = [{ groups: ["durable", "per-request"] }];

tester.run("spawn-audit/timers", plugin.rules["timers"]!, {
  valid: cases([
    {
      name: "a callback that catches everything is handled",
      code:
        'setInterval(() => { try { JSON.parse("x"); } catch (error) { console.error(error); } }, 1000);\nexport {};',
    },
    {
      name: "a one-shot timer in a function is per-request: not reported by default",
      code: 'export function handle() {\n  setTimeout(() => { JSON.parse("x"); }, 10);\n}',
    },
    {
      name: "a spawn-audit ignore comment silences the site",
      code:
        '// spawn-audit-ignore-next-line interval -- a demo\nsetInterval(() => { JSON.parse("x"); }, 1000);\nexport {};',
    },
  ]),
  invalid: cases([
    {
      name: "options: overrides make a callee's sites durable; shimImport is what the suggestion imports",
      code: 'export function handle() {\n  setTimeout(() => { JSON.parse("x"); }, 10);\n}',
      options: [{ overrides: [{ callees: ["setTimeout"], group: "durable" }], shimImport: "@acme/supervision" }],
      errors: [{
        messageId: "timeout",
        data: { group: "durable", kind: "timeout", reason: "group set by config (durable)" },
        line: 2,
        suggestions: [{
          messageId: "supervise",
          data: { supervisor: "failures to the shim's logger" },
          output:
            'import { logFailure } from "@acme/supervision";\n\nexport function handle() {\n  setTimeout(() => { try { JSON.parse("x"); } catch (error) { logFailure("handle.parse", error); } }, 10);\n}',
        }],
      }],
    },
    {
      name: "a top-level interval whose callback can throw is durable; the codemod's edit is offered",
      code: 'setInterval(() => { JSON.parse("x"); }, 1000);\nexport {};',
      errors: [{
        messageId: "interval",
        data: {
          group: "durable",
          kind: "interval",
          reason:
            "work recurring: setInterval repeats until something else clears it; started long-lived: started at module top level, once per process",
        },
        line: 1,
        column: 1,
        endColumn: 46,
        suggestions: [{
          messageId: "supervise",
          data: { supervisor: "failures to the shim's logger" },
          output:
            'import { logFailure } from "@spawn-audit/shim";\n\nsetInterval(() => { try { JSON.parse("x"); } catch (error) { logFailure("service.parse", error); } }, 1000);\nexport {};',
        }],
      }],
    },
    {
      name: "with per-request in its groups, a one-shot timer in a function is reported",
      code: 'export function handle() {\n  setTimeout(() => { JSON.parse("x"); }, 10);\n}',
      options: STRICT,
      errors: [{
        messageId: "timeout",
        data: {
          group: "per-request",
          kind: "timeout",
          reason: "work one-shot: a one-shot timer or deferral that is not rescheduled",
        },
        line: 2,
        suggestions: [{
          messageId: "supervise",
          data: { supervisor: "failures to the shim's logger" },
          output:
            'import { logFailure } from "@spawn-audit/shim";\n\nexport function handle() {\n  setTimeout(() => { try { JSON.parse("x"); } catch (error) { logFailure("handle.parse", error); } }, 10);\n}',
        }],
      }],
    },
  ]),
});

tester.run("spawn-audit/floating-promise", plugin.rules["floating-promise"]!, {
  valid: cases([
    { name: "a caught promise is handled", code: `${SAVE}save().catch(() => undefined);\nexport {};` },
    { name: "an awaited promise is no site", code: `${SAVE}export async function run() {\n  await save();\n}` },
    {
      name: "a one-shot promise in a function is per-request: not reported by default",
      code: `${SAVE}export function handle() {\n  save();\n}`,
    },
  ]),
  invalid: cases([
    {
      name: "a loop started at the top level is durable: spawnSupervised, or a .catch",
      code: `${SAVE}async function loop() { while (true) await save(); }\nloop();\nexport {};`,
      errors: [{
        messageId: "floating-promise",
        data: {
          group: "durable",
          kind: "floating-promise",
          reason:
            "work recurring: the called function loops until stopped (while (true)); started long-lived: started at module top level, once per process",
        },
        line: 3,
        suggestions: [
          {
            messageId: "supervise",
            data: { supervisor: "restarted under spawnSupervised" },
            output:
              `import { spawnSupervised } from "@spawn-audit/shim";\n\n${SAVE}async function loop() { while (true) await save(); }\nspawnSupervised("service.loop", () => loop());\nexport {};`,
          },
          {
            messageId: "catch",
            output: `${SAVE}async function loop() { while (true) await save(); }\nloop()${CATCH};\nexport {};`,
          },
        ],
      }],
    },
    {
      name:
        "in an async function: the codemod's Promise.resolve(…).catch (save is only declared), a .catch (parenthesised where needed) or await, for each promise kind",
      code:
        `${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void save();\n  save().then(() => 1);\n  (async () => { await save(); })();\n}`,
      options: STRICT,
      errors: [
        {
          messageId: "floating-promise",
          line: 3,
          suggestions: [
            {
              messageId: "supervise",
              data: { supervisor: "failures to the shim's logger" },
              output:
                `import { logFailure } from "@spawn-audit/shim";\n\n${SAVE}export async function handle(flag: boolean) {\n  Promise.resolve(flag ? save() : save()).catch((error) => logFailure("handle.floating-promise", error));\n  void save();\n  save().then(() => 1);\n  (async () => { await save(); })();\n}`,
            },
            {
              messageId: "catch",
              output:
                `${SAVE}export async function handle(flag: boolean) {\n  (flag ? save() : save())${CATCH};\n  void save();\n  save().then(() => 1);\n  (async () => { await save(); })();\n}`,
            },
            {
              messageId: "await",
              output:
                `${SAVE}export async function handle(flag: boolean) {\n  await (flag ? save() : save());\n  void save();\n  save().then(() => 1);\n  (async () => { await save(); })();\n}`,
            },
          ],
        },
        {
          messageId: "void-promise",
          line: 4,
          suggestions: [
            {
              messageId: "supervise",
              data: { supervisor: "failures to the shim's logger" },
              output:
                `import { logFailure } from "@spawn-audit/shim";\n\n${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void Promise.resolve(save()).catch((error) => logFailure("handle.save", error));\n  save().then(() => 1);\n  (async () => { await save(); })();\n}`,
            },
            {
              messageId: "catch",
              output:
                `${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void save()${CATCH};\n  save().then(() => 1);\n  (async () => { await save(); })();\n}`,
            },
            {
              messageId: "await",
              output:
                `${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  await save();\n  save().then(() => 1);\n  (async () => { await save(); })();\n}`,
            },
          ],
        },
        {
          messageId: "then-without-catch",
          data: {
            group: "per-request",
            kind: "then-without-catch",
            reason: "work one-shot: a single call: no loop or restart found in save",
          },
          line: 5,
          suggestions: [
            {
              messageId: "supervise",
              data: { supervisor: "failures to the shim's logger" },
              output:
                `import { logFailure } from "@spawn-audit/shim";\n\n${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void save();\n  save().then(() => 1).catch((error) => logFailure("handle.save", error));\n  (async () => { await save(); })();\n}`,
            },
            {
              messageId: "catch",
              output:
                `${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void save();\n  save().then(() => 1)${CATCH};\n  (async () => { await save(); })();\n}`,
            },
            {
              messageId: "await",
              output:
                `${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void save();\n  await save().then(() => 1);\n  (async () => { await save(); })();\n}`,
            },
          ],
        },
        {
          messageId: "async-iife",
          line: 6,
          suggestions: [
            {
              messageId: "supervise",
              data: { supervisor: "failures to the shim's logger" },
              output:
                `import { logFailure } from "@spawn-audit/shim";\n\n${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void save();\n  save().then(() => 1);\n  (async () => { await save(); })().catch((error) => logFailure("handle.save", error));\n}`,
            },
            {
              messageId: "catch",
              output:
                `${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void save();\n  save().then(() => 1);\n  (async () => { await save(); })()${CATCH};\n}`,
            },
            {
              messageId: "await",
              output:
                `${SAVE}export async function handle(flag: boolean) {\n  flag ? save() : save();\n  void save();\n  save().then(() => 1);\n  await (async () => { await save(); })();\n}`,
            },
          ],
        },
      ],
    },
  ]),
});

tester.run("spawn-audit/async-listener", plugin.rules["async-listener"]!, {
  valid: cases([
    {
      name: "a listener whose body catches everything is handled",
      code:
        `${SAVE}declare const emitter: { on(event: string, listener: () => void): void };\nemitter.on("tick", async () => {\n  try { await save(); } catch (error) { console.error(error); }\n});`,
      options: STRICT,
    },
    {
      name: "one-shot listeners are per-request: not reported by default",
      code:
        `${SAVE}declare const emitter: { on(event: string, listener: () => void): void };\nemitter.on("tick", async () => { await save(); });`,
    },
  ]),
  invalid: cases([
    {
      name: "an async function passed as a void listener and to forEach; the codemod's try/catch is offered",
      code:
        `${SAVE}declare const emitter: { on(event: string, listener: () => void): void };\nemitter.on("tick", async () => { await save(); });\n[1, 2].forEach(async () => { await save(); });`,
      options: STRICT,
      errors: [
        {
          messageId: "async-listener",
          data: {
            group: "per-request",
            kind: "async-listener",
            reason: "work one-shot: no evidence that the work recurs; taken as one-shot",
          },
          line: 3,
          column: 20,
          suggestions: [{
            messageId: "supervise",
            data: { supervisor: "failures to the shim's logger" },
            output:
              `import { logFailure } from "@spawn-audit/shim";\n\n${SAVE}declare const emitter: { on(event: string, listener: () => void): void };\nemitter.on("tick", async () => { try { await save(); } catch (error) { logFailure("service.tick", error); } });\n[1, 2].forEach(async () => { await save(); });`,
          }],
        },
        {
          messageId: "async-listener",
          data: {
            group: "per-request",
            kind: "async-listener",
            reason: "work one-shot: no evidence that the work recurs; taken as one-shot",
          },
          line: 4,
          suggestions: [{
            messageId: "supervise",
            data: { supervisor: "failures to the shim's logger" },
            output:
              `import { logFailure } from "@spawn-audit/shim";\n\n${SAVE}declare const emitter: { on(event: string, listener: () => void): void };\nemitter.on("tick", async () => { await save(); });\n[1, 2].forEach(async () => { try { await save(); } catch (error) { logFailure("service.forEach", error); } });`,
          }],
        },
      ],
    },
  ]),
});

tester.run("spawn-audit/worker", plugin.rules["worker"]!, {
  valid: cases([
    {
      name: "a worker with an error listener is handled",
      code: 'const worker = new Worker("./w.js");\nworker.onerror = (event) => console.error(event);\nexport {};',
    },
    {
      name: "a worker started per task and terminated by it is per-request: not reported by default",
      code:
        'export function handle() {\n  const worker = new Worker("./w.js");\n  worker.postMessage(1);\n  worker.addEventListener("message", () => worker.terminate());\n}',
    },
    {
      name: "a spawn-audit ignore comment silences the site",
      code:
        '// spawn-audit-ignore-next-line worker -- a demo\nconst worker = new Worker("./w.js");\nworker.postMessage(1);\nexport {};',
    },
  ]),
  invalid: cases([
    {
      name:
        "with per-request in its groups, a worker started per task is reported, with no suggestion (fix leaves it to be supervised by hand)",
      code:
        'export function handle() {\n  const worker = new Worker("./w.js");\n  worker.postMessage(1);\n  worker.addEventListener("message", () => worker.terminate());\n}',
      options: STRICT,
      errors: [{
        messageId: "worker",
        data: {
          group: "per-request",
          kind: "worker",
          reason:
            "work one-shot: the worker is terminated by the flow that started it (worker.terminate() in handle that started it): it runs for one task",
        },
        line: 2,
        suggestions: [],
      }],
    },
    {
      name: "a worker started at the top level without an error listener is durable; logWorker is offered",
      code: 'const worker = new Worker("./w.js");\nworker.postMessage(1);\nexport {};',
      errors: [{
        messageId: "worker",
        data: {
          group: "durable",
          kind: "worker",
          reason:
            "work recurring: a worker runs until terminated; started long-lived: started at module top level, once per process",
        },
        line: 1,
        column: 16,
        suggestions: [{
          messageId: "supervise",
          data: { supervisor: "under logWorker" },
          output:
            'import { logWorker } from "@spawn-audit/shim";\n\nconst worker = logWorker("service.worker", new Worker("./w.js"));\nworker.postMessage(1);\nexport {};',
        }],
      }],
    },
  ]),
});
