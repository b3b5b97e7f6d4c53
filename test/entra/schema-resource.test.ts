import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantiateApp } from "../../src/entra/directory-ops.js";
import { createJobResource } from "../../src/entra/job-resource.js";
import type { ObjectMappingSpec, SchemaSpec } from "../../src/entra/mapping-spec.js";
import { findObjectMapping } from "../../src/entra/schema-merge.js";
import {
  applySchemaResource,
  diffSchemaResource,
  readSchemaResource,
  type SchemaOutputs,
} from "../../src/entra/schema-resource.js";
import { createKeyResource, createTenantResource } from "../../src/entra/scimgate-tenant.js";
import { getSchema, putSchema } from "../../src/entra/sync-job.js";
import type { SyncSchema } from "../../src/entra/sync-types.js";
import { FAST_RETRY, type Harness, startHarness } from "./harness.js";

let h: Harness;
let spId: string;
let jobId: string;
const deps = () => ({ graph: h.graph, retry: FAST_RETRY });
const objectSpec = (over: Partial<ObjectMappingSpec>, matching: string): ObjectMappingSpec => ({
  enabled: true,
  matchingAttribute: matching,
  mappings: [],
  remove: [],
  scopingFilter: [],
  ...over,
});
const spec = (
  users: Partial<ObjectMappingSpec> = {},
  groups: Partial<ObjectMappingSpec> = {},
): SchemaSpec => ({
  users: objectSpec(users, "userName"),
  groups: objectSpec(groups, "displayName"),
});
const inputs = (s: SchemaSpec) => ({ graphUrl: h.graph.graphUrl, servicePrincipalId: spId, jobId, spec: s });
const userMappings = (s: SyncSchema) => {
  const [r, o] = findObjectMapping(s, "User");
  return s.synchronizationRules[r]!.objectMappings[o]!.attributeMappings;
};

beforeAll(async () => {
  h = await startHarness();
  spId = (await instantiateApp(h.graph, "scimgate schema tests", FAST_RETRY)).servicePrincipalObjectId;
  const tenant = await createTenantResource({ ...h.admin, name: "Schema", jit: false });
  const key = await createKeyResource({
    ...h.admin,
    tenantId: tenant.tenantId,
    rotation: "1",
    description: "t",
  });
  const job = await createJobResource(
    {
      graphUrl: h.graph.graphUrl,
      servicePrincipalId: spId,
      templateId: "scim",
      baseAddress: tenant.scimUrl,
      secretToken: key.token,
      syncAll: false,
      notifications: {},
    },
    deps(),
  );
  jobId = job.jobId;
});
afterAll(async () => h?.close());

describe("the schema resource against the Graph emulator", () => {
  let state: SchemaOutputs;

  it("creates with the reference defaults and sends no PUT when nothing differs", async () => {
    state = await applySchemaResource(inputs(spec()), undefined, deps());
    expect(state.applied).toEqual([]);
    expect(state.managed.users).toHaveLength(22);
    expect(state.managed.groups).toEqual(["displayName", "externalId", "members"]);
  });

  it("changes exactly the mapping the stack changes, in a PUT the official schema accepts", async () => {
    const before = userMappings(await getSchema(h.graph, spId, jobId));
    const next = spec({ mappings: [{ target: "title", source: "department" }] });
    expect(diffSchemaResource(state, inputs(next))).toEqual({ replaces: [], changes: ["spec"] });
    state = await applySchemaResource(inputs(next), state.managed, deps());
    expect(state.applied).toEqual(["users: change title <- [jobTitle] -> title <- [department]"]);
    const after = userMappings(await getSchema(h.graph, spId, jobId));
    const changed = after.filter((m, i) => JSON.stringify(m) !== JSON.stringify(before[i]));
    expect(changed.map((m) => m.targetAttributeName)).toEqual(["title"]);
  });

  it("adds an expression mapping, a scoping filter and turns groups off", async () => {
    const next = spec(
      {
        mappings: [
          { target: "title", source: "department" },
          { target: "nickName", expression: 'Join(".", [givenName], [surname])' },
        ],
        scopingFilter: [{ clauses: [{ attribute: "department", operator: "EQUALS", values: ["R&D"] }] }],
      },
      { enabled: false },
    );
    state = await applySchemaResource(inputs(next), state.managed, deps());
    expect(state.applied).toEqual([
      "users: scoping filter (none) -> department EQUALS R&D",
      'users: add nickName <- Join(".",[givenName],[surname])',
      "groups: enabled true -> false",
    ]);
    expect((await readSchemaResource(state, deps())).drift).toEqual([]);
  });

  it("reads a mapping edited by hand in the portal as drift, and re-applying repairs only that", async () => {
    const current = await getSchema(h.graph, spId, jobId);
    const title = userMappings(current).find((m) => m.targetAttributeName === "title")!;
    title.source = { expression: "[jobTitle]", name: "jobTitle", parameters: [], type: "Attribute" };
    await putSchema(h.graph, spId, jobId, current);
    const read = await readSchemaResource(state, deps());
    expect(read.drift).toEqual(["users: change title <- [jobTitle] -> title <- [department]"]);
    expect(diffSchemaResource(read, inputs(state.spec)).changes).toEqual(["spec"]);
    state = await applySchemaResource(inputs(state.spec), state.managed, deps());
    expect(state.applied).toEqual(read.drift);
  });

  it("removes mappings the stack no longer lists and restores the defaults it dropped", async () => {
    state = await applySchemaResource(inputs(spec()), state.managed, deps());
    expect(state.applied).toEqual([
      "users: scoping filter department EQUALS R&D -> (none)",
      'users: remove nickName <- Join(".",[givenName],[surname])',
      "users: change title <- [department] -> title <- [jobTitle]",
      "groups: enabled false -> true",
    ]);
  });

  it("replaces the schema resource when the job changes", () => {
    expect(diffSchemaResource(state, { ...inputs(spec()), jobId: "other" }).replaces).toEqual(["jobId"]);
  });
});
