/**
 * The outbound SCIM client the engine uses: base URL, token and `fetch` are parameters (house rule), every
 * call has a timeout, and every exchange is recorded for the provisioning report.
 */
import type { ScimExchange } from "./provisioning-log.js";

/** SCIM's JSON media type; Entra sends it on requests with a body (entra-scim-client.md §1.2). */
export const SCIM_CONTENT_TYPE = "application/scim+json";
/** The tenant-URL query flag that switches Entra to the RFC-compliant PATCH dialect (entra-scim-client.md §2). */
export const COMPLIANT_PATCH_FLAG = "aadOptscim062020";

/** Connection settings of one SCIM target. */
export interface ScimTarget {
  /** The Tenant URL (`BaseAddress`), possibly carrying `?aadOptscim062020`. */
  readonly baseAddress: string;
  /** The Secret Token sent as `Authorization: Bearer …`. */
  readonly token: string;
  readonly fetch: typeof fetch;
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
}

/** The result of one SCIM call: status null means no HTTP answer (network error or timeout). */
export interface ScimResult {
  readonly status: number | null;
  readonly body: unknown;
  readonly timedOut: boolean;
  readonly exchange: ScimExchange;
}

/** Splits the tenant URL into the path base (no query) and whether the compliance flag is on. */
export function parseTenantUrl(baseAddress: string): { base: string; compliant: boolean } {
  const [path = "", query = ""] = baseAddress.split("?", 2);
  const compliant = query
    .split("&")
    .some((p) => p.split("=")[0]?.toLowerCase() === COMPLIANT_PATCH_FLAG.toLowerCase());
  return { base: path.replace(/\/+$/, ""), compliant };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sends one SCIM request relative to the tenant URL; never throws for HTTP or network failures. */
export async function sendScim(
  target: ScimTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<ScimResult> {
  const url = `${parseTenantUrl(target.baseAddress).base}${path}`;
  const exchange: ScimExchange = { method, url, requestBody: body, status: null };
  const headers: Record<string, string> = {
    authorization: `Bearer ${target.token}`,
    accept: SCIM_CONTENT_TYPE,
  };
  if (body !== undefined) headers["content-type"] = SCIM_CONTENT_TYPE;
  const signal = AbortSignal.timeout(target.timeoutMs);
  try {
    const init: RequestInit = { method, headers, signal };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await target.fetch(url, init);
    exchange.status = response.status;
    exchange.responseBody = await readBody(response);
    return { status: response.status, body: exchange.responseBody, timedOut: false, exchange };
  } catch (error) {
    const timedOut = signal.aborted;
    exchange.error = timedOut ? `Timeout after ${target.timeoutMs} ms` : errorText(error);
    return { status: null, body: undefined, timedOut, exchange };
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

/** Builds a SCIM filter query string: `?filter=attr eq "value"` (URL-encoded). */
export function eqFilterQuery(attribute: string, value: string, extra = ""): string {
  const filter = `${attribute} eq "${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  return `?${extra}filter=${encodeURIComponent(filter)}`;
}

/** True when the body is a SCIM ListResponse (entra-scim-client.md §0.1). */
export function isListResponse(body: unknown): body is { totalResults: number; Resources?: unknown[] } {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.totalResults === "number" && (b.Resources === undefined || Array.isArray(b.Resources));
}
