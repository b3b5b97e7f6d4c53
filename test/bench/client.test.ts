import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runLoad } from "../../bench/lib/client.js";

/**
 * A raw TCP server speaking just enough HTTP/1.1 for the bench client: one request per read (the client
 * sends one at a time per connection), answered by `answer`, written in pieces of `piece` bytes so that
 * one response reaches the client in several reads.
 */
const servers: Server[] = [];

async function rawServer(answer: (head: string) => string, piece = 7): Promise<number> {
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    // The client closes its connections when a run ends, maybe while a response is still being written.
    sock.on("error", () => undefined);
    sock.on("data", async (chunk) => {
      const text = answer(chunk.toString("utf8"));
      for (let i = 0; i < text.length; i += piece) {
        sock.write(text.slice(i, i + piece));
        await new Promise((r) => setImmediate(r));
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  if (typeof addr !== "object" || !addr) throw new Error("no port");
  return addr.port;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const response = (status: number, body: string, extra = "") =>
  `HTTP/1.1 ${status} X\r\ncontent-type: application/scim+json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe("bench load client", () => {
  it("runs the steps asked for over keep-alive connections and reads responses that arrive in pieces", async () => {
    const seen: string[] = [];
    const port = await rawServer((req) => {
      seen.push(req);
      const path = req.split(" ")[1]!;
      return response(200, JSON.stringify({ path, note: "ünïcödé" }));
    });
    const bodies: string[] = [];
    const r = await runLoad({
      port,
      token: "t0k",
      concurrency: 3,
      steps: 25,
      step: async (send, i) => {
        const res = await send({ method: "GET", path: `/x/${i}` });
        expect(res.status).toBe(200);
        bodies.push(res.body);
      },
    });
    expect(r.requests).toBe(25);
    expect(r.errors).toBe(0);
    expect(r.latency.count).toBe(25);
    expect(r.rps).toBeGreaterThan(0);
    // Every body whole, UTF-8 decoded, and each step got its own request's answer.
    expect(bodies.map((b) => JSON.parse(b).path).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `/x/${i}`).sort(),
    );
    expect(JSON.parse(bodies[0]!).note).toBe("ünïcödé");
    expect(seen[0]).toContain("authorization: Bearer t0k\r\n");
    expect(seen[0]).toContain(`host: 127.0.0.1:${port}\r\n`);
  });

  it("sends a body with its length and content type", async () => {
    let got = "";
    const port = await rawServer((req) => {
      got = req;
      return response(204, "");
    }, 1000);
    const body = JSON.stringify({ op: "Replace", value: "Grüße" });
    const r = await runLoad({
      port,
      concurrency: 1,
      steps: 1,
      step: async (send) => {
        const res = await send({ method: "PATCH", path: "/scim/v2/Users/1", body });
        expect(res).toEqual({ status: 204, body: "" });
      },
    });
    expect(r.requests).toBe(1);
    expect(got.startsWith("PATCH /scim/v2/Users/1 HTTP/1.1\r\n")).toBe(true);
    expect(got).toContain(`content-length: ${Buffer.byteLength(body)}\r\n`);
    expect(got).toContain("content-type: application/scim+json\r\n");
    expect(got.endsWith(`\r\n\r\n${body}`)).toBe(true);
    expect(got).not.toContain("authorization:");
  });

  it("counts error answers and keeps samples of them", async () => {
    let n = 0;
    const port = await rawServer(() => {
      n++;
      return n % 2 === 0 ? response(409, '{"status":"409","scimType":"uniqueness"}') : response(200, "{}");
    });
    const r = await runLoad({
      port,
      concurrency: 1,
      steps: 20,
      step: async (send) => {
        await send({ method: "POST", path: "/scim/v2/Users", body: "{}" });
      },
    });
    expect(r.requests).toBe(20);
    expect(r.errors).toBe(10);
    expect(r.sampleErrors).toHaveLength(5);
    expect(r.sampleErrors[0]).toBe('POST /scim/v2/Users → 409 {"status":"409","scimType":"uniqueness"}');
  });

  it("stops at its deadline when it runs for a duration", async () => {
    const port = await rawServer(() => response(200, "{}"), 1000);
    const r = await runLoad({
      port,
      concurrency: 2,
      durationMs: 150,
      step: async (send) => {
        await send({ method: "GET", path: "/" });
      },
    });
    expect(r.requests).toBeGreaterThan(0);
    expect(r.seconds).toBeGreaterThanOrEqual(0.15);
    expect(r.seconds).toBeLessThan(5);
  });

  it("refuses chunked responses, whose length it cannot know", async () => {
    const port = await rawServer(
      () => "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      1000,
    );
    await expect(
      runLoad({
        port,
        concurrency: 1,
        steps: 1,
        step: async (send) => {
          await send({ method: "GET", path: "/" });
        },
      }),
    ).rejects.toThrow("chunked responses are not supported");
  });

  it("reports server CPU per request from the readings it is given", async () => {
    const port = await rawServer(() => response(200, "{}"), 1000);
    let cpu = 1;
    const r = await runLoad({
      port,
      concurrency: 1,
      steps: 10,
      serverCpu: () => cpu,
      serverMainCpu: () => cpu / 2,
      step: async (send) => {
        await send({ method: "GET", path: "/" });
        cpu += 0.001;
      },
    });
    // 10 ms of CPU over 10 requests: 1,000 µs each, half of it on the main thread.
    expect(r.cpuUsPerRequest).toBeCloseTo(1000, 6);
    expect(r.mainCpuUsPerRequest).toBeCloseTo(500, 6);
  });
});
