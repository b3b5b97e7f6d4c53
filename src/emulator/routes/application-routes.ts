/**
 * Applications, service principals and the non-gallery application template
 * (graph-synchronization.md §1.1, §1.2, §1.13, §4.1).
 */
import { randomUUID } from "node:crypto";
import { type EmulatorContext, isVisible, visibleOr404 } from "../context.js";
import { badRequest, resourceNotFound } from "../graph-errors.js";
import { matchesEq, parseEqFilter } from "../odata-filter.js";
import type { RouteDef, RouteResponse } from "../router.js";
import { type Application, type AppRole, NON_GALLERY_TEMPLATE_ID, type ServicePrincipal } from "../state.js";

const SP = "/servicePrincipals/{servicePrincipal-id}";
const APP = "/applications/{application-id}";

/** The template roles `User` and `msiam_access`, with fresh ids per app: clients must not hard-code them (§1.1). */
function templateRoles(): AppRole[] {
  return ["User", "msiam_access"].map((name) => ({
    allowedMemberTypes: ["User"],
    description: name,
    displayName: name,
    id: randomUUID(),
    isEnabled: true,
    origin: "Application",
    value: null,
  }));
}

function renderApplication(_ctx: EmulatorContext, app: Application): Record<string, unknown> {
  return {
    id: app.id,
    appId: app.appId,
    applicationTemplateId: app.applicationTemplateId,
    createdDateTime: new Date(app.createdAt).toISOString().replace(/\.\d+Z$/, "Z"),
    deletedDateTime: null,
    displayName: app.displayName,
    groupMembershipClaims: null,
    identifierUris: [],
    isFallbackPublicClient: false,
    signInAudience: "AzureADMyOrg",
    tags: [],
    appRoles: app.appRoles,
    keyCredentials: [],
    passwordCredentials: [],
    requiredResourceAccess: [],
    publicClient: { redirectUris: [] },
    web: { homePageUrl: null, redirectUris: [] },
    ...app.extra,
  };
}

/** Renders a service principal in Graph's v1.0 shape. */
export function renderServicePrincipal(ctx: EmulatorContext, sp: ServicePrincipal): Record<string, unknown> {
  return {
    id: sp.id,
    deletedDateTime: null,
    accountEnabled: true,
    appId: sp.appId,
    applicationTemplateId: sp.applicationTemplateId,
    appDisplayName: sp.displayName,
    alternativeNames: [],
    appOwnerOrganizationId: ctx.state.tenantId,
    displayName: sp.displayName,
    appRoleAssignmentRequired: true,
    loginUrl: null,
    logoutUrl: null,
    homepage: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: [],
    servicePrincipalNames: [sp.appId],
    servicePrincipalType: "Application",
    tags: ["WindowsAzureActiveDirectoryIntegratedApp"],
    samlSingleSignOnSettings: null,
    appRoles: sp.appRoles,
    keyCredentials: [],
    passwordCredentials: [],
    ...sp.extra,
  };
}

/** Creates the application + service principal pair of a template instantiation. */
export function instantiate(ctx: EmulatorContext, displayName: string, templateId = NON_GALLERY_TEMPLATE_ID) {
  const now = ctx.state.now();
  const roles = templateRoles();
  const app: Application = {
    id: randomUUID(),
    appId: randomUUID(),
    displayName,
    applicationTemplateId: templateId,
    appRoles: roles,
    createdAt: now,
    extra: {},
  };
  const sp: ServicePrincipal = {
    id: randomUUID(),
    appId: app.appId,
    applicationObjectId: app.id,
    displayName,
    applicationTemplateId: templateId,
    appRoles: roles.map((r) => ({ ...r })),
    createdAt: now,
    extra: {},
    secrets: [],
    jobs: new Map(),
  };
  ctx.state.applications.set(app.id, app);
  ctx.state.servicePrincipals.set(sp.id, sp);
  return { app, sp };
}

function templateRecord() {
  return {
    id: NON_GALLERY_TEMPLATE_ID,
    displayName: "Custom",
    homePageUrl: null,
    supportedSingleSignOnModes: ["password", "saml", "notSupported", "oidc"],
    supportedProvisioningTypes: ["sync"],
    logoUrl: null,
    categories: [],
    publisher: "Microsoft Corporation",
    description: "Integrate any other application that you don't find in the gallery (Non-gallery)",
  };
}

