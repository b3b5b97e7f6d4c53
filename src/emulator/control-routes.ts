/**
 * The emulator's own control plane (not Graph): `/_emulator/*` lets tools that only have HTTP apply the
 * directory file's next scripted step and run a provisioning cycle now.
 */
import type { FastifyInstance } from "fastify";
import type { DirectoryFile } from "./directory-file.js";
import type { DirectorySeed } from "./directory-seed.js";
import type { ProvisioningEngine } from "./engine/engine.js";

/** What the control routes act on. */
export interface ControlPlane {
  engine: ProvisioningEngine;
  seed?: DirectorySeed;
  steps: DirectoryFile["steps"];
}

function problem(message: string) {
  return { error: { code: "EmulatorControl", message } };
}

/** Registers `POST /_emulator/steps/next` and `POST /_emulator/cycles`. */
export function registerControlRoutes(app: FastifyInstance, plane: ControlPlane): void {
  let next = 0;
  app.post("/_emulator/steps/next", async (_request, reply) => {
    const step = plane.steps[next];
    if (!step || !plane.seed) return reply.status(409).send(problem("No scripted step is left to apply."));
    for (const change of step.changes) plane.seed.apply(change);
    next++;
    return reply.send({ applied: step.name ?? `step ${next}`, remaining: plane.steps.length - next });
  });
  app.post("/_emulator/cycles", async (request, reply) => {
    const body = (request.body ?? {}) as { servicePrincipalId?: unknown; jobId?: unknown };
    if (typeof body.servicePrincipalId !== "string" || typeof body.jobId !== "string") {
      return reply.status(400).send(problem('Send {"servicePrincipalId": "…", "jobId": "…"}.'));
    }
    try {
      const result = await plane.engine.runCycle(body.servicePrincipalId, body.jobId);
      const actions = result.records.map((r) => r.entry);
      return reply.send({
        cycleId: result.cycleId,
        initial: result.initial,
        state: result.state,
        status: result.status,
        actions,
      });
    } catch (error) {
      return reply.status(409).send(problem((error as Error).message));
    }
  });
}
