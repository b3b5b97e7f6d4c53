import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../../src/admin/client.js";
import {
  adminClientFor,
  applyRoleMappings,
  buildRoleMappingDocument,
  buildTenantUrl,
  createKeyResource,
  createTenantResource,
  deleteKeyResource,
  deleteTenantResource,
  readKeyResource,
  readRoleMappings,
  readTenantResource,
  updateTenantResource,
} from "../../src/entra/scimgate-tenant.js";
import { type RunningService, startService } from "../../src/main.js";

let service: RunningService;
let dir: string;
let admin: { adminUrl: string; adminToken: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "scimgate-tenant-"));
  service = await startService({ databaseUrl: join(dir, "db.sqlite"), logger: false });
  admin = { adminUrl: service.url, adminToken: await service.createAdminToken() };
});
afterAll(async () => {
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the scimgate tenant resources against a real scimgate", () => {
  it("creates, reads, updates and deletes a tenant", async () => {
    const t = await createTenantResource({ ...admin, name: "Contoso", jit: true });
    expect(t.scimUrl).toBe(service.scimUrl);
    expect(await readTenantResource(t)).toMatchObject({ name: "Contoso", jit: true });
    await updateTenantResource(t, { ...admin, name: "Contoso Ltd", jit: false });
    expect(await readTenantResource(t)).toMatchObject({ name: "Contoso Ltd", jit: false });
    await deleteTenantResource(t);
    expect(await readTenantResource(t)).toBeUndefined();
    await deleteTenantResource(t);
  });

  it("issues a key that works on the SCIM endpoint and reads as gone once revoked", async () => {
    const t = await createTenantResource({ ...admin, name: "Keys", jit: false });
    const key = await createKeyResource({
      ...admin,
      tenantId: t.tenantId,
      rotation: "1",
      description: "entra",
    });
    expect(key.token).toContain(":");
    const ok = await fetch(`${service.scimUrl}/Users?filter=userName eq "x"`, {
      headers: { Authorization: `Bearer ${key.token}` },
    });
    expect(ok.status).toBe(200);
    expect(await readKeyResource(key)).toMatchObject({ keyId: key.keyId });
    await deleteKeyResource(key);
    expect(await readKeyResource(key)).toBeUndefined();
    const denied = await fetch(`${service.scimUrl}/Users`, {
      headers: { Authorization: `Bearer ${key.token}` },
    });
    expect(denied.status).toBe(401);
  });

  it("replaces role mappings declaratively and reports hand edits as drift", async () => {
    const t = await createTenantResource({ ...admin, name: "Roles", jit: false });
    const document = buildRoleMappingDocument(
      [{ name: "admin" }, { name: "member" }],
      ["member"],
      [
        { objectId: "3C4D5E6F-7A8B-4C9D-8E0F-1A2B3C4D5E6F", roles: ["admin"] },
        { objectId: "x-no-roles", roles: [] },
      ],
    );
    expect(document.mappings).toEqual([
      { group: { externalId: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f" }, roles: ["admin"] },
    ]);
    const applied = await applyRoleMappings({ ...admin, tenantId: t.tenantId, document });
    expect((await readRoleMappings(applied)).drift).toBe(false);
    await createAdminClient({ baseUrl: admin.adminUrl, token: admin.adminToken }).putRoleMappings(
      t.tenantId,
      {
        ...document,
        defaultRoles: [],
      },
    );
    expect((await readRoleMappings(applied)).drift).toBe(true);
  });

  it("rejects a role mapping naming an unknown role with the API's error", async () => {
    const t = await createTenantResource({ ...admin, name: "Bad roles", jit: false });
    const document = {
      roles: [],
      defaultRoles: [],
      mappings: [{ group: { externalId: "g" }, roles: ["ghost"] }],
    };
    await expect(applyRoleMappings({ ...admin, tenantId: t.tenantId, document })).rejects.toThrow(
      /scimgate admin API PUT \/tenants\/.+\/role-mappings failed: 400/,
    );
  });

  it("names the config key when no management token is available", () => {
    const saved = process.env.SCIMGATE_ADMIN_TOKEN;
    delete process.env.SCIMGATE_ADMIN_TOKEN;
    expect(() => adminClientFor({ adminUrl: "http://x" })).toThrow(
      "no scimgate management token: set `scimgate:adminToken` (secret) or $SCIMGATE_ADMIN_TOKEN",
    );
    if (saved !== undefined) process.env.SCIMGATE_ADMIN_TOKEN = saved;
  });

  it.each([
    ["https://s/scim/v2", true, "https://s/scim/v2?aadOptscim062020"],
    ["https://s/scim/v2?x=1", true, "https://s/scim/v2?x=1&aadOptscim062020"],
    ["https://s/scim/v2", false, "https://s/scim/v2"],
  ])("builds the Tenant URL from %s (flag %s)", (url, flag, expected) => {
    expect(buildTenantUrl(url, flag)).toBe(expected);
  });
});
