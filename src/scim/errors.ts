/** The scimType values RFC 7644 §3.12 defines, plus none for errors that carry no scimType. */
export type SCIMType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

/** URN of the SCIM error message schema (RFC 7644 §3.12). */
export const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** A protocol-visible failure: rendered by the HTTP error handler as a SCIM error body. */
export class SCIMError extends Error {
  readonly status: number;
  readonly scimType: SCIMType | undefined;
  readonly detail: string;
  /** Extra response headers, e.g. Retry-After on 503. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    scimType: SCIMType | undefined,
    detail: string,
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = "SCIMError";
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
    this.headers = headers;
  }

  /** The RFC 7644 §3.12 body; `status` is a string, as the RFC's examples and Entra's tutorial show. */
  toBody(): { schemas: string[]; status: string; scimType?: SCIMType; detail: string } {
    return {
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

/** Shorthand for a 400 with a scimType. */
export function badRequest(scimType: SCIMType, detail: string): SCIMError {
  return new SCIMError(400, scimType, detail);
}

/** Shorthand for the 404 every unknown (or foreign-tenant) id gets. */
export function notFound(resourceType: string, id: string): SCIMError {
  return new SCIMError(404, undefined, `${resourceType} ${JSON.stringify(id)} not found`);
}
