/** Dynamic resources for the provisioning job (credentials) and its run state; logic in src/entra/job-resource. */
import * as pulumi from "@pulumi/pulumi";
import type * as JobModule from "../../src/entra/job-resource.js";
import { JOB_RESOURCE_MODULE, moduleLoader } from "./modules.js";
import { GONE, hasUnknowns, type InputsOf } from "./provider-kit.js";

type Mod = typeof JobModule;
type JobInputs = JobModule.JobInputs;
type JobOutputs = JobModule.JobOutputs;
type RunInputs = JobModule.RunInputs;
type RunOutputs = JobModule.RunOutputs;

/** Builds the job provider around a module loader (tests inject their own). */
export function createJobProvider(
  load: () => Promise<Mod>,
): pulumi.dynamic.ResourceProvider<JobInputs, JobOutputs> {
  return {
    async create(inputs) {
      const outs = await (await load()).createJobResource(inputs);
      return { id: outs.jobId, outs };
    },
    async read(id, props) {
      const outs = await (await load()).readJobResource(props!);
      return outs ? { id, props: outs } : GONE;
    },
    async diff(_id, olds, news) {
      if (hasUnknowns(news)) return { changes: true };
      const m = await load();
      const d = m.diffJobResource(olds, news);
      if (d.changes.length > 0) return { changes: true, replaces: d.replaces, deleteBeforeReplace: false };
      // A job deleted in the portal is recreated; secrets changed by hand are re-saved.
      const live = await m.readJobResource(olds).catch(() => olds);
      if (!live) return { changes: true, replaces: ["templateId"], deleteBeforeReplace: false };
      return { changes: live.drift.length > 0, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, olds, news) {
      return { outs: await (await load()).updateJobResource(olds, news) };
    },
    async delete(_id, props) {
      await (await load()).deleteJobResource(props);
    },
  };
}

/** Builds the run-state provider (start/pause, drift on paused or quarantined jobs). */
export function createRunProvider(
  load: () => Promise<Mod>,
): pulumi.dynamic.ResourceProvider<RunInputs, RunOutputs> {
  return {
    async create(inputs) {
      return { id: `${inputs.jobId}/run`, outs: await (await load()).applyRunState(inputs) };
    },
    async read(id, props) {
      const outs = await (await load()).readRunState(props!);
      return outs ? { id, props: outs } : GONE;
    },
    async diff(_id, olds, news) {
      if (hasUnknowns(news)) return { changes: true };
      if (olds.jobId !== news.jobId) return { changes: true, replaces: ["jobId"] };
      if (olds.enabled !== news.enabled) return { changes: true };
      // A job paused or quarantined in the portal is drift even without a refresh.
      const drift = await (await load()).diffRunStateLive(news).catch(() => []);
      return { changes: drift.length > 0 };
    },
    async update(_id, _olds, news) {
      return { outs: await (await load()).applyRunState(news) };
    },
    async delete() {
      // The job resource pauses and deletes the job; nothing to undo here.
    },
  };
}

const load = moduleLoader<Mod>(JOB_RESOURCE_MODULE);

/** The provisioning job: created from its template, Test Connection passed, secrets saved. */
export class ScimJob extends pulumi.dynamic.Resource {
  declare readonly jobId: pulumi.Output<string>;
  declare readonly secretToken: pulumi.Output<string>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: InputsOf<JobInputs>, opts?: pulumi.CustomResourceOptions) {
    super(
      createJobProvider(load),
      name,
      { ...args, jobId: undefined, drift: undefined },
      { ...opts, additionalSecretOutputs: ["secretToken"] },
      "scimgate",
      "ScimJob",
    );
  }
}

/** Whether the job runs (start) or not (pause); reports schedule, status and quarantine. */
export class ScimJobRun extends pulumi.dynamic.Resource {
  declare readonly scheduleState: pulumi.Output<string>;
  declare readonly statusCode: pulumi.Output<string>;
  declare readonly quarantine: pulumi.Output<string | null>;

  constructor(name: string, args: InputsOf<RunInputs>, opts?: pulumi.CustomResourceOptions) {
    const outs = { scheduleState: undefined, statusCode: undefined, quarantine: undefined };
    super(createRunProvider(load), name, { ...args, ...outs }, opts, "scimgate", "ScimJobRun");
  }
}
