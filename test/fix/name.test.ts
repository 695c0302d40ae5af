/**
 * Task names: where the site is (class and method, named function, file)
 * and what it runs (the callee through promise chains and emits), unique
 * per file with a suffix only for names two sites really share.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ts } from "ts-morph";
import { TaskNamer, workName } from "../../src/fix/name.ts";

/**
 * The names given, in source order, to the argument of every `site(…)` call
 * in `code`: each named after what it runs ({@link workName}), or `kind`.
 */
function names(code: string, fileName = "/project/src/jobs.ts"): string[] {
  const sourceFile = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const namer = new TaskNamer(sourceFile);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "site") {
      const argument = node.arguments[0]!;
      found.push(JSON.parse(namer.nameFor(argument, workName(argument) ?? "kind")) as string);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

describe("task names", () => {
  test("a class member's site is named Class.method.callee, through promise chains", () => {
    assert.deepEqual(
      names(`
      class Runner {
        runTask() {
          site(this.execute().then(done).catch(report).finally(close));
          queue.forEach(() => site(load(job)));
        }
        handler = async () => { site(await this.flush()); };
        timer = site(setInterval(() => 1, 5));
      }`),
      ["Runner.runTask.execute", "Runner.runTask.load", "Runner.handler.flush", "Runner.setInterval"],
    );
  });

  test("an emit is named after its event, a held promise after its holder, a function after the one call it makes", () => {
    assert.deepEqual(
      names(`
      function send(bus, event) {
        site(bus.emit("flush"));
        site(bus.emitAsync(EVENTS.close));
        site(this.ready.then(go));
        site(() => { void tick(); });
        site(async function drain() { await a(); await b(); });
        site((async () => { await a(); await b(); })());
      }`),
      ["send.flush", "send.close", "send.ready", "send.tick", "send.drain", "send.kind"],
    );
  });

  test("a prototype method gets its constructor's name; a named inner function is the scope (after a class around it), not the anonymous callback", () => {
    assert.deepEqual(
      names(`
      Bree.prototype.start = function () { site(this.run(name)); };
      function makeWorker() {
        async function doNext() { [1].map(() => site(release())); }
      }
      const Anon = class { stop() { site(close()); } };
      class Client { connect() { this.conn.onerror = () => site(this.disconnect()); } }`),
      ["Bree.start.run", "doNext.release", "Anon.stop.close", "Client.onerror.disconnect"],
    );
  });

  test("top-level sites take the file stem, or the folder for index/mod/main", () => {
    assert.deepEqual(names("site(poll());", "/project/src/scheduler.ts"), ["scheduler.poll"]);
    assert.deepEqual(names("site(poll());", "/project/src/queue/index.ts"), ["queue.poll"]);
  });

  test("a suffix only when two sites share a name; names already given in the file are reserved", () => {
    assert.deepEqual(
      names(`
      spawnLogged("Poller.loop.tick", x);
      class Poller {
        loop() { site(tick()); site(tick()); site(other()); }
        other() { site(tick()); }
      }`),
      ["Poller.loop.tick-2", "Poller.loop.tick-3", "Poller.loop.other", "Poller.other.tick"],
    );
  });
});
