import type { Command } from "commander";
import { parseServiceConfig } from "../config.js";
import { openStore, systemAudit } from "../main.js";
import type { Store } from "../store/store.js";
import { Tenancy } from "../tenancy/tenancy.js";
import { out, print } from "./output.js";

/** Opens the store named by DATABASE_URL, runs `fn`, closes it. */
export async function withTenancy<T>(fn: (t: Tenancy, store: Store) => Promise<T>): Promise<T> {
  const config = parseServiceConfig(process.env);
  const store = await openStore(config.databaseUrl, config);
  try {
    return await fn(await Tenancy.open(store, config.tokenPepper), store);
  } finally {
    await store.close();
  }
}

function days(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 3650)
    throw new Error(`--expires takes whole days from 1 to 3650, got "${v}"`);
  return n;
}

function registerTenant(program: Command): void {
  const tenant = program.command("tenant").description("manage tenants");
  tenant
    .command("create <name>")
    .description("create a tenant")
    .option("--jit", "allow just-in-time user creation at login (off by default)")
    .option("--json", "print JSON")
    .action(async (name: string, o: { jit?: boolean; json?: boolean }) =>
      withTenancy(async (t) => {
        const created = await t.createTenant(
          name,
          o.jit === true,
          systemAudit("create", "Tenant", `tenant ${name}`),
        );
        const v = { id: created.id, name: created.name };
        print(o.json === true, v, ["ID", "NAME"], [[v.id, v.name]]);
      }),
    );
  tenant
    .command("list")
    .description("list tenants")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) =>
      withTenancy(async (_t, store) => {
        const all = await store.listTenants();
        print(
          o.json === true,
          all,
          ["ID", "NAME", "JIT", "CREATED"],
          all.map((x) => [x.id, x.name, x.jit, x.createdAt]),
        );
      }),
    );
}

function registerKey(program: Command): void {
  const key = program.command("key").description("manage tenant access keys (SCIM Secret Tokens)");
  key
    .command("create")
    .description("issue an access key for a tenant; the token is printed once")
    .requiredOption("--tenant <id>", "tenant id")
    .option("--expires <days>", "expire after this many days", days)
    .option("--description <text>", "what the key is for")
    .option("--json", "print JSON")
    .action(async (o: { tenant: string; expires?: number; description?: string; json?: boolean }) =>
      withTenancy(async (t) => {
        await t.requireTenant(o.tenant);
        const audit = { ...systemAudit("create", "AccessKey", ""), tenantId: o.tenant };
        const k = await t.createKey(
          "tenant",
          o.tenant,
          {
            ...(o.expires ? { expiresInDays: o.expires } : {}),
            ...(o.description ? { description: o.description } : {}),
          },
          audit,
        );
        if (o.json) out(JSON.stringify({ id: k.id, token: k.token, expiresAt: k.expiresAt }, null, 2));
        else out(`key ${k.id}\nSecret Token (shown once): ${k.token}`);
      }),
    );
  key
    .command("list")
    .description("list a tenant's keys (never their secrets)")
    .requiredOption("--tenant <id>", "tenant id")
    .option("--json", "print JSON")
    .action(async (o: { tenant: string; json?: boolean }) =>
      withTenancy(async (t) => {
        await t.requireTenant(o.tenant);
        const keys = await t.listKeys("tenant", o.tenant);
        const rows = keys.map((k) => [
          k.id,
          k.description,
          k.createdAt,
          k.expiresAt,
          k.revokedAt,
          k.lastUsedAt,
        ]);
        print(
          o.json === true,
          keys,
          ["ID", "DESCRIPTION", "CREATED", "EXPIRES", "REVOKED", "LAST USED"],
          rows,
        );
      }),
    );
  key
    .command("revoke <keyId>")
    .description("revoke a key; takes effect on the next request")
    .action(async (keyId: string) =>
      withTenancy(async (t) => {
        const k = await t.revokeKey(keyId, systemAudit("revoke", "AccessKey", ""));
        out(`revoked ${k.id} at ${k.revokedAt}`);
      }),
    );
}

function registerAdminKey(program: Command): void {
  program
    .command("admin-key")
    .description("manage management keys for the admin API")
    .command("create")
    .description("issue a management key; the token is printed once")
    .option("--expires <days>", "expire after this many days", days)
    .option("--json", "print JSON")
    .action(async (o: { expires?: number; json?: boolean }) =>
      withTenancy(async (t) => {
        const k = await t.createKey(
          "management",
          null,
          { description: "admin", ...(o.expires ? { expiresInDays: o.expires } : {}) },
          systemAudit("create", "AccessKey", ""),
        );
        if (o.json) out(JSON.stringify({ id: k.id, token: k.token, expiresAt: k.expiresAt }, null, 2));
        else out(`management key ${k.id}\nAdmin token (shown once): ${k.token}`);
      }),
    );
}

/** Registers `tenant`, `key` and `admin-key`. */
export function registerTenantCommands(program: Command): void {
  registerTenant(program);
  registerKey(program);
  registerAdminKey(program);
}
