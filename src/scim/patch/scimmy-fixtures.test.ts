/**
 * RFC 7644 §3.5.2 PATCH vectors from scimmy (MIT, `scimmyjs/scimmy test/lib/messages/patchop.json`),
 * read from ../shared/conformance/ beside the repository. Each case's `source` is patched with `ops`
 * and compared with `target`; `id` is dropped (a ScimDoc never holds it), and cases on `members` go
 * through splitGroupPatch and are compared as member id sets. Where scimmy's RFC strictness or its
 * data model disagrees with scimgate's Entra-first rules, the case is listed in DEVIATIONS with why.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCIMError } from "../errors.js";
import { USER_RESOURCE } from "../schema-defs.js";
import type { PatchOperation, ScimDoc } from "../types.js";
import { applyPatch } from "./apply.js";
import { splitGroupPatch } from "./members.js";
import { parsePatchRequest } from "./parse-request.js";

interface Fixture {
  readonly source: Record<string, unknown>;
  readonly target: Record<string, unknown>;
  readonly ops: unknown[];
}

const repoRoot = new URL("../../../", import.meta.url);
const fixtureUrl = new URL("../shared/conformance/scimmy-fixtures/test_lib_messages_patchop.json", repoRoot);
const fixtures = (JSON.parse(readFileSync(fixtureUrl, "utf8")) as { inbound: Record<string, Fixture[]> })
  .inbound;

type Expectation =
  | { readonly kind: "doc"; readonly doc: ScimDoc }
  | { readonly kind: "members"; readonly ids: string[] }
  | { readonly kind: "error"; readonly scimType: string };

/** Cases where scimgate deliberately differs from scimmy, keyed `<op>#<index>`. */
const DEVIATIONS: Record<string, { readonly reason: string; readonly expect: Expectation }> = {
  "add#1": {
    reason:
      "scimgate never stores password (it is not in its User schema); a PATCH of it is accepted and dropped",
    expect: { kind: "doc", doc: { userName: "asdf" } },
  },
  "add#3": {
    reason: "members are stored as ids only, so member sub-attributes such as $ref cannot be patched",
    expect: { kind: "error", scimType: "invalidPath" },
  },
  "remove#3": {
    reason:
      "members are a set of ids: scimmy keeps a second copy of the id that carries a $ref, scimgate removes the member",
    expect: { kind: "members", ids: [] },
  },
  "remove#4": {
    reason:
      'member filters are limited to value eq "<id>" (or-ed), the only shape Entra sends; a $ref term is invalidFilter',
    expect: { kind: "error", scimType: "invalidFilter" },
  },
};

function withoutId(resource: Record<string, unknown>): ScimDoc {
  const { id: _id, ...rest } = resource;
  return rest;
}

function memberIds(resource: Record<string, unknown>): string[] {
  const members = (resource.members ?? []) as Array<{ value: string }>;
  return [...new Set(members.map((m) => m.value))];
}

/** Patches a fixture and reports the outcome in the shape of an Expectation. */
function run(fixture: Fixture): Expectation {
  try {
    const ops: PatchOperation[] = parsePatchRequest({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: fixture.ops,
    });
    if ("members" in fixture.source) {
      const { members } = splitGroupPatch(ops);
      const start = memberIds(fixture.source);
      const kept = members!.clear ? [] : start.filter((m) => !members!.remove.includes(m));
      return { kind: "members", ids: [...new Set([...kept, ...members!.add])] };
    }
    return { kind: "doc", doc: applyPatch(USER_RESOURCE, withoutId(fixture.source), ops) };
  } catch (e) {
    if (e instanceof SCIMError) return { kind: "error", scimType: e.scimType ?? "" };
    throw e;
  }
}

function expected(fixture: Fixture): Expectation {
  if ("members" in fixture.source) return { kind: "members", ids: memberIds(fixture.target) };
  return { kind: "doc", doc: withoutId(fixture.target) };
}

const cases = Object.entries(fixtures).flatMap(([op, list]) =>
  list.map((fixture, i) => ({ key: `${op}#${i}`, fixture, ops: JSON.stringify(fixture.ops) })),
);

describe("scimmy PatchOp fixtures", () => {
  it("loads the fixture table", () => {
    expect(cases.length).toBeGreaterThanOrEqual(17);
  });

  const agreed = cases.filter((c) => DEVIATIONS[c.key] === undefined);
  it.each(agreed)("$key: applies $ops as scimmy does", ({ fixture }) => {
    expect(run(fixture)).toEqual(expected(fixture));
  });

  const deviating = cases.filter((c) => DEVIATIONS[c.key] !== undefined);
  it.each(deviating)("$key: deviates from scimmy on $ops (see DEVIATIONS for why)", ({ key, fixture }) => {
    const deviation = DEVIATIONS[key]!;
    expect(deviation.reason).not.toBe("");
    expect(run(fixture)).toEqual(deviation.expect);
  });
});
