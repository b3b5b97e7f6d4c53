/**
 * The synchronization API of a service principal: templates, jobs, secrets, schema, credentials checks,
 * provision on demand (graph-synchronization.md §1.3–§1.10, §7).
 */
import { type EmulatorContext, visibleOr404 } from "../context.js";
import { buildDefaultSchema, buildScimTemplate, SCIM_TEMPLATE_ID } from "../default-schema.js";
import { checkSchemaExpressions, primaryMatchingAttribute } from "../engine/schema-model.js";
import { badRequest, GraphError, syncfabricNoResource } from "../graph-errors.js";
import { applyRestart, pauseJob, startJob } from "../job-lifecycle.js";
import type { RouteDef, RouteRequest } from "../router.js";
import { NON_GALLERY_TEMPLATE_ID, type ServicePrincipal, type SyncJob } from "../state.js";
import { requireSyncBackend, syncBackendReady, visibleSecrets } from "../sync-lag.js";
import { buildSchemaToolRoutes } from "./schema-tools-routes.js";

const SYNC = "/servicePrincipals/{servicePrincipal-id}/synchronization";
const JOB = `${SYNC}/jobs/{synchronizationJob-id}`;

/** Secret keys whose values Graph masks as "*" on read (§1.6; inferred from the terraform provider). */
const SENSITIVE_KEYS = new Set([
  "SecretToken",
  "Password",
  "ClientSecret",
  "AppKey",
  "ConsumerSecret",
  "TokenKey",
]);
for (const k of ["Oauth2AccessToken", "Oauth2RefreshToken", "Oauth2ClientSecret", "ConnectionString"])
  SENSITIVE_KEYS.add(k);

/** Renders a job as GET …/jobs/{id} returns it (§1.8). */
export function renderJob(job: SyncJob): Record<string, unknown> {
  return {
    id: job.id,
    templateId: job.templateId,
    schedule: { ...job.schedule },
    status: structuredClone(job.status),
    synchronizationJobSettings: [],
  };
}

function maskedSecrets(ctx: EmulatorContext, sp: ServicePrincipal) {
  // Keys PUT with "" are deleted: terraform waits until none of them is returned (§4.1).
  return visibleSecrets(ctx, sp)
    .filter((s) => s.value !== "")
    .map((s) => ({ key: s.key, value: SENSITIVE_KEYS.has(s.key) ? "*" : s.value }));
}

function hasTemplates(sp: ServicePrincipal): boolean {
  // An app not instantiated from the template has no synchronization templates (§6.4, tf#1165).
  return sp.applicationTemplateId === NON_GALLERY_TEMPLATE_ID;
}

function templateRoutes(ctx: EmulatorContext, sp: (req: RouteRequest) => ServicePrincipal): RouteDef[] {
  const template = (req: RouteRequest) => {
    const s = sp(req);
    if (!hasTemplates(s) || req.params["synchronizationTemplate-id"] !== SCIM_TEMPLATE_ID)
      throw syncfabricNoResource(req.url);
    return buildScimTemplate(s.appId);
  };
  return [
    {
      method: "GET",
      template: `${SYNC}/templates`,
      handler: (req) => ({
        status: 200,
        // Right after instantiation the list can be empty (§1.3, azure-docs#62681).
        body: {
          value:
            hasTemplates(sp(req)) && syncBackendReady(ctx, sp(req)) ? [buildScimTemplate(sp(req).appId)] : [],
        },
      }),
    },
    {
      method: "GET",
      template: `${SYNC}/templates/{synchronizationTemplate-id}`,
      handler: (req) => ({ status: 200, body: template(req) }),
    },
    {
      method: "GET",
      template: `${SYNC}/templates/{synchronizationTemplate-id}/schema`,
      handler: (req) => ({ status: 200, body: (template(req) as { schema: unknown }).schema }),
    },
  ];
}

function secretRoutes(ctx: EmulatorContext, sp: (req: RouteRequest) => ServicePrincipal): RouteDef[] {
  return [
    {
      method: "GET",
      template: SYNC,
      handler: (req) => ({ status: 200, body: { id: sp(req).id, secrets: maskedSecrets(ctx, sp(req)) } }),
    },
    {
      method: "GET",
      template: `${SYNC}/secrets`,
      handler: (req) => ({ status: 200, body: { value: maskedSecrets(ctx, sp(req)) } }),
    },
    {
      // PUT replaces the whole set (§1.6); values are strings, null stored as "".
      method: "PUT",
      template: `${SYNC}/secrets`,
      handler: (req) => {
        const pairs = ((req.body as { value?: { key: string; value?: string | null }[] }).value ?? []).map(
          (p) => ({ key: p.key, value: p.value ?? "" }),
        );
        const s = sp(req);
        requireSyncBackend(ctx, s);
        s.previousSecrets = s.secrets;
        s.secretsPutAt = ctx.state.now();
        s.secrets = pairs;
        return { status: 204 };
      },
    },
  ];
}

function credentialsOf(
  _ctx: EmulatorContext,
  sp: ServicePrincipal,
  body: unknown,
): { key: string; value: string }[] {
  const b = (body ?? {}) as {
    useSavedCredentials?: boolean;
    credentials?: { key: string; value?: string | null }[];
  };
  if (b.useSavedCredentials) return sp.secrets;
  return (b.credentials ?? []).map((c) => ({ key: c.key, value: c.value ?? "" }));
}

