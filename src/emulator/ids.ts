import { randomBytes, randomUUID } from "node:crypto";

/** A directory object id: a lower-case GUID, as Graph returns them. */
export function newObjectId(): string {
  return randomUUID();
}

/** The tenant id without dashes, as embedded in job ids (graph-synchronization.md §1.4). */
export function tenantHex(tenantId: string): string {
  return tenantId.replaceAll("-", "").toLowerCase();
}

/** A synchronization job id: `{templateId}.{tenantHex}.{guid}` (§1.4). */
export function newJobId(templateId: string, tenantId: string): string {
  return `${templateId}.${tenantHex(tenantId)}.${randomUUID()}`;
}

/** An appRoleAssignment id: a 43-character base64url string, not a GUID (§1.12). */
export function newAssignmentId(): string {
  return randomBytes(32).toString("base64url");
}

/** True when the text is a GUID in Graph's 8-4-4-4-12 form. */
export function isGuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}
