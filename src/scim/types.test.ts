import { describe, expect, it } from "vitest";
import { cloneJson } from "./types.js";

describe("cloneJson", () => {
  const doc = {
    userName: "a@b.example",
    active: true,
    n: 0,
    nothing: null,
    name: { givenName: "A", familyName: "B" },
    emails: [{ value: "a@b.example", primary: true }, { value: "c@d.example" }],
    nested: [[1, 2], [{ x: "y" }]],
  };

  it("copies every value, deeply", () => {
    const copy = cloneJson(doc);
    expect(copy).toEqual(doc);
    expect(Object.keys(copy)).toEqual(Object.keys(doc));
    expect(copy).not.toBe(doc);
    expect(copy.name).not.toBe(doc.name);
    expect(copy.emails).not.toBe(doc.emails);
    expect(copy.emails[0]).not.toBe(doc.emails[0]);
    expect(copy.nested[1]![0]).not.toBe(doc.nested[1]![0]);
    expect(Array.isArray(copy.emails)).toBe(true);
  });

  it("leaves the original as it was when the copy is changed", () => {
    const copy = cloneJson(doc);
    copy.name.givenName = "Z";
    copy.emails[0]!.primary = false;
    copy.emails.push({ value: "e@f.example" });
    (copy.nested[0] as number[])[0] = 9;
    expect(doc.name.givenName).toBe("A");
    expect(doc.emails[0]!.primary).toBe(true);
    expect(doc.emails).toHaveLength(2);
    expect(doc.nested[0]).toEqual([1, 2]);
  });

  it("returns primitives as they are", () => {
    for (const v of ["s", 1, 0, true, false, null]) expect(cloneJson(v)).toBe(v);
  });

  it("copies a __proto__ key as an own data property, never as the prototype", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = cloneJson(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
