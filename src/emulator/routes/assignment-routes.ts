/**
 * App role assignments: who is assigned to the enterprise app (graph-synchronization.md §1.12).
 */
import { type EmulatorContext, isoNow, isVisible, visibleOr404 } from "../context.js";
import { GraphError, resourceNotFound } from "../graph-errors.js";
import { newAssignmentId } from "../ids.js";
import type { RouteDef } from "../router.js";
import type { AppRoleAssignment, ServicePrincipal } from "../state.js";

const DEFAULT_ROLE_ID = "00000000-0000-0000-0000-000000000000";

interface AssignmentBody {
  principalId?: string;
  resourceId?: string;
  appRoleId?: string;
}

/** The principal (user or group) of an assignment, if it exists and has replicated. */
function findPrincipal(ctx: EmulatorContext, id: string) {
  const user = ctx.state.directory.users.get(id);
  if (user && user.deletedAt === undefined && isVisible(ctx, user))
    return { type: "User" as const, name: user.displayName ?? user.userPrincipalName };
  const group = ctx.state.directory.groups.get(id);
  if (group && isVisible(ctx, group)) return { type: "Group" as const, name: group.displayName };
  return undefined;
}

function checkRole(sp: ServicePrincipal, appRoleId: string): void {
  const declared = sp.appRoles.some((r) => r.id === appRoleId);
  // The default role id is only valid for apps that declare no roles (§1.12).
  const defaultOk = appRoleId === DEFAULT_ROLE_ID && sp.appRoles.length === 0;
  if (!declared && !defaultOk) {
    throw new GraphError(
      400,
      "Request_BadRequest",
      `Permission being assigned was not found on application '${sp.appId}'.`,
    );
  }
}

/** Creates an assignment after Graph's checks; throws Graph's 400s (the retryable "Not a valid reference update" for lag, §1.12). */
export function createAssignment(
  ctx: EmulatorContext,
  sp: ServicePrincipal,
  body: AssignmentBody,
): AppRoleAssignment {
  if (!body.principalId || !body.appRoleId) {
    throw new GraphError(400, "Request_BadRequest", "principalId and appRoleId are required.");
  }
  if (body.resourceId && body.resourceId.toLowerCase() !== sp.id) {
    throw new GraphError(400, "Request_BadRequest", "Not a valid reference update.");
  }
  const principal = findPrincipal(ctx, body.principalId);
  if (!principal) throw new GraphError(400, "Request_BadRequest", "Not a valid reference update.");
  checkRole(sp, body.appRoleId);
  const duplicate = ctx.state
    .assignmentsOf(sp.id)
    .some((a) => a.principalId === body.principalId && a.appRoleId === body.appRoleId);
  if (duplicate)
    throw new GraphError(
      400,
      "Request_BadRequest",
      "Permission being assigned already exists on the object.",
    );
  const assignment: AppRoleAssignment = {
    id: newAssignmentId(),
    appRoleId: body.appRoleId,
    createdDateTime: isoNow(ctx),
    principalDisplayName: principal.name,
    principalId: body.principalId,
    principalType: principal.type,
    resourceDisplayName: sp.displayName,
    resourceId: sp.id,
  };
  ctx.state.assignments.set(assignment.id, assignment);
  ctx.state.directory.touch(assignment.principalId);
  touchMembers(ctx, assignment);
  return assignment;
}

/** Assignment changes move a group's members in or out of scope: bump them for the next incremental cycle. */
function touchMembers(ctx: EmulatorContext, assignment: AppRoleAssignment): void {
  const group = ctx.state.directory.groups.get(assignment.principalId);
  for (const member of group?.memberIds ?? []) ctx.state.directory.touch(member);
}

/** Removes an assignment by id; bumps the principal (and a group's members) for the next cycle. */
export function deleteAssignment(ctx: EmulatorContext, assignment: AppRoleAssignment): void {
  ctx.state.assignments.delete(assignment.id);
  ctx.state.directory.touch(assignment.principalId);
  touchMembers(ctx, assignment);
}

function renderAssignment(ctx: EmulatorContext, a: AppRoleAssignment) {
  return {
    "@odata.context": `${ctx.graphUrl()}/$metadata#servicePrincipals('${a.resourceId}')/appRoleAssignedTo/$entity`,
    id: a.id,
    deletedDateTime: null,
    ...stripId(a),
  };
}

function stripId(a: AppRoleAssignment): Omit<AppRoleAssignment, "id"> {
  const { id: _id, ...rest } = a;
  return rest;
}

/** Routes for appRoleAssignedTo on service principals and appRoleAssignments on groups. */
export function buildAssignmentRoutes(ctx: EmulatorContext): RouteDef[] {
  const sp = (id: string) => visibleOr404(ctx, id, ctx.state.servicePrincipals.get(id));
  const base = "/servicePrincipals/{servicePrincipal-id}/appRoleAssignedTo";
  return [
    {
      method: "GET",
      template: base,
      handler: ({ params }) => {
        const value = ctx.state
          .assignmentsOf(sp(params["servicePrincipal-id"]!).id)
          .map((a) => ({ id: a.id, deletedDateTime: null, ...stripId(a) }));
        return { status: 200, body: { value } };
      },
    },
    {
      method: "POST",
      template: base,
      handler: ({ params, body }) => ({
        status: 201,
        body: renderAssignment(
          ctx,
          createAssignment(ctx, sp(params["servicePrincipal-id"]!), body as AssignmentBody),
        ),
      }),
    },
    {
      method: "DELETE",
      template: `${base}/{appRoleAssignment-id}`,
      handler: ({ params }) => {
        const a = ctx.state.assignments.get(params["appRoleAssignment-id"]!);
        if (!a || a.resourceId !== sp(params["servicePrincipal-id"]!).id)
          throw resourceNotFound(params["appRoleAssignment-id"]!);
        deleteAssignment(ctx, a);
        return { status: 204 };
      },
    },
    {
      method: "GET",
      template: "/groups/{group-id}/appRoleAssignments",
      handler: ({ params }) => {
        const group = visibleOr404(
          ctx,
          params["group-id"]!,
          ctx.state.directory.groups.get(params["group-id"]!),
        );
        const value = [...ctx.state.assignments.values()]
          .filter((a) => a.principalId === group.id)
          .map((a) => ({ id: a.id, deletedDateTime: null, ...stripId(a) }));
        return { status: 200, body: { value } };
      },
    },
    {
      method: "POST",
      template: "/groups/{group-id}/appRoleAssignments",
      handler: ({ body }) => {
        const b = body as AssignmentBody;
        const target = sp(b.resourceId ?? "");
        return { status: 201, body: renderAssignment(ctx, createAssignment(ctx, target, b)) };
      },
    },
  ];
}
