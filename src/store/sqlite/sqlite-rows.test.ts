import { describe, expect, it, vi } from "vitest";
import { rawDocOf } from "../../scim/projection.js";
import { auditAbout } from "../rows.js";
import type { AuditRecord } from "../store.js";
import { toResource } from "./sqlite-rows.js";

const ROW = {
  id: "u1",
  origin: "scim" as const,
  doc: '{"userName":"ann@example.com","active":true}',
  version: 3,
  created: "2026-01-01T00:00:00.000Z",
  last_modified: "2026-01-02T00:00:00.000Z",
  groups_json: '[["g2","zeta",null],["g1","Alpha","ext-1"]]',
};

describe("toResource", () => {
  it("keeps the stored JSON text and parses the document once, on first use", () => {
    const parse = vi.spyOn(JSON, "parse");
    try {
      const r = toResource(ROW);
      // The groups column is parsed with the row; the document is not.
      const before = parse.mock.calls.length;
      expect(rawDocOf(r)).toBe(ROW.doc);
      expect(parse.mock.calls.length).toBe(before);
      const doc = r.doc;
      expect(doc).toEqual({ userName: "ann@example.com", active: true });
      expect(r.doc).toBe(doc);
      expect(parse.mock.calls.length).toBe(before + 1);
    } finally {
      parse.mockRestore();
    }
  });

  it("carries the row's fields, its groups by name, and a group's members when given", () => {
    const r = toResource(ROW);
    expect(r).toMatchObject({
      id: "u1",
      origin: "scim",
      version: 3,
      created: ROW.created,
      lastModified: ROW.last_modified,
    });
    expect(r.groups?.map((g) => g.value)).toEqual(["g1", "g2"]);
    expect(r.members).toBeUndefined();
    const members = [{ value: "u1", type: "User" as const, display: "Ann" }];
    const g = toResource({ ...ROW, origin: undefined, groups_json: undefined }, members);
    expect(g.members).toBe(members);
    expect(g.groups).toBeUndefined();
    expect(g.origin).toBeUndefined();
  });

  it("gives every resource the same own keys, whatever the row had", () => {
    const user = toResource(ROW);
    const group = toResource({ ...ROW, origin: undefined, groups_json: undefined });
    expect(Object.keys(group)).toEqual(Object.keys(user));
  });
});

describe("auditAbout", () => {
  it("copies the record about another resource, and tenant when given", () => {
    const a: AuditRecord = {
      tenantId: "t1",
      keyId: "k1",
      requestId: "r1",
      operation: "patch",
      resourceType: "User",
      resourceId: null,
      outcome: "success",
      summary: "s",
    };
    expect(auditAbout(a, "u1")).toEqual({ ...a, resourceId: "u1" });
    expect(auditAbout(a, "t2", "t2")).toEqual({ ...a, tenantId: "t2", resourceId: "t2" });
    expect(a.resourceId).toBeNull();
  });
});
