import type { FastifyReply, FastifyRequest } from "fastify";
import { SCIMError } from "../scim/errors.js";
import type { KeyKind } from "../store/store.js";
import type { Principal, Tenancy } from "../tenancy/tenancy.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Reads `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235 §2.1). */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== "string") return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/**
 * A preHandler that admits only valid, live keys of `kind`. Every refusal is the same 401, so a caller
 * cannot tell a revoked key from an unknown one or a key of another kind.
 */
export function requireKey(tenancy: Tenancy, kind: KeyKind) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    void reply;
    const token = bearerToken(req);
    if (token === undefined) {
      throw new SCIMError(401, undefined, "missing bearer token", {
        "www-authenticate": 'Bearer realm="scimgate"',
      });
    }
    const result = await tenancy.authenticate(token, kind);
    if (typeof result === "string") {
      req.log.info({ reason: result }, "token refused");
      throw new SCIMError(401, undefined, "invalid, expired or revoked token", {
        "www-authenticate": 'Bearer realm="scimgate", error="invalid_token"',
      });
    }
    req.principal = result;
  };
}
