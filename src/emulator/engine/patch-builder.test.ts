import { describe, expect, it } from "vitest";
import {
  buildAttributeOps,
  buildManagerOp,
  buildMemberAddOps,
  buildMemberRemoveOps,
} from "./patch-builder.js";

// Payloads from entra-scim-client.md §2 (known-issues page), default vs. aadOptscim062020.
describe("Entra PATCH dialects", () => {
  const disable = [{ path: "active", value: "False", hadValue: true, boolean: true }];

  it("disables with a string boolean by default and a JSON boolean with the flag", () => {
    expect(buildAttributeOps(disable, false)).toEqual([{ op: "Replace", path: "active", value: "False" }]);
    expect(buildAttributeOps(disable, true)).toEqual([{ op: "replace", path: "active", value: false }]);
  });

  it("adds a missing single-value attribute with Add / add", () => {
    const add = [{ path: "nickName", value: "Babs", hadValue: false, boolean: false }];
    expect(buildAttributeOps(add, false)).toEqual([{ op: "Add", path: "nickName", value: "Babs" }]);
    expect(buildAttributeOps(add, true)).toEqual([{ op: "add", path: "nickName", value: "Babs" }]);
  });

  it("replaces several attributes one op each by default, batched path-less with the flag", () => {
    const changes = [
      { path: "displayName", value: "Bjfe", hadValue: true, boolean: false },
      {
        path: 'emails[type eq "work"].value',
        value: "TestMhvaes@test.microsoft.com",
        hadValue: true,
        boolean: false,
      },
      { path: "name.givenName", value: "Kkom", hadValue: true, boolean: false },
      {
        path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        value: "Aklq",
        hadValue: true,
        boolean: false,
      },
    ];
    expect(buildAttributeOps(changes, false).map((o) => o.op)).toEqual([
      "Replace",
      "Replace",
      "Replace",
      "Replace",
    ]);
    expect(buildAttributeOps(changes, true)).toEqual([
      { op: "replace", path: 'emails[type eq "work"].value', value: "TestMhvaes@test.microsoft.com" },
      {
        op: "replace",
        value: {
          displayName: "Bjfe",
          "name.givenName": "Kkom",
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq",
        },
      },
    ]);
  });

  it("removes members by value array by default and by filter path with the flag", () => {
    expect(buildMemberRemoveOps(["u1091"], false)).toEqual([
      { op: "Remove", path: "members", value: [{ value: "u1091" }] },
    ]);
    expect(buildMemberRemoveOps(["7f4bc1a3", "8e"], true)).toEqual([
      { op: "remove", path: 'members[value eq "7f4bc1a3"]' },
      { op: "remove", path: 'members[value eq "8e"]' },
    ]);
  });

  it("adds several members in one op with $ref null", () => {
    expect(buildMemberAddOps(["a", "b"], false)).toEqual([
      {
        op: "Add",
        path: "members",
        value: [
          { $ref: null, value: "a" },
          { $ref: null, value: "b" },
        ],
      },
    ]);
    expect(buildMemberAddOps([], false)).toEqual([]);
  });

  it("sets the manager with a bare string id and clears it with an empty string", () => {
    const path = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
    expect(buildManagerOp(path, "m1", false, false)).toEqual({ op: "Add", path, value: "m1" });
    expect(buildManagerOp(path, "m2", true, true)).toEqual({ op: "replace", path, value: "m2" });
    expect(buildManagerOp(path, null, true, false)).toEqual({ op: "Replace", path, value: "" });
  });
});
