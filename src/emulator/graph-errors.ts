/**
 * Graph's error contract (graph-synchronization.md §2.2, §7): every failure is
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 */

/** A protocol-visible Graph failure; the server's one error handler renders it. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "GraphError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Identifiers echoed in `innerError`. */
export interface RequestIds {
  readonly requestId: string;
  readonly clientRequestId: string;
}

/** Graph's `date` in innerError has no fractional seconds and no zone (§2.2 sample). */
function graphDate(now: Date): string {
  return now.toISOString().slice(0, 19);
}

/** Renders the Graph error envelope for a status/code/message. */
export function buildGraphErrorBody(
  code: string,
  message: string,
  ids: RequestIds,
  now = new Date(),
): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: graphDate(now),
        "request-id": ids.requestId,
        "client-request-id": ids.clientRequestId,
      },
    },
  };
}

/** The 429 body of Graph's throttling doc (§2.4), including its inner `code`/`status`. */
export function buildThrottleBody(ids: RequestIds, now = new Date()): unknown {
  return {
    error: {
      code: "TooManyRequests",
      innerError: {
        code: "429",
        date: graphDate(now),
        message: "Please retry after",
        "request-id": ids.requestId,
        status: "429",
      },
      message: "Please retry again later.",
    },
  };
}

/** 404 for a directory object (§2.2: `Request_ResourceNotFound`). */
export function resourceNotFound(id: string): GraphError {
  return new GraphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/** Sync-backend ("syncfabric") routing error: `UnknownError` with a JSON `{"Message":…}` string (§2.2). */
export function syncfabricNoResource(uri: string, status = 404): GraphError {
  const message = JSON.stringify({
    Message: `No HTTP resource was found that matches the request URI '${uri}'.`,
  });
  return new GraphError(status, "UnknownError", message);
}

/** 400 `BadRequest` for a request the emulator refuses before acting on it. */
export function badRequest(message: string): GraphError {
  return new GraphError(400, "BadRequest", message);
}
