/* biome-ignore-all lint/suspicious/noExplicitAny: Graph test payloads are arbitrary JSON */
/**
 * Test helper: wires an emulator job to a SCIM target through the Graph API, as an admin would.
 */
import type { GraphEmulator } from "../../src/emulator/server.js";
import { createJob, createScimApp, graph } from "./graph-client.js";

/** A provisioned app: service principal, job, and helpers bound to them. */
export interface Provisioning {
  sp: any;
  job: any;
  assign(principalId: string): Promise<string>;
  unassign(assignmentId: string): Promise<void>;
  cycle(): ReturnType<GraphEmulator["runCycle"]>;
  jobState(): Promise<any>;
}

/** Instantiates the app, creates the `scim` job, saves BaseAddress/SecretToken, starts the job (no auto-run). */
export async function setUpProvisioning(
  em: GraphEmulator,
  tenantUrl: string,
  token: string,
  extraSecrets: { key: string; value: string }[] = [],
): Promise<Provisioning> {
  const { sp } = await createScimApp(em);
  const job = await createJob(em, sp.id);
  const base = [
    { key: "BaseAddress", value: tenantUrl },
    { key: "SecretToken", value: token },
    { key: "SyncAll", value: "false" },
  ];
  const secrets = [...base.filter((b) => !extraSecrets.some((e) => e.key === b.key)), ...extraSecrets];
  const put = await graph(em, "PUT", `/servicePrincipals/${sp.id}/synchronization/secrets`, {
    value: secrets,
  });
  if (put.status !== 204) throw new Error(`secrets PUT failed: ${put.status}`);
  const start = await graph(em, "POST", `/servicePrincipals/${sp.id}/synchronization/jobs/${job.id}/start`);
  if (start.status !== 204) throw new Error(`start failed: ${start.status}`);
  const roleId = sp.appRoles.find((r: { displayName: string }) => r.displayName === "User").id;
  return {
    sp,
    job,
    assign: async (principalId) => {
      const res = await graph(em, "POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`, {
        principalId,
        resourceId: sp.id,
        appRoleId: roleId,
      });
      if (res.status !== 201) throw new Error(`assign failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    unassign: async (assignmentId) => {
      await graph(em, "DELETE", `/servicePrincipals/${sp.id}/appRoleAssignedTo/${assignmentId}`);
    },
    cycle: () => em.runCycle(sp.id, job.id),
    jobState: async () =>
      (await graph(em, "GET", `/servicePrincipals/${sp.id}/synchronization/jobs/${job.id}`)).body,
  };
}
