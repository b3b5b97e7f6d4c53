/**
 * The provisioning engine: runs cycles on demand (not on Entra's 40-minute timer), tests connections and
 * provisions on demand, against whatever SCIM endpoint a job's `BaseAddress` secret names.
 */
import type { Logger } from "pino";
import { GraphError } from "../graph-errors.js";
import type { EmulatorState, ServicePrincipal, SyncJob } from "../state.js";
import { createRun, executeCycle, userInScope } from "./cycle.js";
import { DEFAULT_THRESHOLDS, pruneEscrows, type QuarantineThresholds, recordCycle } from "./job-status.js";
import { runOnDemand } from "./on-demand.js";
import type { ProvisioningRecord } from "./provisioning-log.js";
import type { ScimTarget } from "./scim-client.js";
import { CREDENTIAL_UNAVAILABLE, probeScimTarget } from "./validate-credentials.js";

/** Engine settings; all optional. */
export interface EngineOptions {
  /** fetch used for every outbound SCIM call. Default: global fetch. */
  fetch?: typeof fetch;
  /** Per-request timeout in ms. Default 10,000. */
  timeoutMs?: number;
  /** Members per group PATCH (undocumented by Microsoft; inferred). Default 5. */
  memberBatchSize?: number;
  /** Escrow quarantine thresholds; default the documented 5,000 / 40 % / 40,000 / 60,000. */
  quarantine?: Partial<QuarantineThresholds>;
  /** Run a cycle automatically after start/restart. Default true. */
  autoRun?: boolean;
  logger?: Logger;
}

/** The outcome of one cycle. */
export interface CycleResult {
  cycleId: string;
  initial: boolean;
  /** `Succeeded`, `EntryLevelErrors` or `Failed` (synchronizationTaskExecutionResult). */
  state: string;
  records: ProvisioningRecord[];
  status: Record<string, unknown>;
}

/** Runs provisioning for the jobs of an emulated tenant. */
export class ProvisioningEngine {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly memberBatchSize: number;
  private readonly thresholds: QuarantineThresholds;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly state: EmulatorState,
    private readonly options: EngineOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.memberBatchSize = options.memberBatchSize ?? 5;
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...options.quarantine };
  }

  /** The SCIM target of a service principal's saved secrets, if `BaseAddress` is set. */
  targetFor(sp: ServicePrincipal): ScimTarget | undefined {
    const baseAddress = this.state.secret(sp, "BaseAddress");
    if (!baseAddress) return undefined;
    return {
      baseAddress,
      token: this.state.secret(sp, "SecretToken") ?? "",
      fetch: this.fetchImpl,
      timeoutMs: this.timeoutMs,
    };
  }

  /** Test Connection with the given credentials (graph-synchronization.md §2.1); throws Graph's 400 on failure. */
  async validateCredentials(
    credentials: readonly { key: string; value: string }[],
    matchingAttribute: string,
  ): Promise<void> {
    const get = (key: string) => credentials.find((c) => c.key === key)?.value ?? "";
    if (!get("BaseAddress"))
      throw new GraphError(
        400,
        CREDENTIAL_UNAVAILABLE,
        "The credentials do not include a BaseAddress (Tenant URL).",
      );
    await probeScimTarget(
      {
        baseAddress: get("BaseAddress"),
        token: get("SecretToken"),
        fetch: this.fetchImpl,
        timeoutMs: this.timeoutMs,
      },
      matchingAttribute,
    );
  }

  /** Queues a cycle after start/restart when auto-run is on; failures are logged, never thrown. */
  trigger(job: SyncJob): void {
    if (this.options.autoRun === false) return;
    void this.runCycle(job.servicePrincipalId, job.id).catch((error: unknown) => {
      this.options.logger?.warn({ err: error, jobId: job.id }, "provisioning cycle did not run");
    });
  }

  /** Resolves when every queued cycle has finished. */
  async whenIdle(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
  }

  /** Runs one cycle of an active job now (cycles of one job never overlap). */
  runCycle(spId: string, jobId: string): Promise<CycleResult> {
    const previous = this.queues.get(jobId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.cycleNow(spId, jobId));
    this.queues.set(jobId, next);
    void next
      .finally(() => {
        if (this.queues.get(jobId) === next) this.queues.delete(jobId);
      })
      .catch(() => undefined);
    return next;
  }

  private async cycleNow(spId: string, jobId: string): Promise<CycleResult> {
    const sp = this.state.servicePrincipal(spId);
    const job = this.state.job(spId, jobId);
    if (job.schedule.state !== "Active")
      throw new Error(`Job ${jobId} is ${job.schedule.state}; start it before running a cycle.`);
    const target = this.targetFor(sp);
    if (!target)
      throw new Error(`Job ${jobId} has no BaseAddress secret; PUT synchronization/secrets first.`);
    pruneEscrows(job, this.state.now());
    const began = new Date(this.state.now()).toISOString();
    const startSeq = this.state.directory.sequence;
    const run = createRun(this.state, sp, job, {
      target,
      memberBatchSize: this.memberBatchSize,
      initiator: "system",
      forceLegacyDialect: false,
    });
    const { imported, initial } = await executeCycle(run);
    const entitled = this.entitledCount(run);
    const state = recordCycle(run, began, entitled, imported, this.thresholds);
    if (!run.quarantine) job.engine.watermark = startSeq;
    job.engine.cycles++;
    this.state.provisioningLogs.push(...run.records);
    this.options.logger?.info(
      { jobId, cycleId: run.log.cycleId, state, records: run.records.length },
      "provisioning cycle finished",
    );
    return {
      cycleId: run.log.cycleId,
      initial,
      state,
      records: run.records,
      status: structuredClone(job.status),
    };
  }

  private entitledCount(run: ReturnType<typeof createRun>): number {
    const users = [...this.state.directory.users.values()].filter((u) => userInScope(run, u)).length;
    const groups = run.groups
      ? [...this.state.directory.groups.values()].filter((g) => run.scope.groupAssigned(g)).length
      : 0;
    return users + groups;
  }

  /** provisionOnDemand (graph-synchronization.md §1.9): always the legacy PATCH dialect. */
  async provisionOnDemand(
    sp: ServicePrincipal,
    job: SyncJob,
    body: unknown,
  ): Promise<Record<string, unknown>> {
    const target = this.targetFor(sp);
    if (!target)
      throw new GraphError(
        400,
        "BadRequest",
        "The job has no saved credentials (BaseAddress); provisioning on demand needs them.",
      );
    const run = createRun(this.state, sp, job, {
      target,
      memberBatchSize: this.memberBatchSize,
      initiator: "user",
      forceLegacyDialect: true,
    });
    const response = await runOnDemand(run, body);
    this.state.provisioningLogs.push(...run.records);
    return response;
  }
}
