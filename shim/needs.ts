import { DependencyError, TaskAbortedError } from "./errors.ts";
import type { TaskSupervisor } from "./supervisor.ts";
import type { TaskFactory } from "./types.ts";

/**
 * One job of a `runJobs` batch: a one-shot with optional `needs:` (names of
 * jobs that must complete first, as daft's background jobs).
 *
 * @example
 * ```ts
 * import type { Job } from "spawn-audit/shim";
 * const jobs: Job[] = [
 *   { name: "migrate", run: () => migrate() },
 *   { name: "warm-cache", needs: ["migrate"], run: (signal) => warm(signal) },
 * ];
 * ```
 */
export interface Job<T = unknown> {
  /** Unique job name (also its task name in the supervisor). */
  name: string;
  /** Jobs that must complete before this one starts. */
  needs?: readonly string[];
  /** The work; receives the task's abort signal. */
  run: TaskFactory<T>;
  /** Task class. */
  class?: string;
}

/**
 * How one job of a `runJobs` batch ended: `skipped` when a job it needs did
 * not complete (the failure/abort cascade), with the reason.
 *
 * @example
 * ```ts
 * import { runJobs, TaskSupervisor } from "spawn-audit/shim";
 * const results = await runJobs(new TaskSupervisor(), jobs);
 * for (const [name, result] of Object.entries(results)) console.log(name, result.status);
 * ```
 */
export type JobResult =
  | { status: "completed"; value: unknown }
  | { status: "failed"; error: unknown }
  | { status: "aborted"; error: unknown }
  | { status: "skipped"; because: string };

/**
 * Run one-shot jobs on a supervisor in dependency order: each job starts
 * once every job in its `needs` completed, jobs without pending needs run
 * concurrently, and a job whose need failed, was aborted or was skipped is
 * itself `skipped` (cascading). Missing dependencies and cycles are
 * rejected before anything runs.
 *
 * @param supervisor where the jobs run (via `supervisor.run`)
 * @param jobs the batch
 * @returns every job's result, by name (skipped jobs included)
 * @throws (rejects) {DependencyError} on a duplicate name, a missing dependency or a cycle
 * @example
 * ```ts
 * import { runJobs, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * const results = await runJobs(supervisor, [
 *   { name: "fetch", run: () => fetchIndex() },
 *   { name: "build", needs: ["fetch"], run: () => buildIndex() },
 * ]);
 * console.log(results["build"]?.status); // "skipped" if fetch failed
 * ```
 */
export async function runJobs(supervisor: TaskSupervisor, jobs: readonly Job[]): Promise<Record<string, JobResult>> {
  const byName = checkGraph(jobs);
  const results: Record<string, JobResult> = {};
  const waiting = new Set(byName.values());
  let running = 0;
  await new Promise<void>((allDone) => {
    const settle = (name: string, result: JobResult): void => {
      results[name] = result;
      running--;
      pump();
    };
    const pump = (): void => {
      for (const job of waiting) {
        const needs = job.needs ?? [];
        const blocker = needs.find((need) => results[need] !== undefined && results[need]!.status !== "completed");
        if (blocker !== undefined) {
          waiting.delete(job);
          results[job.name] = {
            status: "skipped",
            because: `needs "${blocker}", which ${
              results[blocker]!.status === "skipped" ? "was skipped" : results[blocker]!.status
            }`,
          };
          // A job seen earlier in this scan may need the one just skipped: scan again.
          return pump();
        }
        if (needs.every((need) => results[need]?.status === "completed")) {
          waiting.delete(job);
          running++;
          supervisor.run(job.name, job.run, { class: job.class }).then(
            (value) => settle(job.name, { status: "completed", value }),
            (error: unknown) =>
              settle(
                job.name,
                error instanceof TaskAbortedError ? { status: "aborted", error } : { status: "failed", error },
              ),
          );
        }
      }
      if (waiting.size === 0 && running === 0) allDone();
    };
    pump();
  });
  return results;
}

/** The jobs by name, once no name is taken twice, every need is in the batch and no needs form a cycle (else a DependencyError). */
function checkGraph(jobs: readonly Job[]): Map<string, Job> {
  const byName = new Map<string, Job>();
  for (const job of jobs) {
    if (byName.has(job.name)) {
      throw new DependencyError(`two jobs are named "${job.name}"; give each job a unique name`, [job.name]);
    }
    byName.set(job.name, job);
  }
  for (const job of jobs) {
    for (const need of job.needs ?? []) {
      if (!byName.has(need)) {
        throw new DependencyError(
          `job "${job.name}" needs "${need}", which is not in the batch; add it or remove the dependency`,
          [job.name, need],
        );
      }
    }
  }
  const done = new Set<string>();
  /** The jobs being visited, from the first: a need already on it closes a cycle. */
  const path: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const at = path.indexOf(name);
    if (at >= 0) {
      const cycle = [...path.slice(at), name];
      throw new DependencyError(`jobs form a dependency cycle: ${cycle.join(" → ")}; break one of these needs`, cycle);
    }
    path.push(name);
    for (const need of byName.get(name)!.needs ?? []) visit(need);
    path.pop();
    done.add(name);
  };
  for (const name of byName.keys()) visit(name);
  return byName;
}
