/**
 * How Entra classifies a failed SCIM call (entra-scim-client.md §0.8, §3 "Errors and retries" and the
 * provisioning-log error table): the log error code, whether it is transient (escrowed and retried), and
 * whether it sends the whole job into quarantine (bad credentials, SCIM non-compliance).
 */
import type { ScimResult } from "./scim-client.js";
import { CREDENTIAL_FAILURE, CREDENTIAL_UNAVAILABLE } from "./validate-credentials.js";

/** A classified export failure. */
export interface ExportFailure {
  errorCode: string;
  reason: string;
  transient: boolean;
  /** Set when the failure quarantines the job (EncounteredQuarantineException). */
  quarantineCode?: string;
}

/** What the engine was doing when the call failed. */
export type CallKind = "query" | "create" | "read" | "update" | "delete";

function describe(result: ScimResult): string {
  if (result.status === null) return result.exchange.error ?? "no response";
  const detail = (result.body as { detail?: unknown } | undefined)?.detail;
  return `The target returned an error response with the HTTP status code ${result.status}.${detail ? ` Detail: ${String(detail)}` : ""}`;
}

function byStatus(status: number): Pick<ExportFailure, "errorCode" | "transient"> {
  if (status === 429) return { errorCode: "TooManyRequests", transient: true };
  if (status === 501) return { errorCode: "NotImplemented", transient: false };
  if (status >= 500) return { errorCode: "InternalServerError", transient: true };
  const codes: Record<number, string> = {
    401: "Unauthorized",
    403: "InsufficientRights",
    405: "MethodNotAllowed",
    409: "EntryConflict",
    422: "UnprocessableEntity",
  };
  return { errorCode: codes[status] ?? "WebExceptionProtocolError", transient: false };
}

/** Classifies a failed call; `kind` decides how a 404 reads (InvalidAnchor vs. a non-compliant query). */
export function classifyFailure(result: ScimResult, kind: CallKind): ExportFailure {
  const reason = describe(result);
  if (result.status === null) {
    return { errorCode: result.timedOut ? "Timeout" : "WebExceptionProtocolError", reason, transient: true };
  }
  if (result.status === 401)
    return { errorCode: "Unauthorized", reason, transient: false, quarantineCode: CREDENTIAL_FAILURE };
  if (result.status === 404 && kind !== "query") {
    // A 404 on a cached id: the linked object is gone; no automatic re-create (§3).
    return { errorCode: "InvalidAnchor", reason, transient: false };
  }
  if (
    kind === "query" &&
    result.status >= 400 &&
    result.status < 500 &&
    result.status !== 429 &&
    result.status !== 409
  ) {
    // A filter query must answer 200 + ListResponse; a 404/400 is a compliance problem that quarantines (§0.1).
    const why = `An HTTP/${result.status} response was returned rather than the expected HTTP/200 OK response.`;
    return {
      errorCode: "SystemForCrossDomainIdentityManagementServiceIncompatible",
      reason: why,
      transient: false,
      quarantineCode: CREDENTIAL_UNAVAILABLE,
    };
  }
  return { ...byStatus(result.status), reason };
}

/** A response Entra cannot use (no id, not JSON, not a ListResponse). */
export function incompatible(reason: string): ExportFailure {
  return { errorCode: "SystemForCrossDomainIdentityManagementServiceIncompatible", reason, transient: false };
}