function templateRoutes(ctx: EmulatorContext): RouteDef[] {
  return [
    {
      method: "GET",
      template: "/applicationTemplates",
      handler: () => ({ status: 200, body: { value: [templateRecord()] } }),
    },
    {
      method: "GET",
      template: "/applicationTemplates/{applicationTemplate-id}",
      handler: ({ params }) => {
        const id = params["applicationTemplate-id"]!;
        if (id !== NON_GALLERY_TEMPLATE_ID) throw resourceNotFound(id);
        return { status: 200, body: templateRecord() };
      },
    },
    {
      method: "POST",
      template: "/applicationTemplates/{applicationTemplate-id}/instantiate",
      handler: ({ params, body }) => {
        const id = params["applicationTemplate-id"]!;
        if (id !== NON_GALLERY_TEMPLATE_ID) throw resourceNotFound(id);
        const displayName = (body as { displayName?: string | null }).displayName;
        if (!displayName)
          throw badRequest("The parameter 'displayName' is required to instantiate an application template.");
        const { app, sp } = instantiate(ctx, displayName);
        const context = `${ctx.graphUrl()}/$metadata#microsoft.graph.applicationServicePrincipal`;
        const payload = {
          "@odata.context": context,
          application: renderApplication(ctx, app),
          servicePrincipal: renderServicePrincipal(ctx, sp),
        };
        return { status: 201, body: payload };
      },
    },
  ];
}

function mergeExtra(
  target: { extra: Record<string, unknown>; displayName: string },
  body: Record<string, unknown>,
) {
  for (const [key, value] of Object.entries(body)) {
    if (key === "displayName" && typeof value === "string") target.displayName = value;
    else if (!key.startsWith("@odata.")) target.extra[key] = value;
  }
}

function applicationRoutes(ctx: EmulatorContext): RouteDef[] {
  const get = (id: string) => visibleOr404(ctx, id, ctx.state.applications.get(id));
  const byAppId = (appId: string) =>
    [...ctx.state.applications.values()].find((a) => a.appId === appId && isVisible(ctx, a));
  return [
    {
      method: "GET",
      template: "/applications(appId='{appId}')",
      handler: ({ params }) => {
        const app = byAppId(params.appId!);
        if (!app) throw resourceNotFound(params.appId!);
        return { status: 200, body: renderApplication(ctx, app) };
      },
    },
    {
      method: "GET",
      template: APP,
      handler: ({ params }) => ({
        status: 200,
        body: renderApplication(ctx, get(params["application-id"]!)),
      }),
    },
    {
      method: "PATCH",
      template: APP,
      handler: ({ params, body }) => {
        mergeExtra(get(params["application-id"]!), body as Record<string, unknown>);
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      template: APP,
      handler: ({ params }) => {
        const app = get(params["application-id"]!);
        ctx.state.applications.delete(app.id);
        // Deleting the application also removes its service principal (§4.1, azuread_application_from_template).
        for (const sp of ctx.state.servicePrincipals.values())
          if (sp.appId === app.appId) deleteServicePrincipal(ctx, sp);
        return { status: 204 };
      },
    },
  ];
}

function deleteServicePrincipal(ctx: EmulatorContext, sp: ServicePrincipal): void {
  ctx.state.servicePrincipals.delete(sp.id);
  for (const a of ctx.state.assignmentsOf(sp.id)) ctx.state.assignments.delete(a.id);
}

function listServicePrincipals(ctx: EmulatorContext, query: Readonly<Record<string, string>>): RouteResponse {
  const clauses = parseEqFilter(query.$filter);
  const value = [...ctx.state.servicePrincipals.values()]
    .filter((sp) => isVisible(ctx, sp))
    .map((sp) => renderServicePrincipal(ctx, sp))
    .filter((sp) => matchesEq(sp, clauses));
  return { status: 200, body: { "@odata.context": `${ctx.graphUrl()}/$metadata#servicePrincipals`, value } };
}

function servicePrincipalRoutes(ctx: EmulatorContext): RouteDef[] {
  const get = (id: string) => visibleOr404(ctx, id, ctx.state.servicePrincipals.get(id));
  return [
    {
      method: "GET",
      template: "/servicePrincipals",
      handler: ({ query }) => listServicePrincipals(ctx, query),
    },
    {
      method: "GET",
      template: "/servicePrincipals(appId='{appId}')",
      handler: ({ params }) => {
        const sp = [...ctx.state.servicePrincipals.values()].find(
          (s) => s.appId === params.appId && isVisible(ctx, s),
        );
        if (!sp) throw resourceNotFound(params.appId!);
        return { status: 200, body: renderServicePrincipal(ctx, sp) };
      },
    },
    {
      method: "GET",
      template: SP,
      handler: ({ params }) => ({
        status: 200,
        body: renderServicePrincipal(ctx, get(params["servicePrincipal-id"]!)),
      }),
    },
    {
      method: "PATCH",
      template: SP,
      handler: ({ params, body }) => {
        mergeExtra(get(params["servicePrincipal-id"]!), body as Record<string, unknown>);
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      template: SP,
      handler: ({ params }) => {
        deleteServicePrincipal(ctx, get(params["servicePrincipal-id"]!));
        return { status: 204 };
      },
    },
  ];
}

/** Routes for application templates, applications and service principals. */
export function buildApplicationRoutes(ctx: EmulatorContext): RouteDef[] {
  return [...templateRoutes(ctx), ...applicationRoutes(ctx), ...servicePrincipalRoutes(ctx)];
}
