/** zod schema of the stack config (`scimgate:*` keys); each message says what to put instead. */
import { z } from "zod";

const guid = (what: string) =>
  z.guid({ error: `must be the ${what}'s Object ID (a GUID from the Entra portal)` });
const httpsUrl = z
  .url({ error: "must be an absolute URL" })
  .refine((u) => /^https?:\/\//.test(u), { error: "must be an http(s) URL" });

const mappingSchema = z
  .strictObject({
    target: z.string({ error: "name the SCIM target attribute, e.g. `title`" }).min(1),
    source: z.string().min(1).optional(),
    expression: z.string().min(1).optional(),
    constant: z.string().optional(),
    flowType: z.enum(["Always", "ObjectAddOnly"]).optional(),
    defaultValue: z.string().optional(),
  })
  .refine((m) => [m.source, m.expression, m.constant].filter((v) => v !== undefined).length === 1, {
    error: "give exactly one of `source` (an Entra attribute), `expression` or `constant`",
  });

const scopeGroupSchema = z.strictObject({
  name: z.string().optional(),
  clauses: z
    .array(
      z.strictObject({
        attribute: z.string().min(1),
        operator: z.enum(
          [
            "EQUALS",
            "NOT EQUALS",
            "IS TRUE",
            "IS FALSE",
            "IS NULL",
            "IS NOT NULL",
            "REGEX MATCH",
            "NOT REGEX MATCH",
            "Greater_Than",
            "Less_Than",
            "Includes",
          ],
          {
            error:
              "use an Entra scoping operator such as EQUALS, NOT EQUALS, IS TRUE, IS NULL or REGEX MATCH",
          },
        ),
        values: z.array(z.string()).default([]),
      }),
    )
    .min(1, { error: "a scoping filter group needs at least one clause" }),
});

const objectMappingSchema = (matching: string, enabled: boolean) =>
  z.strictObject({
    enabled: z.boolean().default(enabled),
    matchingAttribute: z.string().min(1).default(matching),
    mappings: z.array(mappingSchema).default([]),
    remove: z.array(z.string().min(1)).default([]),
    scopingFilter: z.array(scopeGroupSchema).default([]),
  });

/** Schema of `scimgate:tenant`. */
export const tenantSchema = z.strictObject({
  name: z.string({ error: "set the customer's tenant name, e.g. `name: Contoso`" }).min(1),
  jit: z.boolean().default(false),
});

/** Schema of `scimgate:service`. */
export const serviceSchema = z.strictObject({
  url: httpsUrl,
  keyRotation: z.string().min(1).default("initial"),
  keyExpiresInDays: z.number().int().positive().optional(),
  patchCompliance: z.boolean().default(true),
});

/** Schema of `scimgate:graph`. */
export const graphSchema = z
  .strictObject({
    cloud: z.enum(["global", "usgov", "usgovdod", "china"]).default("global"),
    url: httpsUrl.optional(),
  })
  .prefault({});

/** Schema of `scimgate:app`. */
export const appSchema = z.strictObject({
  displayName: z.string({ error: "set the Enterprise App's display name" }).min(1),
  owners: z.array(guid("owner")).default([]),
  notificationEmails: z.array(z.email()).default([]),
  sso: z
    .strictObject({
      identifierUris: z
        .array(z.string().min(1))
        .min(1, { error: "give at least one Identifier (Entity ID)" }),
      replyUrls: z.array(httpsUrl).min(1, { error: "give at least one Reply URL (ACS URL)" }),
      signingCertificate: z
        .strictObject({ displayName: z.string().optional(), endDate: z.iso.datetime().optional() })
        .optional(),
    })
    .optional(),
});

/** Schema of one entry of `scimgate:groups`. */
export const groupSchema = z
  .strictObject({
    key: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "must be lower-case letters, digits and dashes" })
      .optional(),
    objectId: guid("group").optional(),
    displayName: z.string().min(1).optional(),
    create: z.boolean().default(false),
    description: z.string().optional(),
    members: z.array(guid("member")).default([]),
    /** Dynamic membership rule of a created group, e.g. `(user.accountEnabled -eq true)`. */
    dynamicRule: z.string().min(1).optional(),
    roles: z.array(z.string().min(1)).default([]),
  })
  .refine((g) => (g.objectId === undefined) !== (g.displayName === undefined), {
    error: "give exactly one of `objectId` (an existing group) or `displayName`",
  })
  .refine((g) => !g.create || g.displayName !== undefined, {
    error: "a group with `create: true` needs a `displayName` (and no `objectId`)",
  })
  .refine((g) => g.create || g.members.length === 0, {
    error: "`members` only applies to a group the stack creates (`create: true`)",
  })
  .refine((g) => g.dynamicRule === undefined || (g.create && g.members.length === 0), {
    error: "`dynamicRule` needs `create: true` and no `members` (Entra computes the members)",
  });

/** Schema of `scimgate:roles`. */
export const rolesSchema = z
  .strictObject({
    definitions: z
      .array(z.strictObject({ name: z.string().min(1), description: z.string().optional() }))
      .default([]),
    defaultRoles: z.array(z.string().min(1)).default([]),
  })
  .prefault({});

/** Schema of `scimgate:provisioning`. */
export const provisioningSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    templateId: z.string().min(1).default("scim"),
    syncAll: z.boolean().default(false),
    notifications: z
      .strictObject({ email: z.email().optional(), deleteThreshold: z.number().int().positive().optional() })
      .prefault({}),
    users: objectMappingSchema("userName", true).prefault({}),
    groups: objectMappingSchema("displayName", true).prefault({}),
  })
  .prefault({});
