import { describe, expect, it } from "vitest";
import { startService } from "../../src/main.js";
import { BACKENDS } from "../helpers/backends.js";
import { scimClient } from "../helpers/scim-client.js";

describe.each(BACKENDS)("first start on an empty $name database", (backend) => {
  it("creates one default tenant and a working Secret Token, even when two instances start together", async () => {
    const db = await backend.create();
    const opts = { databaseUrl: db.url, port: 0, host: "127.0.0.1", logger: false as const, bootstrap: true };
    const [a, b] = await Promise.all([startService(opts), startService(opts)]);
    try {
      const tokens = [a.bootstrap, b.bootstrap].filter((x) => x !== undefined);
      expect(tokens).toHaveLength(1);
      expect((await a.store.listTenants()).map((t) => t.name)).toEqual(["default"]);
      const res = await scimClient(a.scimUrl, tokens[0]!.token)("GET", "/Users");
      expect(res.status).toBe(200);
      const again = await startService(opts);
      expect(again.bootstrap).toBeUndefined();
      await again.close();
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
