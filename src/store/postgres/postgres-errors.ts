import { StoreError } from "../store.js";

/** What a failed statement or transaction means for the caller. */
export type PgFailure = "retry" | "unavailable" | "other";

/** The unique index (or constraint) a 23505 names → the SCIM attribute that must be unique. */
const UNIQUE_INDEX_ATTRIBUTE: Readonly<Record<string, string>> = {
  users_user_name: "userName",
  groups_display_name: "displayName",
  tenants_name: "name",
};

// SQLSTATEs after which re-running the whole transaction can succeed (PostgreSQL appendix A):
// serialization_failure, deadlock_detected, lock_not_available, admin/crash shutdown, cannot_connect_now,
// too_many_connections. Class 08 (connection exception) is matched by prefix.
const RETRY_SQLSTATES = new Set(["40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300"]);

// Socket errors node-postgres passes through when the server or a proxy drops the connection.
const RETRY_NODE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

// node-postgres raises these without a code when a connection dies.
const CONNECTION_MESSAGE = /Connection terminated|connection error|not queryable/i;

// The pool waited connectionTimeoutMillis for a free connection: retrying would only queue again.
const POOL_TIMEOUT_MESSAGE = /timeout exceeded when trying to connect/i;

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : "";
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether `err` means the connection itself is gone (so it must not go back to the pool). */
export function isConnectionError(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined && (code.startsWith("08") || RETRY_NODE_CODES.has(code))) return true;
  return err instanceof Error && code === undefined && CONNECTION_MESSAGE.test(err.message);
}

/**
 * Whether a failed COMMIT may still have committed. Only a transaction-rollback (class 40) or a deferred
 * constraint (class 23) error proves it did not; a dropped or terminated session says nothing either way.
 */
export function isAmbiguousCommitFailure(err: unknown): boolean {
  const code = codeOf(err);
  return !(code?.startsWith("40") || code?.startsWith("23"));
}

/** Classifies a pg or socket error: retry the transaction, give up as unavailable, or not ours. */
export function classifyPgError(err: unknown): PgFailure {
  if (err instanceof StoreError) return "other";
  const code = codeOf(err);
  if (code !== undefined && RETRY_SQLSTATES.has(code)) return "retry";
  if (isConnectionError(err)) return "retry";
  // query_canceled is what statement_timeout raises: running the same statement again would time out too.
  if (code === "57014") return "unavailable";
  if (err instanceof Error && POOL_TIMEOUT_MESSAGE.test(err.message)) return "unavailable";
  return "other";
}

/** Maps a pg error to a StoreError where it means one; anything else passes through unchanged. */
export function translatePgError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  const failure = classifyPgError(err);
  if (failure !== "other") return new StoreError("unavailable", "the database is unavailable");
  if (code === "23505") {
    const constraint = (err as { constraint?: string }).constraint ?? "";
    const attr = UNIQUE_INDEX_ATTRIBUTE[constraint];
    return new StoreError("conflict", `${attr ?? "value"} is already taken`, attr);
  }
  if (code === "23503") return new StoreError("not_found", "a referenced tenant or resource does not exist");
  // jsonb and text refuse NUL characters (22P05, 22021) and unpaired surrogates (22P02 from the json
  // parser); JSON.parse lets both through, so they are client input, not a server fault.
  if (code === "22P05" || code === "22021" || (code === "22P02" && /json/i.test(errMessage(err)))) {
    return new StoreError(
      "invalid",
      "a value contains a character PostgreSQL cannot store (NUL or a lone surrogate)",
    );
  }
  // A btree entry holds at most ~2.7 kB: a userName, displayName, externalId or e-mail beyond that.
  if (code === "54000" && /index row/i.test(errMessage(err))) {
    return new StoreError(
      "invalid",
      "a userName, displayName, externalId or e-mail value is too long to index",
    );
  }
  return err;
}