async function validateCredentials(ctx: EmulatorContext, sp: ServicePrincipal, body: unknown, job?: SyncJob) {
  const credentials = credentialsOf(ctx, sp, body);
  const attribute = primaryMatchingAttribute(job?.schema ?? buildDefaultSchema()) ?? "userName";
  await ctx.engine.validateCredentials(credentials, attribute);
  return { status: 204 };
}

function jobCollectionRoutes(ctx: EmulatorContext, sp: (req: RouteRequest) => ServicePrincipal): RouteDef[] {
  return [
    {
      method: "POST",
      template: `${SYNC}/jobs/validateCredentials`,
      handler: (req) => validateCredentials(ctx, sp(req), req.body),
    },
    {
      method: "GET",
      template: `${SYNC}/jobs`,
      handler: (req) => ({ status: 200, body: { value: [...sp(req).jobs.values()].map(renderJob) } }),
    },
    {
      method: "POST",
      template: `${SYNC}/jobs`,
      handler: (req) => {
        const s = sp(req);
        requireSyncBackend(ctx, s);
        const templateId = (req.body as { templateId?: string | null }).templateId;
        if (!templateId)
          throw badRequest("The property 'templateId' is required to create a synchronization job.");
        if (!hasTemplates(s) || templateId !== SCIM_TEMPLATE_ID) {
          throw new GraphError(
            400,
            "UnknownError",
            JSON.stringify({
              Message: `The template '${templateId}' is not available for this application.`,
            }),
          );
        }
        return { status: 201, body: renderJob(ctx.state.createJob(s.id, templateId)) };
      },
    },
  ];
}

function jobLifecycleRoutes(
  ctx: EmulatorContext,
  job: (req: RouteRequest) => SyncJob,
  sp: (req: RouteRequest) => ServicePrincipal,
): RouteDef[] {
  return [
    { method: "GET", template: JOB, handler: (req) => ({ status: 200, body: renderJob(job(req)) }) },
    {
      method: "DELETE",
      template: JOB,
      handler: (req) => {
        sp(req).jobs.delete(job(req).id);
        return { status: 204 };
      },
    },
    {
      // Start clears a quarantine and resumes a paused job (§1.7).
      method: "POST",
      template: `${JOB}/start`,
      handler: (req) => {
        const j = job(req);
        startJob(j);
        ctx.engine.trigger(j);
        return { status: 204 };
      },
    },
    {
      method: "POST",
      template: `${JOB}/pause`,
      handler: (req) => {
        const j = job(req);
        pauseJob(j);
        return { status: 204 };
      },
    },
    {
      method: "POST",
      template: `${JOB}/restart`,
      handler: (req) => {
        const j = job(req);
        applyRestart(
          j,
          (req.body as { criteria?: { resetScope?: string } | null } | undefined)?.criteria?.resetScope,
        );
        ctx.engine.trigger(j);
        return { status: 204 };
      },
    },
    {
      method: "POST",
      template: `${JOB}/validateCredentials`,
      handler: (req) => validateCredentials(ctx, sp(req), req.body, job(req)),
    },
    {
      method: "POST",
      template: `${JOB}/provisionOnDemand`,
      handler: async (req) => ({
        status: 200,
        body: await ctx.engine.provisionOnDemand(sp(req), job(req), req.body),
      }),
    },
  ];
}

function schemaRoutes(_ctx: EmulatorContext, job: (req: RouteRequest) => SyncJob): RouteDef[] {
  return [
    {
      method: "GET",
      template: `${JOB}/schema`,
      handler: (req) => ({ status: 200, body: structuredClone(job(req).schema) }),
    },
    {
      // Full replace (§1.10); new mappings trigger a new initial cycle (entra-scim-client.md §3).
      method: "PUT",
      template: `${JOB}/schema`,
      handler: (req) => {
        const j = job(req);
        const problem = checkSchemaExpressions(req.body);
        if (problem) throw badRequest(problem);
        j.schema = { ...structuredClone(req.body as Record<string, unknown>), id: j.id };
        j.engine.watermark = null;
        return { status: 204 };
      },
    },
    {
      // The live service rejects PATCH on the schema with syncfabric's 404 (§1.10), although the OpenAPI lists it.
      method: "PATCH",
      template: `${JOB}/schema`,
      validate: false,
      handler: (req) => {
        job(req);
        throw syncfabricNoResource(
          `https://syncfabric.windowsazure.com/api/servicePrincipals('${req.params["servicePrincipal-id"]}')/synchronization/jobs('${req.params["synchronizationJob-id"]}')/schema?api-version=2.0`,
        );
      },
    },
  ];
}

/** All synchronization routes. */
export function buildSyncRoutes(ctx: EmulatorContext): RouteDef[] {
  const sp = (req: RouteRequest) => {
    const id = req.params["servicePrincipal-id"]!;
    return visibleOr404(ctx, id, ctx.state.servicePrincipals.get(id));
  };
  const job = (req: RouteRequest) => ctx.state.job(sp(req).id, req.params["synchronizationJob-id"]!);
  return [
    ...templateRoutes(ctx, sp),
    ...secretRoutes(ctx, sp),
    ...jobCollectionRoutes(ctx, sp),
    ...jobLifecycleRoutes(ctx, job, sp),
    ...schemaRoutes(ctx, job),
    ...buildSchemaToolRoutes(ctx, job),
  ];
}
