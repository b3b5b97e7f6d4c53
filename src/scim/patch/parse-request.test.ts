import { describe, expect, it } from "vitest";
import { scimErrorFields as errorOf } from "../../../test/helpers/scim-error.js";
import { SCIM_PATCH_SCHEMA } from "../schema-defs.js";
import { MAX_PATCH_OPERATIONS, parsePatchRequest } from "./parse-request.js";

const body = (Operations: unknown, extra: Record<string, unknown> = {}) => ({
  schemas: [SCIM_PATCH_SCHEMA],
  Operations,
  ...extra,
});

describe("parsePatchRequest", () => {
  it.each([
    ["Add", "add"],
    ["Replace", "replace"],
    ["REMOVE", "remove"],
    ["add", "add"],
  ])('lower-cases Entra\'s op "%s" to "%s"', (op, expected) => {
    const [parsed] = parsePatchRequest(body([{ op, path: "title", value: "x" }]));
    expect(parsed?.op).toBe(expected);
  });

  it('ignores extra operation members such as "name": "addMember" and extra body keys such as "id"', () => {
    const ops = parsePatchRequest(
      body(
        [
          {
            name: "addMember",
            op: "add",
            path: "members",
            value: [{ displayName: "new User", value: "u4" }],
          },
        ],
        {
          id: "g1",
        },
      ),
    );
    expect(ops).toEqual([{ op: "add", path: "members", value: [{ displayName: "new User", value: "u4" }] }]);
  });

  it('accepts a lower-case "operations" key and case-insensitive op member names', () => {
    const ops = parsePatchRequest({
      schemas: [SCIM_PATCH_SCHEMA],
      operations: [{ OP: "Replace", Path: "title", Value: "t" }],
    });
    expect(ops).toEqual([{ op: "replace", path: "title", value: "t" }]);
  });

  it("keeps value: null (Entra's null-update) distinct from a missing value", () => {
    expect(parsePatchRequest(body([{ op: "replace", path: "title", value: null }]))).toEqual([
      { op: "replace", path: "title", value: null },
    ]);
    expect(parsePatchRequest(body([{ op: "remove", path: "title" }]))).toEqual([
      { op: "remove", path: "title" },
    ]);
  });

  it("treats an empty or null path as no path", () => {
    expect(parsePatchRequest(body([{ op: "replace", path: "", value: { title: "t" } }]))).toEqual([
      { op: "replace", value: { title: "t" } },
    ]);
    expect(parsePatchRequest(body([{ op: "add", path: null, value: { title: "t" } }]))).toEqual([
      { op: "add", value: { title: "t" } },
    ]);
  });

  it("accepts the PatchOp URN in any case", () => {
    expect(
      parsePatchRequest({
        schemas: [SCIM_PATCH_SCHEMA.toUpperCase()],
        Operations: [{ op: "remove", path: "x" }],
      }),
    ).toHaveLength(1);
  });

  it("accepts exactly MAX_PATCH_OPERATIONS operations", () => {
    const ops = Array.from({ length: MAX_PATCH_OPERATIONS }, () => ({ op: "remove", path: "title" }));
    expect(parsePatchRequest(body(ops))).toHaveLength(MAX_PATCH_OPERATIONS);
  });

  const schemaDetail = `"schemas" must be an array containing "${SCIM_PATCH_SCHEMA}"`;
  it.each([
    ["a non-object body", "x", "invalidSyntax", "request body must be a JSON object"],
    ["an array body", [], "invalidSyntax", "request body must be a JSON object"],
    ["a missing schemas", { Operations: [{ op: "remove", path: "x" }] }, "invalidSyntax", schemaDetail],
    [
      "a resource schema instead of PatchOp",
      { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], Operations: [{ op: "remove", path: "x" }] },
      "invalidSyntax",
      schemaDetail,
    ],
    [
      "missing Operations",
      { schemas: [SCIM_PATCH_SCHEMA] },
      "invalidSyntax",
      '"Operations" must be a non-empty array',
    ],
    ["empty Operations", body([]), "invalidSyntax", '"Operations" must be a non-empty array'],
    ["an Operations object", body({ op: "add" }), "invalidSyntax", '"Operations" must be a non-empty array'],
    [
      "too many operations",
      body(Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({ op: "remove", path: "x" }))),
      "invalidValue",
      `"Operations" has more than ${MAX_PATCH_OPERATIONS} operations`,
    ],
    ["a non-object operation", body(["add"]), "invalidSyntax", "Operations[0] must be an object"],
    [
      "an unknown op",
      body([{ op: "move", path: "x" }]),
      "invalidSyntax",
      'Operations[0].op must be one of "add", "remove", "replace"',
    ],
    [
      "a missing op",
      body([{ path: "x", value: 1 }]),
      "invalidSyntax",
      'Operations[0].op must be one of "add", "remove", "replace"',
    ],
    [
      "a numeric path",
      body([{ op: "add", path: 3, value: 1 }]),
      "invalidSyntax",
      "Operations[0].path must be a string",
    ],
    [
      "a remove without path",
      body([{ op: "Remove", value: [{ value: "u" }] }]),
      "noTarget",
      'Operations[0]: a remove operation needs a "path"',
    ],
    [
      "an add without value",
      body([{ op: "add", path: "title" }]),
      "invalidValue",
      'Operations[0]: "add" needs a "value"',
    ],
    [
      "a replace without value",
      body([
        { op: "remove", path: "x" },
        { op: "replace", path: "title" },
      ]),
      "invalidValue",
      'Operations[1]: "replace" needs a "value"',
    ],
    [
      "a __proto__ key in an operation value",
      JSON.parse(
        `{"schemas":["${SCIM_PATCH_SCHEMA}"],"Operations":[{"op":"add","value":{"__proto__":{"polluted":1}}}]}`,
      ),
      "invalidValue",
      'forbidden attribute name "__proto__" in "Operations[0].value"',
    ],
    [
      "a constructor key in an operation",
      body([{ op: "add", path: "title", value: "x", constructor: { prototype: { polluted: 1 } } }]),
      "invalidValue",
      'forbidden attribute name "constructor" in "Operations[0]"',
    ],
  ])("rejects %s", (_, input, scimType, detail) => {
    expect(errorOf(() => parsePatchRequest(input))).toEqual({ status: 400, scimType, detail });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
