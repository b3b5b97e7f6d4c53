import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GraphEmulator, startGraphEmulator } from "../../src/emulator/server.js";
import { createJob, createScimApp, graph } from "./graph-client.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("Graph emulator: directory and application template", () => {
  let em: GraphEmulator;
  beforeEach(async () => {
    em = await startGraphEmulator({ engine: { autoRun: false } });
  });
  afterEach(() => em.close());

  it("instantiates the non-gallery template with 201 and an applicationServicePrincipal", async () => {
    const res = await graph(
      em,
      "POST",
      "/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
      { displayName: "AWS Contoso" },
    );
    expect(res.status).toBe(201);
    expect(res.body["@odata.context"]).toMatch(/\$metadata#microsoft\.graph\.applicationServicePrincipal$/);
    expect(res.body.application).toMatchObject({
      displayName: "AWS Contoso",
      signInAudience: "AzureADMyOrg",
    });
    expect(res.body.servicePrincipal).toMatchObject({
      appId: res.body.application.appId,
      servicePrincipalType: "Application",
      appRoleAssignmentRequired: true,
    });
    expect(res.body.servicePrincipal.id).toMatch(GUID);
    expect(res.body.servicePrincipal.appRoles.map((r: { displayName: string }) => r.displayName)).toEqual([
      "User",
      "msiam_access",
    ]);
  });

  it("gives every app fresh role ids, so clients cannot hard-code them", async () => {
    const a = await createScimApp(em, "A");
    const b = await createScimApp(em, "B");
    expect(a.sp.appRoles[0].id).not.toBe(b.sp.appRoles[0].id);
  });

  it("answers 404 Request_ResourceNotFound for an unknown service principal", async () => {
    const res = await graph(em, "GET", "/servicePrincipals/73f6134c-0000-4000-8000-000000000000");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("Request_ResourceNotFound");
    expect(res.body.error.message).toContain("73f6134c-0000-4000-8000-000000000000");
    expect(Object.keys(res.body.error.innerError).sort()).toEqual([
      "client-request-id",
      "date",
      "request-id",
    ]);
  });

  it("filters service principals on appId and displayName, and reads one by appId", async () => {
    const { sp } = await createScimApp(em, "Filtered");
    await createScimApp(em, "Other");
    const byName = await graph(
      em,
      "GET",
      `/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'Filtered'")}`,
    );
    expect(byName.body.value.map((s: { id: string }) => s.id)).toEqual([sp.id]);
    const byAppId = await graph(
      em,
      "GET",
      `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${sp.appId}'`)}`,
    );
    expect(byAppId.body.value).toHaveLength(1);
    const direct = await graph(em, "GET", `/servicePrincipals(appId='${sp.appId}')`);
    expect(direct.body.id).toBe(sp.id);
  });

  it("refuses an unsupported $filter with 400 instead of ignoring it", async () => {
    const res = await graph(
      em,
      "GET",
      `/servicePrincipals?$filter=${encodeURIComponent("startswith(displayName,'A')")}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BadRequest");
  });

  it("assigns a group with 201 and a 43-character base64url assignment id", async () => {
    const { sp } = await createScimApp(em);
    const group = em.directory.addGroup({ displayName: "Parents of Contoso" });
    const role = sp.appRoles.find((r: { displayName: string }) => r.displayName === "User");
    const res = await graph(em, "POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`, {
      principalId: group.id,
      resourceId: sp.id,
      appRoleId: role.id,
    });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({
      principalType: "Group",
      principalDisplayName: "Parents of Contoso",
      resourceDisplayName: "Contoso SCIM",
    });
    const list = await graph(em, "GET", `/servicePrincipals/${sp.id}/appRoleAssignedTo`);
    expect(list.body.value).toHaveLength(1);
    expect(
      (await graph(em, "DELETE", `/servicePrincipals/${sp.id}/appRoleAssignedTo/${res.body.id}`)).status,
    ).toBe(204);
  });

  it("refuses an app role the service principal does not declare", async () => {
    const { sp } = await createScimApp(em);
    const user = em.directory.addUser({ userPrincipalName: "a@contoso.com" });
    const res = await graph(em, "POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`, {
      principalId: user.id,
      resourceId: sp.id,
      appRoleId: "00000000-0000-0000-0000-000000000000",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("Permission being assigned was not found");
  });

  it("answers 204 to PATCH on a service principal and an application", async () => {
    const { sp, app } = await createScimApp(em);
    expect(
      (await graph(em, "PATCH", `/servicePrincipals/${sp.id}`, { preferredSingleSignOnMode: "saml" })).status,
    ).toBe(204);
    expect((await graph(em, "GET", `/servicePrincipals/${sp.id}`)).body.preferredSingleSignOnMode).toBe(
      "saml",
    );
    expect(
      (await graph(em, "PATCH", `/applications/${app.id}`, { identifierUris: ["https://x.example/saml"] }))
        .status,
    ).toBe(204);
  });

  it("deleting the application also removes its service principal", async () => {
    const { sp, app } = await createScimApp(em);
    expect((await graph(em, "DELETE", `/applications/${app.id}`)).status).toBe(204);
    expect((await graph(em, "GET", `/servicePrincipals/${sp.id}`)).status).toBe(404);
  });

  it("creates, reads and soft-deletes users, and manages group members by $ref", async () => {
    const created = await graph(em, "POST", "/users", {
      accountEnabled: true,
      displayName: "Ada",
      mailNickname: "ada",
      userPrincipalName: "ada@contoso.com",
      passwordProfile: { password: "x" },
    });
    expect(created.status).toBe(201);
    const group = await graph(em, "POST", "/groups", {
      displayName: "Eng",
      mailEnabled: false,
      mailNickname: "eng",
      securityEnabled: true,
    });
    expect(group.status).toBe(201);
    const add = await graph(em, "POST", `/groups/${group.body.id}/members/$ref`, {
      "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${created.body.id}`,
    });
    expect(add.status).toBe(204);
    expect((await graph(em, "GET", `/groups/${group.body.id}/members`)).body.value[0].userPrincipalName).toBe(
      "ada@contoso.com",
    );
    expect((await graph(em, "DELETE", `/users/${created.body.id}`)).status).toBe(204);
    expect((await graph(em, "GET", `/users/${created.body.id}`)).status).toBe(404);
    expect((await graph(em, "DELETE", `/directory/deletedItems/${created.body.id}`)).status).toBe(204);
  });

  it("refuses a user body with an unknown property", async () => {
    const res = await graph(em, "POST", "/users", {
      userPrincipalName: "b@contoso.com",
      displayName: "B",
      favouriteColour: "red",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("favouriteColour");
  });
});

describe("Graph emulator: realism switches", () => {
  it("answers 401 InvalidAuthenticationToken without a bearer token, and accepts any token", async () => {
    const em = await startGraphEmulator();
    try {
      const anonymous = await fetch(`${em.graphUrl}/servicePrincipals`);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
        "InvalidAuthenticationToken",
      );
      expect(
        (await graph(em, "GET", "/servicePrincipals", undefined, { authorization: "Bearer anything" }))
          .status,
      ).toBe(200);
    } finally {
      await em.close();
    }
  });

  it("serves anonymous callers when requireAuth is false", async () => {
    const em = await startGraphEmulator({ requireAuth: false });
    try {
      expect((await fetch(`${em.graphUrl}/servicePrincipals`)).status).toBe(200);
    } finally {
      await em.close();
    }
  });

  it("hides new objects for the consistency delay (404), then serves them", async () => {
    let clock = 1_000_000;
    const em = await startGraphEmulator({ consistencyDelayMs: 5_000, now: () => clock });
    try {
      const { sp, app } = await createScimApp(em);
      expect((await graph(em, "GET", `/servicePrincipals/${sp.id}`)).status).toBe(404);
      expect((await graph(em, "GET", `/applications/${app.id}`)).status).toBe(404);
      clock += 5_000;
      expect((await graph(em, "GET", `/servicePrincipals/${sp.id}`)).status).toBe(200);
      expect((await graph(em, "GET", `/applications/${app.id}`)).status).toBe(200);
    } finally {
      await em.close();
    }
  });

  it("throttles with 429, Graph's TooManyRequests body and an integer Retry-After", async () => {
    const em = await startGraphEmulator({
      throttling: { limit: 2, windowMs: 10_000, retryAfterSeconds: 7 },
      now: () => 0,
    });
    try {
      await graph(em, "GET", "/servicePrincipals");
      await graph(em, "GET", "/servicePrincipals");
      const third = await graph(em, "GET", "/servicePrincipals");
      expect(third.status).toBe(429);
      expect(third.headers.get("retry-after")).toBe("7");
      expect(third.body.error).toMatchObject({
        code: "TooManyRequests",
        message: "Please retry again later.",
        innerError: { code: "429", status: "429" },
      });
    } finally {
      await em.close();
    }
  });

  it("throttles exactly the next N requests on demand", async () => {
    const em = await startGraphEmulator();
    try {
      em.throttleNext(1, 2.5);
      const first = await graph(em, "GET", "/servicePrincipals");
      expect(first.status).toBe(429);
      expect(first.headers.get("retry-after")).toBe("2.5");
      expect((await graph(em, "GET", "/servicePrincipals")).status).toBe(200);
    } finally {
      await em.close();
    }
  });

  it("answers unknown directory segments with 400 BadRequest", async () => {
    const em = await startGraphEmulator();
    try {
      const res = await graph(em, "GET", "/devices");
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe("Resource not found for the segment 'devices'.");
    } finally {
      await em.close();
    }
  });

  it("creates jobs with the documented id format via the helper", async () => {
    const em = await startGraphEmulator({ tenantId: "7928d5b5-7442-4a97-8e2d-66f939972ec1" });
    try {
      const { sp } = await createScimApp(em);
      const job = await createJob(em, sp.id);
      expect(job.id).toMatch(/^scim\.7928d5b574424a978e2d66f939972ec1\.[0-9a-f-]{36}$/);
    } finally {
      await em.close();
    }
  });
});

