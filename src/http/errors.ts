import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SCIMError } from "../scim/errors.js";
import { StoreError } from "../store/store.js";

/** Media type of every SCIM response (RFC 7644 §3.1). */
export const SCIM_MEDIA_TYPE = "application/scim+json; charset=utf-8";

/** Maps a store error to the SCIM error it means for the client. */
export function fromStoreError(err: StoreError): SCIMError {
  switch (err.code) {
    case "conflict":
      return new SCIMError(409, "uniqueness", err.message);
    case "not_found":
      return new SCIMError(404, undefined, err.message);
    case "precondition_failed":
      return new SCIMError(412, undefined, err.message);
    case "invalid":
      return new SCIMError(400, "invalidValue", err.message);
    case "unavailable":
      return new SCIMError(503, undefined, `${err.message}; retry later`, { "retry-after": "1" });
  }
}

/** Turns any thrown value into the SCIM error the client sees; unknown errors become a generic 500. */
export function toSCIMError(err: unknown, req: FastifyRequest): SCIMError {
  if (err instanceof SCIMError) return err;
  if (err instanceof StoreError) return fromStoreError(err);
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new SCIMError(
        413,
        undefined,
        `request body is larger than ${req.routeOptions.bodyLimit ?? "the"} bytes allowed`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new SCIMError(415, undefined, "send application/scim+json or application/json");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new SCIMError(400, "invalidSyntax", "the request body is empty");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new SCIMError(400, "invalidSyntax", "Content-Length does not match the body");
  }
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new SCIMError(
      fe.statusCode,
      fe.statusCode === 400 ? "invalidSyntax" : undefined,
      fe.message ?? "bad request",
    );
  }
  req.log.error({ err }, "unhandled error");
  return new SCIMError(500, undefined, `internal error; quote request id ${req.id}`);
}

/** Sends a SCIM error body. */
export function sendSCIMError(reply: FastifyReply, e: SCIMError): FastifyReply {
  return reply.code(e.status).headers(e.headers).type(SCIM_MEDIA_TYPE).send(JSON.stringify(e.toBody()));
}

/** Installs the one error handler and the 404 handler that render SCIM error bodies. */
export function installSCIMErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => sendSCIMError(reply, toSCIMError(err, req)));
  app.setNotFoundHandler((req, reply) =>
    sendSCIMError(
      reply,
      new SCIMError(404, undefined, `no such endpoint: ${req.method} ${req.url.split("?")[0]}`),
    ),
  );
}
