import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantiateApp } from "../../src/entra/directory-ops.js";
import { createKeyResource, createTenantResource } from "../../src/entra/scimgate-tenant.js";
import { getJob } from "../../src/entra/sync-job.js";
import { FAST_RETRY, type Harness, startHarness } from "../entra/harness.js";

const run = promisify(execFile);
let h: Harness;
let seen: { type: string; name: string; provider: string }[];
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(tmpdir(), "scimgate-engine-"));
  // The program, loaded by plain Node + tsx as `pulumi up` loads it with NODE_OPTIONS="--import tsx".
  const fixture = new URL("./fixtures/run-program.mts", import.meta.url).pathname;
  const { stdout } = await run(process.execPath, ["--import", "tsx", fixture], { maxBuffer: 10_000_000 });
  seen = JSON.parse(stdout);
}, 60_000);
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the program outside vitest", () => {
  it("registers the same resources when Node loads it with tsx", () => {
    expect(seen).toHaveLength(21);
    expect(
      seen
        .filter((s) => s.type.startsWith("pulumi-nodejs:dynamic/scimgate:"))
        .map((s) => s.name)
        .sort(),
    ).toEqual([
      "entra-provisioning-job",
      "entra-provisioning-run",
      "entra-provisioning-schema",
      "entra-signing-key",
      "entra-sp-info",
      "scimgate-key",
      "scimgate-roles",
      "scimgate-tenant",
    ]);
  });

  it("serializes a job provider that creates the job from a separate process, as the engine's provider host does", async () => {
    const spId = (await instantiateApp(h.graph, "engine test", FAST_RETRY)).servicePrincipalObjectId;
    const tenant = await createTenantResource({ ...h.admin, name: "Engine", jit: false });
    const key = await createKeyResource({
      ...h.admin,
      tenantId: tenant.tenantId,
      rotation: "1",
      description: "e",
    });
    const file = join(dir, "job-provider.cjs");
    writeFileSync(file, seen.find((s) => s.name === "entra-provisioning-job")!.provider);
    const inputs = {
      graphUrl: h.emulator.graphUrl,
      servicePrincipalId: spId,
      templateId: "scim",
      baseAddress: tenant.scimUrl,
      secretToken: key.token,
      syncAll: false,
      notifications: {},
    };
    const script = `require(${JSON.stringify(file)}).handler().create(${JSON.stringify(inputs)})
      .then((r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stderr.write(String(e)); process.exit(1); });`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "-e", script], {
      env: { ...process.env, SCIMGATE_GRAPH_TOKEN: "engine" },
    });
    const created = JSON.parse(stdout) as { id: string; outs: { jobId: string } };
    expect(created.id).toBe(created.outs.jobId);
    expect((await getJob(h.graph, spId, created.id))?.templateId).toBe("scim");
  });
});
