import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/backends.js";
import { patchOp, scimClient } from "../helpers/scim-client.js";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

describe.each(BACKENDS)("bad input on $name", (backend) => {
  let gate: TestScimgate;
  let call: ReturnType<typeof scimClient>;
  let userId: string;
  let groupId: string;
  beforeAll(async () => {
    gate = await startScimgate({ backend });
    call = scimClient(gate.url, gate.token);
    userId = (
      await call("POST", "/Users", { schemas: [USER], userName: "alice@contoso.com", displayName: "Alice" })
    ).body.id;
    groupId = (await call("POST", "/Groups", { schemas: [GROUP], displayName: "Admins" })).body.id;
  });
  afterAll(async () => gate?.close());

  it("answers malformed JSON with 400 invalidSyntax", async () => {
    const res = await call("POST", "/Users", undefined, { raw: '{"schemas": [' });
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("invalidSyntax");
    expect(res.body.detail).toMatch(/^the request body is not valid JSON: /);
  });

  it("answers an unsupported media type with 415", async () => {
    const res = await call("POST", "/Users", undefined, {
      raw: "userName=x",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchInlineSnapshot(`
      {
        "detail": "send application/scim+json or application/json",
        "schemas": [
          "urn:ietf:params:scim:api:messages:2.0:Error",
        ],
        "status": "415",
      }
    `);
  });

  it("reads application/json bodies as well as application/scim+json", async () => {
    const res = await call("POST", "/Users", undefined, {
      raw: JSON.stringify({ schemas: [USER], userName: "json@contoso.com" }),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(res.status).toBe(201);
  });

  it("answers an oversized body with 413 and a SCIM error body", async () => {
    const res = await call("POST", "/Users", {
      schemas: [USER],
      userName: "big",
      displayName: "x".repeat(1_100_000),
    });
    expect(res.status).toBe(413);
    expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    expect(res.body.detail).toMatch(/larger than/);
  });

  it.each([
    ["no schemas", "invalidSyntax", { userName: "x" }],
    ["the Group schema on /Users", "invalidSyntax", { schemas: [GROUP], userName: "x" }],
    ["a missing userName", "invalidValue", { schemas: [USER] }],
    ["an empty userName", "invalidValue", { schemas: [USER], userName: "" }],
    ["userName as a number", "invalidValue", { schemas: [USER], userName: 42 }],
    ["active as a word", "invalidValue", { schemas: [USER], userName: "x", active: "maybe" }],
    ["emails as an object", "invalidValue", { schemas: [USER], userName: "x", emails: { value: "a@b" } }],
    ["an unknown attribute", "invalidValue", { schemas: [USER], userName: "x", adreses: [] }],
    [
      "two primary emails",
      "invalidValue",
      {
        schemas: [USER],
        userName: "x",
        emails: [
          { value: "a", primary: true },
          { value: "b", primary: true },
        ],
      },
    ],
    [
      "a __proto__ key",
      "invalidValue",
      JSON.parse(`{"schemas":["${USER}"],"userName":"x","name":{"__proto__":{"polluted":1}}}`),
    ],
    ["a JSON array body", "invalidSyntax", [{ schemas: [USER], userName: "x" }]],
  ])("refuses a user with %s as 400 %s", async (_label, scimType, body) => {
    const res = await call("POST", "/Users", body);
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe(scimType);
    expect(res.body.detail.length).toBeGreaterThan(5);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names the offending attribute in the detail", async () => {
    const res = await call("POST", "/Users", { schemas: [USER], userName: "x", adreses: [] });
    expect(res.body).toMatchInlineSnapshot(`
      {
        "detail": "unknown attribute "adreses"",
        "schemas": [
          "urn:ietf:params:scim:api:messages:2.0:Error",
        ],
        "scimType": "invalidValue",
        "status": "400",
      }
    `);
  });

  it("answers a duplicate userName, differing only in case, with 409 uniqueness", async () => {
    const res = await call("POST", "/Users", { schemas: [USER], userName: "ALICE@contoso.com" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchInlineSnapshot(`
      {
        "detail": "userName is already taken",
        "schemas": [
          "urn:ietf:params:scim:api:messages:2.0:Error",
        ],
        "scimType": "uniqueness",
        "status": "409",
      }
    `);
  });

  it("answers a duplicate group displayName with 409 uniqueness, on create and on rename", async () => {
    expect((await call("POST", "/Groups", { schemas: [GROUP], displayName: "admins" })).status).toBe(409);
    const g2 = await call("POST", "/Groups", { schemas: [GROUP], displayName: "Readers" });
    const res = await call(
      "PATCH",
      `/Groups/${g2.body.id}`,
      patchOp({ op: "replace", path: "displayName", value: "Admins" }),
    );
    expect(res.status).toBe(409);
    expect(res.body.scimType).toBe("uniqueness");
  });

  it.each([
    ["an unknown operator", 'userName zz "x"'],
    ["an unterminated string", 'userName eq "x'],
    ["an unknown attribute", 'nosuch eq "x"'],
    ["a dangling and", 'userName eq "x" and'],
    ["a boolean compared with gt", "active gt true"],
    ["nesting beyond the cap", `${"(".repeat(40)}userName eq "x"${")".repeat(40)}`],
    ["too many terms", Array.from({ length: 200 }, (_, i) => `userName eq "${i}"`).join(" or ")],
    ["a filter longer than the cap", `userName eq "${"x".repeat(5000)}"`],
  ])("answers a filter with %s with 400 invalidFilter, never an empty 200", async (_label, filter) => {
    const res = await call("GET", `/Users?filter=${encodeURIComponent(filter)}`);
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("invalidFilter");
  });

  it.each([
    ["startIndex=abc", "startIndex must be an integer"],
    ["count=1.5", "count must be an integer"],
    ["sortOrder=sideways", "sortOrder must be"],
    ["attributes=nosuch", 'attributes: unknown attribute "nosuch"'],
    ["attributes=userName&excludedAttributes=emails", "cannot be used together"],
  ])("answers %s with 400 invalidValue naming the problem", async (query, detail) => {
    const res = await call("GET", `/Users?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toContain(detail);
  });

  it("reads startIndex below 1 as 1 and a negative count as 0 (RFC 7644 §3.4.2.4)", async () => {
    const res = await call("GET", "/Users?startIndex=-5&count=-1");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ startIndex: 1, itemsPerPage: 0, Resources: [] });
    expect(res.body.totalResults).toBeGreaterThan(0);
  });

  it.each([
    ["no PatchOp schema", { Operations: [{ op: "add", path: "nickName", value: "x" }] }, "invalidSyntax"],
    ["an unknown op", patchOp({ op: "merge", path: "nickName", value: "x" }), "invalidSyntax"],
    ["no operations", patchOp(), "invalidSyntax"],
    ["an unknown path", patchOp({ op: "replace", path: "nosuch", value: "x" }), "invalidPath"],
    ["a read-only attribute", patchOp({ op: "replace", path: "id", value: "x" }), "mutability"],
    ["a wrong type", patchOp({ op: "replace", path: "active", value: "perhaps" }), "invalidValue"],
    ["remove without a path", patchOp({ op: "remove" }), "noTarget"],
    ["a prototype path", patchOp({ op: "add", path: "__proto__.polluted", value: "x" }), "invalidPath"],
  ])("refuses a user PATCH with %s", async (_label, body, scimType) => {
    const res = await call("PATCH", `/Users/${userId}`, body);
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe(scimType);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses too many operations in one PATCH", async () => {
    const ops = Array.from({ length: 1001 }, () => ({ op: "replace", path: "nickName", value: "x" }));
    const res = await call("PATCH", `/Users/${userId}`, patchOp(...ops));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/1000/);
  });

  it("applies nothing of a PATCH whose last operation fails", async () => {
    const before = await call("GET", `/Users/${userId}`);
    const res = await call(
      "PATCH",
      `/Users/${userId}`,
      patchOp(
        { op: "replace", path: "displayName", value: "Changed" },
        { op: "replace", path: "nosuch", value: 1 },
      ),
    );
    expect(res.status).toBe(400);
    const after = await call("GET", `/Users/${userId}`);
    expect(after.body).toEqual(before.body);
  });

  it("applies nothing of a group PATCH whose member add names an unknown id", async () => {
    await call(
      "PATCH",
      `/Groups/${groupId}`,
      patchOp({ op: "add", path: "members", value: [{ value: userId }] }),
    );
    const before = await call("GET", `/Groups/${groupId}`);
    const res = await call(
      "PATCH",
      `/Groups/${groupId}`,
      patchOp(
        { op: "replace", path: "displayName", value: "Renamed" },
        { op: "remove", path: "members", value: [{ value: userId }] },
        { op: "add", path: "members", value: [{ value: "no-such-user" }] },
      ),
    );
    expect(res.status).toBe(400);
    expect(await call("GET", `/Groups/${groupId}`)).toMatchObject({ body: before.body });
  });

  it("answers a stale If-Match with 412 and a matching one with success", async () => {
    const cur = await call("GET", `/Users/${userId}`);
    const etag = cur.headers.get("etag")!;
    const stale = await call(
      "PATCH",
      `/Users/${userId}`,
      patchOp({ op: "replace", path: "title", value: "x" }),
      {
        headers: { "if-match": 'W/"999"' },
      },
    );
    expect(stale.status).toBe(412);
    const ok = await call(
      "PATCH",
      `/Users/${userId}`,
      patchOp({ op: "replace", path: "title", value: "x" }),
      {
        headers: { "if-match": etag },
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).not.toBe(etag);
  });

  it("answers a GET whose If-None-Match names the current version with 304 and no body", async () => {
    const cur = await call("GET", `/Users/${userId}`);
    const same = await call("GET", `/Users/${userId}`, undefined, {
      headers: { "if-none-match": cur.headers.get("etag")! },
    });
    expect(same.status).toBe(304);
    expect(same.body).toBeUndefined();
    const other = await call("GET", `/Users/${userId}`, undefined, { headers: { "if-none-match": 'W/"0"' } });
    expect(other.status).toBe(200);
  });

  it("answers unknown endpoints and unknown ids with 404 SCIM errors", async () => {
    const a = await call("GET", "/Nope");
    expect(a.status).toBe(404);
    expect(a.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    expect((await call("DELETE", "/Groups/unknown")).status).toBe(404);
    expect(
      (await call("PATCH", "/Users/unknown", patchOp({ op: "replace", path: "title", value: "x" }))).status,
    ).toBe(404);
  });
});
