/**
 * Entra's "Test Connection" (graph-synchronization.md §2.1): GET `{BaseAddress}/Users?filter=<matching
 * attribute> eq "<random guid>"` with the Secret Token, expecting 200 and an empty ListResponse.
 */
import { randomUUID } from "node:crypto";
import { GraphError } from "../graph-errors.js";
import { eqFilterQuery, isListResponse, type ScimTarget, sendScim } from "./scim-client.js";

/** Code for "could not reach the endpoint or got a non-200" (§2.1). */
export const CREDENTIAL_UNAVAILABLE = "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable";
/** Code for "the endpoint answered but refused the credentials or the probe" (§2.1). */
export const CREDENTIAL_FAILURE = "SystemForCrossDomainIdentityManagementCredentialValidationFailure";

const PORTAL_PREFIX =
  "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account.";

/** Probes the target; resolves when it answers like a SCIM service, throws Graph's 400 otherwise (§2.1, inferred status). */
export async function probeScimTarget(target: ScimTarget, matchingAttribute = "userName"): Promise<void> {
  if (!/^https?:\/\//i.test(target.baseAddress)) {
    throw new GraphError(
      400,
      CREDENTIAL_UNAVAILABLE,
      `${PORTAL_PREFIX} Details: The Tenant URL '${target.baseAddress}' is not a valid absolute URL.`,
    );
  }
  const result = await sendScim(target, "GET", `/Users${eqFilterQuery(matchingAttribute, randomUUID())}`);
  if (result.status === null) {
    const why = result.timedOut ? "The request timed out." : (result.exchange.error ?? "network error");
    throw new GraphError(
      400,
      CREDENTIAL_UNAVAILABLE,
      `${PORTAL_PREFIX} Details: We are not able to connect to your application. ${why}`,
    );
  }
  if (result.status === 401 || result.status === 403) {
    throw new GraphError(
      400,
      CREDENTIAL_FAILURE,
      `${PORTAL_PREFIX} Details: We received this unexpected response from your application: An HTTP/${result.status} response was returned rather than the expected HTTP/200 OK response.`,
    );
  }
  if (result.status !== 200) {
    throw new GraphError(
      400,
      CREDENTIAL_UNAVAILABLE,
      `${PORTAL_PREFIX} Details: We received this unexpected response from your application: An HTTP/${result.status} response was returned rather than the expected HTTP/200 OK response. To address this issue, ensure that the tenant URL is correct.`,
    );
  }
  if (!isListResponse(result.body)) {
    throw new GraphError(
      400,
      CREDENTIAL_FAILURE,
      `${PORTAL_PREFIX} Details: The response to the filter query was not a SCIM ListResponse.`,
    );
  }
}
