import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { AdminService } from "../admin/service.js";
import { systemAudit } from "../main.js";
import { out, print } from "./output.js";
import { withTenancy } from "./tenant-commands.js";

function withAdmin<T>(fn: (admin: AdminService) => Promise<T>): Promise<T> {
  return withTenancy((tenancy, store) => fn(new AdminService(store, tenancy)));
}

function readDocument(file: string): unknown {
  const text = readFileSync(file, "utf8");
  try {
    return parseYaml(text) as unknown;
  } catch (e) {
    throw new Error(`${file} is not valid YAML or JSON: ${(e as Error).message}`);
  }
}

function registerRoles(program: Command): void {
  const roles = program.command("roles").description("roles and group-to-role mappings of a tenant");
  roles
    .command("set")
    .description("replace the tenant's whole role document from a YAML or JSON file (idempotent)")
    .requiredOption("--tenant <id>", "tenant id")
    .requiredOption("-f, --file <file>", "mapping document: roles, defaultRoles, mappings")
    .option("--json", "print JSON")
    .action(async (o: { tenant: string; file: string; json?: boolean }) =>
      withAdmin(async (admin) => {
        const doc = readDocument(o.file);
        const res = await admin.putRoles(o.tenant, doc, {
          ...systemAudit("replace", "RoleMappings", ""),
          tenantId: o.tenant,
        });
        if (o.json) out(JSON.stringify(res, null, 2));
        else out(res.changed ? "role document replaced" : "role document unchanged (already as given)");
      }),
    );
  roles
    .command("show")
    .description("print the tenant's roles, default roles and mappings")
    .requiredOption("--tenant <id>", "tenant id")
    .option("--json", "print JSON")
    .action(async (o: { tenant: string; json?: boolean }) =>
      withAdmin(async (admin) => {
        const doc = await admin.getRoles(o.tenant);
        const rows = doc.mappings.map((m) => [
          "externalId" in m.group ? `externalId=${m.group.externalId}` : `displayName=${m.group.displayName}`,
          m.roles.join(", "),
        ]);
        if (o.json) return out(JSON.stringify(doc, null, 2));
        out(`roles: ${doc.roles.map((r) => r.name).join(", ") || "-"}`);
        out(`default roles: ${doc.defaultRoles.join(", ") || "-"}`);
        print(false, doc, ["GROUP", "ROLES"], rows);
      }),
    );
}

function registerUsers(program: Command): void {
  program
    .command("users")
    .description("provisioned users")
    .command("list")
    .description("list a tenant's users with their effective roles")
    .requiredOption("--tenant <id>", "tenant id")
    .option("--count <n>", "page size", (v) => Number.parseInt(v, 10), 100)
    .option("--start <n>", "1-based start index", (v) => Number.parseInt(v, 10), 1)
    .option("--json", "print JSON")
    .action(async (o: { tenant: string; count: number; start: number; json?: boolean }) =>
      withAdmin(async (admin) => {
        const res = await admin.listUsers(o.tenant, { startIndex: o.start, count: o.count });
        const rows = res.users.map((u) => [
          u.userName,
          u.active ? "yes" : "no",
          u.origin,
          u.roles.join(", "),
          u.groups.map((g) => g.displayName).join(", "),
        ]);
        print(o.json === true, res, ["USERNAME", "ACTIVE", "ORIGIN", "ROLES", "GROUPS"], rows);
      }),
    );
}

function registerLoginCheck(program: Command): void {
  program
    .command("login-check <userName>")
    .description("may this user log in, and with which roles? (as the application would ask at SSO sign-in)")
    .requiredOption("--tenant <id>", "tenant id")
    .option("--external-id", "treat the argument as the user's externalId instead of userName")
    .option("--json", "print JSON")
    .action(async (who: string, o: { tenant: string; externalId?: boolean; json?: boolean }) =>
      withAdmin(async (admin) => {
        const subject = o.externalId ? { externalId: who } : { userName: who };
        const d = await admin.loginCheck(o.tenant, subject, {
          ...systemAudit("login", "User", ""),
          tenantId: o.tenant,
        });
        if (o.json) out(JSON.stringify(d, null, 2));
        else
          out(
            `${d.allowed ? "ALLOWED" : "DENIED"}: ${d.reason}${d.allowed ? `\nroles: ${d.roles.join(", ") || "-"}` : ""}`,
          );
        if (!d.allowed) process.exitCode = 2;
      }),
    );
}

function registerAudit(program: Command): void {
  program
    .command("audit")
    .description("the tenant's audit trail, oldest first")
    .requiredOption("--tenant <id>", "tenant id")
    .option("--since <time>", "ISO time or a duration like 24h, 7d")
    .option("--limit <n>", "rows", (v) => Number.parseInt(v, 10), 100)
    .option("--json", "print JSON")
    .action(async (o: { tenant: string; since?: string; limit: number; json?: boolean }) =>
      withAdmin(async (admin) => {
        const since = o.since === undefined ? undefined : parseSince(o.since);
        const res = await admin.queryAudit(o.tenant, { ...(since ? { since } : {}), limit: o.limit });
        const rows = res.entries.map((e) => [
          e.at,
          e.operation,
          e.resourceType,
          e.resourceId,
          e.outcome,
          e.keyId,
          e.summary,
        ]);
        print(o.json === true, res, ["AT", "OP", "TYPE", "ID", "OUTCOME", "KEY", "SUMMARY"], rows);
      }),
    );
}

/** Parses `--since`: an ISO time, or a duration back from now (`90m`, `24h`, `7d`). */
export function parseSince(v: string): string {
  const m = /^(\d+)([mhd])$/.exec(v);
  if (m) {
    const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"];
    return new Date(Date.now() - ms).toISOString();
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`--since takes an ISO time or a duration like 24h, got "${v}"`);
  return new Date(t).toISOString();
}

/** Registers `roles`, `users`, `login-check` and `audit`. */
export function registerAdminCommands(program: Command): void {
  registerRoles(program);
  registerUsers(program);
  registerLoginCheck(program);
  registerAudit(program);
}
