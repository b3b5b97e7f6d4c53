import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";
import { describePostgres, POSTGRES } from "./databases.js";

const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

// PostgreSQL stores less than SQLite does: no U+0000 or lone surrogates in text and jsonb, and at most
// about 2.7 kB in a btree entry. Those requests must be client errors (400), never a 500.
describePostgres("input PostgreSQL cannot store is a 400 invalidValue", () => {
  let gate: TestScimgate;
  beforeAll(async () => {
    gate = await startScimgate({ backend: POSTGRES });
  });
  afterAll(async () => {
    await gate?.close();
  });

  const post = (body: string) =>
    fetch(`${gate.url}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${gate.token}`, "content-type": "application/scim+json" },
      body,
    });
  const user = (extra: Record<string, unknown>) =>
    JSON.stringify({ schemas: [USER_SCHEMA], userName: `u${randomBytes(4).toString("hex")}`, ...extra });
  const random = (bytes: number) => randomBytes(bytes).toString("base64");

  it.each([
    ["a NUL in userName", user({ userName: "a\u0000b" })],
    ["a NUL inside the document", user({ title: "a\u0000b" })],
    // JSON.stringify would re-escape it; the body carries the raw \\ud800 escape as Entra-style JSON may.
    ["a lone surrogate", user({ title: "PLACEHOLDER" }).replace("PLACEHOLDER", "a\\ud800b")],
    ["a 6 kB userName", user({ userName: random(6000) })],
    ["a 6 kB externalId", user({ externalId: random(6000) })],
    ["a 6 kB e-mail", user({ emails: [{ type: "work", value: random(6000) }] })],
  ])("answers 400 for %s", async (_label, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: "400", scimType: "invalidValue" });
  });

  it("answers a filter with a NUL character with 400, not 500", async () => {
    const filter = encodeURIComponent('userName eq "a\\u0000b"');
    const res = await fetch(`${gate.url}/Users?filter=${filter}`, {
      headers: { authorization: `Bearer ${gate.token}` },
    });
    expect(res.status).toBe(400);
  });
});
