/**
 * The SCIM schemas scimgate implements (RFC 7643 §4 and §8.7.1), as data. Everything that needs to
 * know an attribute's type, plurality or case rule (validation, PATCH, filters, projection, the
 * /Schemas endpoint) reads it from here, so the discovery documents describe exactly what runs.
 */

/** URN of the core User schema. */
export const SCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
/** URN of the core Group schema. */
export const SCIM_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
/** URN of the enterprise User extension. */
export const SCIM_ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/** URN of the PatchOp message. */
export const SCIM_PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/** URN of the ListResponse message. */
export const SCIM_LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/** Non-standard group schema URI Entra adds to every group create; accepted and ignored. */
export const ENTRA_ADSCIM_GROUP_SCHEMA =
  "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/** RFC 7643 §2.3 attribute data types. */
export type AttributeType =
  | "string"
  | "boolean"
  | "decimal"
  | "integer"
  | "dateTime"
  | "reference"
  | "binary"
  | "complex";

/** One attribute definition, in the shape RFC 7643 §7 publishes it. */
export interface AttributeDef {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: "readOnly" | "readWrite" | "immutable" | "writeOnly";
  readonly returned: "always" | "never" | "default" | "request";
  readonly uniqueness: "none" | "server" | "global";
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDef[];
}

/** A schema: its URN, name and attributes. */
export interface SchemaDef {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDef[];
}

type AttrOpts = Partial<Omit<AttributeDef, "name" | "type">>;

function attr(name: string, type: AttributeType, opts: AttrOpts = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description: opts.description ?? name,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...opts,
  };
}

function str(name: string, opts: AttrOpts = {}): AttributeDef {
  return attr(name, "string", opts);
}

/** A multi-valued complex attribute with the usual value/display/type/primary sub-attributes. */
function plural(
  name: string,
  description: string,
  valueType: AttributeType = "string",
  types: string[] = [],
) {
  return attr(name, "complex", {
    multiValued: true,
    description,
    subAttributes: [
      attr("value", valueType, { description: `The ${name} value.` }),
      str("display", { description: "A human-readable name, primarily used for display purposes." }),
      str("type", { description: "A label indicating the attribute's function.", canonicalValues: types }),
      attr("primary", "boolean", { description: "Indicates the primary value." }),
    ],
  });
}

const NAME_ATTR = attr("name", "complex", {
  description: "The components of the user's real name.",
  subAttributes: [
    str("formatted"),
    str("familyName"),
    str("givenName"),
    str("middleName"),
    str("honorificPrefix"),
    str("honorificSuffix"),
  ],
});

const ADDRESSES_ATTR = attr("addresses", "complex", {
  multiValued: true,
  description: "A physical mailing address for this user.",
  subAttributes: [
    str("formatted"),
    str("streetAddress"),
    str("locality"),
    str("region"),
    str("postalCode"),
    str("country"),
    str("type", { canonicalValues: ["work", "home", "other"] }),
    attr("primary", "boolean"),
  ],
});

const USER_GROUPS_ATTR = attr("groups", "complex", {
  multiValued: true,
  mutability: "readOnly",
  description: "A list of groups to which the user belongs (direct membership).",
  subAttributes: [
    str("value", { mutability: "readOnly" }),
    attr("$ref", "reference", { mutability: "readOnly", referenceTypes: ["Group"] }),
    str("display", { mutability: "readOnly" }),
    str("type", { mutability: "readOnly", canonicalValues: ["direct"] }),
  ],
});

/** The core User schema (RFC 7643 §4.1), less `password`, which scimgate never stores. */
export const USER_SCHEMA: SchemaDef = {
  id: SCIM_USER_SCHEMA,
  name: "User",
  description: "User Account",
  attributes: [
    str("userName", {
      required: true,
      uniqueness: "server",
      description:
        "Unique identifier for the User, typically used to sign in. Unique per tenant, case-insensitively.",
    }),
    NAME_ATTR,
    str("displayName"),
    str("nickName"),
    attr("profileUrl", "reference", { referenceTypes: ["external"] }),
    str("title"),
    str("userType"),
    str("preferredLanguage"),
    str("locale"),
    str("timezone"),
    attr("active", "boolean", { description: "The user's administrative status." }),
    plural("emails", "Email addresses for the user.", "string", ["work", "home", "other"]),
    plural("phoneNumbers", "Phone numbers for the user.", "string", [
      "work",
      "home",
      "mobile",
      "fax",
      "pager",
      "other",
    ]),
    plural("ims", "Instant messaging addresses for the user."),
    plural("photos", "URLs of photos of the user.", "reference", ["photo", "thumbnail"]),
    ADDRESSES_ATTR,
    USER_GROUPS_ATTR,
    plural("entitlements", "A list of entitlements for the user."),
    plural("roles", "A list of roles for the user."),
    plural("x509Certificates", "A list of certificates issued to the user.", "binary"),
  ],
};

/** The enterprise User extension (RFC 7643 §4.3). */
export const ENTERPRISE_SCHEMA: SchemaDef = {
  id: SCIM_ENTERPRISE_SCHEMA,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    str("employeeNumber"),
    str("costCenter"),
    str("organization"),
    str("division"),
    str("department"),
    attr("manager", "complex", {
      description:
        "The user's manager. Entra sets it with a bare id string; it is stored and returned as {value}.",
      subAttributes: [
        str("value", { caseExact: true }),
        attr("$ref", "reference", { referenceTypes: ["User"] }),
        str("displayName", { mutability: "readOnly" }),
      ],
    }),
  ],
};

