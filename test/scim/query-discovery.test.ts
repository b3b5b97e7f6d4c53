import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/backends.js";
import { scimClient } from "../helpers/scim-client.js";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const PEOPLE = [
  { userName: "ann@contoso.com", displayName: "Ann", title: "CTO", dept: "R&D", email: "ann@contoso.com" },
  {
    userName: "bob@contoso.com",
    displayName: "Bob",
    title: "Engineer",
    dept: "R&D",
    email: "bob@example.org",
  },
  {
    userName: "cyd@fabrikam.com",
    displayName: "Cyd",
    title: "Engineer",
    dept: "Sales",
    email: "cyd@fabrikam.com",
  },
  {
    userName: "dan@contoso.com",
    displayName: "Dan",
    title: "Intern",
    dept: "Sales",
    email: "DAN@contoso.com",
  },
  {
    userName: "eve@contoso.com",
    displayName: "Eve",
    title: "Engineer",
    dept: "R&D",
    email: "eve@contoso.com",
  },
];

describe.each(BACKENDS)("queries and discovery on $name", (backend) => {
  let gate: TestScimgate;
  let call: ReturnType<typeof scimClient>;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    gate = await startScimgate({ backend });
    call = scimClient(gate.url, gate.token);
    for (const p of PEOPLE) {
      const res = await call("POST", "/Users", {
        schemas: [USER, ENTERPRISE],
        userName: p.userName,
        displayName: p.displayName,
        title: p.title,
        active: p.displayName !== "Dan",
        emails: [{ type: "work", value: p.email, primary: true }],
        [ENTERPRISE]: { department: p.dept },
      });
      ids.set(p.displayName, res.body.id);
    }
    const g = await call("POST", "/Groups", {
      schemas: [GROUP],
      displayName: "Engineers",
      members: [{ value: ids.get("Bob") }, { value: ids.get("Cyd") }],
    });
    ids.set("Engineers", g.body.id);
  });
  afterAll(async () => gate?.close());

  const names = async (query: string) => {
    const res = await call("GET", `/Users?${query}`);
    expect(res.status, query).toBe(200);
    return res.body.Resources.map((r: { displayName?: string }) => r.displayName);
  };
  const filter = (f: string, extra = "") =>
    names(`filter=${encodeURIComponent(f)}&sortBy=displayName${extra}`);

  it.each([
    ['title eq "engineer"', ["Bob", "Cyd", "Eve"]],
    ['title eq "Engineer" and emails.value co "contoso"', ["Eve"]],
    ['title eq "Engineer" and (emails.value ew ".org" or emails.value sw "cyd")', ["Bob", "Cyd"]],
    ['not (title eq "Engineer")', ["Ann", "Dan"]],
    ["active eq false", ["Dan"]],
    ['emails[type eq "work" and value eq "dan@CONTOSO.com"]', ["Dan"]],
    [`${ENTERPRISE}:department eq "Sales"`, ["Cyd", "Dan"]],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "a"', ["Ann"]],
    ["nickName pr", []],
    ["title pr", ["Ann", "Bob", "Cyd", "Dan", "Eve"]],
    ['title ne "Engineer"', ["Ann", "Dan"]],
    ['meta.created gt "2000-01-01T00:00:00Z"', ["Ann", "Bob", "Cyd", "Dan", "Eve"]],
    ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
  ])("filters %s", async (f, expected) => {
    expect(await filter(f)).toEqual(expected);
  });

  it("finds the members of a group by the user's groups attribute, and groups by member", async () => {
    expect(await filter(`groups[value eq "${ids.get("Engineers")}"]`)).toEqual(["Bob", "Cyd"]);
    const res = await call(
      "GET",
      `/Groups?filter=${encodeURIComponent(`members[value eq "${ids.get("Bob")}"]`)}`,
    );
    expect(res.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(["Engineers"]);
  });

  it("pages with 1-based startIndex and count, reporting the full total", async () => {
    const p1 = await call("GET", "/Users?sortBy=userName&startIndex=1&count=2");
    const p3 = await call("GET", "/Users?sortBy=userName&startIndex=5&count=2");
    expect(p1.body).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 2 });
    expect(p1.body.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(["Ann", "Bob"]);
    expect(p3.body).toMatchObject({ totalResults: 5, startIndex: 5, itemsPerPage: 1 });
    const beyond = await call("GET", "/Users?startIndex=50&count=2");
    expect(beyond.body).toMatchObject({ totalResults: 5, startIndex: 50, itemsPerPage: 0, Resources: [] });
  });

  it("sorts descending by a sub-attribute of the extension", async () => {
    const res = await names(
      `sortBy=${encodeURIComponent(`${ENTERPRISE}:department`)}&sortOrder=descending&count=2`,
    );
    expect(res).toHaveLength(2);
    expect(res.every((n: string) => ["Cyd", "Dan"].includes(n))).toBe(true);
  });

  it("returns only the requested attributes plus id and schemas", async () => {
    const res = await call("GET", `/Users/${ids.get("Ann")}?attributes=userName,emails.value`);
    expect(res.body).toEqual({
      schemas: [USER, ENTERPRISE],
      id: ids.get("Ann"),
      userName: "ann@contoso.com",
      emails: [{ value: "ann@contoso.com" }],
    });
  });

  it("leaves out excluded attributes, including members of groups", async () => {
    const user = await call("GET", `/Users/${ids.get("Bob")}?excludedAttributes=emails,meta,groups`);
    expect(user.body).not.toHaveProperty("emails");
    expect(user.body).not.toHaveProperty("meta");
    expect(user.body).not.toHaveProperty("groups");
    const group = await call("GET", `/Groups?excludedAttributes=members`);
    expect(group.body.Resources[0]).not.toHaveProperty("members");
  });

  it("shows a user's direct groups", async () => {
    const res = await call("GET", `/Users/${ids.get("Cyd")}`);
    expect(res.body.groups).toEqual([
      {
        value: ids.get("Engineers"),
        $ref: `${gate.url}/Groups/${ids.get("Engineers")}`,
        display: "Engineers",
        type: "direct",
      },
    ]);
  });

  it("answers POST .search like GET with the same parameters", async () => {
    const res = await call("POST", "/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: 'title eq "Engineer"',
      attributes: ["displayName"],
      sortBy: "displayName",
      count: 2,
    });
    expect(res.status).toBe(200);
    expect(res.body.Resources).toEqual([
      { schemas: [USER, ENTERPRISE], id: ids.get("Bob"), displayName: "Bob" },
      { schemas: [USER, ENTERPRISE], id: ids.get("Cyd"), displayName: "Cyd" },
    ]);
    expect(res.body.totalResults).toBe(3);
  });

  it("serves /ServiceProviderConfig, /ResourceTypes (User first) and /Schemas without a token", async () => {
    const anon = scimClient(gate.url, "");
    const spc = await anon("GET", "/ServiceProviderConfig", undefined, { token: null });
    expect(spc.status).toBe(200);
    expect(spc.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      etag: { supported: true },
      sort: { supported: true },
    });
    const rts = await anon("GET", "/ResourceTypes", undefined, { token: null });
    expect(rts.body.Resources.map((r: { endpoint: string }) => r.endpoint)).toEqual(["/Users", "/Groups"]);
    expect(rts.body.Resources[0].schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }]);
    const schemas = await anon("GET", "/Schemas", undefined, { token: null });
    expect(schemas.body.totalResults).toBe(3);
    const user = schemas.body.Resources.find((s: { id: string }) => s.id === USER);
    expect(user.description).toBe("User Account");
    const userName = user.attributes.find((a: { name: string }) => a.name === "userName");
    expect(userName).toMatchObject({
      required: true,
      caseExact: false,
      uniqueness: "server",
      type: "string",
    });
    expect(user.attributes.map((a: { name: string }) => a.name)).not.toContain("password");
    const one = await anon("GET", `/Schemas/${ENTERPRISE}`, undefined, { token: null });
    expect(one.body.attributes.map((a: { name: string }) => a.name)).toContain("manager");
  });

  it("answers /Me and /Bulk with 501 and a SCIM error body, after the token check", async () => {
    for (const [method, path] of [
      ["GET", "/Me"],
      ["PATCH", "/Me"],
      ["GET", "/Me/groups"],
      ["POST", "/Bulk"],
    ] as const) {
      const res = await call(method, path, method === "GET" ? undefined : { schemas: [] });
      expect(res.status, `${method} ${path}`).toBe(501);
      expect(res.body).toMatchObject({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "501",
      });
      expect(res.body.detail).toMatch(path === "/Bulk" ? /bulk/ : /\/Me/);
    }
    const anon = await call("GET", "/Me", undefined, { token: null });
    expect(anon.status).toBe(401);
  });
});
