import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { KeyKind } from "../store/store.js";

/** Prefix of a tenant's SCIM access key. */
export const TENANT_KEY_PREFIX = "sk";
/** Prefix of a management key for the admin API. */
export const MANAGEMENT_KEY_PREFIX = "mk";

const PREFIX_OF: Record<KeyKind, string> = { tenant: TENANT_KEY_PREFIX, management: MANAGEMENT_KEY_PREFIX };
const KEY_RE = /^(sk|mk)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A fresh Project ID in Descope's shape: `P` and 26 more characters. */
export function createProjectId(): string {
  return `P${randomBytes(13).toString("hex")}`;
}

/** A fresh random pepper for hashing key secrets. */
export function createPepper(): string {
  return randomBytes(32).toString("base64url");
}

/** A new key: its id, the secret access key (shown once) and the secret's keyed hash (stored). */
export function createAccessKey(
  kind: KeyKind,
  pepper: string,
): { id: string; accessKey: string; hash: Buffer } {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { id, accessKey: `${PREFIX_OF[kind]}_${id}_${secret}`, hash: hashSecret(pepper, id, secret) };
}

/** HMAC-SHA256 of the key secret under the server pepper, bound to the key id. */
export function hashSecret(pepper: string, id: string, secret: string): Buffer {
  return createHmac("sha256", pepper).update(`${id}:${secret}`).digest();
}

/** A bearer token split into its parts, or undefined when it is not in `ProjectID:AccessKey` form. */
export interface ParsedToken {
  readonly projectId: string;
  readonly kind: KeyKind;
  readonly keyId: string;
  readonly secret: string;
}

/** Parses `<ProjectID>:<AccessKey>`; returns undefined for anything else. */
export function parseToken(token: string): ParsedToken | undefined {
  const colon = token.indexOf(":");
  if (colon <= 0) return undefined;
  const m = KEY_RE.exec(token.slice(colon + 1));
  if (!m) return undefined;
  return {
    projectId: token.slice(0, colon),
    kind: m[1] === TENANT_KEY_PREFIX ? "tenant" : "management",
    keyId: m[2]!,
    secret: m[3]!,
  };
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function verifySecret(pepper: string, parsed: ParsedToken, stored: Buffer): boolean {
  const presented = hashSecret(pepper, parsed.keyId, parsed.secret);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
