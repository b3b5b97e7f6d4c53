/** `scimgate entra …` (day-2 operations on a provisioning job) and `scimgate sandbox` (offline rehearsal of `pulumi up`). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { parseStackConfig, rawConfigFromStackFile } from "../../infra/stack-config.js";
import { type AdminGroup, type AdminUser, createAdminClient } from "../admin/client.js";
import { parseDirectoryFile } from "../emulator/directory-file.js";
import { startGraphEmulator } from "../emulator/server.js";
import { createGraphFromEnv } from "../entra/credentials.js";
import {
  provisionOnDemand,
  quarantineWarnings,
  readLogs,
  readStatus,
  resolveJob,
  restart,
  testConnection,
} from "../entra/day2.js";
import { createGraphClient, GLOBAL_GRAPH_URL, type Graph } from "../entra/graph-client.js";
import { type OnboardingResult, runOnboarding } from "../entra/onboarding.js";
import { buildSandboxDirectory } from "../entra/sandbox-directory.js";
import { startService } from "../main.js";
import { out, print, table } from "./output.js";

interface JobOpts {
  sp: string;
  job?: string;
  graphUrl: string;
  json?: boolean;
}

function jobCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .requiredOption(
      "--sp <objectId>",
      "object id of the Enterprise App's service principal (output servicePrincipalObjectId)",
    )
    .option("--job <jobId>", "synchronization job id (default: the service principal's only job)")
    .option(
      "--graph-url <url>",
      "Graph base URL with version (national clouds, the emulator)",
      GLOBAL_GRAPH_URL,
    )
    .option("--json", "print JSON");
}

const graphFor = (o: JobOpts): Graph => createGraphFromEnv(o.graphUrl);

async function statusAction(o: JobOpts): Promise<void> {
  const s = await readStatus(graphFor(o), o.sp, o.job);
  const rows = [
    ["job", s.jobId],
    ["schedule", s.scheduleState],
    ["status", s.statusCode],
    ["quarantine", s.quarantine],
    ["last run", s.lastExecution],
    ...s.secrets.map((p) => [`secret ${p.key}`, p.value]),
  ];
  print(o.json === true, s, ["FIELD", "VALUE"], rows);
}

async function testConnectionAction(o: JobOpts & { tenantUrl?: string }): Promise<void> {
  const graph = graphFor(o);
  const job = await resolveJob(graph, o.sp, o.job);
  const token = process.env.SCIMGATE_SCIM_TOKEN;
  if (o.tenantUrl && !token) throw new Error("--tenant-url needs the Secret Token in $SCIMGATE_SCIM_TOKEN");
  await testConnection(
    graph,
    o.sp,
    job.id,
    o.tenantUrl && token ? { baseAddress: o.tenantUrl, secretToken: token } : undefined,
  );
  out(`Test Connection passed for job ${job.id}`);
}

async function onDemandAction(o: JobOpts & { user?: string; group?: string }): Promise<void> {
  const graph = graphFor(o);
  const job = await resolveJob(graph, o.sp, o.job);
  if (!o.user === !o.group) throw new Error("give exactly one of --user <objectId> or --group <objectId>");
  const subject = o.user
    ? { objectId: o.user, objectTypeName: "User" as const }
    : { objectId: o.group!, objectTypeName: "Group" as const };
  const r = await provisionOnDemand(graph, o.sp, job.id, subject);
  if (o.json) return out(JSON.stringify(r, null, 2));
  out(`result: ${r.result}${r.details.errorMessage ? ` (${String(r.details.errorMessage)})` : ""}`);
  out(
    table(
      ["STEP", "TYPE", "STATUS", "DESCRIPTION"],
      r.steps.map((s) => [s.name, s.type, s.status, s.description]),
    ),
  );
}

async function restartAction(o: JobOpts & { reset?: boolean }): Promise<void> {
  const graph = graphFor(o);
  const job = await resolveJob(graph, o.sp, o.job);
  await restart(graph, o.sp, job.id, o.reset === true);
  out(`restarted job ${job.id}${o.reset ? " (watermark, escrows and quarantine reset)" : ""}`);
}

async function logsAction(o: JobOpts & { top: string }): Promise<void> {
  const graph = graphFor(o);
  const job = await resolveJob(graph, o.sp, o.job);
  const top = Number(o.top);
  if (!Number.isInteger(top) || top < 1 || top > 1000)
    throw new Error(`--top takes 1 to 1000, got "${o.top}"`);
  const logs = await readLogs(graph, job.id, top);
  if (o.json) return out(JSON.stringify({ warnings: quarantineWarnings(job), logs }, null, 2));
  for (const w of quarantineWarnings(job)) out(w);
  const rows = logs.map((l) => [
    l.activityDateTime,
    l.provisioningAction,
    l.provisioningStatusInfo?.status,
    `${l.sourceIdentity?.identityType ?? ""} ${l.sourceIdentity?.displayName ?? l.sourceIdentity?.id ?? ""}`.trim(),
    l.provisioningStatusInfo?.errorInformation?.errorCode,
  ]);
  out(table(["TIME", "ACTION", "STATUS", "SOURCE", "ERROR"], rows));
}

/** Registers `scimgate entra …` and `scimgate sandbox`. */
export function registerEntraCommands(program: Command): void {
  const entra = program
    .command("entra")
    .description(
      "operate an Entra provisioning job (Graph token: $SCIMGATE_GRAPH_TOKEN, else DefaultAzureCredential)",
    );
  jobCommand(entra, "status", "show the job's schedule, status, quarantine and saved secrets").action(
    statusAction,
  );
  jobCommand(
    entra,
    "test-connection",
    "run Test Connection (saved credentials, or --tenant-url with $SCIMGATE_SCIM_TOKEN)",
  )
    .option("--tenant-url <url>", "test this Tenant URL instead of the saved one")
    .action(testConnectionAction);
  jobCommand(entra, "provision-on-demand", "provision one user or group now")
    .option("--user <objectId>", "Entra object id of the user")
    .option("--group <objectId>", "Entra object id of the group")
    .action(onDemandAction);
  jobCommand(entra, "restart", "restart the job")
    .option("--reset", "also reset watermark, escrows and quarantine")
    .action(restartAction);
  jobCommand(entra, "logs", "show provisioning logs, with quarantine warnings")
    .option("--top <n>", "number of entries", "20")
    .action(logsAction);
  program
    .command("sandbox")
    .description(
      "rehearse `pulumi up` offline: onboard a stack file against the Graph emulator and a local scimgate",
    )
    .option("--stack <file>", "stack file (default stacks/Pulumi.example.yaml)")
    .option("--json", "print JSON")
    .action(async (o: { stack?: string; json?: boolean }) => {
      const report = await runSandbox({ stackFile: o.stack, write: o.json ? () => {} : out });
      if (o.json) out(JSON.stringify(report, null, 2));
    });
}

