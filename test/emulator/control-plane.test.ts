/**
 * The standalone emulator's control plane: run a cycle and apply the directory file's next step over HTTP.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDirectoryYaml } from "../../src/emulator/directory-file.js";
import { type GraphEmulator, startGraphEmulator } from "../../src/emulator/server.js";
import { type MemoryScimTarget, startMemoryScimTarget } from "./fixtures/memory-scim-target.js";
import { createJob, graph } from "./graph-client.js";

const directory = parseDirectoryYaml(
  readFileSync(new URL("../../examples/directory.yaml", import.meta.url), "utf8"),
);

let em: GraphEmulator;
let target: MemoryScimTarget;

beforeEach(async () => {
  target = await startMemoryScimTarget();
  em = await startGraphEmulator({ directory, engine: { autoRun: false } });
});
afterEach(async () => {
  await em.close();
  await target.close();
});

async function post(path: string, body?: unknown) {
  const res = await fetch(`${em.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  const json: any = await res.json();
  return { status: res.status, body: json };
}

describe("/_emulator control plane", () => {
  it("runs cycles and applies scripted steps of the seeded directory", async () => {
    const sp = [...em.state.servicePrincipals.values()][0]!;
    expect(sp.displayName).toBe("scimgate");
    const job = await createJob(em, sp.id);
    await graph(em, "PUT", `/servicePrincipals/${sp.id}/synchronization/secrets`, {
      value: [
        { key: "BaseAddress", value: target.url },
        { key: "SecretToken", value: target.token },
      ],
    });
    await graph(em, "POST", `/servicePrincipals/${sp.id}/synchronization/jobs/${job.id}/start`);
    const first = await post("/_emulator/cycles", { servicePrincipalId: sp.id, jobId: job.id });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ initial: true, state: "Succeeded" });
    expect(target.users.size).toBe(3);
    const step = await post("/_emulator/steps/next");
    expect(step.body).toEqual({ applied: "Alice is promoted, Erin joins Engineering", remaining: 3 });
    const second = await post("/_emulator/cycles", { servicePrincipalId: sp.id, jobId: job.id });
    expect(second.body.actions.map((a: { provisioningAction: string }) => a.provisioningAction)).toEqual([
      "update",
      "create",
      "update",
    ]);
    for (let i = 0; i < 3; i++) await post("/_emulator/steps/next");
    expect((await post("/_emulator/steps/next")).status).toBe(409);
  });

  it("refuses a cycle request without ids, or for a job that is not active", async () => {
    expect((await post("/_emulator/cycles", {})).status).toBe(400);
    const sp = [...em.state.servicePrincipals.values()][0]!;
    const job = await createJob(em, sp.id);
    const res = await post("/_emulator/cycles", { servicePrincipalId: sp.id, jobId: job.id });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain("Disabled");
  });
});
