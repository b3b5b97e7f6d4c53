import { describe, expect, it } from "vitest";
import { Directory, SEED_TIME } from "../../bench/lib/directory.js";
import { Rng } from "../../bench/lib/rng.js";
import { groupCount, membershipsOf, userRow } from "../../bench/lib/seed.js";

describe("the bench's synthetic directory", () => {
  it("is a pure function of the seed and the index", () => {
    const a = new Directory(42);
    const b = new Directory(42);
    for (const i of [0, 1, 999_999]) {
      expect(b.userBody(i)).toEqual(a.userBody(i));
      expect(b.userId(i)).toBe(a.userId(i));
      expect(b.groupId(i)).toBe(a.groupId(i));
      expect(b.groupBody(i)).toEqual(a.groupBody(i));
    }
    const other = new Directory(43);
    expect(other.userId(5)).not.toBe(a.userId(5));
    expect(other.userExternalId(5)).not.toBe(a.userExternalId(5));
    expect(other.userName(5)).not.toBe(a.userName(5));
  });

  it("gives distinct objects distinct ids, userNames and externalIds", () => {
    const d = new Directory(42);
    const n = 20_000;
    const ids = new Set(Array.from({ length: n }, (_, i) => d.userId(i)));
    const names = new Set(Array.from({ length: n }, (_, i) => d.userName(i).toLowerCase()));
    const ext = new Set(Array.from({ length: n }, (_, i) => d.userExternalId(i)));
    const groups = new Set(Array.from({ length: n }, (_, j) => d.groupId(j)));
    expect([ids.size, names.size, ext.size, groups.size]).toEqual([n, n, n, n]);
  });

  it("makes ids in the layout the store gives new objects: UUIDv7 at the object's creation time", () => {
    const d = new Directory(42);
    const id = d.userId(1234);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16)).toBe(SEED_TIME + 1234);
    expect(new Rng(1).uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("builds user bodies scimgate stores as they are (the seeded rows are a POST's rows)", () => {
    const d = new Directory(42);
    const row = userRow(d, 7);
    const doc = JSON.parse(row.doc);
    expect(row.userName).toBe(d.userName(7));
    expect(row.externalId).toBe(d.userExternalId(7));
    expect(doc.emails).toEqual([{ primary: true, type: "work", value: d.userName(7) }]);
    expect(doc["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].employeeNumber).toBe("100007");
  });

  it("puts each user in all-staff, one department and one team group", () => {
    const groups = groupCount(100_000);
    expect(groups).toBe(1000);
    expect(groupCount(500)).toBe(10);
    const counts = new Map<number, number>();
    for (let i = 0; i < 100_000; i++) {
      const m = membershipsOf(i, groups);
      expect(m[0]).toBe(0);
      expect(m[1]).toBeGreaterThanOrEqual(1);
      expect(m[1]).toBeLessThanOrEqual(8);
      expect(m[2]).toBeGreaterThanOrEqual(9);
      expect(m[2]).toBeLessThan(groups);
      counts.set(m[2]!, (counts.get(m[2]!) ?? 0) + 1);
    }
    // Every team group has members, about 100 each.
    expect(counts.size).toBe(groups - 9);
    expect(Math.max(...counts.values())).toBeLessThan(200);
  });

  it("sizes the initial sync's groups: all-staff, eight departments, a tail of teams", () => {
    const d = new Directory(42);
    expect(d.groupSize(0, 1000, 100_000)).toBe(100_000);
    expect(d.groupSize(3, 1000, 100_000)).toBe(12_500);
    expect(d.groupStart(3, 100_000)).toBe(25_000);
    let tail = 0;
    for (let j = 9; j < 1000; j++) {
      const size = d.groupSize(j, 1000, 100_000);
      expect(size).toBeGreaterThanOrEqual(1);
      tail += size;
    }
    // About 100 members per team group on average (1 + a draw below twice 100).
    expect(tail / 991).toBeGreaterThan(80);
    expect(tail / 991).toBeLessThan(120);
  });
});
