import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { type LatencySummary, Recorder } from "./stats.js";

/**
 * A small keep-alive HTTP/1.1 load client over raw sockets (loopback only). Node's http.request costs
 * several times the server's own work per request; a client that slow would measure itself, not the
 * server. Responses must carry Content-Length (both servers under test always send it).
 */

/** One request to send. */
export interface BenchRequest {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  readonly path: string;
  readonly body?: string;
}

/** A response: status and body text. */
export interface BenchResponse {
  readonly status: number;
  readonly body: string;
}

interface Pending {
  resolve(r: BenchResponse): void;
  reject(e: Error): void;
}

const HEADER_END = Buffer.from("\r\n\r\n");

class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private readonly sock: Socket;

  constructor(
    port: number,
    private readonly headers: string,
  ) {
    this.sock = connect({ host: "127.0.0.1", port });
    this.sock.setNoDelay(true);
    this.sock.on("data", (chunk: Buffer) => this.onData(chunk));
    this.sock.on("error", (e) => this.fail(e));
    this.sock.on("close", () => this.fail(new Error("connection closed")));
  }

  request(req: BenchRequest): Promise<BenchResponse> {
    const body = req.body ?? "";
    const len =
      body === ""
        ? ""
        : `content-type: application/scim+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.sock.write(`${req.method} ${req.path} HTTP/1.1\r\n${this.headers}${len}\r\n${body}`);
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buf.toString("latin1", 0, end);
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m && /\r\ntransfer-encoding:/i.test(head)) {
      this.fail(new Error("chunked responses are not supported by the bench client"));
      return;
    }
    const total = end + 4 + (m ? Number(m[1]) : 0);
    if (this.buf.length < total) return;
    const body = this.buf.toString("utf8", end + 4, total);
    this.buf = this.buf.subarray(total);
    const p = this.pending;
    this.pending = undefined;
    p?.resolve({ status, body });
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Sends one request, timing it into the run's recorder. */
export type Send = (req: BenchRequest) => Promise<BenchResponse>;

/** What one load run measured. */
export interface LoadResult {
  readonly requests: number;
  /** Responses with status ≥ 400 (expected ones are the step's business to avoid). */
  readonly errors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly latency: LatencySummary;
  /** Server CPU time (user + system) per request in microseconds, when the server's CPU is known. */
  readonly cpuUsPerRequest: number | undefined;
  /** The same for the server's main thread alone (without the checkpointer and V8's helper threads). */
  readonly mainCpuUsPerRequest: number | undefined;
  /** First error bodies seen, for diagnosis. */
  readonly sampleErrors: readonly string[];
}

/** The first few error answers of several runs (each keeps its own first ones), for a scenario's result. */
export function sampleErrorsOf(runs: readonly { readonly sampleErrors: readonly string[] }[]): string[] {
  return runs.flatMap((r) => r.sampleErrors).slice(0, 3);
}

/** Options of a load run: either a fixed number of steps or a duration. */
export interface LoadOptions {
  readonly port: number;
  readonly token?: string;
  readonly concurrency: number;
  /** Run this many steps in all (each step may send several requests). */
  readonly steps?: number;
  /** Or run until this many milliseconds have passed. */
  readonly durationMs?: number;
  /** Reads the server process's CPU seconds (for CPU per request, robust against machine noise). */
  readonly serverCpu?: () => number;
  /** Reads the server's main thread's CPU seconds. */
  readonly serverMainCpu?: () => number;
  /** Step `i`: sends its requests through `send`. */
  readonly step: (send: Send, i: number) => Promise<void>;
}

/** Runs `concurrency` closed-loop workers, each on its own keep-alive connection. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const auth = opts.token ? `authorization: Bearer ${opts.token}\r\n` : "";
  const headers = `host: 127.0.0.1:${opts.port}\r\naccept: application/scim+json\r\n${auth}`;
  const rec = new Recorder();
  const sampleErrors: string[] = [];
  let errors = 0;
  let next = 0;
  const cpu0 = opts.serverCpu?.();
  const main0 = opts.serverMainCpu?.();
  const t0 = performance.now();
  const deadline = opts.durationMs === undefined ? Number.POSITIVE_INFINITY : t0 + opts.durationMs;
  const limit = opts.steps ?? Number.POSITIVE_INFINITY;
  const worker = async () => {
    const conn = new Connection(opts.port, headers);
    const send: Send = async (req) => {
      const start = performance.now();
      const res = await conn.request(req);
      rec.add(performance.now() - start);
      if (res.status >= 400) {
        errors++;
        if (sampleErrors.length < 5)
          sampleErrors.push(`${req.method} ${req.path} → ${res.status} ${res.body.slice(0, 300)}`);
      }
      return res;
    };
    try {
      while (next < limit && performance.now() < deadline) await opts.step(send, next++);
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const perRequest = (read: (() => number) | undefined, at0: number | undefined) =>
    read === undefined || at0 === undefined ? undefined : ((read() - at0) * 1e6) / Math.max(1, rec.count);
  const cpu = perRequest(opts.serverCpu, cpu0);
  const mainCpu = perRequest(opts.serverMainCpu, main0);
  return {
    requests: rec.count,
    errors,
    seconds,
    rps: rec.count / seconds,
    latency: rec.summary(),
    cpuUsPerRequest: cpu,
    mainCpuUsPerRequest: mainCpu,
    sampleErrors,
  };
}
