import type { AccessKey, AuditRecord, KeyKind, Store, Tenant } from "../store/store.js";
import { StoreError } from "../store/store.js";
import {
  createAccessKey,
  createPepper,
  createProjectId,
  type ParsedToken,
  parseToken,
  verifySecret,
} from "./keys.js";

/** A key as shown to operators: never the secret or its hash. */
export interface KeyInfo {
  readonly id: string;
  readonly kind: KeyKind;
  readonly tenantId: string | null;
  readonly description: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** Who a valid token belongs to. */
export interface Principal {
  readonly kind: KeyKind;
  readonly keyId: string;
  readonly tenantId: string | null;
}

/** Why a token was refused; the HTTP layer answers every one with the same 401. */
export type AuthFailure =
  | "malformed"
  | "wrong_project"
  | "unknown_key"
  | "wrong_kind"
  | "revoked"
  | "expired"
  | "bad_secret";

/** Most verified tokens remembered at once; the memo is dropped whole when full. */
const VERIFIED_TOKENS_MAX = 10_000;

/** How often (ms) a key's last-used time is written at most, so auth stays a read on the hot path. */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

function toInfo(k: AccessKey): KeyInfo {
  const { secretHash: _, ...info } = k;
  return info;
}

/** Tenants, keys and token checks: the one place that knows the `ProjectID:AccessKey` scheme. */
export class Tenancy {
  private readonly lastWrite = new Map<string, number>();
  /** Token → the stored hash it was verified against (bounded; see secretMatches). */
  private readonly verified = new Map<string, Buffer>();

  private constructor(
    private readonly store: Store,
    readonly projectId: string,
    private readonly pepper: string,
  ) {}

  /** Loads (creating on first start) the deployment's Project ID and pepper. */
  static async open(store: Store, pepper?: string): Promise<Tenancy> {
    const projectId = await store.getOrInitMeta("project_id", createProjectId());
    const storedPepper = await store.getOrInitMeta("token_pepper", createPepper());
    return new Tenancy(store, projectId, pepper ?? storedPepper);
  }

  createTenant(name: string, jit: boolean, audit: AuditRecord): Promise<Tenant> {
    return this.store.createTenant({ name, jit }, audit);
  }

  /** Issues a key; the returned token is the only time the secret is ever visible. */
  async createKey(
    kind: KeyKind,
    tenantId: string | null,
    opts: { expiresInDays?: number; expiresAt?: Date; description?: string },
    audit: AuditRecord,
  ): Promise<KeyInfo & { token: string }> {
    const { id, accessKey, hash } = createAccessKey(kind, this.pepper);
    const createdAt = new Date();
    const expiresAt =
      opts.expiresAt ??
      (opts.expiresInDays === undefined
        ? null
        : new Date(createdAt.getTime() + opts.expiresInDays * 86_400_000));
    const key = await this.store.createKey(
      {
        id,
        kind,
        tenantId,
        description: opts.description ?? "",
        secretHash: hash,
        createdAt: createdAt.toISOString(),
        expiresAt: expiresAt?.toISOString() ?? null,
      },
      {
        ...audit,
        summary: `issued ${kind} key ${id}${expiresAt ? ` expiring ${expiresAt.toISOString()}` : ""}`,
      },
    );
    return { ...toInfo(key), token: `${this.projectId}:${accessKey}` };
  }

  async listKeys(kind: KeyKind, tenantId?: string): Promise<KeyInfo[]> {
    return (await this.store.listKeys({ kind, ...(tenantId ? { tenantId } : {}) })).map(toInfo);
  }

  async revokeKey(id: string, audit: AuditRecord): Promise<KeyInfo> {
    return toInfo(await this.store.revokeKey(id, { ...audit, summary: `revoked key ${id}` }));
  }

  /** Checks a bearer token for the given kind of key; never throws for bad input. */
  async authenticate(token: string, kind: KeyKind): Promise<Principal | AuthFailure> {
    const parsed = parseToken(token);
    if (!parsed) return "malformed";
    if (parsed.projectId !== this.projectId) return "wrong_project";
    return this.admit(token, parsed, kind, await this.store.getKey(parsed.keyId));
  }

  /**
   * `authenticate` without waiting, when the store reads keys synchronously (SQLite); undefined when it
   * cannot (then call `authenticate`). Saves a request the promise and the turn of the microtask queue.
   */
  authenticateNow(token: string, kind: KeyKind): Principal | AuthFailure | undefined {
    if (!this.store.authKeySync) return undefined;
    const parsed = parseToken(token);
    if (!parsed) return "malformed";
    if (parsed.projectId !== this.projectId) return "wrong_project";
    return this.admit(token, parsed, kind, this.store.authKeySync(parsed.keyId));
  }

  private admit(
    token: string,
    parsed: ParsedToken,
    kind: KeyKind,
    key: AccessKey | undefined,
  ): Principal | AuthFailure {
    if (!key) return "unknown_key";
    if (!this.secretMatches(token, parsed, key.secretHash)) return "bad_secret";
    if (key.kind !== kind || parsed.kind !== kind) return "wrong_kind";
    if (key.revokedAt !== null) return "revoked";
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= Date.now()) return "expired";
    this.noteUse(key.id);
    return { kind, keyId: key.id, tenantId: key.tenantId };
  }

  /**
   * Verifies the secret, remembering tokens that matched which stored hash: the key's state is still
   * checked on every request against the database as the request sees it (SQLite keeps a key row only
   * until the database changes, see SqliteDb.remember), so revocation, expiry and deletion take effect
   * at once, on every replica; only the HMAC is skipped.
   */
  private secretMatches(token: string, parsed: ParsedToken, stored: Buffer): boolean {
    if (this.verified.get(token)?.equals(stored)) return true;
    if (!verifySecret(this.pepper, parsed, stored)) return false;
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.clear();
    this.verified.set(token, stored);
    return true;
  }

  private noteUse(keyId: string): void {
    const now = Date.now();
    if (now - (this.lastWrite.get(keyId) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastWrite.set(keyId, now);
    this.store.touchKey(keyId, new Date(now).toISOString()).catch(() => {
      // Last-used is advisory; a failed write must not fail the request.
    });
  }

  /** Ensures a tenant exists, for commands that take a tenant id. */
  async requireTenant(id: string): Promise<Tenant> {
    const t = await this.store.getTenant(id);
    if (!t) throw new StoreError("not_found", `tenant ${JSON.stringify(id)} not found`);
    return t;
  }
}
