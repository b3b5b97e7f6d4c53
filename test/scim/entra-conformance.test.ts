import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/backends.js";
import { patchOp, type ScimResponse, scimClient } from "../helpers/scim-client.js";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ADSCIM = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/** Entra's two PATCH dialects: the legacy default, and the one `?aadOptscim062020` selects. */
const DIALECTS = [
  { name: "legacy", query: "", replace: "Replace", add: "Add", remove: "Remove", f: "False", t: "True" },
  {
    name: "aadOptscim062020",
    query: "?aadOptscim062020",
    replace: "replace",
    add: "add",
    remove: "remove",
    f: false,
    t: true,
  },
] as const;

/** The create-user body of entra-scim-client.md §1.2, with enterprise data as Entra adds it when mapped. */
function entraUser(suffix: string) {
  return {
    schemas: [USER, ENTERPRISE],
    externalId: `0a21f0f2-8d2a-4f8e-bf98-${suffix}`,
    userName: `Test_User_${suffix}@contoso.com`,
    active: true,
    emails: [{ primary: true, type: "work", value: `Test_User_${suffix}@testuser.com` }],
    meta: { resourceType: "User" },
    name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
    roles: [],
    [ENTERPRISE]: { employeeNumber: "1234", department: "Sales" },
  };
}

function expectSCIMJson(res: ScimResponse): void {
  expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
}

