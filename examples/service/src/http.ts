import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Database } from "./db.ts";

let searchTimer: ReturnType<typeof setTimeout> | undefined;

export function listen(db: Database, port: number) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Fire-and-forget audit record: one per request.
    db.recordAudit("request", { url: req.url });

    const slow = setTimeout(() => {
      res.statusCode = 503;
      res.end("timeout");
    }, 30_000);
    res.on("close", () => clearTimeout(slow));
    res.end("ok");
  });
  server.on("upgrade", async (req: IncomingMessage) => {
    await db.recordAudit("upgrade", { url: req.url });
  });
  server.listen(port);
  return server;
}

/** Debounced search-index refresh: only the latest call within 300 ms runs. */
export function onSearchInput(db: Database, query: string): void {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    db.recordAudit("search", { query });
  }, 300);
}
