import { describe, expect, it } from "vitest";
import { parseTargetPath, readTargetValue, writeTargetValue } from "./target-paths.js";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

describe("SCIM target paths", () => {
  it.each([
    ["userName", { attribute: "userName" }],
    ["name.givenName", { attribute: "name", subAttribute: "givenName" }],
    ['emails[type eq "work"].value', { attribute: "emails", filterType: "work", subAttribute: "value" }],
    [`${ENT}:department`, { urn: ENT, attribute: "department" }],
  ])("parses %s", (path, expected) => {
    expect(parseTargetPath(path)).toMatchObject(expected);
  });

  it("writes a POST body the way Entra's create request looks", () => {
    const body: Record<string, unknown> = {};
    writeTargetValue(body, "userName", "ada@contoso.com");
    writeTargetValue(body, 'emails[type eq "work"].value', "ada@contoso.com");
    writeTargetValue(body, 'addresses[type eq "work"].locality', "Oslo");
    writeTargetValue(body, 'addresses[type eq "work"].country', "NO");
    writeTargetValue(body, 'phoneNumbers[type eq "mobile"].value', "555");
    writeTargetValue(body, "name.familyName", "Lovelace");
    writeTargetValue(body, `${ENT}:department`, "R&D");
    expect(body).toEqual({
      userName: "ada@contoso.com",
      emails: [{ primary: true, type: "work", value: "ada@contoso.com" }],
      addresses: [{ primary: true, type: "work", locality: "Oslo", country: "NO" }],
      phoneNumbers: [{ type: "mobile", value: "555" }],
      name: { familyName: "Lovelace" },
      [ENT]: { department: "R&D" },
    });
  });

  it("reads values back, normalising booleans and the complex manager", () => {
    const resource = {
      active: false,
      emails: [{ type: "work", value: "x@y" }],
      [ENT]: { manager: { value: "m1" } },
      Title: "Dev",
    };
    expect(readTargetValue(resource, "active")).toBe("False");
    expect(readTargetValue(resource, 'emails[type eq "work"].value')).toBe("x@y");
    expect(readTargetValue(resource, `${ENT}:manager`)).toBe("m1");
    expect(readTargetValue(resource, "title")).toBe("Dev");
    expect(readTargetValue(resource, 'phoneNumbers[type eq "fax"].value')).toBeNull();
  });
});
