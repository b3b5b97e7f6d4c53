import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the checkpointer copies committed WAL frames into the database file. */
const CHECKPOINT_INTERVAL_MS = 200;

/**
 * WAL frames (4 KiB pages) past which the checkpointer restarts the WAL: 256 MiB. A PASSIVE checkpoint never
 * catches up with a steady stream of commits, and SQLite starts the WAL over only once every frame is copied
 * back; a RESTART checkpoint holds new writers back (they wait without blocking the event loop) while it
 * syncs the WAL, copies the last frames and waits for readers, then lets the next writer start the WAL from
 * its beginning. Under the bench's mix at 1M users that hold lasted up to ~65 ms: at 8,192 frames it came
 * every 2–3 s and raised the mix's p99 by about 2.5 ms (A/B, six runs each: median 14.3 against 11.6 ms).
 * The price is disk: the WAL file grows to about this size before it starts over, and keeps it while
 * writes go on (truncated once they pause, see WAL_SIZE_LIMIT_BYTES); the initial sync of 100k users peaked
 * at ~300 MiB of WAL.
 */
const RESTART_FRAMES = 65_536;

/** How long the checkpointer waits for the write lock (in its own thread) before trying on the next tick. */
const RESTART_WAIT_MS = 100;

/**
 * A WAL file larger than this (64 MiB) is truncated by the checkpointer once writes pause. While writes go
 * on, the file keeps its high-water mark (about RESTART_FRAMES of 4 KiB pages) and each restart of the WAL
 * overwrites it from the beginning: the serving connection never truncates it (see SqliteDb).
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Ticks in a row without a new WAL frame, every frame copied, before the checkpointer truncates the WAL. */
const IDLE_TICKS_BEFORE_TRUNCATE = 5;

/**
 * The checkpointer thread: its own connection to the database, running PASSIVE checkpoints (which never
 * wait for or block readers and writers) on a timer, a RESTART past RESTART_FRAMES, and a TRUNCATE of an
 * oversized WAL file once writes pause. CommonJS, because it is evaluated as a string.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = " + workerData.restartWaitMs);
db.pragma("wal_autocheckpoint = 0");
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const restart = db.prepare("PRAGMA wal_checkpoint(RESTART)");
const truncate = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
const walSize = () => { try { return statSync(workerData.file + "-wal").size; } catch { return 0; } };
let lastLog = -1;
let idleTicks = 0;
const timer = setInterval(() => {
  try {
    const r = checkpoint.get();
    if (r && r.log >= workerData.restartFrames) restart.get();
    // Writes paused (no new frame for a few ticks, every frame copied): cut an oversized WAL file back here,
    // while nobody waits for it, rather than in the serving connection's next commit.
    idleTicks = r && r.busy === 0 && r.log === r.checkpointed && r.log === lastLog ? idleTicks + 1 : 0;
    lastLog = r ? r.log : -1;
    if (idleTicks >= workerData.idleTicks && walSize() > workerData.walSizeLimit) {
      truncate.get();
      idleTicks = 0;
    }
  } catch (err) {
    // SQLITE_BUSY: another checkpoint is running; the next tick tries again.
    if (err && err.code !== "SQLITE_BUSY") parentPort.postMessage({ error: String(err && err.message) });
  }
}, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearInterval(timer);
  try { checkpoint.get(); } catch {}
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

/**
 * Checkpoints a WAL database from a worker thread, so that copying pages into the database file and its
 * fsync never stall the event loop that answers requests (with SQLite's automatic checkpoint, the COMMIT
 * that crosses the threshold does all of it, and every request waiting behind it sees the delay).
 * `onFailure` is called once if the thread stops working; the caller then falls back to automatic
 * checkpoints.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private failed = false;

  constructor(file: string, onFailure: (reason: string) => void) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        driver,
        intervalMs: CHECKPOINT_INTERVAL_MS,
        restartFrames: RESTART_FRAMES,
        restartWaitMs: RESTART_WAIT_MS,
        walSizeLimit: WAL_SIZE_LIMIT_BYTES,
        idleTicks: IDLE_TICKS_BEFORE_TRUNCATE,
      },
    });
    this.worker.unref();
    const fail = (reason: string) => {
      if (this.failed) return;
      this.failed = true;
      onFailure(reason);
    };
    this.worker.on("message", (m: { error?: string }) => {
      if (m.error) fail(m.error);
    });
    this.worker.on("error", (err) => fail(err.message));
    this.worker.on("exit", (code) => {
      if (code !== 0) fail(`checkpointer exited with ${code}`);
    });
  }

  /** Runs a last checkpoint and stops the thread. */
  async stop(): Promise<void> {
    if (this.failed) return;
    this.failed = true;
    const stopped = new Promise<void>((resolve) => {
      this.worker.once("exit", () => resolve());
      this.worker.once("message", () => resolve());
    });
    this.worker.postMessage("stop");
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.worker.terminate();
  }
}
