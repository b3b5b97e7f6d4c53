/**
 * What the provisioning service remembers per job between cycles (entra-scim-client.md §3): the cached
 * target id of each source object, the memberships it exported, the escrowed failures, and the watermark.
 */

/** The link between a source object and the target resource Entra created or matched. */
export interface Anchor {
  sourceId: string;
  objectType: "User" | "Group";
  targetId: string;
  /** The source display name when linked (kept for log entries after a hard delete). */
  displayName: string;
  /** False once the object left scope (disabled or deleted in the target): no longer managed (§3). */
  managed: boolean;
  /** Group only: source ids of the members exported to the target. */
  exportedMembers: Set<string>;
  /** User only: the manager's source id last exported. */
  exportedManager?: string;
}

/** A failed export kept for retry (§3 "escrow"). */
export interface Escrow {
  sourceId: string;
  objectType: "User" | "Group";
  errorCode: string;
  reason: string;
  attempts: number;
  firstFailure: string;
  /** True for 5xx, 429, timeouts: transient failures Entra retries on its escrow schedule. */
  transient: boolean;
}

/** The per-job engine state. */
export interface EngineState {
  /** Directory sequence seen by the last completed cycle; null means the next cycle is an initial cycle. */
  watermark: number | null;
  anchors: Map<string, Anchor>;
  escrows: Map<string, Escrow>;
  cycles: number;
  running: boolean;
}

/** A fresh engine state: no links, no watermark. */
export function createEngineState(): EngineState {
  return { watermark: null, anchors: new Map(), escrows: new Map(), cycles: 0, running: false };
}
