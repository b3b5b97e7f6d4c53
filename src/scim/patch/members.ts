/**
 * `splitGroupPatch`: separates group PATCH operations on `members` from the rest and folds them, in
 * order, into one `MemberDelta`, so a store applies membership changes in O(ops) without reading the
 * existing member list. Accepts both Entra dialects of member removal (known-issues doc).
 */
import { badRequest } from "../errors.js";
import type { Filter } from "../filter/ast.js";
import { parsePatchPath } from "../filter/parse.js";
import { FORBIDDEN_KEYS, forbiddenKey, isPlainObject, parseMemberValue } from "../resource.js";
import type { MemberDelta, PatchOperation } from "../types.js";

/**
 * Most member values one PATCH request may name across all its operations (400 invalidValue beyond).
 * RFC 7644 has no scimType for an oversized request; 413 is the HTTP layer's body-size answer.
 */
export const MAX_MEMBER_OPS_VALUES = 10_000;

/** `members`, optionally with the core Group URN prefix, followed by the end, a filter or a sub-attribute. */
const MEMBERS_PATH = /^\s*(?:urn:ietf:params:scim:schemas:core:2\.0:group[:.])?members\s*(?:$|[[.])/i;
const MEMBERS_KEY = /^(?:urn:ietf:params:scim:schemas:core:2\.0:group[:.])?members$/i;

/** True when a PATCH path addresses group `members` (case-insensitive, with or without a filter). */
export function isMembersPath(path: string): boolean {
  return MEMBERS_PATH.test(path);
}

function tooManyMembers() {
  return badRequest("invalidValue", `a PATCH may name at most ${MAX_MEMBER_OPS_VALUES} member values`);
}

class DeltaBuilder {
  clear = false;
  private readonly added = new Set<string>();
  private readonly removed = new Set<string>();
  private count = 0;

  private tally(): void {
    this.count += 1;
    if (this.count > MAX_MEMBER_OPS_VALUES) throw tooManyMembers();
  }

  add(id: string): void {
    this.tally();
    this.removed.delete(id);
    this.added.add(id);
  }

  remove(id: string): void {
    this.tally();
    this.added.delete(id);
    // After a clear nothing old is left to remove; only later adds matter.
    if (!this.clear) this.removed.add(id);
  }

  removeAll(): void {
    this.clear = true;
    this.added.clear();
    this.removed.clear();
  }

  build(): MemberDelta {
    return { clear: this.clear, add: [...this.added], remove: [...this.removed] };
  }
}

function memberValues(value: unknown, label: string): string[] {
  if (value === null || value === undefined || value === "") return [];
  // Entra sends an array of {"$ref": null, "value": id}; a single object or a bare id string is accepted.
  const list = Array.isArray(value) ? value : [value];
  // Checked before parsing so a huge list costs nothing; DeltaBuilder also counts across operations.
  if (list.length > MAX_MEMBER_OPS_VALUES) throw tooManyMembers();
  return list.map((element, i) => parseMemberValue(element, Array.isArray(value) ? `${label}[${i}]` : label));
}

function filterValues(filter: Filter): string[] {
  // The aadOptscim062020 dialect removes with members[value eq "id"]; `or` of several is fine.
  if (filter.type === "or") return filter.filters.flatMap(filterValues);
  const ok =
    filter.type === "compare" &&
    filter.op === "eq" &&
    filter.path.uri === undefined &&
    filter.path.sub === undefined &&
    filter.path.attr.toLowerCase() === "value" &&
    typeof filter.value === "string" &&
    filter.value !== "";
  if (!ok)
    throw badRequest(
      "invalidFilter",
      'a members filter may only be value eq "<id>", optionally joined by or',
    );
  return [filter.value as string];
}

function foldMemberOp(delta: DeltaBuilder, op: PatchOperation, label: string): void {
  const parsed = parsePatchPath(op.path ?? "members");
  if (parsed.path.sub !== undefined || parsed.sub !== undefined) {
    throw badRequest(
      "invalidPath",
      `${label}: member sub-attributes cannot be changed; use "members" or members[value eq "<id>"]`,
    );
  }
  const filtered = parsed.filter === undefined ? [] : filterValues(parsed.filter);
  const values = memberValues(op.value, `${label}.value`);
  if (op.op === "add") {
    if (parsed.filter !== undefined)
      throw badRequest("invalidPath", `${label}: add cannot take a members filter`);
    for (const id of values) delta.add(id);
  } else if (op.op === "remove") {
    // Default dialect: {"op":"Remove","path":"members","value":[{"value":id}]}; no value (and no filter) removes all.
    if (parsed.filter === undefined && (op.value === undefined || op.value === null)) delta.removeAll();
    for (const id of [...filtered, ...values]) delta.remove(id);
  } else {
    // replace members = clear + add; replace members[value eq "x"] swaps x for the given values.
    if (parsed.filter === undefined) delta.removeAll();
    for (const id of filtered) delta.remove(id);
    for (const id of values) delta.add(id);
  }
}

function splitPathless(op: PatchOperation): { rest?: PatchOperation; member?: PatchOperation } {
  if (op.op === "remove" || !isPlainObject(op.value)) return { rest: op };
  const value = op.value;
  const memberKey = Object.keys(value).find((k) => MEMBERS_KEY.test(k));
  if (memberKey === undefined) return { rest: op };
  const restValue: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw forbiddenKey(key);
    if (key !== memberKey) restValue[key] = value[key];
  }
  const member: PatchOperation = { op: op.op, path: "members", value: value[memberKey] };
  return Object.keys(restValue).length === 0 ? { member } : { member, rest: { op: op.op, value: restValue } };
}

/** Splits group PATCH ops into attribute ops and the folded member delta (`undefined` when no op touches members). */
export function splitGroupPatch(ops: readonly PatchOperation[]): {
  attributeOps: PatchOperation[];
  members: MemberDelta | undefined;
} {
  const attributeOps: PatchOperation[] = [];
  const delta = new DeltaBuilder();
  let touched = false;
  ops.forEach((op, i) => {
    const { rest, member } =
      op.path === undefined ? splitPathless(op) : isMembersPath(op.path) ? { member: op } : { rest: op };
    if (rest !== undefined) attributeOps.push(rest);
    if (member !== undefined) {
      touched = true;
      foldMemberOp(delta, member, `Operations[${i}]`);
    }
  });
  return { attributeOps, members: touched ? delta.build() : undefined };
}
