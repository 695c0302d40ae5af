export interface Job {
  id: string;
  kind: string;
  payload: unknown;
}

export interface Database {
  claimJob(): Promise<Job | undefined>;
  finishJob(id: string): Promise<void>;
  recordAudit(event: string, detail: unknown): Promise<void>;
  ping(): Promise<void>;
}

export function connect(url: string): Database {
  const jobs: Job[] = [];
  return {
    async claimJob() {
      return jobs.shift();
    },
    async finishJob(id) {
      if (id === "") throw new Error(`no job id (${url})`);
    },
    async recordAudit(event, detail) {
      if (event === "") throw new Error(`bad audit event: ${JSON.stringify(detail)}`);
    },
    async ping() {},
  };
}
