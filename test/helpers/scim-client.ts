/** A minimal SCIM HTTP client for tests: sends exactly the bytes it is given, returns status and JSON. */
export interface ScimResponse {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  readonly body: any;
}

/** Options of one request. */
export interface CallOptions {
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
  /** Raw body text, sent as is (for malformed-JSON tests). */
  readonly raw?: string;
}

/** Calls `base + path` with a bearer token and a SCIM JSON body. */
export function scimClient(base: string, token: string) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    opts: CallOptions = {},
  ): Promise<ScimResponse> {
    const t = opts.token === undefined ? token : opts.token;
    const headers: Record<string, string> = {
      ...(t === null ? {} : { authorization: `Bearer ${t}` }),
      ...(body !== undefined || opts.raw !== undefined ? { "content-type": "application/scim+json" } : {}),
      ...opts.headers,
    };
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === "" ? undefined : JSON.parse(text) };
  };
}

/** The PatchOp message URN. */
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** Wraps operations in a PatchOp body. */
export function patchOp(...ops: unknown[]) {
  return { schemas: [PATCH_OP], Operations: ops };
}