/** Finds the example stack: in the working directory, else next to the package. */
export function defaultStackFile(): string {
  const candidates = [
    resolve("stacks/Pulumi.example.yaml"),
    fileURLToPath(new URL("../../stacks/Pulumi.example.yaml", import.meta.url)),
    fileURLToPath(new URL("../../../stacks/Pulumi.example.yaml", import.meta.url)),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error("no stacks/Pulumi.example.yaml found; pass --stack <file>");
  return found;
}

/** What the sandbox reports. */
export interface SandboxReport {
  stackFile: string;
  onboarding: Omit<OnboardingResult, "tenant" | "job" | "schema" | "run"> & {
    tenantId: string;
    jobId: string;
    jobStatus: string;
    mappingChanges: string[];
  };
  cycle: { state: string; records: number } | null;
  users: AdminUser[];
  groups: AdminGroup[];
}

function describeOnboarding(r: OnboardingResult, write: (l: string) => void): void {
  write(`  + Enterprise App: service principal ${r.servicePrincipalObjectId}`);
  for (const g of r.groups)
    write(`  + group ${g.key} "${g.displayName}" (${g.objectId}) assigned with the User role`);
  write(
    `  + scimgate tenant ${r.tenant.name} (${r.tenant.tenantId}), access key issued, roles mapped by group objectId`,
  );
  write(
    `  + provisioning job ${r.job.jobId}: Test Connection passed, secrets saved (Tenant URL ${r.tenantUrl})`,
  );
  const changes = r.schema.applied;
  write(
    `  + attribute mappings: ${changes.length === 0 ? "reference defaults" : `${changes.length} change(s)`}`,
  );
  for (const c of changes) write(`      ${c}`);
  write(
    `  + job ${r.run.enabled ? "started" : "paused"}: schedule ${r.run.scheduleState}, status ${r.run.statusCode}`,
  );
}

function printArrivals(users: AdminUser[], groups: AdminGroup[], write: (l: string) => void): void {
  write("");
  write(`Users in scimgate (${users.length}):`);
  const userRows = users.map((u) => [
    u.userName,
    u.active,
    u.groups.map((g) => g.displayName).join(", "),
    u.roles.join(", "),
  ]);
  write(table(["USERNAME", "ACTIVE", "GROUPS", "ROLES"], userRows));
  write("");
  write(`Groups in scimgate (${groups.length}):`);
  write(
    table(
      ["DISPLAY NAME", "EXTERNAL ID", "MEMBERS"],
      groups.map((g) => [g.displayName, g.externalId, g.memberCount]),
    ),
  );
}

/** Runs the onboarding of a stack file offline, then one provisioning cycle, and reports what arrived. */
export async function runSandbox(opts: {
  stackFile?: string;
  write?: (line: string) => void;
}): Promise<SandboxReport> {
  const write = opts.write ?? out;
  const stackFile = opts.stackFile ?? defaultStackFile();
  const plan = parseStackConfig(rawConfigFromStackFile(parseYaml(readFileSync(stackFile, "utf8"))));
  const dir = mkdtempSync(join(tmpdir(), "scimgate-sandbox-"));
  const service = await startService({ databaseUrl: join(dir, "sandbox.db"), logger: false });
  const emulator = await startGraphEmulator({
    directory: parseDirectoryFile(buildSandboxDirectory(plan)),
    engine: { autoRun: false },
  });
  try {
    write(
      `scimgate sandbox: ${stackFile} against the Graph emulator (${emulator.graphUrl}) and scimgate (${service.url})`,
    );
    const graph = createGraphClient({ graphUrl: emulator.graphUrl, token: "sandbox" });
    const adminToken = await service.createAdminToken();
    const result = await runOnboarding(plan, { graph, admin: { adminUrl: service.url, adminToken } });
    describeOnboarding(result, write);
    write("  note: SAML SSO and app owners are azuread's part of `pulumi up`; the sandbox skips them.");
    for (const g of plan.groups.filter((x) => x.dynamicRule))
      write(
        `  note: dynamic membership of ${g.key} is not emulated; the group starts with its listed members only.`,
      );
    const cycle = result.run.enabled
      ? await emulator.runCycle(result.servicePrincipalObjectId, result.job.jobId)
      : null;
    if (cycle) write(`  ~ provisioning cycle ${cycle.state}: ${cycle.records.length} object(s) processed`);
    const admin = createAdminClient({ baseUrl: service.url, token: adminToken });
    const users = await admin.listUsers(result.tenant.tenantId);
    const groups = await admin.listGroups(result.tenant.tenantId);
    printArrivals(users, groups, write);
    const { tenant, job, schema, run, ...rest } = result;
    return {
      stackFile,
      onboarding: {
        ...rest,
        tenantId: tenant.tenantId,
        jobId: job.jobId,
        jobStatus: run.statusCode,
        mappingChanges: schema.applied,
      },
      cycle: cycle ? { state: cycle.state, records: cycle.records.length } : null,
      users,
      groups,
    };
  } finally {
    await emulator.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