describe.each(BACKENDS)("Entra's documented request sequences on $name", (backend) => {
  let gate: TestScimgate;
  beforeAll(async () => {
    gate = await startScimgate({ backend });
  });
  afterAll(async () => gate?.close());

  describe.each(DIALECTS)("in the $name PATCH dialect", (d) => {
    const call = (method: string, path: string, body?: unknown) => {
      const [p, q] = path.split("?");
      const query = [d.query.slice(1), q].filter(Boolean).join("&");
      return scimClient(gate.url, gate.token)(method, `${p}${query ? `?${query}` : ""}`, body);
    };
    const suffix = `${d.name}-${randomUUID().slice(0, 8)}`;
    let userId = "";
    let managerId = "";

    it("answers Test Connection's random-GUID lookup with 200 and an empty ListResponse", async () => {
      const res = await call("GET", `/Users?filter=userName eq "${randomUUID()}"`);
      expect(res.status).toBe(200);
      expectSCIMJson(res);
      expect(res.body).toEqual({
        schemas: [LIST],
        totalResults: 0,
        startIndex: 1,
        itemsPerPage: 0,
        Resources: [],
      });
    });

    it("finds no match by userName, then creates the user with 201, Location and the stored values", async () => {
      const body = entraUser(suffix);
      const miss = await call("GET", `/Users?filter=userName+eq+%22${encodeURIComponent(body.userName)}%22`);
      expect(miss.body.totalResults).toBe(0);
      const res = await call("POST", "/Users", body);
      expect(res.status).toBe(201);
      expectSCIMJson(res);
      userId = res.body.id;
      expect(res.headers.get("location")).toBe(`${gate.url}/Users/${userId}`);
      expect(res.body).toMatchObject({
        schemas: [USER, ENTERPRISE],
        userName: body.userName,
        externalId: body.externalId,
        active: true,
        emails: body.emails,
        name: body.name,
        [ENTERPRISE]: { employeeNumber: "1234", department: "Sales" },
        meta: { resourceType: "User", location: `${gate.url}/Users/${userId}`, version: 'W/"1"' },
      });
      expect(res.body).not.toHaveProperty("roles");
    });

    it("matches the user by userName case-insensitively, by externalId and by work email", async () => {
      const body = entraUser(suffix);
      for (const filter of [
        `userName eq "${body.userName.toUpperCase()}"`,
        `externalId eq "${body.externalId}"`,
        `emails[type eq "work"].value eq "${body.emails[0]!.value}"`,
        `id eq "${userId}"`,
      ]) {
        const res = await call("GET", `/Users?filter=${encodeURIComponent(filter)}`);
        expect(res.status, filter).toBe(200);
        expect(res.body.totalResults, filter).toBe(1);
        expect(res.body.Resources[0].id, filter).toBe(userId);
      }
    });

    it("returns the user by id with the enterprise extension under its URN", async () => {
      const res = await call("GET", `/Users/${userId}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("etag")).toBe('W/"1"');
      expect(res.body[ENTERPRISE]).toEqual({ employeeNumber: "1234", department: "Sales" });
    });

    it("applies Entra's multi-attribute update, creating the work email's siblings where absent", async () => {
      const ops =
        d.name === "legacy"
          ? [
              { op: "Replace", path: "displayName", value: "Pvlo" },
              { op: "Replace", path: 'emails[type eq "work"].value', value: "TestBcwqnm@test.microsoft.com" },
              { op: "Replace", path: "name.givenName", value: "Gtfd" },
              { op: "Replace", path: "name.familyName", value: "Pkqf" },
              { op: "Replace", path: `${ENTERPRISE}:employeeNumber`, value: "Eqpj" },
              { op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "55555555555" },
            ]
          : [
              { op: "replace", path: 'emails[type eq "work"].value', value: "TestBcwqnm@test.microsoft.com" },
              {
                op: "replace",
                value: {
                  displayName: "Pvlo",
                  "name.givenName": "Gtfd",
                  "name.familyName": "Pkqf",
                  [`${ENTERPRISE}:employeeNumber`]: "Eqpj",
                },
              },
              { op: "add", path: 'phoneNumbers[type eq "mobile"].value', value: "55555555555" },
            ];
      const res = await call("PATCH", `/Users/${userId}`, patchOp(...ops));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        displayName: "Pvlo",
        emails: [{ primary: true, type: "work", value: "TestBcwqnm@test.microsoft.com" }],
        name: { givenName: "Gtfd", familyName: "Pkqf" },
        phoneNumbers: [{ type: "mobile", value: "55555555555" }],
        [ENTERPRISE]: { employeeNumber: "Eqpj", department: "Sales" },
      });
    });

    it("adds a single-valued string attribute", async () => {
      const res = await call(
        "PATCH",
        `/Users/${userId}`,
        patchOp({ op: d.add, path: "nickName", value: "Babs" }),
      );
      expect(res.status).toBe(200);
      expect(res.body.nickName).toBe("Babs");
    });

    it("sets the manager from a bare id, changes it, reads it back as {value}, and clears it with an empty string", async () => {
      const mgr = await call("POST", "/Users", { schemas: [USER], userName: `mgr-${suffix}` });
      managerId = mgr.body.id;
      const path = `${ENTERPRISE}:manager`;
      await call("PATCH", `/Users/${userId}`, patchOp({ op: d.add, path, value: managerId }));
      const byFilter = await call(
        "GET",
        `/Users?filter=${encodeURIComponent(`id eq "${userId}" and manager eq "${managerId}"`)}&attributes=id`,
      );
      expect(byFilter.body.totalResults).toBe(1);
      expect(byFilter.body.Resources[0]).toEqual({ schemas: [USER, ENTERPRISE], id: userId });
      const other = await call("POST", "/Users", { schemas: [USER], userName: `mgr2-${suffix}` });
      const changed = await call(
        "PATCH",
        `/Users/${userId}`,
        patchOp({ op: d.replace, path, value: other.body.id }),
      );
      expect(changed.body[ENTERPRISE].manager).toEqual({ value: other.body.id });
      const cleared = await call("PATCH", `/Users/${userId}`, patchOp({ op: d.replace, path, value: "" }));
      expect(cleared.status).toBe(200);
      expect(cleared.body[ENTERPRISE]).not.toHaveProperty("manager");
    });

    it("deactivates with active false, keeps the user readable by id and filter, then reactivates", async () => {
      const off = await call(
        "PATCH",
        `/Users/${userId}`,
        patchOp({ op: d.replace, path: "active", value: d.f }),
      );
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      expect((await call("GET", `/Users/${userId}`)).body.active).toBe(false);
      const byName = await call(
        "GET",
        `/Users?filter=${encodeURIComponent(`userName eq "${entraUser(suffix).userName}"`)}`,
      );
      expect(byName.body.Resources[0].active).toBe(false);
      const on = await call(
        "PATCH",
        `/Users/${userId}`,
        patchOp({ op: d.replace, path: "active", value: d.t }),
      );
      expect(on.body.active).toBe(true);
    });

    it("runs the group lifecycle: lookup, create with the ADSCIM URI, add members, remove, rename, delete", async () => {
      const name = `Group-${suffix}`;
      const lookup = await call(
        "GET",
        `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${name}"`)}`,
      );
      expect(lookup.body.totalResults).toBe(0);
      const created = await call("POST", "/Groups", {
        schemas: [GROUP, ADSCIM],
        externalId: randomUUID(),
        displayName: name,
        meta: { resourceType: "Group" },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ schemas: [GROUP], displayName: name, members: [] });
      const gid = created.body.id;
      const add = await call(
        "PATCH",
        `/Groups/${gid}`,
        patchOp({
          op: d.add,
          path: "members",
          value: [
            { $ref: null, value: userId },
            { $ref: null, value: managerId },
          ],
        }),
      );
      expect(add.status).toBe(204);
      expect(add.body).toBeUndefined();
      const withMembers = await call("GET", `/Groups/${gid}`);
      expect(withMembers.body.members.map((m: { value: string }) => m.value).sort()).toEqual(
        [userId, managerId].sort(),
      );
      const without = await call("GET", `/Groups/${gid}?excludedAttributes=members`);
      expect(without.body).not.toHaveProperty("members");
      const removeOp =
        d.name === "legacy"
          ? { op: "Remove", path: "members", value: [{ value: managerId }] }
          : { op: "remove", path: `members[value eq "${managerId}"]` };
      expect((await call("PATCH", `/Groups/${gid}`, patchOp(removeOp))).status).toBe(204);
      const after = await call("GET", `/Groups/${gid}`);
      expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([userId]);
      const renamed = `${name}-updatedDisplayName`;
      expect(
        (
          await call(
            "PATCH",
            `/Groups/${gid}`,
            patchOp({ op: d.replace, path: "displayName", value: renamed }),
          )
        ).status,
      ).toBe(204);
      const found = await call(
        "GET",
        `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${renamed}"`)}`,
      );
      expect(found.body.Resources.map((g: { id: string }) => g.id)).toEqual([gid]);
      expect(found.body.Resources[0]).not.toHaveProperty("members");
      expect((await call("DELETE", `/Groups/${gid}`)).status).toBe(204);
      expect((await call("GET", `/Groups/${gid}`)).status).toBe(404);
    });

    it("accepts the app-role shapes: POST roles, Add with a JSON-encoded value, and the assertive full replace", async () => {
      const created = await call("POST", "/Users", {
        schemas: [USER],
        userName: `roles-${suffix}`,
        roles: [{ primary: true, type: "WindowsAzureActiveDirectoryRole", value: "Admin" }],
      });
      expect(created.status).toBe(201);
      const encoded = JSON.stringify({
        id: "06b07648-ecfe-589f-9d2f-6f3d3b5b3a61",
        value: "25",
        displayName: "Role1234",
      });
      const added = await call(
        "PATCH",
        `/Users/${created.body.id}`,
        patchOp({ op: d.add, path: "roles", value: [{ value: encoded }] }),
      );
      expect(added.body.roles).toEqual([
        { primary: true, type: "WindowsAzureActiveDirectoryRole", value: "Admin" },
        { value: encoded },
      ]);
      const replaced = await call(
        "PATCH",
        `/Users/${created.body.id}`,
        patchOp({
          op: "replace",
          path: "roles",
          value: [{ primary: false, type: "WindowsAzureActiveDirectoryRole", value: "Reader" }],
        }),
      );
      expect(replaced.body.roles).toEqual([
        { primary: false, type: "WindowsAzureActiveDirectoryRole", value: "Reader" },
      ]);
    });

    it("clears optional attributes with empty strings and with nulls (the validator's null-update test)", async () => {
      const res = await call(
        "PATCH",
        `/Users/${userId}`,
        patchOp(
          { op: d.replace, path: "title", value: "" },
          { op: d.replace, path: "nickName", value: null },
          { op: d.replace, path: `${ENTERPRISE}:department`, value: "" },
          { op: d.replace, path: 'phoneNumbers[type eq "mobile"].value', value: "" },
        ),
      );
      expect(res.status).toBe(200);
      for (const attr of ["title", "nickName", "phoneNumbers"])
        expect(res.body, attr).not.toHaveProperty(attr);
      expect(res.body[ENTERPRISE]).not.toHaveProperty("department");
    });

    it("accepts the tutorial's Example 2 body: null attributes and a typo'd extension URN in schemas", async () => {
      const res = await call("POST", "/Users", {
        schemas: [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
        userName: `example2-${suffix}`,
        addresses: null,
        phoneNumbers: null,
        title: null,
      });
      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty("addresses");
      expect(res.body).not.toHaveProperty("title");
    });

    it("hard-deletes the user with 204, after which GET answers 404 with a SCIM error", async () => {
      expect((await call("DELETE", `/Users/${userId}`)).status).toBe(204);
      const res = await call("GET", `/Users/${userId}`);
      expect(res.status).toBe(404);
      expectSCIMJson(res);
      expect(res.body).toEqual({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "404",
        detail: `User "${userId}" not found`,
      });
    });
  });
});
