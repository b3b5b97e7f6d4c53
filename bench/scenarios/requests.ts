import { SCIM_PATCH_SCHEMA } from "../../src/scim/schema-defs.js";
import type { BenchRequest } from "../lib/client.js";
import type { Directory } from "../lib/directory.js";

/** The request shapes Entra sends (reference/entra-scim-client.md §0, §3), built for the bench client. */

const SCIM = "/scim/v2";

function filter(resource: "Users" | "Groups", expr: string, extra = ""): BenchRequest {
  return { method: "GET", path: `${SCIM}/${resource}?${extra}filter=${encodeURIComponent(expr)}` };
}

/** The four lookups Entra matches by. */
export type LookupKind = "userName" | "externalId" | "email" | "groupDisplayName";

/** Entra's lookup of user `i` (or group `i`) by one matching attribute. */
export function lookup(dir: Directory, kind: LookupKind, i: number): BenchRequest {
  switch (kind) {
    case "userName":
      return filter("Users", `userName eq "${dir.userName(i)}"`);
    case "externalId":
      return filter("Users", `externalId eq "${dir.userExternalId(i)}"`);
    case "email":
      return filter("Users", `emails[type eq "work"].value eq "${dir.userName(i)}"`);
    case "groupDisplayName":
      return filter("Groups", `displayName eq "${dir.groupName(i)}"`, "excludedAttributes=members&");
  }
}

/** POST /Users or /Groups with Entra's body. */
export function create(resource: "Users" | "Groups", body: unknown): BenchRequest {
  return { method: "POST", path: `${SCIM}/${resource}`, body: JSON.stringify(body) };
}

/** A PATCH in Entra's default dialect (capitalised ops, string booleans). */
export function patch(resource: "Users" | "Groups", id: string, ops: readonly unknown[]): BenchRequest {
  return {
    method: "PATCH",
    path: `${SCIM}/${resource}/${id}`,
    body: JSON.stringify({ schemas: [SCIM_PATCH_SCHEMA], Operations: ops }),
  };
}

/** Entra's member add (several members in one op) or its default-dialect member removal. */
export function memberPatch(groupId: string, op: "Add" | "Remove", userIds: readonly string[]): BenchRequest {
  return patch("Groups", groupId, [{ op, path: "members", value: userIds.map((value) => ({ value })) }]);
}
