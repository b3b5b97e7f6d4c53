import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/main.js";
import { SCIMError } from "../../src/scim/errors.js";
import { parseFilter } from "../../src/scim/filter/parse.js";
import type { ScimDoc } from "../../src/scim/types.js";
import { type AuditRecord, type ListQuery, type Store, StoreError } from "../../src/store/store.js";
import { BACKENDS, type TestDatabase } from "../helpers/backends.js";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

function audit(operation: string, resourceType: string, requestId = randomUUID()): AuditRecord {
  return {
    tenantId: null,
    keyId: null,
    requestId,
    operation,
    resourceType,
    resourceId: null,
    outcome: "success",
    summary: "",
  };
}

function query(filter?: string, extra: Partial<ListQuery> = {}): ListQuery {
  return { startIndex: 1, count: 100, ...(filter ? { filter: parseFilter(filter) } : {}), ...extra };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

async function expectStoreError(p: Promise<unknown>, code: StoreError["code"], attribute?: string) {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(StoreError);
  expect((e as StoreError).code).toBe(code);
  if (attribute !== undefined) expect((e as StoreError).attribute).toBe(attribute);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(BACKENDS)("Store contract on $name", (backend) => {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await backend.create();
    store = await openStore(db.url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const newTenant = async (jit = false) =>
    store.createTenant({ name: `t-${randomUUID()}`, jit }, audit("create", "Tenant"));
  const createUser = (tenantId: string, doc: ScimDoc) =>
    store.createUser(tenantId, doc, audit("create", "User"));
  const auditCount = async (requestId: string) =>
    (await store.queryAudit({ limit: 1000 })).filter((a) => a.requestId === requestId).length;

  describe("tenants", () => {
    it("creates, reads, lists and updates a tenant", async () => {
      const t = await newTenant(true);
      expect(t).toMatchObject({ jit: true });
      expect(t.createdAt).toMatch(ISO);
      expect(await store.getTenant(t.id)).toEqual(t);
      expect((await store.listTenants()).map((x) => x.id)).toContain(t.id);
      const u = await store.updateTenant(
        t.id,
        { name: `${t.name}-renamed`, jit: false },
        audit("update", "Tenant"),
      );
      expect(u).toMatchObject({ id: t.id, name: `${t.name}-renamed`, jit: false, createdAt: t.createdAt });
      expect(await store.getTenant(t.id)).toEqual(u);
    });

    it("answers undefined and not_found for an unknown tenant", async () => {
      expect(await store.getTenant("nope")).toBeUndefined();
      await expectStoreError(
        store.updateTenant("nope", { jit: true }, audit("update", "Tenant")),
        "not_found",
      );
      await expectStoreError(store.deleteTenant("nope", audit("delete", "Tenant")), "not_found");
    });

    it("rejects a second tenant with the same name as a conflict on name", async () => {
      const t = await newTenant();
      await expectStoreError(
        store.createTenant({ name: t.name }, audit("create", "Tenant")),
        "conflict",
        "name",
      );
    });

    it("deletes a tenant with its users, groups, memberships, keys and role config", async () => {
      const t = await newTenant();
      const u = await createUser(t.id, { userName: "gone@example.com" });
      const g = await store.createGroup(t.id, { displayName: "Gone" }, [u.id], audit("create", "Group"));
      const key = await store.createKey(keyInput(t.id), audit("create", "AccessKey"));
      await store.putRoleConfig(t.id, ROLE_CONFIG, audit("put", "RoleConfig"));
      await store.deleteTenant(t.id, audit("delete", "Tenant"));
      expect(await store.getTenant(t.id)).toBeUndefined();
      expect(await store.getUser(t.id, u.id)).toBeUndefined();
      expect(await store.getGroup(t.id, g.id)).toBeUndefined();
      expect(await store.getKey(key.id)).toBeUndefined();
      expect(await store.listKeys({ kind: "tenant", tenantId: t.id })).toEqual([]);
      expect(await store.getRoleConfig(t.id)).toEqual({ roles: [], defaultRoles: [], mappings: [] });
      expect((await store.listUsers(t.id, query())).totalResults).toBe(0);
    });
  });

  describe("keys and meta", () => {
    it("creates, reads, lists, touches and revokes keys", async () => {
      const t = await newTenant();
      const k = await store.createKey(keyInput(t.id), audit("create", "AccessKey"));
      expect(k.revokedAt).toBeNull();
      const got = await store.getKey(k.id);
      expect(got).toEqual(k);
      expect(Buffer.isBuffer(got?.secretHash)).toBe(true);
      expect((await store.listKeys({ kind: "tenant", tenantId: t.id })).map((x) => x.id)).toEqual([k.id]);
      const m = await store.createKey(
        { ...keyInput(null), kind: "management" },
        audit("create", "AccessKey"),
      );
      expect((await store.listKeys({ kind: "management" })).map((x) => x.id)).toContain(m.id);
      expect((await store.listKeys({ kind: "tenant" })).map((x) => x.id)).not.toContain(m.id);
      await store.touchKey(k.id, "2030-01-01T00:00:00.000Z");
      expect((await store.getKey(k.id))?.lastUsedAt).toBe("2030-01-01T00:00:00.000Z");
      const r = await store.revokeKey(k.id, audit("revoke", "AccessKey"));
      expect(r.revokedAt).toMatch(ISO);
      expect((await store.revokeKey(k.id, audit("revoke", "AccessKey"))).revokedAt).toBe(r.revokedAt);
      expect((await store.getKey(k.id))?.revokedAt).toBe(r.revokedAt);
    });

    it("refuses a key for an unknown tenant and a revoke of an unknown key", async () => {
      await expectStoreError(store.createKey(keyInput("nope"), audit("create", "AccessKey")), "not_found");
      await expectStoreError(store.revokeKey("nope", audit("revoke", "AccessKey")), "not_found");
      expect(await store.getKey("nope")).toBeUndefined();
    });

    it("keeps the first value getOrInitMeta stored, even when called concurrently", async () => {
      const key = `k-${randomUUID()}`;
      const values = await Promise.all(["a", "b", "c", "d"].map((v) => store.getOrInitMeta(key, v)));
      expect(new Set(values).size).toBe(1);
      expect(await store.getOrInitMeta(key, "z")).toBe(values[0]);
    });
  });

  describe("users", () => {
    it("creates a user at version 1 and reads the same document back", async () => {
      const t = await newTenant();
      const doc = { userName: "Ann@Example.com", name: { givenName: "Ann" }, emails: [{ value: "a@x.io" }] };
      const u = await createUser(t.id, doc);
      expect(u).toMatchObject({ doc, version: 1, origin: "scim" });
      expect(u.created).toMatch(ISO);
      expect(u.lastModified).toBe(u.created);
      const got = await store.getUser(t.id, u.id);
      expect(got).toMatchObject({ id: u.id, doc, version: 1, created: u.created, lastModified: u.created });
      expect(await store.getUser(t.id, "nope")).toBeUndefined();
    });

    it("gives users and groups UUIDv7 ids that sort in creation order and carry the creation time", async () => {
      const t = await newTenant();
      const made: { id: string; created: string }[] = [];
      for (let i = 0; i < 20; i++) {
        made.push(await createUser(t.id, { userName: `v7-${i}@example.com` }));
        made.push(
          await store.createGroup(t.id, { displayName: `v7 group ${i}` }, [], audit("create", "Group")),
        );
      }
      const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      for (const r of made) {
        expect(r.id).toMatch(V7);
        const ms = Number.parseInt(r.id.replace(/-/g, "").slice(0, 12), 16);
        expect(Math.abs(ms - Date.parse(r.created))).toBeLessThan(1000);
      }
      const ids = made.map((r) => r.id);
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("records the JIT origin and adopts the user as SCIM on its first update", async () => {
      const t = await newTenant(true);
      const u = await store.createUser(t.id, { userName: "jit@example.com" }, audit("create", "User"), "jit");
      expect((await store.getUser(t.id, u.id))?.origin).toBe("jit");
      await store.updateUser(
        t.id,
        u.id,
        { patch: [{ op: "replace", path: "active", value: true }] },
        {},
        audit("patch", "User"),
      );
      expect((await store.getUser(t.id, u.id))?.origin).toBe("scim");
    });

    it("treats userName as unique per tenant, case-insensitively", async () => {
      const [a, b] = [await newTenant(), await newTenant()];
      await createUser(a.id, { userName: "Dup@Example.com" });
      await expectStoreError(createUser(a.id, { userName: "dup@example.COM" }), "conflict", "userName");
      expect((await createUser(b.id, { userName: "dup@example.com" })).version).toBe(1);
    });

    it("updates with If-Match on the current version and refuses a stale one", async () => {
      const t = await newTenant();
      const u = await createUser(t.id, { userName: "v@example.com" });
      const u2 = await store.updateUser(
        t.id,
        u.id,
        { patch: [{ op: "replace", path: "title", value: "v1" }] },
        { ifMatch: 1 },
        audit("patch", "User"),
      );
      expect(u2).toMatchObject({
        version: 2,
        created: u.created,
        doc: { userName: "v@example.com", title: "v1" },
      });
      await expectStoreError(
        store.updateUser(t.id, u.id, { patch: [] }, { ifMatch: 1 }, audit("patch", "User")),
        "precondition_failed",
      );
      await expectStoreError(
        store.deleteUser(t.id, u.id, { ifMatch: 1 }, audit("delete", "User")),
        "precondition_failed",
      );
      expect((await store.getUser(t.id, u.id))?.version).toBe(2);
      await expectStoreError(
        store.updateUser(t.id, "nope", { patch: [] }, {}, audit("patch", "User")),
        "not_found",
      );
    });

    it("refuses renaming a user to a taken userName and leaves it unchanged", async () => {
      const t = await newTenant();
      await createUser(t.id, { userName: "taken@example.com" });
      const u = await createUser(t.id, { userName: "free@example.com" });
      await expectStoreError(
        store.updateUser(
          t.id,
          u.id,
          { replace: { userName: "TAKEN@example.com" } },
          {},
          audit("patch", "User"),
        ),
        "conflict",
        "userName",
      );
      expect(await store.getUser(t.id, u.id)).toMatchObject({
        version: 1,
        doc: { userName: "free@example.com" },
      });
    });

    it("deletes a user, its memberships, and bumps the version of its groups", async () => {
      const t = await newTenant();
      const u = await createUser(t.id, { userName: "del@example.com" });
      const keep = await createUser(t.id, { userName: "keep@example.com" });
      const g = await store.createGroup(
        t.id,
        { displayName: "G" },
        [u.id, keep.id],
        audit("create", "Group"),
      );
      await store.deleteUser(t.id, u.id, {}, audit("delete", "User"));
      expect(await store.getUser(t.id, u.id)).toBeUndefined();
      const after = await store.getGroup(t.id, g.id, { members: true });
      expect(after?.members?.map((m) => m.value)).toEqual([keep.id]);
      expect(after?.version).toBe(2);
      await expectStoreError(store.deleteUser(t.id, u.id, {}, audit("delete", "User")), "not_found");
    });
  });

  describe("user filters", () => {
    let tid: string;
    const ids: Record<string, string> = {};
    let carolCreated = "";

    beforeAll(async () => {
      tid = (await newTenant()).id;
      const bob = await createUser(tid, {
        userName: "bob@example.com",
        externalId: "EXT-B",
        displayName: "Bob Jones",
        active: false,
        name: { familyName: "Jones" },
        emails: [{ type: "work", value: "Bob@Work.example" }],
        [ENTERPRISE]: { department: "Engineering" },
      });
      const alice = await createUser(tid, {
        userName: "Alice@Example.com",
        externalId: "ext-A",
        displayName: "Alice Smith",
        active: true,
        name: { familyName: "Smith", givenName: "Alice" },
        emails: [
          { type: "work", value: "alice@work.example", primary: true },
          { type: "home", value: "alice@home.example" },
        ],
        [ENTERPRISE]: { department: "Sales", manager: { value: bob.id } },
      });
      const carol = await createUser(tid, { userName: "carol@other.org", active: true, title: "Boss" });
      Object.assign(ids, { bob: bob.id, alice: alice.id, carol: carol.id });
      carolCreated = carol.created;
    });

    const names = async (filter: string) =>
      (await store.listUsers(tid, query(filter))).resources
        .map((r) => String(r.doc.userName).split("@")[0])
        .sort();

    it.each([
      ['userName eq "alice@example.com"', ["Alice"]],
      ['userName eq "ALICE@EXAMPLE.COM"', ["Alice"]],
      ['userName eq "nobody@example.com"', []],
      ['externalId eq "ext-A"', ["Alice"]],
      ['externalId eq "EXT-A"', []],
      ['emails[type eq "work"].value eq "bob@work.example"', ["bob"]],
      ['emails[type eq "work" and value eq "alice@home.example"]', []],
      ['emails.value eq "alice@home.example"', ["Alice"]],
      ["emails[primary eq true]", ["Alice"]],
      ["emails pr", ["Alice", "bob"]],
      ['userName sw "a"', ["Alice"]],
      ['userName ew ".ORG"', ["carol"]],
      ['userName co "example"', ["Alice", "bob"]],
      ['displayName co "Smith"', ["Alice"]],
      ['name.familyName eq "smith"', ["Alice"]],
      [`${ENTERPRISE}:department eq "sales"`, ["Alice"]],
      ["active eq true", ["Alice", "carol"]],
      ['active eq "False"', ["bob"]],
      ['userName eq "x@example.com" or externalId eq "EXT-B"', ["bob"]],
      ['userName sw "a" and active eq true', ["Alice"]],
      ['not (userName eq "alice@example.com")', ["bob", "carol"]],
      // RFC 7644 §3.4.2.2: an absent attribute does not equal "Boss", so NOT keeps those users.
      ['not (title eq "Boss")', ["Alice", "bob"]],
      ['not (emails[type eq "home"])', ["bob", "carol"]],
      ['not (active eq true) and not (title sw "B")', ["bob"]],
      ["title pr", ["carol"]],
      ['title ne "Boss"', ["Alice", "bob"]],
      ["externalId pr", ["Alice", "bob"]],
      ['meta.lastModified gt "2000-01-01T00:00:00Z"', ["Alice", "bob", "carol"]],
      ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
    ])("filters %s", async (filter, expected) => {
      expect(await names(filter)).toEqual(expected);
    });

    it("sorts users without the sortBy value last ascending and first descending (RFC 7644 §3.4.2.3)", async () => {
      const sorted = async (sortOrder: "ascending" | "descending") =>
        (
          await store.listUsers(tid, query(undefined, { sortBy: "name.familyName", sortOrder }))
        ).resources.map((r) => String(r.doc.userName).split("@")[0]);
      expect(await sorted("ascending")).toEqual(["bob", "Alice", "carol"]);
      expect(await sorted("descending")).toEqual(["carol", "Alice", "bob"]);
    });

    it("filters on the manager id and on meta.created bounds", async () => {
      expect(await names(`manager eq "${ids.bob}"`)).toEqual(["Alice"]);
      expect(await names(`${ENTERPRISE}:manager.value eq "${ids.bob}"`)).toEqual(["Alice"]);
      expect(await names(`meta.created ge "${carolCreated}"`)).toContain("carol");
      expect(await names(`meta.created gt "${carolCreated}"`)).not.toContain("carol");
    });

    it("rejects an unknown attribute as a 400 invalidFilter, not a server error", async () => {
      const e = await rejection(store.listUsers(tid, query('nosuch eq "x"')));
      expect(e).toBeInstanceOf(SCIMError);
      expect((e as SCIMError).status).toBe(400);
      expect((e as SCIMError).scimType).toBe("invalidFilter");
    });

    it("does not see another tenant's users through a filter", async () => {
      const other = await newTenant();
      expect((await store.listUsers(other.id, query('userName eq "alice@example.com"'))).totalResults).toBe(
        0,
      );
    });
  });

  describe("paging and sorting", () => {
    let tid: string;
    beforeAll(async () => {
      tid = (await newTenant()).id;
      for (const n of ["e", "c", "a", "d", "b"]) await createUser(tid, { userName: `${n}@p.io` });
    });
    const page = async (q: Partial<ListQuery>) => {
      const p = await store.listUsers(tid, query(undefined, q));
      return { total: p.totalResults, names: p.resources.map((r) => String(r.doc.userName)[0]) };
    };

    it("pages through one stable order with totalResults on every page", async () => {
      // The default order is (meta.created, id); users created in the same millisecond tie on created.
      const all = (await page({})).names;
      expect(all.slice().sort()).toEqual(["a", "b", "c", "d", "e"]);
      expect(await page({ count: 2 })).toEqual({ total: 5, names: all.slice(0, 2) });
      expect(await page({ startIndex: 3, count: 2 })).toEqual({ total: 5, names: all.slice(2, 4) });
      expect(await page({ startIndex: 5, count: 2 })).toEqual({ total: 5, names: all.slice(4) });
      expect(await page({ startIndex: 6, count: 2 })).toEqual({ total: 5, names: [] });
      expect(await page({ count: 0 })).toEqual({ total: 5, names: [] });
    });

    it("sorts by userName in either order", async () => {
      expect((await page({ sortBy: "userName" })).names).toEqual(["a", "b", "c", "d", "e"]);
      expect((await page({ sortBy: "userName", sortOrder: "descending", count: 2 })).names).toEqual([
        "e",
        "d",
      ]);
    });

    it("pages through a sorted order, and a filtered one, past the first page", async () => {
      const names = async (q: Partial<ListQuery>) => (await page({ count: 2, ...q })).names;
      expect(await names({ sortBy: "userName", startIndex: 2 })).toEqual(["b", "c"]);
      expect(await names({ sortBy: "userName", startIndex: 4 })).toEqual(["d", "e"]);
      expect(await names({ sortBy: "userName", sortOrder: "descending", startIndex: 3 })).toEqual(["c", "b"]);
      expect(await names({ sortBy: "userName", startIndex: 6 })).toEqual([]);
      const all = (await page({})).names;
      const filtered = all.filter((n) => n !== "c");
      expect(await page({ filter: parseFilter('not (userName sw "c")'), startIndex: 2, count: 2 })).toEqual({
        total: 4,
        names: filtered.slice(1, 3),
      });
    });

    it("keeps users without the sortBy value last on later pages, with their groups", async () => {
      const t = (await newTenant()).id;
      const ids: Record<string, string> = {};
      for (const [n, family] of [
        ["p", "Zed"],
        ["q", undefined],
        ["r", "Ann"],
        ["s", "Mid"],
      ] as const) {
        ids[n] = (
          await createUser(t, { userName: `${n}@p.io`, ...(family ? { name: { familyName: family } } : {}) })
        ).id;
      }
      const g = await store.createGroup(t, { displayName: "Team" }, [ids.q!], audit("create", "Group"));
      const sorted = async (sortOrder: "ascending" | "descending", startIndex: number) =>
        (
          await store.listUsers(
            t,
            query(undefined, { sortBy: "name.familyName", sortOrder, startIndex, count: 2 }),
            {
              groups: true,
            },
          )
        ).resources.map((r) => [String(r.doc.userName)[0], r.groups?.map((x) => x.value) ?? []]);
      expect(await sorted("ascending", 1)).toEqual([
        ["r", []],
        ["s", []],
      ]);
      expect(await sorted("ascending", 3)).toEqual([
        ["p", []],
        ["q", [g.id]],
      ]);
      expect(await sorted("descending", 2)).toEqual([
        ["p", []],
        ["s", []],
      ]);
      expect(await sorted("descending", 1)).toEqual([
        ["q", [g.id]],
        ["p", []],
      ]);
    });
  });

  describe("groups", () => {
    it("creates a group with members and reads them with type and display", async () => {
      const t = await newTenant();
      const u = await createUser(t.id, { userName: "m@example.com", displayName: "Em" });
      const inner = await store.createGroup(t.id, { displayName: "Inner" }, [], audit("create", "Group"));
      const g = await store.createGroup(
        t.id,
        { displayName: "Outer", externalId: "oid-1" },
        [u.id, inner.id],
        audit("create", "Group"),
      );
      expect(g.version).toBe(1);
      const got = await store.getGroup(t.id, g.id, { members: true });
      expect(got?.doc).toEqual({ displayName: "Outer", externalId: "oid-1" });
      expect([...(got?.members ?? [])].sort((a, b) => a.type.localeCompare(b.type))).toEqual([
        { value: inner.id, type: "Group", display: "Inner" },
        { value: u.id, type: "User", display: "Em" },
      ]);
      expect((await store.getGroup(t.id, g.id))?.members).toBeUndefined();
      const groups = [{ value: g.id, display: "Outer", externalId: "oid-1" }];
      expect((await store.getUser(t.id, u.id, { groups: true }))?.groups).toEqual(groups);
      expect((await store.listUsers(t.id, query(), { groups: true })).resources[0]?.groups).toEqual(groups);
      // A store may return the groups with the update (saving the PATCH response a read); then they are right.
      const updated = await store.updateUser(t.id, u.id, { patch: [] }, {}, audit("patch", "User"));
      if (updated.groups !== undefined) expect(updated.groups).toEqual(groups);
    });

    it("lists a user's groups by name, case-insensitively, whatever order they were joined in", async () => {
      const t = await newTenant();
      const u = await createUser(t.id, { userName: "order@example.com" });
      const names = ["delta", "Bravo", "charlie", "Alpha"];
      const ids = new Map<string, string>();
      for (const name of names) {
        const g = await store.createGroup(t.id, { displayName: name }, [u.id], audit("create", "Group"));
        ids.set(name, g.id);
      }
      const expected = ["Alpha", "Bravo", "charlie", "delta"].map((n) => ({ value: ids.get(n), display: n }));
      const shape = (gs: readonly { value: string; display?: string }[] | undefined) =>
        gs?.map((g) => ({ value: g.value, display: g.display }));
      expect(shape((await store.getUser(t.id, u.id, { groups: true }))?.groups)).toEqual(expected);
      expect(shape((await store.listUsers(t.id, query(), { groups: true })).resources[0]?.groups)).toEqual(
        expected,
      );
      const updated = await store.updateUser(t.id, u.id, { patch: [] }, {}, audit("patch", "User"));
      if (updated.groups !== undefined) expect(shape(updated.groups)).toEqual(expected);
    });

    it("treats displayName as unique per tenant, case-insensitively", async () => {
      const t = await newTenant();
      await store.createGroup(t.id, { displayName: "Admins" }, [], audit("create", "Group"));
      await expectStoreError(
        store.createGroup(t.id, { displayName: "ADMINS" }, [], audit("create", "Group")),
        "conflict",
        "displayName",
      );
    });

    it("applies member adds, removes and clears as deltas", async () => {
      const t = await newTenant();
      const [a, b, c] = await Promise.all(
        ["a", "b", "c"].map((n) => createUser(t.id, { userName: `${n}@d.io` })),
      );
      const g = await store.createGroup(t.id, { displayName: "D" }, [a!.id], audit("create", "Group"));
      const members = async () =>
        (await store.getGroup(t.id, g.id, { members: true }))?.members?.map((m) => m.value).sort();
      const delta = (d: { clear?: boolean; add?: string[]; remove?: string[] }) =>
        store.updateGroup(
          t.id,
          g.id,
          { patch: [] },
          { clear: false, add: [], remove: [], ...d },
          {},
          audit("patch", "Group"),
        );
      await delta({ add: [b!.id, a!.id] });
      expect(await members()).toEqual([a!.id, b!.id].sort());
      await delta({ remove: [a!.id, "not-a-member"] });
      expect(await members()).toEqual([b!.id]);
      await delta({ clear: true, add: [c!.id] });
      expect(await members()).toEqual([c!.id]);
      expect((await store.getGroup(t.id, g.id))?.version).toBe(4);
    });

    it("refuses an unknown member or the group itself as invalid and applies nothing", async () => {
      const t = await newTenant();
      const u = await createUser(t.id, { userName: "x@i.io" });
      const g = await store.createGroup(t.id, { displayName: "I" }, [], audit("create", "Group"));
      const add = (ids: string[]) =>
        store.updateGroup(
          t.id,
          g.id,
          { replace: { displayName: "Changed" } },
          { clear: false, add: ids, remove: [] },
          {},
          audit("patch", "Group"),
        );
      await expectStoreError(add([u.id, "nope"]), "invalid");
      await expectStoreError(add([g.id]), "invalid");
      await expectStoreError(
        store.createGroup(t.id, { displayName: "J" }, ["nope"], audit("create", "Group")),
        "invalid",
      );
      const after = await store.getGroup(t.id, g.id, { members: true });
      expect(after).toMatchObject({ version: 1, doc: { displayName: "I" }, members: [] });
      expect((await store.listGroups(t.id, query('displayName eq "J"'))).totalResults).toBe(0);
    });

    it("lists groups with and without members and filters them", async () => {
      const t = await newTenant();
      const u = await createUser(t.id, { userName: "l@g.io" });
      const g1 = await store.createGroup(
        t.id,
        { displayName: "Sales EMEA" },
        [u.id],
        audit("create", "Group"),
      );
      await store.createGroup(t.id, { displayName: "Sales US" }, [], audit("create", "Group"));
      const plain = await store.listGroups(t.id, query('displayName eq "sales emea"'));
      expect(plain.resources.map((g) => g.id)).toEqual([g1.id]);
      expect(plain.resources[0]?.members).toBeUndefined();
      const full = await store.listGroups(t.id, query('displayName sw "Sales"'), { members: true });
      expect(full.totalResults).toBe(2);
      expect(full.resources.find((g) => g.id === g1.id)?.members?.map((m) => m.value)).toEqual([u.id]);
      expect(
        (await store.listGroups(t.id, query(`members[value eq "${u.id}"]`))).resources.map((g) => g.id),
      ).toEqual([g1.id]);
      expect(
        (await store.listUsers(t.id, query(`groups[value eq "${g1.id}"]`))).resources.map((x) => x.id),
      ).toEqual([u.id]);
    });

    it("updates a group with If-Match and deletes it from its parent groups", async () => {
      const t = await newTenant();
      const child = await store.createGroup(t.id, { displayName: "Child" }, [], audit("create", "Group"));
      const parent = await store.createGroup(
        t.id,
        { displayName: "Parent" },
        [child.id],
        audit("create", "Group"),
      );
      const withMember = async (id: string) =>
        (await store.listGroups(t.id, query(`members[value eq "${id}"]`))).resources.map((g) => g.id);
      expect(await withMember(child.id)).toEqual([parent.id]);
      expect(await withMember(parent.id)).toEqual([]);
      expect((await store.getGroup(t.id, parent.id, { members: true }))?.members).toEqual([
        { value: child.id, type: "Group", display: "Child" },
      ]);
      await expectStoreError(
        store.updateGroup(t.id, child.id, { patch: [] }, undefined, { ifMatch: 7 }, audit("patch", "Group")),
        "precondition_failed",
      );
      await expectStoreError(
        store.deleteGroup(t.id, child.id, { ifMatch: 7 }, audit("delete", "Group")),
        "precondition_failed",
      );
      await store.deleteGroup(t.id, child.id, { ifMatch: 1 }, audit("delete", "Group"));
      expect(await store.getGroup(t.id, child.id)).toBeUndefined();
      expect(await store.getGroup(t.id, parent.id, { members: true })).toMatchObject({
        version: 2,
        members: [],
      });
      await expectStoreError(store.deleteGroup(t.id, child.id, {}, audit("delete", "Group")), "not_found");
      expect(await withMember(child.id)).toEqual([]);
    });

    it("lands every member of concurrent PATCHes adding different members to one group", async () => {
      const t = await newTenant();
      const users = await Promise.all(
        Array.from({ length: 20 }, (_, i) => createUser(t.id, { userName: `c${i}@c.io` })),
      );
      const g = await store.createGroup(t.id, { displayName: "Busy" }, [], audit("create", "Group"));
      await Promise.all(
        users.map((u) =>
          store.updateGroup(
            t.id,
            g.id,
            { patch: [] },
            { clear: false, add: [u.id], remove: [] },
            {},
            audit("patch", "Group"),
          ),
        ),
      );
      const after = await store.getGroup(t.id, g.id, { members: true });
      expect(after?.members?.length).toBe(20);
      expect(after?.version).toBe(21);
    });
    it("never leaves a membership of a user deleted while being added to a group", async () => {
      const t = await newTenant();
      const users = await Promise.all(
        Array.from({ length: 10 }, (_, i) => createUser(t.id, { userName: `race${i}@r.io` })),
      );
      const g = await store.createGroup(t.id, { displayName: "Race" }, [], audit("create", "Group"));
      const add = (id: string) =>
        store
          .updateGroup(
            t.id,
            g.id,
            { patch: [] },
            { clear: false, add: [id], remove: [] },
            {},
            audit("patch", "Group"),
          )
          .then(
            () => "added",
            (e: unknown) => (e as StoreError).code,
          );
      const outcomes = await Promise.all(
        users.flatMap((u) => [
          add(u.id),
          store.deleteUser(t.id, u.id, {}, audit("delete", "User")).then(() => "deleted"),
        ]),
      );
      expect(outcomes.filter((o) => o === "deleted")).toHaveLength(10);
      expect(outcomes.every((o) => ["added", "deleted", "invalid"].includes(o))).toBe(true);
      expect((await store.getGroup(t.id, g.id, { members: true }))?.members).toEqual([]);
      expect((await store.listGroups(t.id, query(`members[value eq "${users[0]!.id}"]`))).totalResults).toBe(
        0,
      );
    });
  });

  describe("role configuration", () => {
    it("is empty until put, and a put of the same document changes nothing", async () => {
      const t = await newTenant();
      expect(await store.getRoleConfig(t.id)).toEqual({ roles: [], defaultRoles: [], mappings: [] });
      const first = audit("put", "RoleConfig");
      expect(await store.putRoleConfig(t.id, ROLE_CONFIG, first)).toEqual({ changed: true });
      expect(await store.getRoleConfig(t.id)).toEqual(ROLE_CONFIG);
      const again = audit("put", "RoleConfig");
      expect(await store.putRoleConfig(t.id, ROLE_CONFIG, again)).toEqual({ changed: false });
      expect([await auditCount(first.requestId), await auditCount(again.requestId)]).toEqual([1, 0]);
      const next = { ...ROLE_CONFIG, defaultRoles: [] };
      expect(await store.putRoleConfig(t.id, next, audit("put", "RoleConfig"))).toEqual({ changed: true });
      expect(await store.getRoleConfig(t.id)).toEqual(next);
      await expectStoreError(
        store.putRoleConfig("nope", ROLE_CONFIG, audit("put", "RoleConfig")),
        "not_found",
      );
    });
  });

  describe("audit", () => {
    it("writes one audit row with each write, naming the resource", async () => {
      const t = await newTenant();
      const a = { ...audit("create", "User"), tenantId: t.id };
      const u = await store.createUser(t.id, { userName: "au@example.com" }, a);
      const rows = await store.queryAudit({ tenantId: t.id, resourceType: "User", limit: 10 });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        requestId: a.requestId,
        operation: "create",
        resourceId: u.id,
        outcome: "success",
      });
      expect(rows[0]?.at).toMatch(ISO);
    });

    it("rolls the audit row back with a failed write", async () => {
      const t = await newTenant();
      await createUser(t.id, { userName: "once@example.com" });
      const failed = audit("create", "User");
      await expectStoreError(store.createUser(t.id, { userName: "ONCE@example.com" }, failed), "conflict");
      const g = await store.createGroup(t.id, { displayName: "R" }, [], audit("create", "Group"));
      const bad = audit("patch", "Group");
      await expectStoreError(
        store.updateGroup(t.id, g.id, { patch: [] }, { clear: false, add: ["nope"], remove: [] }, {}, bad),
        "invalid",
      );
      expect([await auditCount(failed.requestId), await auditCount(bad.requestId)]).toEqual([0, 0]);
    });

    it("queries by tenant, resource, time range and cursor, and prunes old rows", async () => {
      const t = await newTenant();
      const rec = (n: number): AuditRecord => ({
        ...audit("note", "Thing"),
        tenantId: t.id,
        resourceId: `r${n % 2}`,
        summary: `n${n}`,
      });
      for (let i = 0; i < 5; i++) await store.appendAudit(rec(i));
      const all = await store.queryAudit({ tenantId: t.id, resourceType: "Thing", limit: 100 });
      expect(all.map((r) => r.summary)).toEqual(["n0", "n1", "n2", "n3", "n4"]);
      const p1 = await store.queryAudit({ tenantId: t.id, resourceType: "Thing", limit: 2 });
      const p2 = await store.queryAudit({
        tenantId: t.id,
        resourceType: "Thing",
        limit: 2,
        cursor: p1[1]?.id,
      });
      expect([...p1, ...p2].map((r) => r.summary)).toEqual(["n0", "n1", "n2", "n3"]);
      const r1 = await store.queryAudit({
        tenantId: t.id,
        resourceType: "Thing",
        resourceId: "r1",
        limit: 100,
      });
      expect(r1.map((r) => r.summary)).toEqual(["n1", "n3"]);
      const first = all[0]!.at;
      const things = { tenantId: t.id, resourceType: "Thing", limit: 100 };
      expect((await store.queryAudit({ ...things, since: first })).length).toBe(5);
      expect(await store.queryAudit({ ...things, until: first })).toEqual([]);
      expect(
        await store.queryAudit({ tenantId: t.id, since: "2999-01-01T00:00:00.000Z", limit: 100 }),
      ).toEqual([]);
      const before = await store.queryAudit({ limit: 100000 });
      expect(await store.pruneAudit("2000-01-01T00:00:00.000Z")).toBe(0);
      const pruned = await store.pruneAudit("2999-01-01T00:00:00.000Z");
      expect(pruned).toBe(before.length);
      expect(await store.queryAudit({ limit: 10 })).toEqual([]);
    });
  });

  describe("audit by resource", () => {
    const rec = (tenantId: string, operation: string, resourceType: string, summary: string) => ({
      ...audit(operation, resourceType),
      tenantId,
      summary,
    });

    it("finds every row of a user, in order, across updates, a failure, a replace and its deletion", async () => {
      const t = await newTenant();
      const u = await store.createUser(
        t.id,
        { userName: "trail@example.com" },
        rec(t.id, "create", "User", "c"),
      );
      const v = await store.createUser(
        t.id,
        { userName: "other@example.com" },
        rec(t.id, "create", "User", "v"),
      );
      const patch = (id: string, n: number) =>
        store.updateUser(
          t.id,
          id,
          { patch: [{ op: "replace", path: "title", value: `T${n}` }] },
          {},
          rec(t.id, "patch", "User", `p${n}`),
        );
      for (let n = 1; n <= 4; n++) {
        await patch(u.id, n);
        await patch(v.id, 10 + n);
      }
      await store.appendAudit({
        ...rec(t.id, "patch", "User", "f"),
        resourceId: u.id,
        outcome: "failed 400",
      });
      await store.updateUser(
        t.id,
        u.id,
        { replace: { userName: "trail@example.com", title: "R" } },
        {},
        rec(t.id, "replace", "User", "r"),
      );
      const byUser = { tenantId: t.id, resourceType: "User", resourceId: u.id, limit: 100 };
      const live = await store.queryAudit(byUser);
      expect(live.map((e) => e.summary)).toEqual(["c", "p1", "p2", "p3", "p4", "f", "r"]);
      expect(live.every((e) => e.resourceId === u.id && e.tenantId === t.id)).toBe(true);
      await store.deleteUser(t.id, u.id, {}, rec(t.id, "delete", "User", "d"));
      const all = await store.queryAudit(byUser);
      expect(all.map((e) => e.summary)).toEqual(["c", "p1", "p2", "p3", "p4", "f", "r", "d"]);
      // Without the resource type, and page by page through the cursor.
      expect(await store.queryAudit({ tenantId: t.id, resourceId: u.id, limit: 100 })).toEqual(all);
      const pages: string[] = [];
      let cursor: number | undefined;
      for (;;) {
        const page = await store.queryAudit({ ...byUser, limit: 3, ...(cursor ? { cursor } : {}) });
        pages.push(...page.map((e) => e.summary));
        if (page.length < 3) break;
        cursor = page.at(-1)!.id;
      }
      expect(pages).toEqual(all.map((e) => e.summary));
      // A time range: from the third row on, and before it.
      const third = all[2]!.at;
      const since = await store.queryAudit({ ...byUser, since: third });
      expect(since.map((e) => e.id)).toEqual(all.filter((e) => e.at >= third).map((e) => e.id));
      const until = await store.queryAudit({ ...byUser, until: third });
      expect(until.map((e) => e.id)).toEqual(all.filter((e) => e.at < third).map((e) => e.id));
      // The other user's trail is its own.
      const other = await store.queryAudit({ ...byUser, resourceId: v.id });
      expect(other.map((e) => e.summary)).toEqual(["v", "p11", "p12", "p13", "p14"]);
      expect(await store.queryAudit({ ...byUser, resourceType: "Group" })).toEqual([]);
    });

    it("finds a resource's rows of every type without the type, in its tenant only", async () => {
      const [t, other] = [await newTenant(), await newTenant()];
      const id = randomUUID();
      const row = (tenantId: string, type: string, summary: string) =>
        store.appendAudit({ ...rec(tenantId, "touch", type, summary), resourceId: id });
      await row(t.id, "Thing", "t1");
      await row(other.id, "Thing", "o1");
      await row(t.id, "AccessKey", "k1");
      await row(t.id, "Zebra", "z1");
      await row(t.id, "Thing", "t2");
      await store.appendAudit({ ...rec(t.id, "touch", "Thing", "elsewhere"), resourceId: randomUUID() });
      const found = await store.queryAudit({ tenantId: t.id, resourceId: id, limit: 100 });
      expect(found.map((e) => e.summary)).toEqual(["t1", "k1", "z1", "t2"]);
      const typed = await store.queryAudit({
        tenantId: t.id,
        resourceType: "Thing",
        resourceId: id,
        limit: 100,
      });
      expect(typed.map((e) => e.summary)).toEqual(["t1", "t2"]);
      const page = await store.queryAudit({ tenantId: t.id, resourceId: id, cursor: found[1]!.id, limit: 1 });
      expect(page.map((e) => e.summary)).toEqual(["z1"]);
    });

    it("finds a user's updates without the type after its creation row was pruned", async () => {
      const t = await newTenant();
      const u = await store.createUser(
        t.id,
        { userName: "pruned@example.com" },
        rec(t.id, "create", "User", "c"),
      );
      await new Promise((r) => setTimeout(r, 5));
      const cut = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      for (const n of [1, 2])
        await store.updateUser(
          t.id,
          u.id,
          { patch: [{ op: "replace", path: "title", value: `T${n}` }] },
          {},
          rec(t.id, "patch", "User", `p${n}`),
        );
      await store.pruneAudit(cut);
      const found = await store.queryAudit({ tenantId: t.id, resourceId: u.id, limit: 100 });
      expect(found.map((e) => e.summary)).toEqual(["p1", "p2"]);
    });

    it("finds every row of a group: member PATCHes, an attribute PATCH and its deletion", async () => {
      const t = await newTenant();
      const u = await createUser(t.id, { userName: "m@example.com" });
      const g = await store.createGroup(t.id, { displayName: "G" }, [], rec(t.id, "create", "Group", "c"));
      const members = (add: string[], remove: string[]) => ({ clear: false, add, remove });
      await store.updateGroup(
        t.id,
        g.id,
        { patch: [] },
        members([u.id], []),
        {},
        rec(t.id, "patch", "Group", "a"),
      );
      await store.updateGroup(
        t.id,
        g.id,
        { patch: [{ op: "replace", path: "displayName", value: "G2" }] },
        undefined,
        {},
        rec(t.id, "patch", "Group", "n"),
      );
      await store.updateGroup(
        t.id,
        g.id,
        { patch: [] },
        members([], [u.id]),
        {},
        rec(t.id, "patch", "Group", "r"),
      );
      const byGroup = { tenantId: t.id, resourceType: "Group", resourceId: g.id, limit: 100 };
      expect((await store.queryAudit(byGroup)).map((e) => e.summary)).toEqual(["c", "a", "n", "r"]);
      await store.deleteGroup(t.id, g.id, {}, rec(t.id, "delete", "Group", "d"));
      expect((await store.queryAudit(byGroup)).map((e) => e.summary)).toEqual(["c", "a", "n", "r", "d"]);
    });
  });

  describe("tenant isolation", () => {
    it("never finds, changes or links tenant A's resources through tenant B", async () => {
      const [a, b] = [await newTenant(), await newTenant()];
      const u = await createUser(a.id, { userName: "iso@example.com" });
      const g = await store.createGroup(a.id, { displayName: "Iso" }, [], audit("create", "Group"));
      const bg = await store.createGroup(b.id, { displayName: "Iso" }, [], audit("create", "Group"));
      expect(await store.getUser(b.id, u.id)).toBeUndefined();
      expect(await store.getGroup(b.id, g.id)).toBeUndefined();
      await expectStoreError(
        store.updateUser(b.id, u.id, { patch: [] }, {}, audit("patch", "User")),
        "not_found",
      );
      await expectStoreError(store.deleteUser(b.id, u.id, {}, audit("delete", "User")), "not_found");
      await expectStoreError(store.deleteGroup(b.id, g.id, {}, audit("delete", "Group")), "not_found");
      await expectStoreError(
        store.updateGroup(
          b.id,
          bg.id,
          { patch: [] },
          { clear: false, add: [u.id], remove: [] },
          {},
          audit("patch", "Group"),
        ),
        "invalid",
      );
      expect((await store.listUsers(b.id, query())).totalResults).toBe(0);
    });
  });
});

const ROLE_CONFIG = {
  roles: [{ name: "admin", description: "Administrators" }, { name: "viewer" }],
  defaultRoles: ["viewer"],
  mappings: [{ group: { externalId: "oid-1" }, roles: ["admin"] }],
};

function keyInput(tenantId: string | null) {
  return {
    id: randomUUID(),
    kind: "tenant" as const,
    tenantId,
    description: "test key",
    secretHash: Buffer.from([0, 1, 2, 255]),
    createdAt: new Date().toISOString(),
    expiresAt: null,
  };
}
