import { describe, expect, it } from "vitest";
import { catchSCIMError as errorOf } from "../../test/helpers/scim-error.js";
import { MAX_PAGE_SIZE, parseListParams, parseProjection } from "./list-params.js";
import { GROUP_RESOURCE, USER_RESOURCE } from "./schema-defs.js";

describe("parseListParams", () => {
  it("matches parameter names case-insensitively", () => {
    const q = parseListParams(USER_RESOURCE, {
      FILTER: 'userName eq "a@example.com"',
      StartIndex: "3",
      COUNT: "5",
      SortBy: "userName",
      SORTORDER: "Descending",
      excludedattributes: "groups",
    });
    expect(q.filter).toMatchObject({ op: "eq", value: "a@example.com" });
    expect(q.startIndex).toBe(3);
    expect(q.count).toBe(5);
    expect(q.sortBy).toBe("userName");
    expect(q.sortOrder).toBe("descending");
    expect(q.projection.exclude?.get("groups")).toBe(true);
  });

  it("takes the first of two spellings of one name", () => {
    expect(parseListParams(USER_RESOURCE, { count: "7", Count: "9" }).count).toBe(7);
    expect(parseListParams(USER_RESOURCE, { Count: "9", count: "7" }).count).toBe(9);
  });

  it("defaults and bounds startIndex and count (RFC 7644 §3.4.2.4)", () => {
    const none = parseListParams(USER_RESOURCE, {});
    expect([none.startIndex, none.count, none.filter]).toEqual([1, 100, undefined]);
    const q = parseListParams(USER_RESOURCE, { startIndex: "-4", count: "-1" });
    expect([q.startIndex, q.count]).toEqual([1, 0]);
    expect(parseListParams(USER_RESOURCE, { count: String(MAX_PAGE_SIZE + 1) }).count).toBe(MAX_PAGE_SIZE);
  });

  it("rejects a repeated parameter, a non-integer and an unknown sortOrder, naming the parameter", () => {
    const repeated = errorOf(() => parseListParams(USER_RESOURCE, { Count: ["1", "2"] }));
    expect([repeated.status, repeated.scimType]).toEqual([400, "invalidValue"]);
    expect(repeated.detail).toContain('"count"');
    expect(errorOf(() => parseListParams(USER_RESOURCE, { STARTINDEX: "2x" })).detail).toContain(
      "startIndex must be an integer",
    );
    expect(errorOf(() => parseListParams(GROUP_RESOURCE, { sortOrder: "up" })).scimType).toBe("invalidValue");
  });
});

describe("parseProjection", () => {
  it("matches attributes and excludedAttributes case-insensitively and refuses both together", () => {
    expect(parseProjection(GROUP_RESOURCE, { EXCLUDEDATTRIBUTES: "members" }).exclude?.get("members")).toBe(
      true,
    );
    expect(parseProjection(USER_RESOURCE, { Attributes: "userName" }).include?.has("userName")).toBe(true);
    const both = errorOf(() =>
      parseProjection(USER_RESOURCE, { attributes: "userName", ExcludedAttributes: "groups" }),
    );
    expect([both.status, both.scimType]).toEqual([400, "invalidValue"]);
  });
});
