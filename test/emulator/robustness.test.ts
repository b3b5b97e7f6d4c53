/**
 * Bad input gets a clear Graph error, never a 500: arbitrary JSON (and non-JSON) bodies on every write
 * endpoint, odd paths and query options.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GraphEmulator, startGraphEmulator } from "../../src/emulator/server.js";
import { createJob, createScimApp, graph } from "./graph-client.js";

let em: GraphEmulator;
let endpoints: [string, string][] = [];

beforeAll(async () => {
  em = await startGraphEmulator({ engine: { autoRun: false } });
  const { sp, app } = await createScimApp(em);
  const job = await createJob(em, sp.id);
  const user = em.directory.addUser({ userPrincipalName: "r@contoso.com" });
  const group = em.directory.addGroup({ displayName: "R", memberIds: [user.id] });
  const sync = `/servicePrincipals/${sp.id}/synchronization`;
  const jobUrl = `${sync}/jobs/${job.id}`;
  endpoints = [
    ["POST", "/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate"],
    ["PATCH", `/applications/${app.id}`],
    ["PATCH", `/servicePrincipals/${sp.id}`],
    ["POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`],
    ["POST", `/groups/${group.id}/appRoleAssignments`],
    ["POST", "/users"],
    ["PATCH", `/users/${user.id}`],
    ["POST", "/groups"],
    ["PATCH", `/groups/${group.id}`],
    ["POST", `/groups/${group.id}/members/$ref`],
    ["POST", `${sync}/jobs`],
    ["POST", `${sync}/jobs/validateCredentials`],
    ["PUT", `${sync}/secrets`],
    ["POST", `${jobUrl}/restart`],
    ["POST", `${jobUrl}/provisionOnDemand`],
    ["POST", `${jobUrl}/validateCredentials`],
    ["PUT", `${jobUrl}/schema`],
  ];
});
afterAll(() => em.close());

describe("robustness", () => {
  it("answers arbitrary JSON bodies on write endpoints with a non-5xx status and, on error, Graph's envelope", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 16 }),
        fc.jsonValue({ maxDepth: 3 }),
        async (index, body) => {
          const [method, path] = endpoints[index]!;
          const res = await graph(em, method, path, JSON.stringify(body));
          expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
          if (res.status >= 400) expect(typeof res.body.error.code).toBe("string");
        },
      ),
      { numRuns: 120 },
    );
  });

  it.each([
    ["a non-JSON body", "POST", "/users", "userPrincipalName=x"],
    ["a broken percent-encoding in the path", "GET", "/users/%E0%A4%A", undefined],
    ["a bad $top", "GET", "/auditLogs/provisioning?$top=lots", undefined],
    ["a bad $skiptoken", "GET", "/auditLogs/provisioning?$skiptoken=-1", undefined],
    ["an unsupported $filter", "GET", "/users?$filter=startswith(displayName,'a')", undefined],
    [
      "an instantiate without displayName",
      "POST",
      "/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
      "{}",
    ],
  ])("answers %s with 400", async (_name, method, path, body) => {
    const res = await graph(em, method, path, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BadRequest");
  });
});
