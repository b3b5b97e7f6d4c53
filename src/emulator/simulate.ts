/**
 * `scimgate simulate`: runs the Entra provisioning engine against any SCIM endpoint from a directory file,
 * without an HTTP Graph server: Test Connection, the initial cycle, then one incremental cycle per scripted step.
 */
import type { Logger } from "pino";
import type { EmulatorContext } from "./context.js";
import type { DirectoryFile } from "./directory-file.js";
import { seedDirectory } from "./directory-seed.js";
import { type CycleResult, ProvisioningEngine } from "./engine/engine.js";
import type { QuarantineThresholds } from "./engine/job-status.js";
import { GraphError } from "./graph-errors.js";
import { startJob } from "./job-lifecycle.js";
import { EmulatorState, type SyncJob } from "./state.js";

/** Inputs of a simulation. */
export interface SimulateOptions {
  /** Tenant URL (BaseAddress), optionally with `?aadOptscim062020`. */
  target: string;
  /** Secret Token. */
  token: string;
  directory: DirectoryFile;
  /** Number of cycles; default 1 + the number of steps. Cycle k > 1 applies step k-1 first, if there is one. */
  cycles?: number;
  fetch?: typeof fetch;
  /** Per-request timeout in ms. Default 10,000. */
  timeoutMs?: number;
  memberBatchSize?: number;
  quarantine?: Partial<QuarantineThresholds>;
  logger?: Logger;
}

/** One cycle of a simulation and the step applied before it. */
export interface SimulatedCycle {
  index: number;
  step?: string;
  result: CycleResult;
}

/** What a simulation produced. */
export interface SimulationReport {
  target: string;
  testConnection: { ok: true } | { ok: false; code: string; message: string };
  cycles: SimulatedCycle[];
  job: Pick<SyncJob, "id" | "schedule" | "status">;
  /** Provisioning log entries with status failure, over all cycles. */
  failures: number;
  quarantined: boolean;
}

function setUp(options: SimulateOptions) {
  const state = new EmulatorState(Date.now);
  const engine = new ProvisioningEngine(state, {
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    memberBatchSize: options.memberBatchSize,
    quarantine: options.quarantine,
    autoRun: false,
    logger: options.logger,
  });
  const ctx: EmulatorContext = {
    state,
    engine,
    consistencyDelayMs: 0,
    graphUrl: () => "https://graph.microsoft.com/v1.0",
  };
  const seed = seedDirectory(ctx, {
    ...options.directory,
    application: options.directory.application ?? { displayName: "scimgate simulate" },
  });
  const sp = seed.servicePrincipal!;
  sp.secrets = [
    { key: "BaseAddress", value: options.target },
    { key: "SecretToken", value: options.token },
    { key: "SyncAll", value: "false" },
  ];
  const job = state.createJob(sp.id, "scim");
  startJob(job);
  return { seed, sp, job, engine };
}

async function testConnection(
  engine: ProvisioningEngine,
  options: SimulateOptions,
): Promise<SimulationReport["testConnection"]> {
  try {
    await engine.validateCredentials(
      [
        { key: "BaseAddress", value: options.target },
        { key: "SecretToken", value: options.token },
      ],
      "userName",
    );
    return { ok: true };
  } catch (error) {
    if (error instanceof GraphError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

/** Runs the simulation and returns the report; never throws for target failures (they are in the report). */
export async function runSimulation(options: SimulateOptions): Promise<SimulationReport> {
  const { seed, sp, job, engine } = setUp(options);
  const connection = await testConnection(engine, options);
  const cycles: SimulatedCycle[] = [];
  const steps = options.directory.steps;
  const total = options.cycles ?? 1 + steps.length;
  for (let index = 1; connection.ok && index <= total; index++) {
    const step = index > 1 ? steps[index - 2] : undefined;
    for (const change of step?.changes ?? []) seed.apply(change);
    const result = await engine.runCycle(sp.id, job.id);
    cycles.push({ index, step: step ? (step.name ?? `step ${index - 1}`) : undefined, result });
  }
  const failures = cycles
    .flatMap((c) => c.result.records)
    .filter((r) => r.entry.provisioningStatusInfo.status === "failure").length;
  return {
    target: options.target,
    testConnection: connection,
    cycles,
    job: { id: job.id, schedule: job.schedule, status: structuredClone(job.status) },
    failures,
    quarantined: job.status.code === "Quarantine",
  };
}

/** True when the simulation is clean: connection OK, no failed action, no quarantine. */
export function isCleanRun(report: SimulationReport): boolean {
  return report.testConnection.ok && report.failures === 0 && !report.quarantined;
}
