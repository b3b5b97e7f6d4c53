import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often (ms) the background thread checkpoints the WAL into the database file. */
export const CHECKPOINT_INTERVAL_MS = 250;

// CommonJS, evaluated in the worker: its own connection, PASSIVE checkpoints (they never block readers or
// the writer), closed when the parent says so.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
const timer = setInterval(() => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch { /* busy: the next tick retries */ }
}, workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
  db.close();
  parentPort.close();
});
`;

/**
 * Moves WAL checkpoints off the request path: SQLite's automatic checkpoint runs inside whichever commit
 * crosses the threshold, copying pages and syncing the file while that request (and every queued one)
 * waits. A worker thread with its own connection checkpoints every CHECKPOINT_INTERVAL_MS instead.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;

  constructor(file: string) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
    // Never keeps a process (the CLI, a test) alive on its own.
    this.worker.unref();
    this.worker.on("error", () => {
      // A failed checkpointer only means checkpoints wait for the connection's close; nothing to report.
    });
  }

  /** Asks the worker to checkpoint once more and close its connection. */
  stop(): void {
    this.worker.postMessage("stop");
  }
}