describe("Graph emulator: sync-backend lag", () => {
  it("lists no templates, refuses job creation with 409, and serves stale secrets until the lag passes", async () => {
    let clock = 5_000_000;
    const em = await startGraphEmulator({
      syncLag: { ms: 3_000 },
      now: () => clock,
      engine: { autoRun: false },
    });
    try {
      const { sp } = await createScimApp(em);
      const sync = `/servicePrincipals/${sp.id}/synchronization`;
      expect((await graph(em, "GET", `${sync}/templates`)).body.value).toEqual([]);
      const early = await graph(em, "POST", `${sync}/jobs`, { templateId: "scim" });
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe("Conflict");
      clock += 3_000;
      expect((await graph(em, "GET", `${sync}/templates`)).body.value).toHaveLength(1);
      expect((await graph(em, "POST", `${sync}/jobs`, { templateId: "scim" })).status).toBe(201);
      await graph(em, "PUT", `${sync}/secrets`, { value: [{ key: "SyncAll", value: "false" }] });
      expect((await graph(em, "GET", `${sync}/secrets`)).body.value).toEqual([]);
      clock += 3_000;
      expect((await graph(em, "GET", `${sync}/secrets`)).body.value).toEqual([
        { key: "SyncAll", value: "false" },
      ]);
    } finally {
      await em.close();
    }
  });

  it("answers the configured transient status (403) instead", async () => {
    const em = await startGraphEmulator({ syncLag: { ms: 60_000, status: 403 } });
    try {
      const { sp } = await createScimApp(em);
      const res = await graph(em, "PUT", `/servicePrincipals/${sp.id}/synchronization/secrets`, {
        value: [],
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("Authorization_RequestDenied");
    } finally {
      await em.close();
    }
  });
});
