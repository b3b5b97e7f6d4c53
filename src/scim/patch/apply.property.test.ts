import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SCIMError } from "../errors.js";
import { validateDoc } from "../resource.js";
import { SCIM_ENTERPRISE_SCHEMA as ENT, USER_RESOURCE } from "../schema-defs.js";
import type { PatchOperation, ScimDoc } from "../types.js";
import { applyPatch } from "./apply.js";

const text = fc.string({ minLength: 1, maxLength: 6 });
const type = fc.constantFrom("work", "home", "other", "mobile");
const element = fc.record(
  { value: text, type, primary: fc.boolean(), display: text },
  { requiredKeys: ["value"] },
);

/** Valid user docs (at most one primary per list, as validateDoc demands). */
const doc: fc.Arbitrary<ScimDoc> = fc
  .record(
    {
      userName: text,
      displayName: text,
      title: text,
      active: fc.boolean(),
      name: fc.record({ givenName: text, familyName: text, formatted: text }, { requiredKeys: [] }),
      emails: fc.array(element, { maxLength: 3 }),
      phoneNumbers: fc.array(element, { maxLength: 3 }),
      addresses: fc.array(fc.record({ type, locality: text, country: text }, { requiredKeys: [] }), {
        maxLength: 2,
      }),
      [ENT]: fc.record({ department: text, manager: fc.record({ value: text }) }, { requiredKeys: [] }),
    },
    { requiredKeys: ["userName"] },
  )
  .filter((d) => {
    try {
      validateDoc(USER_RESOURCE, d);
      return true;
    } catch {
      return false;
    }
  })
  .map((d) => validateDoc(USER_RESOURCE, d));

/** Values Entra sends for a path, including the clears ("" and null). */
const value = fc.oneof(text, fc.constant(""), fc.constant(null));
const path = fc.constantFrom(
  "displayName",
  "title",
  "name.givenName",
  "name.formatted",
  'emails[type eq "work"].value',
  'emails[type eq "home"].primary',
  'phoneNumbers[type eq "mobile"].value',
  'addresses[type eq "work"].locality',
  `${ENT}:department`,
  `${ENT}:manager`,
);
const booleanPath = fc.constantFrom("active", 'emails[type eq "work"].primary');
const booleanValue = fc.constantFrom(true, false, "True", "False", "true", "false");

const replaceOp: fc.Arbitrary<PatchOperation> = fc.oneof(
  fc.record({ op: fc.constant("replace" as const), path, value }),
  fc.record({ op: fc.constant("replace" as const), path: booleanPath, value: booleanValue }),
  fc.record({
    op: fc.constant("replace" as const),
    path: fc.constant("emails"),
    value: fc.array(element, { maxLength: 2 }),
  }),
  fc.dictionary(path, value, { minKeys: 1, maxKeys: 4 }).map((v) => ({ op: "replace" as const, value: v })),
);
const anyOp: fc.Arbitrary<PatchOperation> = fc.oneof(
  replaceOp,
  fc.record({ op: fc.constantFrom("add" as const, "replace" as const), path, value }),
  fc.record({
    op: fc.constant("add" as const),
    path: fc.constant("emails"),
    value: fc.array(element, { maxLength: 2 }),
  }),
  fc.record({ op: fc.constant("remove" as const), path }),
);

/** Runs `fn`, mapping a SCIMError (a rejected patch) to its detail so properties can compare outcomes. */
function outcome(fn: () => ScimDoc): ScimDoc | string {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SCIMError) return `SCIMError: ${e.detail}`;
    throw e;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe("applyPatch properties", () => {
  it("applying the same replace twice equals applying it once (idempotence)", () => {
    fc.assert(
      fc.property(doc, replaceOp, (d, op) => {
        const once = outcome(() => applyPatch(USER_RESOURCE, d, [op]));
        if (typeof once === "string") return;
        expect(outcome(() => applyPatch(USER_RESOURCE, once, [op]))).toEqual(once);
        expect(outcome(() => applyPatch(USER_RESOURCE, d, [op, op]))).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });

  it("never mutates its input doc or operations", () => {
    fc.assert(
      fc.property(doc, fc.array(anyOp, { minLength: 1, maxLength: 5 }), (d, ops) => {
        const docBefore = structuredClone(d);
        const opsBefore = structuredClone(ops);
        // Frozen inputs make any in-place write throw a TypeError instead of passing silently.
        outcome(() => applyPatch(USER_RESOURCE, deepFreeze(d), deepFreeze(ops)));
        expect(d).toEqual(docBefore);
        expect(ops).toEqual(opsBefore);
      }),
      { numRuns: 500 },
    );
  });

  it("always returns a doc that passes validateDoc unchanged", () => {
    fc.assert(
      fc.property(doc, fc.array(anyOp, { minLength: 1, maxLength: 5 }), (d, ops) => {
        const out = outcome(() => applyPatch(USER_RESOURCE, d, ops));
        if (typeof out !== "string") expect(validateDoc(USER_RESOURCE, out)).toEqual(out);
      }),
      { numRuns: 300 },
    );
  });
});
