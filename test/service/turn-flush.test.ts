import { connect } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.js";
import { openStore } from "../../src/main.js";
import type { Store } from "../../src/store/store.js";
import { Tenancy } from "../../src/tenancy/tenancy.js";

/**
 * The app writes the responses of one event-loop turn together at the turn's end (src/http/turn-flush.ts).
 * Two requests pipelined in one TCP segment are parsed in one turn: both must be handled before either
 * response is written. A probe route records when each handler ran and when its response was ended.
 */
describe("responses of one turn", () => {
  let store: Store;
  let app: FastifyInstance;
  let port: number;
  const events: string[] = [];

  beforeAll(async () => {
    store = await openStore("sqlite::memory:");
    const tenancy = await Tenancy.open(store);
    app = await buildApp({
      store,
      tenancy,
      publicUrl: undefined,
      maxBodyBytes: 1 << 20,
      logger: false,
      plugins: [
        (a) => {
          a.get("/probe/:n", (req, reply) => {
            const n = (req.params as { n: string }).n;
            events.push(`handled ${n}`);
            const end = reply.raw.end.bind(reply.raw) as (...args: unknown[]) => unknown;
            reply.raw.end = ((...args: unknown[]) => {
              events.push(`written ${n}`);
              return end(...args);
            }) as typeof reply.raw.end;
            reply.send({ n });
          });
        },
      ],
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  /** Sends `raw` in one write and resolves once `count` complete responses have arrived. */
  const exchange = (raw: string, count: number) =>
    new Promise<string>((resolve, reject) => {
      const s = connect({ port, host: "127.0.0.1" });
      let got = "";
      s.on("data", (d) => {
        got += d.toString();
        if ((got.match(/"n":"\d+"/g) ?? []).length === count) {
          s.end();
          resolve(got);
        }
      });
      s.on("error", reject);
      s.write(raw);
    });

  it("handles both pipelined requests before writing either response, and answers both in order", async () => {
    events.length = 0;
    const req = (n: number) => `GET /probe/${n} HTTP/1.1\r\nhost: x\r\n\r\n`;
    const body = await exchange(req(1) + req(2), 2);
    expect(body.indexOf('"n":"1"')).toBeLessThan(body.indexOf('"n":"2"'));
    expect(body.match(/x-request-id: /g)).toHaveLength(2);
    expect(events).toEqual(["handled 1", "handled 2", "written 1", "written 2"]);
  });

  it("answers a lone request within its own turn", async () => {
    events.length = 0;
    const body = await exchange("GET /probe/3 HTTP/1.1\r\nhost: x\r\n\r\n", 1);
    expect(body).toMatch(/^HTTP\/1\.1 200/);
    expect(events).toEqual(["handled 3", "written 3"]);
  });
});
