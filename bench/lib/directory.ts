import {
  ENTRA_ADSCIM_GROUP_SCHEMA,
  SCIM_ENTERPRISE_SCHEMA,
  SCIM_USER_SCHEMA,
} from "../../src/scim/schema-defs.js";
import { Rng } from "./rng.js";

/**
 * A synthetic Entra-like directory: user `i` and group `j` are pure functions of the seed and the index,
 * so any object can be regenerated (its id, its userName) without keeping the directory in memory.
 */

const GIVEN = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Leslie"];
const FAMILY = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "Thompson",
  "Perlman",
];
const DEPARTMENTS = ["Engineering", "Sales", "Finance", "Legal", "Support", "Marketing", "Operations", "HR"];
const TITLES = ["Engineer", "Manager", "Analyst", "Director", "Consultant", "Specialist"];
const CITIES = ["Redmond", "Dublin", "Singapore", "Amsterdam", "Sydney", "Toronto"];

/** When the seeded directory's objects were created: object `i` at this time plus `i` milliseconds. */
export const SEED_TIME = Date.parse("2026-01-01T00:00:00.000Z");

/** One seeded directory. */
export class Directory {
  constructor(readonly seed: number) {}

  private rng(kind: number, i: number): Rng {
    return new Rng((Math.imul(this.seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b) ^ kind) >>> 0);
  }

  /**
   * Our SCIM id of user `i` when seeded directly (HTTP-created users get the server's ids): a UUIDv7 of
   * its creation time, as the store makes them, so the seeded indexes have the layout a synced one has.
   */
  userId(i: number): string {
    return this.rng(1, i).uuidV7(SEED_TIME + i);
  }

  /** The user principal name of user `i` (Entra's default matching attribute, userName). */
  userName(i: number): string {
    return `u${i}.s${this.seed}@contoso.example`;
  }

  /** The Entra objectId of user `i` (the externalId Entra sends). */
  userExternalId(i: number): string {
    return this.rng(2, i).uuid();
  }

  /** The POST /Users body Entra would send for user `i` with the default attribute mappings. */
  userBody(i: number): Record<string, unknown> {
    const r = this.rng(3, i);
    const given = r.pick(GIVEN);
    const family = r.pick(FAMILY);
    const upn = this.userName(i);
    return {
      schemas: [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_SCHEMA],
      externalId: this.userExternalId(i),
      userName: upn,
      active: true,
      displayName: `${given} ${family} ${i}`,
      title: r.pick(TITLES),
      preferredLanguage: "en-US",
      name: { formatted: `${given} ${family}`, givenName: given, familyName: family },
      emails: [{ primary: true, type: "work", value: upn }],
      phoneNumbers: [
        { type: "work", value: `+1 425 555 ${String(i % 10000).padStart(4, "0")}` },
        { type: "mobile", value: `+1 206 555 ${String((i * 7) % 10000).padStart(4, "0")}` },
      ],
      addresses: [{ type: "work", locality: r.pick(CITIES), country: "US", primary: false }],
      [SCIM_ENTERPRISE_SCHEMA]: { employeeNumber: String(100000 + i), department: r.pick(DEPARTMENTS) },
    };
  }

  /** Our SCIM id of group `j` when seeded directly. */
  groupId(j: number): string {
    return this.rng(4, j).uuidV7(SEED_TIME + j);
  }

  /** The display name of group `j` (Entra's group matching attribute). */
  groupName(j: number): string {
    return `grp-${j}-s${this.seed}`;
  }

  /** The POST /Groups body Entra sends for group `j`: empty, members come by PATCH. */
  groupBody(j: number): Record<string, unknown> {
    return {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group", ENTRA_ADSCIM_GROUP_SCHEMA],
      externalId: this.rng(5, j).uuid(),
      displayName: this.groupName(j),
    };
  }

  /**
   * How many members group `j` of `groups` gets in a directory of `users`: a few big groups (all-staff,
   * departments) and a long tail of small ones, about 3 memberships per user in all.
   */
  groupSize(j: number, groups: number, users: number): number {
    if (j === 0) return users;
    if (j <= 8) return Math.floor(users / 8);
    const r = this.rng(6, j);
    const tail = Math.max(1, Math.floor(users / Math.max(1, groups - 9)));
    return Math.min(users, 1 + r.int(2 * tail));
  }

  /** The first user index of group `j`'s members (members are a contiguous, wrapping range). */
  groupStart(j: number, users: number): number {
    if (j === 0) return 0;
    if (j <= 8) return (j - 1) * Math.floor(users / 8);
    return this.rng(7, j).int(users);
  }
}
