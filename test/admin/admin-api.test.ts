import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/backends.js";
import { patchOp, scimClient } from "../helpers/scim-client.js";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

/** JSON client of the admin API. */
function adminClient(base: string, token: string | null) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/admin/v1${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
}

describe.each(BACKENDS)("the admin API on $name", (backend) => {
  let gate: TestScimgate;
  let admin: ReturnType<typeof adminClient>;
  let base: string;
  beforeAll(async () => {
    gate = await startScimgate({ backend });
    base = gate.service.url;
    admin = adminClient(base, await gate.service.createAdminToken());
  });
  afterAll(async () => gate?.close());

  it("refuses requests without a management key, and refuses tenant keys, with 401", async () => {
    expect((await adminClient(base, null)("GET", "/tenants")).body).toEqual({
      status: 401,
      error: "unauthorized",
      detail: "missing bearer token (a management key)",
    });
    expect((await adminClient(base, gate.token)("GET", "/tenants")).status).toBe(401);
  });

  it("serves its OpenAPI document without a key, listing every operation", async () => {
    const res = await adminClient(base, null)("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toContain("/admin/v1/tenants/{id}/role-mappings");
    expect(
      res.body.paths["/admin/v1/tenants"].post.requestBody.content["application/json"].schema.required,
    ).toEqual(["name"]);
  });

  it("reports the project id and the Tenant URL", async () => {
    const res = await admin("GET", "/info");
    expect(res.body).toEqual({ projectId: gate.service.projectId, scimUrl: gate.url });
  });

  it("onboards a tenant end to end: create, issue a token, use it over SCIM, revoke it", async () => {
    const t = await admin("POST", "/tenants", { name: "acme" });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ name: "acme", jit: false });
    const k = await admin("POST", `/tenants/${t.body.id}/keys`, { expiresInDays: 30, description: "entra" });
    expect(k.status).toBe(201);
    expect(k.body.token).toMatch(new RegExp(`^${gate.service.projectId}:sk_`));
    const scim = scimClient(gate.url, k.body.token);
    expect((await scim("GET", "/Users")).status).toBe(200);
    const keys = await admin("GET", `/tenants/${t.body.id}/keys`);
    expect(keys.body.keys).toHaveLength(1);
    expect(JSON.stringify(keys.body)).not.toContain(k.body.token.split(":")[1]);
    expect(keys.body.keys[0]).not.toHaveProperty("secretHash");
    expect((await admin("DELETE", `/tenants/${t.body.id}/keys/${k.body.id}`)).status).toBe(204);
    expect((await scim("GET", "/Users")).status).toBe(401);
  });

  it("will not revoke another tenant's key through this tenant's path", async () => {
    const a = await admin("POST", "/tenants", { name: "a-keys" });
    const b = await admin("POST", "/tenants", { name: "b-keys" });
    const kb = await admin("POST", `/tenants/${b.body.id}/keys`, {});
    const res = await admin("DELETE", `/tenants/${a.body.id}/keys/${kb.body.id}`);
    expect(res.status).toBe(404);
    expect((await scimClient(gate.url, kb.body.token)("GET", "/Users")).status).toBe(200);
  });

  it.each([
    ["an empty name", "/tenants", { name: "" }, "body.name"],
    ["an unknown field", "/tenants", { name: "x", colour: "red" }, "body"],
    ["a wrong type", "/tenants", { name: "x", jit: "yes" }, "body.jit"],
  ])("answers %s with 400 naming the field", async (_l, path, body, field) => {
    const res = await admin("POST", path, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    expect(res.body.detail).toContain(field);
  });

  it("answers a duplicate tenant name with 409 and unknown ids with 404", async () => {
    await admin("POST", "/tenants", { name: "dup" });
    expect((await admin("POST", "/tenants", { name: "dup" })).status).toBe(409);
    expect((await admin("GET", "/tenants/nope")).status).toBe(404);
    expect((await admin("GET", "/nope")).body).toMatchObject({ status: 404, error: "not_found" });
  });

  it("replaces the role document declaratively: the same document twice is a no-op", async () => {
    const t = await admin("POST", "/tenants", { name: "roles" });
    const doc = {
      roles: [{ name: "viewer" }, { name: "admin", description: "everything" }],
      defaultRoles: ["viewer"],
      mappings: [{ group: { externalId: "obj-1" }, roles: ["admin"] }],
    };
    const first = await admin("PUT", `/tenants/${t.body.id}/role-mappings`, doc);
    expect(first.body.changed).toBe(true);
    expect(first.body.document.roles.map((r: { name: string }) => r.name)).toEqual(["admin", "viewer"]);
    const again = await admin("PUT", `/tenants/${t.body.id}/role-mappings`, doc);
    expect(again.body.changed).toBe(false);
    const audit = await admin("GET", `/tenants/${t.body.id}/audit?resourceType=RoleMappings`);
    expect(audit.body.entries).toHaveLength(1);
    expect((await admin("GET", `/tenants/${t.body.id}/role-mappings`)).body).toEqual(first.body.document);
  });

  it("refuses a mapping that names an unknown role, and changes nothing", async () => {
    const t = await admin("POST", "/tenants", { name: "bad-roles" });
    const res = await admin("PUT", `/tenants/${t.body.id}/role-mappings`, {
      roles: [{ name: "viewer" }],
      mappings: [{ group: { displayName: "Admins" }, roles: ["root"] }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      status: 400,
      error: "invalid_role_document",
      detail: 'mappings.0: unknown role "root"; define it under roles first',
    });
    expect((await admin("GET", `/tenants/${t.body.id}/role-mappings`)).body).toEqual({
      roles: [],
      defaultRoles: [],
      mappings: [],
    });
  });

  it("lists users with effective roles and groups with member counts", async () => {
    const t = await admin("POST", "/tenants", { name: "listing" });
    const k = await admin("POST", `/tenants/${t.body.id}/keys`, {});
    const scim = scimClient(gate.url, k.body.token);
    const u = await scim("POST", "/Users", {
      schemas: [USER],
      userName: "zed@contoso.com",
      externalId: "zed",
    });
    const g = await scim("POST", "/Groups", { schemas: [GROUP], displayName: "Ops", externalId: "obj-ops" });
    await scim(
      "PATCH",
      `/Groups/${g.body.id}`,
      patchOp({ op: "add", path: "members", value: [{ value: u.body.id }] }),
    );
    await admin("PUT", `/tenants/${t.body.id}/role-mappings`, {
      roles: [{ name: "ops" }],
      mappings: [{ group: { externalId: "obj-ops" }, roles: ["ops"] }],
    });
    const users = await admin("GET", `/tenants/${t.body.id}/users`);
    expect(users.body).toEqual({
      totalResults: 1,
      users: [
        {
          id: u.body.id,
          userName: "zed@contoso.com",
          externalId: "zed",
          displayName: null,
          active: true,
          origin: "scim",
          roles: ["ops"],
          groups: [{ id: g.body.id, displayName: "Ops", externalId: "obj-ops" }],
        },
      ],
    });
    const groups = await admin("GET", `/tenants/${t.body.id}/groups`);
    expect(groups.body.groups).toEqual([
      { id: g.body.id, displayName: "Ops", externalId: "obj-ops", memberCount: 1 },
    ]);
  });

  it("deletes a tenant with all its data; its keys stop working", async () => {
    const t = await admin("POST", "/tenants", { name: "doomed" });
    const k = await admin("POST", `/tenants/${t.body.id}/keys`, {});
    await scimClient(gate.url, k.body.token)("POST", "/Users", {
      schemas: [USER],
      userName: "gone@contoso.com",
    });
    expect((await admin("DELETE", `/tenants/${t.body.id}`)).status).toBe(204);
    expect((await admin("GET", `/tenants/${t.body.id}`)).status).toBe(404);
    expect((await scimClient(gate.url, k.body.token)("GET", "/Users")).status).toBe(401);
  });
});