/** The core Group schema (RFC 7643 §4.2). `displayName` is unique per tenant (an Entra requirement). */
export const GROUP_SCHEMA: SchemaDef = {
  id: SCIM_GROUP_SCHEMA,
  name: "Group",
  description: "Group",
  attributes: [
    str("displayName", {
      required: true,
      uniqueness: "server",
      description: "A human-readable name for the Group.",
    }),
    attr("members", "complex", {
      multiValued: true,
      description: "A list of members of the Group (users or groups), by id.",
      subAttributes: [
        str("value", { mutability: "immutable", caseExact: true }),
        attr("$ref", "reference", { mutability: "immutable", referenceTypes: ["User", "Group"] }),
        str("display", { mutability: "readOnly" }),
        str("type", { mutability: "immutable", canonicalValues: ["User", "Group"] }),
      ],
    }),
  ],
};

/** Attributes every resource has (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES: readonly AttributeDef[] = [
  str("id", { caseExact: true, mutability: "readOnly", returned: "always", uniqueness: "server" }),
  str("externalId", { caseExact: true, description: "An identifier defined by the provisioning client." }),
  attr("meta", "complex", {
    mutability: "readOnly",
    subAttributes: [
      str("resourceType", { caseExact: true, mutability: "readOnly" }),
      attr("created", "dateTime", { mutability: "readOnly" }),
      attr("lastModified", "dateTime", { mutability: "readOnly" }),
      attr("location", "reference", { mutability: "readOnly", referenceTypes: ["uri"] }),
      str("version", { caseExact: true, mutability: "readOnly" }),
    ],
  }),
];

/** A resource type: its endpoint, core schema and extensions. */
export interface ResourceTypeDef {
  readonly name: "User" | "Group";
  readonly endpoint: "/Users" | "/Groups";
  readonly schema: SchemaDef;
  readonly extensions: readonly SchemaDef[];
}

/** The User resource type: core User plus the enterprise extension. */
export const USER_RESOURCE: ResourceTypeDef = {
  name: "User",
  endpoint: "/Users",
  schema: USER_SCHEMA,
  extensions: [ENTERPRISE_SCHEMA],
};

/** The Group resource type. */
export const GROUP_RESOURCE: ResourceTypeDef = {
  name: "Group",
  endpoint: "/Groups",
  schema: GROUP_SCHEMA,
  extensions: [],
};

/** Resolved location of an attribute: which schema (core or an extension URN) and its definition. */
export interface ResolvedAttribute {
  /** The schema URN the attribute belongs to; `undefined` for core and common attributes. */
  readonly extension: string | undefined;
  readonly def: AttributeDef;
}

/** Each attribute list's definitions by lower-cased name (the first of a name wins, as `find` would). */
const BY_LOWER_NAME = new WeakMap<readonly AttributeDef[], ReadonlyMap<string, AttributeDef>>();

/** Finds an attribute of a list by name, case-insensitively (RFC 7643 §2.1). */
export function findIn(attrs: readonly AttributeDef[], name: string): AttributeDef | undefined {
  // Every key of every document a write validates is looked up here: a map per list, built once, instead
  // of lower-casing each attribute's name on every lookup.
  let byName = BY_LOWER_NAME.get(attrs);
  if (byName === undefined) {
    const m = new Map<string, AttributeDef>();
    for (const a of attrs) {
      const lower = a.name.toLowerCase();
      if (!m.has(lower)) m.set(lower, a);
    }
    BY_LOWER_NAME.set(attrs, m);
    byName = m;
  }
  return byName.get(name.toLowerCase());
}

/**
 * Finds a top-level attribute of a resource type by name, case-insensitively (RFC 7643 §2.1).
 * `uri` is the schema URN prefix the path carried, if any.
 */
export function findAttribute(
  rt: ResourceTypeDef,
  name: string,
  uri?: string,
): ResolvedAttribute | undefined {
  if (uri !== undefined) {
    const lowerUri = uri.toLowerCase();
    if (lowerUri === rt.schema.id.toLowerCase()) {
      const def = findIn(rt.schema.attributes, name) ?? findIn(COMMON_ATTRIBUTES, name);
      return def ? { extension: undefined, def } : undefined;
    }
    const ext = rt.extensions.find((e) => e.id.toLowerCase() === lowerUri);
    if (!ext) return undefined;
    const def = findIn(ext.attributes, name);
    return def ? { extension: ext.id, def } : undefined;
  }
  const def = findIn(rt.schema.attributes, name) ?? findIn(COMMON_ATTRIBUTES, name);
  return def ? { extension: undefined, def } : undefined;
}

/** Finds a sub-attribute of a complex attribute, case-insensitively. */
export function findSubAttribute(parent: AttributeDef, name: string): AttributeDef | undefined {
  return parent.subAttributes ? findIn(parent.subAttributes, name) : undefined;
}

/** Finds an extension schema of a resource type by URN, case-insensitively. */
export function findExtension(rt: ResourceTypeDef, uri: string): SchemaDef | undefined {
  const lower = uri.toLowerCase();
  return rt.extensions.find((e) => e.id.toLowerCase() === lower);
}

/**
 * Splits a full attribute path that may start with a schema URN (RFC 7644 §3.10) into the URN and the
 * rest: `urn:…:enterprise:2.0:User:department` → [`urn:…:enterprise:2.0:User`, `department`]. Both the
 * colon form and the `URN.attr` form Entra used before 2018 are accepted.
 */
export function splitSchemaUri(rt: ResourceTypeDef, path: string): [string | undefined, string] {
  const lower = path.toLowerCase();
  for (const schema of [rt.schema, ...rt.extensions]) {
    const id = schema.id.toLowerCase();
    if (lower.startsWith(id) && (path[id.length] === ":" || path[id.length] === ".")) {
      return [schema.id, path.slice(id.length + 1)];
    }
  }
  return [undefined, path];
}
