/** The SCIM provisioning job: credentials (Test Connection first), attribute mappings, and start/pause. */
import * as pulumi from "@pulumi/pulumi";
import type { NotificationSpec } from "../../src/entra/job-status.js";
import type { SchemaSpec } from "../../src/entra/mapping-spec.js";
import { ScimJob, ScimJobRun } from "../providers/scim-job-provider.js";
import { ScimSchema } from "../providers/scim-schema-provider.js";

/** Arguments of ScimProvisioning. */
export interface ScimProvisioningArgs {
  /** Versioned Graph base URL. */
  graphUrl: string;
  servicePrincipalObjectId: pulumi.Input<string>;
  /** Sync template, `scim` for a non-gallery app. */
  templateId: string;
  /** Tenant URL (SCIM base URL) Entra calls. */
  baseAddress: pulumi.Input<string>;
  /** Secret Token; always stored as a secret. */
  secretToken: pulumi.Input<string>;
  syncAll: boolean;
  notifications: NotificationSpec;
  /** User and group mappings relative to the defaults. */
  spec: SchemaSpec;
  /** Start (true) or pause (false) the job. */
  enabled: boolean;
}

/** Validates the arguments before any child is created. */
export function validateProvisioningArgs(args: ScimProvisioningArgs): void {
  if (!/^https?:\/\//.test(args.graphUrl))
    throw new Error("`scimgate:graph.url` must be an http(s) URL; fix or remove it");
  if (!args.templateId)
    throw new Error("`scimgate:provisioning.templateId` is empty; use `scim` for a non-gallery app");
}

/** Creates the provisioning job, sets its mappings from the stack, then starts or pauses it. */
export class ScimProvisioning extends pulumi.ComponentResource {
  readonly jobId: pulumi.Output<string>;
  readonly scheduleState: pulumi.Output<string>;
  readonly statusCode: pulumi.Output<string>;
  readonly quarantine: pulumi.Output<string | null>;

  constructor(name: string, args: ScimProvisioningArgs, opts?: pulumi.ComponentResourceOptions) {
    validateProvisioningArgs(args);
    super("scimgate:entra:ScimProvisioning", name, {}, opts);
    const common = { graphUrl: args.graphUrl, servicePrincipalId: args.servicePrincipalObjectId };
    const job = new ScimJob(
      `${name}-job`,
      {
        ...common,
        templateId: args.templateId,
        baseAddress: args.baseAddress,
        secretToken: pulumi.secret(args.secretToken),
        syncAll: args.syncAll,
        notifications: { ...args.notifications },
      },
      { parent: this },
    );
    const schema = new ScimSchema(
      `${name}-schema`,
      { ...common, jobId: job.jobId, spec: args.spec },
      { parent: this },
    );
    const run = new ScimJobRun(
      `${name}-run`,
      { ...common, jobId: job.jobId, enabled: args.enabled },
      { parent: this, dependsOn: [schema] },
    );
    this.jobId = job.jobId;
    this.scheduleState = run.scheduleState;
    this.statusCode = run.statusCode;
    this.quarantine = run.quarantine;
    this.registerOutputs({
      jobId: this.jobId,
      statusCode: this.statusCode,
      scheduleState: this.scheduleState,
    });
  }
}
