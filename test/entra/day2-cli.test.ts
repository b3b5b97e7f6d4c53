import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseStackConfig } from "../../infra/stack-config.js";
import { registerEntraCommands } from "../../src/cli/entra-commands.js";
import { findGroup } from "../../src/entra/directory-ops.js";
import { type OnboardingResult, runOnboarding } from "../../src/entra/onboarding.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
let onboarded: OnboardingResult;
const env = { ...process.env };

async function run(...args: string[]): Promise<string> {
  const program = new Command("scimgate").exitOverride();
  registerEntraCommands(program);
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  try {
    await program.parseAsync([
      "node",
      "scimgate",
      "entra",
      ...args,
      "--sp",
      onboarded.servicePrincipalObjectId,
      "--graph-url",
      h.emulator.graphUrl,
    ]);
  } finally {
    spy.mockRestore();
  }
  return chunks.join("");
}

beforeAll(async () => {
  h = await startHarness();
  process.env.SCIMGATE_GRAPH_TOKEN = "cli-test";
  const plan = parseStackConfig({
    tenant: { name: "Cli" },
    service: { url: h.service.url },
    app: { displayName: "scimgate cli" },
    groups: [{ displayName: "Staff", roles: ["member"] }],
    roles: { definitions: [{ name: "member" }] },
  });
  onboarded = await runOnboarding(plan, { graph: h.graph, admin: h.admin, retry: { sleep: async () => {} } });
  await h.emulator.runCycle(onboarded.servicePrincipalObjectId, onboarded.job.jobId);
});
afterAll(async () => {
  process.env = env;
  await h?.close();
});

describe("scimgate entra", () => {
  it("status shows the schedule, status and saved secrets with the token masked", async () => {
    const text = await run("status", "--json");
    const s = JSON.parse(text);
    expect(s).toMatchObject({
      jobId: onboarded.job.jobId,
      scheduleState: "Active",
      statusCode: "Active",
      quarantine: null,
    });
    expect(s.secrets).toContainEqual({ key: "SecretToken", value: "*" });
    expect(text).not.toContain(onboarded.job.secretToken);
  });

  it("test-connection passes with the saved credentials", async () => {
    expect(await run("test-connection")).toBe(`Test Connection passed for job ${onboarded.job.jobId}\n`);
  });

  it("provision-on-demand provisions one user and prints the steps", async () => {
    const ada = (
      await h.graph.get<{ value: { id: string }[] }>(
        `/users?$filter=${encodeURIComponent("userPrincipalName eq 'ada@contoso.example'")}`,
      )
    ).value[0]!;
    const r = JSON.parse(await run("provision-on-demand", "--user", ada.id, "--json"));
    expect(["Success", "Skipped"]).toContain(r.result);
    expect(r.steps.length).toBeGreaterThan(0);
  });

  it("logs lists the provisioning log of the job", async () => {
    const { logs, warnings } = JSON.parse(await run("logs", "--top", "50", "--json"));
    expect(warnings).toEqual([]);
    expect(logs.length).toBeGreaterThan(0);
    expect(new Set(logs.map((l: { jobId: string }) => l.jobId))).toEqual(new Set([onboarded.job.jobId]));
    expect(await run("logs")).toMatch(/^TIME\s+ACTION\s+STATUS\s+SOURCE\s+ERROR/);
  });

  it("logs warns about a quarantine, and restart --reset clears it", async () => {
    const admin = await import("../../src/entra/scimgate-tenant.js");
    const keys = await admin.adminClientFor(h.admin).listKeys(onboarded.tenant.tenantId);
    for (const k of keys) await admin.adminClientFor(h.admin).revokeKey(onboarded.tenant.tenantId, k.id);
    const staff = await findGroup(h.graph, { displayName: "Staff" });
    await h.graph.patch(`/groups/${staff.id}`, { description: "touch" });
    await h.emulator.runCycle(onboarded.servicePrincipalObjectId, onboarded.job.jobId);
    const text = await run("logs");
    expect(text).toMatch(/^WARNING: the job is in quarantine \(/);
    expect(await run("restart", "--reset")).toContain("(watermark, escrows and quarantine reset)");
    const s = JSON.parse(await run("status", "--json"));
    expect(s.quarantine).toBeNull();
  });

  it("refuses provision-on-demand without a subject", async () => {
    await expect(run("provision-on-demand")).rejects.toThrow(
      "give exactly one of --user <objectId> or --group <objectId>",
    );
  });
});
