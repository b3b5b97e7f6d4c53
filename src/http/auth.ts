import type { FastifyReply, FastifyRequest } from "fastify";
import { SCIMError } from "../scim/errors.js";
import type { KeyKind } from "../store/store.js";
import type { AuthFailure, Principal, Tenancy } from "../tenancy/tenancy.js";

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

const REFUSED = 'Bearer realm="scimgate", error="invalid_token"';

/**
 * An onRequest hook that admits only valid, live keys of `kind`. Every refusal is the same 401, so a
 * caller cannot tell a revoked key from an unknown one or a key of another kind. Callback-style, and
 * synchronous when the store reads keys synchronously: an async hook costs a promise and a microtask turn
 * on every request.
 */
export function requireKey(tenancy: Tenancy, kind: KeyKind) {
  const admit = (req: FastifyRequest, result: Principal | AuthFailure, done: (err?: Error) => void) => {
    if (typeof result === "string") {
      req.log.info({ reason: result }, "token refused");
      done(
        new SCIMError(401, undefined, "invalid, expired or revoked token", { "www-authenticate": REFUSED }),
      );
      return;
    }
    req.principal = result;
    done();
  };
  return (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
    const token = bearerToken(req);
    if (token === undefined) {
      done(
        new SCIMError(401, undefined, "missing bearer token", {
          "www-authenticate": 'Bearer realm="scimgate"',
        }),
      );
      return;
    }
    let now: Principal | AuthFailure | undefined;
    try {
      now = tenancy.authenticateNow(token, kind);
    } catch (err) {
      done(err as Error);
      return;
    }
    if (now !== undefined) admit(req, now, done);
    else tenancy.authenticate(token, kind).then((r) => admit(req, r, done), done);
  };
}
