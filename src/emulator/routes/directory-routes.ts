/**
 * Users and groups (and group members) of the emulated directory. Users are outside the OpenAPI subset, so
 * their bodies are checked with zod; group bodies are validated against the subset's `microsoft.graph.group`.
 */
import { z } from "zod";
import { type EmulatorContext, isVisible, visibleOr404 } from "../context.js";
import { type DirectoryGroup, type DirectoryUser, USER_STRING_PROPERTIES } from "../directory.js";
import { badRequest, resourceNotFound } from "../graph-errors.js";
import { matchesEq, parseEqFilter } from "../odata-filter.js";
import type { RouteDef, RouteRequest } from "../router.js";

/** Renders a user in Graph's shape (unset properties as null, as Graph does for selected properties). */
export function renderUser(user: DirectoryUser): Record<string, unknown> {
  const out: Record<string, unknown> = { id: user.id, accountEnabled: user.accountEnabled };
  for (const key of USER_STRING_PROPERTIES) out[key] = user[key] ?? null;
  out.businessPhones = user.telephoneNumber ? [user.telephoneNumber] : [];
  out.mobilePhone = user.mobile ?? null;
  out.officeLocation = user.physicalDeliveryOfficeName ?? null;
  return out;
}

/** Renders a group in Graph's shape. */
export function renderGroup(group: DirectoryGroup): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    description: group.description ?? null,
    mailEnabled: group.mailEnabled,
    mailNickname: group.mailNickname ?? null,
    securityEnabled: group.securityEnabled,
    groupTypes: [],
  };
}

const userShape = Object.fromEntries(USER_STRING_PROPERTIES.map((k) => [k, z.string().optional()])) as Record<
  (typeof USER_STRING_PROPERTIES)[number],
  z.ZodOptional<z.ZodString>
