import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DirectoryFileError, parseDirectoryFile, parseDirectoryYaml } from "./directory-file.js";

const example = readFileSync(new URL("../../examples/directory.yaml", import.meta.url), "utf8");

describe("directory file", () => {
  it("parses the shipped example", () => {
    const file = parseDirectoryYaml(example);
    expect(file.users.map((u) => u.key)).toEqual(["bob", "alice", "carol", "dave", "erin"]);
    expect(file.users.find((u) => u.key === "dave")?.accountEnabled).toBe(false);
    expect(file.users.find((u) => u.key === "bob")?.accountEnabled).toBe(true);
    expect(file.assignments).toEqual({ groups: ["engineering"], users: ["carol", "dave"] });
    expect(file.steps).toHaveLength(4);
    expect(file.steps[0]?.changes[0]).toEqual({
      op: "updateUser",
      user: "alice",
      set: { jobTitle: "Senior Engineer", surname: "Smith-Jones" },
    });
  });

  it("defaults everything but users' userPrincipalName", () => {
    expect(parseDirectoryFile({})).toEqual({
      users: [],
      groups: [],
      assignments: { users: [], groups: [] },
      steps: [],
    });
  });

  it.each([
    [{ users: [{ userPrincipalName: "a@b.c", favouriteColour: "red" }] }, "users.0"],
    [{ users: [{ displayName: "no upn" }] }, "users.0.userPrincipalName"],
    [{ users: [{ userPrincipalName: "not-an-email" }] }, "userPrincipalName must look like user@domain"],
    [{ steps: [{ changes: [{ op: "teleportUser", user: "a" }] }] }, "steps.0.changes.0"],
    [
      { steps: [{ changes: [{ op: "unassign", user: "a", group: "g" }] }] },
      "give exactly one of `user` or `group`",
    ],
    [{ groups: [{ displayName: "G", members: "alice" }] }, "groups.0.members"],
  ])("names the problem path for %j", (raw, mention) => {
    expect(() => parseDirectoryFile(raw)).toThrow(DirectoryFileError);
    expect(() => parseDirectoryFile(raw)).toThrow(mention);
  });

  it("reports YAML syntax errors as directory-file errors", () => {
    expect(() => parseDirectoryYaml("users: [\n  - a")).toThrow(/invalid YAML/);
  });
});
