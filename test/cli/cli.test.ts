import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, "../../src/cli/main.ts");
const dir = mkdtempSync(join(tmpdir(), "scimgate-cli-"));
const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, "cli.db")}`, LOG_LEVEL: "silent" };

/** Runs `scimgate …` as a real process on the test database; never throws on a non-zero exit. */
async function scimgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ["--import", "tsx", CLI, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the scimgate CLI", () => {
  let tenantId = "";
  let keyId = "";

  it("creates a tenant and prints {id, name} with --json", async () => {
    const r = await scimgate("tenant", "create", "acme", "--json");
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(Object.keys(body).sort()).toEqual(["id", "name"]);
    expect(body.name).toBe("acme");
    tenantId = body.id;
    const list = JSON.parse((await scimgate("tenant", "list", "--json")).stdout);
    expect(list.map((t: { name: string }) => t.name)).toEqual(["acme"]);
  });

  it("issues a key once with {id, token}, lists it without the secret, and revokes it", async () => {
    const created = JSON.parse(
      (await scimgate("key", "create", "--tenant", tenantId, "--expires", "30", "--json")).stdout,
    );
    expect(created.token).toMatch(/^P[0-9a-f]{26}:sk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    keyId = created.id;
    const listed = await scimgate("key", "list", "--tenant", tenantId, "--json");
    expect(listed.stdout).not.toContain(created.token.split(":")[1]);
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ id: keyId, revokedAt: null });
    const revoked = await scimgate("key", "revoke", keyId);
    expect(revoked.stdout).toMatch(new RegExp(`^revoked ${keyId} at `));
    const human = await scimgate("key", "list", "--tenant", tenantId);
    expect(human.stdout.split("\n")[0]).toMatch(
      /^ID\s+DESCRIPTION\s+CREATED\s+EXPIRES\s+REVOKED\s+LAST USED$/,
    );
  });

  it("fails with one clear line for an unknown tenant or a bad --expires", async () => {
    const r = await scimgate("key", "create", "--tenant", "nope");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('scimgate: tenant "nope" not found');
    const bad = await scimgate("key", "create", "--tenant", tenantId, "--expires", "0");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--expires takes whole days from 1 to 3650");
  });

  it("sets roles from a YAML file idempotently and shows them", async () => {
    const file = join(dir, "mapping.yaml");
    writeFileSync(
      file,
      [
        "roles:",
        "  - name: viewer",
        "  - name: admin",
        "defaultRoles: [viewer]",
        "mappings:",
        "  - group: { externalId: obj-1 }",
        "    roles: [admin]",
        "",
      ].join("\n"),
    );
    expect((await scimgate("roles", "set", "--tenant", tenantId, "-f", file)).stdout.trim()).toBe(
      "role document replaced",
    );
    expect((await scimgate("roles", "set", "--tenant", tenantId, "-f", file)).stdout.trim()).toBe(
      "role document unchanged (already as given)",
    );
    const shown = JSON.parse((await scimgate("roles", "show", "--tenant", tenantId, "--json")).stdout);
    expect(shown.mappings).toEqual([{ group: { externalId: "obj-1" }, roles: ["admin"] }]);
    writeFileSync(file, "roles: []\nmappings:\n  - group: { displayName: X }\n    roles: [ghost]\n");
    const bad = await scimgate("roles", "set", "--tenant", tenantId, "-f", file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown role "ghost"');
  });

  it("answers login-check with DENIED and exit code 2 for a user without a SCIM record", async () => {
    const r = await scimgate("login-check", "--tenant", tenantId, "nobody@contoso.com");
    expect(r.code).toBe(2);
    expect(r.stdout.trim()).toBe(
      "DENIED: no SCIM record for this user and JIT provisioning is off for this tenant",
    );
  });

  it("lists users and the audit trail", async () => {
    expect(JSON.parse((await scimgate("users", "list", "--tenant", tenantId, "--json")).stdout)).toEqual({
      totalResults: 0,
      users: [],
    });
    const audit = JSON.parse(
      (await scimgate("audit", "--tenant", tenantId, "--since", "1h", "--json")).stdout,
    );
    expect(audit.entries.map((e: { operation: string }) => e.operation)).toEqual([
      "create",
      "create",
      "revoke",
      "replace",
    ]);
  });

  it("creates a management key", async () => {
    const r = JSON.parse((await scimgate("admin-key", "create", "--json")).stdout);
    expect(r.token).toMatch(/:mk_[0-9a-f]{16}_/);
  });
});
