/**
 * The sync backend ("syncfabric") lagging behind the directory right after an app is instantiated
 * (graph-synchronization.md §2.3, inferred knobs): templates are listed empty, job creation and secret
 * writes are refused with a transient status, and secret reads show the previous set for a while.
 */
import type { EmulatorContext } from "./context.js";
import { GraphError } from "./graph-errors.js";
import type { ServicePrincipal } from "./state.js";

/** Sync-backend lag settings. */
export interface SyncLagOptions {
  /** How long after a service principal's creation (or a secrets PUT) the backend lags, in ms. */
  ms: number;
  /** Transient status for job creation and secrets PUT meanwhile: 401, 403 or 409 (terraform retries 403/409). Default 409. */
  status?: 401 | 403 | 409;
}

const CODES: Record<number, string> = {
  401: "InvalidAuthenticationToken",
  403: "Authorization_RequestDenied",
  409: "Conflict",
};

/** True once the sync backend knows the service principal. */
export function syncBackendReady(ctx: EmulatorContext, sp: ServicePrincipal): boolean {
  return ctx.state.now() >= sp.createdAt + (ctx.syncLag?.ms ?? 0);
}

/** Throws the configured transient error while the backend does not know the service principal yet. */
export function requireSyncBackend(ctx: EmulatorContext, sp: ServicePrincipal): void {
  if (syncBackendReady(ctx, sp)) return;
  const status = ctx.syncLag?.status ?? 409;
  throw new GraphError(
    status,
    CODES[status] ?? "UnknownError",
    `The synchronization service does not know service principal '${sp.id}' yet. Retry the request later.`,
  );
}

/** The secrets a GET shows: the previous set until the lag after the last PUT has passed (tf#1013). */
export function visibleSecrets(ctx: EmulatorContext, sp: ServicePrincipal): { key: string; value: string }[] {
  const lag = ctx.syncLag?.ms ?? 0;
  if (sp.secretsPutAt !== undefined && ctx.state.now() < sp.secretsPutAt + lag)
    return sp.previousSecrets ?? [];
  return sp.secrets;
}
