// Child process for process-guard.test.ts: leaves one failure unsupervised.
// argv: <bare|guard|prevent> <rejection|exception>. Prints the guard's counts on stdout when the process exits.
import process from "node:process";
import { installProcessGuard } from "../../shim/process-guard.ts";
import { TaskSupervisor } from "../../shim/supervisor.ts";

const [mode, kind] = process.argv.slice(2);
const supervisor = new TaskSupervisor(); // the default JSON-lines logger on stderr
if (mode !== "bare") installProcessGuard(supervisor, { preventExit: mode === "prevent" });
process.on("exit", () => {
  process.stdout.write(`${JSON.stringify(supervisor.guardStats())}\n`);
});
if (kind === "rejection") {
  void Promise.reject(new Error("deliberate unsupervised rejection"));
} else {
  queueMicrotask(() => {
    throw new Error("deliberate uncaught exception");
  });
}
