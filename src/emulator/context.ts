/**
 * What route modules share: the state, the clock, the realism switches and the engine.
 */
import type { ProvisioningEngine } from "./engine/engine.js";
import { resourceNotFound } from "./graph-errors.js";
import type { EmulatorState } from "./state.js";
import type { SyncLagOptions } from "./sync-lag.js";

/** Shared services passed to every route module. */
export interface EmulatorContext {
  readonly state: EmulatorState;
  readonly engine: ProvisioningEngine;
  /** New objects answer 404 for this long after creation (graph-synchronization.md §2.3); 0 disables. */
  readonly consistencyDelayMs: number;
  /** Sync-backend lag after instantiation and secret writes (§2.3); absent means none. */
  readonly syncLag?: SyncLagOptions;
  /** The Graph base URL (`…/v1.0`) for `@odata.context` values. */
  graphUrl(): string;
}

/** True once an object created at `createdAt` has replicated (§2.3 eventual consistency). */
export function isVisible(ctx: EmulatorContext, obj: { createdAt: number }): boolean {
  return ctx.state.now() >= obj.createdAt + ctx.consistencyDelayMs;
}

/** Returns the object if it exists and has replicated, else throws Graph's 404. */
export function visibleOr404<T extends { createdAt: number }>(
  ctx: EmulatorContext,
  id: string,
  obj: T | undefined,
): T {
  if (!obj || !isVisible(ctx, obj)) throw resourceNotFound(id);
  return obj;
}

/** ISO timestamp of the emulator clock. */
export function isoNow(ctx: EmulatorContext): string {
  return new Date(ctx.state.now()).toISOString();
}
