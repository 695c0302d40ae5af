/**
 * Caller lookups (src/analysis/calls.ts's `callersOf`): every call of a
 * function in the program's own sources, or, for a program given its
 * caller files (`useCallerFiles`, as the result cache gives a program built
 * from part of a plan), the calls in those files only.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ts } from "ts-morph";
import { callersOf, useCallerFiles } from "../src/analysis/calls.ts";
import { rememberProgram } from "../src/analysis/declarations.ts";

const dir = mkdtempSync(join(tmpdir(), "spawn-audit-caller-files-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const files = {
  "ticker.js": "function tick(self) { self.run(); }\nmodule.exports = { tick };\n",
  "a.js": 'const { tick } = require("./ticker");\ntick(1);\n',
  "b.js": 'const { tick } = require("./ticker");\ntick(2);\ntick(3);\n',
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

/** A fresh program of the three files, its checker remembered, and its function `tick`. */
function program(): { program: ts.Program; tick: ts.FunctionDeclaration } {
  const built = ts.createProgram(Object.keys(files).map((name) => join(dir, name)), {
    allowJs: true,
    noEmit: true,
    noLib: true,
  });
  rememberProgram(built);
  const tick = built.getSourceFile(join(dir, "ticker.js"))!.statements.find(ts.isFunctionDeclaration)!;
  return { program: built, tick };
}

/** The first argument of each call, as written, sorted. */
function arguments_(calls: readonly ts.CallExpression[]): string[] {
  return calls.map((call) => call.arguments[0]!.getText()).sort();
}

test("a lookup of callers reads every file of the program's own sources", () => {
  const { program: built, tick } = program();
  assert.deepEqual(arguments_(callersOf(built.getTypeChecker(), tick)), ["1", "2", "3"]);
});

test("given caller files, a lookup reads their calls only, and asks for the function's file and name", () => {
  const { program: built, tick } = program();
  const asked: Array<[string, string | undefined]> = [];
  useCallerFiles(built, (file, name) => {
    asked.push([file, name]);
    return [join(dir, "ticker.js"), join(dir, "b.js")];
  });
  assert.deepEqual(arguments_(callersOf(built.getTypeChecker(), tick)), ["2", "3"]);
  assert.deepEqual(asked, [[built.getSourceFile(join(dir, "ticker.js"))!.fileName, "tick"]]);
});
