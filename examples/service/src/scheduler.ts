import type { Database, Job } from "./db.ts";
import { sleep } from "./sleep.ts";

export type Handler = (job: Job) => Promise<void>;

/** Claims and runs jobs until the signal aborts. */
export async function pollJobs(db: Database, handlers: Map<string, Handler>, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const job = await db.claimJob();
    if (job === undefined) {
      await sleep(1000);
      continue;
    }
    await handlers.get(job.kind)?.(job);
    await db.finishJob(job.id);
  }
}

export class MetricsReporter {
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly counts = new Map<string, number>();

  constructor(private readonly db: Database) {
    this.scheduleFlush();
  }

  count(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  private scheduleFlush(): void {
    this.flushTimer = setTimeout(() => {
      this.db.recordAudit("metrics", Object.fromEntries(this.counts));
      this.counts.clear();
      this.scheduleFlush();
    }, 10_000);
  }

  stop(): void {
    clearTimeout(this.flushTimer);
  }
}