>;
const userBody = z
  .object({
    ...userShape,
    accountEnabled: z.boolean().optional(),
    passwordProfile: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

function parseUserBody(body: unknown, create: boolean) {
  const parsed = userBody.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(
      `Invalid user property at '${issue?.path.join(".") ?? ""}': ${issue?.message ?? "invalid"}.`,
    );
  }
  if (create && (!parsed.data.userPrincipalName || !parsed.data.displayName)) {
    throw badRequest("Property 'userPrincipalName' and 'displayName' are required when creating a user.");
  }
  const { passwordProfile: _p, ...rest } = parsed.data;
  return rest;
}

function findUser(ctx: EmulatorContext, idOrUpn: string): DirectoryUser {
  const dir = ctx.state.directory;
  const user =
    dir.users.get(idOrUpn) ??
    [...dir.users.values()].find((u) => u.userPrincipalName.toLowerCase() === idOrUpn.toLowerCase());
  if (!user || user.deletedAt !== undefined) throw resourceNotFound(idOrUpn);
  return visibleOr404(ctx, idOrUpn, user);
}

function list<T extends { createdAt: number }>(
  ctx: EmulatorContext,
  req: RouteRequest,
  items: T[],
  render: (t: T) => Record<string, unknown>,
  set: string,
) {
  const clauses = parseEqFilter(req.query.$filter);
  const value = items
    .filter((i) => isVisible(ctx, i))
    .map(render)
    .filter((v) => matchesEq(v, clauses));
  return { status: 200, body: { "@odata.context": `${ctx.graphUrl()}/$metadata#${set}`, value } };
}

function userRoutes(ctx: EmulatorContext): RouteDef[] {
  const dir = ctx.state.directory;
  return [
    {
      method: "GET",
      template: "/users",
      validate: false,
      handler: (req) => list(ctx, req, dir.liveUsers(), renderUser, "users"),
    },
    {
      method: "GET",
      template: "/users/{user-id}",
      validate: false,
      handler: ({ params }) => ({ status: 200, body: renderUser(findUser(ctx, params["user-id"]!)) }),
    },
    {
      method: "POST",
      template: "/users",
      validate: false,
      handler: ({ body }) => {
        const data = parseUserBody(body, true);
        return {
          status: 201,
          body: renderUser(dir.addUser({ ...data, userPrincipalName: data.userPrincipalName! })),
        };
      },
    },
    {
      method: "PATCH",
      template: "/users/{user-id}",
      validate: false,
      handler: ({ params, body }) => {
        dir.updateUser(findUser(ctx, params["user-id"]!).id, parseUserBody(body, false));
        return { status: 204 };
      },
    },
    {
      // DELETE /users/{id} moves the user to the recycle bin (soft delete).
      method: "DELETE",
      template: "/users/{user-id}",
      validate: false,
      handler: ({ params }) => {
        dir.softDeleteUser(findUser(ctx, params["user-id"]!).id);
        return { status: 204 };
      },
    },
    {
      // Permanently deleting from the recycle bin is the hard delete Entra provisions as DELETE (entra-scim-client.md §3).
      method: "DELETE",
      template: "/directory/deletedItems/{id}",
      validate: false,
      handler: ({ params }) => {
        const user = dir.users.get(params.id!);
        if (!user || user.deletedAt === undefined) throw resourceNotFound(params.id!);
        dir.hardDelete(user.id);
        return { status: 204 };
      },
    },
  ];
}

function memberRef(body: unknown): string {
  const ref = (body as Record<string, unknown> | undefined)?.["@odata.id"];
  const id =
    typeof ref === "string"
      ? ref
          .split("/")
          .pop()
          ?.replace(/^.*\('?|'?\)$/g, "")
      : undefined;
  if (!id) throw badRequest("The request body must carry '@odata.id' referencing a directory object.");
  return id;
}

function groupRoutes(ctx: EmulatorContext): RouteDef[] {
  const dir = ctx.state.directory;
  const group = (id: string) => visibleOr404(ctx, id, dir.groups.get(id));
  return [
    {
      method: "GET",
      template: "/groups",
      handler: (req) => list(ctx, req, [...dir.groups.values()], renderGroup, "groups"),
    },
    {
      method: "GET",
      template: "/groups/{group-id}",
      handler: ({ params }) => ({ status: 200, body: renderGroup(group(params["group-id"]!)) }),
    },
    {
      method: "POST",
      template: "/groups",
      handler: ({ body }) => {
        const b = body as Partial<DirectoryGroup>;
        if (!b.displayName) throw badRequest("Property 'displayName' is required when creating a group.");
        return {
          status: 201,
          body: renderGroup(dir.addGroup({ ...b, displayName: b.displayName, memberIds: [] })),
        };
      },
    },
    {
      method: "PATCH",
      template: "/groups/{group-id}",
      handler: ({ params, body }) => {
        const b = body as Partial<DirectoryGroup>;
        dir.updateGroup(group(params["group-id"]!).id, {
          displayName: b.displayName ?? group(params["group-id"]!).displayName,
          description: b.description,
        });
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      template: "/groups/{group-id}",
      handler: ({ params }) => {
        dir.hardDelete(group(params["group-id"]!).id);
        return { status: 204 };
      },
    },
    {
      method: "GET",
      template: "/groups/{group-id}/members",
      validate: false,
      handler: ({ params }) => {
        const members = [...group(params["group-id"]!).memberIds].map((id) => {
          const u = dir.users.get(id);
          return u
            ? { "@odata.type": "#microsoft.graph.user", ...renderUser(u) }
            : { "@odata.type": "#microsoft.graph.group", ...renderGroup(dir.group(id)) };
        });
        return { status: 200, body: { value: members } };
      },
    },
    {
      method: "POST",
      template: "/groups/{group-id}/members/$ref",
      validate: false,
      handler: ({ params, body }) => {
        dir.addMember(group(params["group-id"]!).id, memberRef(body));
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      template: "/groups/{group-id}/members/{member-id}/$ref",
      validate: false,
      handler: ({ params }) => {
        dir.removeMember(group(params["group-id"]!).id, params["member-id"]!);
        return { status: 204 };
      },
    },
  ];
}

/** Routes for users, groups and group members. */
export function buildDirectoryRoutes(ctx: EmulatorContext): RouteDef[] {
  return [...userRoutes(ctx), ...groupRoutes(ctx)];
}
