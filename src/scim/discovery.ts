import {
  type AttributeDef,
  COMMON_ATTRIBUTES,
  ENTERPRISE_SCHEMA,
  GROUP_RESOURCE,
  GROUP_SCHEMA,
  type ResourceTypeDef,
  SCIM_LIST_SCHEMA,
  type SchemaDef,
  USER_RESOURCE,
  USER_SCHEMA,
} from "./schema-defs.js";
import type { ScimDoc } from "./types.js";

/** Every resource type served, User first (Microsoft's tests read `Resources[0].endpoint`). */
export const RESOURCE_TYPES: readonly ResourceTypeDef[] = [USER_RESOURCE, GROUP_RESOURCE];
/** Every schema served by /Schemas. */
export const SCHEMAS: readonly SchemaDef[] = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_SCHEMA];

/** The limits the service enforces, published in /ServiceProviderConfig. */
export interface PublishedLimits {
  readonly maxResults: number;
  readonly maxFilterLength: number;
  readonly maxPatchOperations: number;
  readonly maxPayloadSize: number;
}

/** RFC 7643 §5: what this service supports, exactly. */
export function buildServiceProviderConfig(base: string, limits: PublishedLimits): ScimDoc {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: "https://github.com/scimgate/scimgate#readme",
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description:
          "Authorization: Bearer <ProjectID>:<AccessKey>, a tenant access key with the Tenant Admin role",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}

/** RFC 7643 §6 representation of a resource type. */
export function renderResourceType(rt: ResourceTypeDef, base: string): ScimDoc {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.schema.description,
    schema: rt.schema.id,
    schemaExtensions: rt.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/${rt.name}` },
  };
}

function renderAttribute(a: AttributeDef): ScimDoc {
  const out: ScimDoc = {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
  };
  // Entra reads /Schemas with nulls omitted (entra-scim-client.md §1.1), so optional keys are left out.
  if (a.canonicalValues?.length) out.canonicalValues = a.canonicalValues;
  if (a.referenceTypes?.length) out.referenceTypes = a.referenceTypes;
  if (a.subAttributes) out.subAttributes = a.subAttributes.map(renderAttribute);
  return out;
}

/** RFC 7643 §7 representation of a schema (core schemas also list the common attributes they carry). */
export function renderSchema(s: SchemaDef, base: string): ScimDoc {
  const common = s === ENTERPRISE_SCHEMA ? [] : COMMON_ATTRIBUTES.filter((a) => a.name !== "meta");
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: [...common, ...s.attributes].map(renderAttribute),
    meta: { resourceType: "Schema", location: `${base}/Schemas/${s.id}` },
  };
}

/** A discovery ListResponse. */
export function discoveryList(resources: ScimDoc[]): ScimDoc {
  return {
    schemas: [SCIM_LIST_SCHEMA],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
