import { describe, expect, it } from "vitest";
import { buildDefaultSchema } from "./default-schema.js";
import { GraphRequestValidator } from "./openapi-validator.js";

const validator = new GraphRequestValidator();
const JOBS = "/servicePrincipals/{servicePrincipal-id}/synchronization/jobs";
const JOB = `${JOBS}/{synchronizationJob-id}`;

describe("GraphRequestValidator (vendored Graph OpenAPI subset)", () => {
  it.each([
    ["POST", JOBS, { templateId: "scim" }],
    [
      "PUT",
      "/servicePrincipals/{servicePrincipal-id}/synchronization/secrets",
      { value: [{ key: "SyncAll", value: "false" }] },
    ],
    ["POST", `${JOB}/restart`, { criteria: null }],
    [
      "POST",
      `${JOB}/provisionOnDemand`,
      {
        parameters: [
          {
            ruleId: "r",
            subjects: [
              {
                objectId: "o",
                objectTypeName: "User",
                "@odata.type": "#microsoft.graph.synchronizationJobSubject",
              },
            ],
          },
        ],
      },
    ],
    [
      "POST",
      `${JOB}/validateCredentials`,
      { useSavedCredentials: false, credentials: [{ key: "BaseAddress", value: "https://x" }] },
    ],
    ["PUT", `${JOB}/schema`, buildDefaultSchema("job")],
  ])("accepts a documented %s %s body", (method, path, body) => {
    expect(validator.validate(method, path, body)).toEqual({ ok: true });
  });

  it.each([
    [
      "an unknown property",
      JOBS,
      { templateId: "scim", foo: 1 },
      "Property 'foo' does not exist on type 'microsoft.graph.synchronizationJob'",
    ],
    ["a wrong type", JOBS, { templateId: ["scim"] }, "/templateId"],
    [
      "a bad enum value",
      `${JOB}/validateCredentials`,
      { credentials: [{ key: "Tenant", value: "x" }] },
      "/credentials/0/key",
    ],
    ["a non-object where an object is expected", `${JOB}/restart`, { criteria: "Full" }, "/criteria"],
  ])("refuses %s", (_name, path, body, message) => {
    const result = validator.validate("POST", path, body);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });

  it("leaves operations without a request body alone", () => {
    expect(validator.validate("POST", `${JOB}/start`, { anything: true })).toEqual({ ok: true });
  });
});
