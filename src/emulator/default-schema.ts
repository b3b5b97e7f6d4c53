/**
 * The synchronization template and default schema of a non-gallery SCIM app (template id `scim`,
 * target directory `customappsso`; graph-synchronization.md §1.3, §1.10; default mappings from
 * entra-scim-client.md §1.4).
 */
import { type MappingSource, parseExpression } from "./engine/expressions.js";

/** Template id of the non-gallery SCIM job (§1.3). */
export const SCIM_TEMPLATE_ID = "scim";
/** Source directory name in the schema (§1.10). */
export const SOURCE_DIRECTORY = "Azure Active Directory";
/** Target directory name: still `customappsso` under the `scim` template (§1.3). */
export const TARGET_DIRECTORY = "customappsso";
/** The SCIM enterprise-user URN, also the user mapping's `targetObjectName` (§1.10). */
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/** The SCIM core group URN, the group mapping's `targetObjectName`. */
export const CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
/** The fixed rule id of the emulated `scim` template (real templates carry a fixed id per rule; this one is ours). */
export const SCIM_RULE_ID = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";

/** One attribute mapping as Graph stores it. */
export interface AttributeMapping {
  defaultValue: string | null;
  exportMissingReferences: boolean;
  flowBehavior: "FlowWhenChanged" | "FlowAlways";
  flowType: "Always" | "ObjectAddOnly" | "MultiValueAddOnly" | "ValueAddOnly" | "AttributeAddOnly";
  matchingPriority: number;
  source: MappingSource | null;
  targetAttributeName: string;
}

const USER_MAPPINGS: [string, string, number?][] = [
  ["userName", "[userPrincipalName]", 1],
  ["active", 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'],
  ["displayName", "[displayName]"],
  ["title", "[jobTitle]"],
  ['emails[type eq "work"].value', "[mail]"],
  ["preferredLanguage", "[preferredLanguage]"],
  ["name.givenName", "[givenName]"],
  ["name.familyName", "[surname]"],
  ["name.formatted", 'Join(" ", [givenName], [surname])'],
  ['addresses[type eq "work"].formatted', "[physicalDeliveryOfficeName]"],
  ['addresses[type eq "work"].streetAddress', "[streetAddress]"],
  ['addresses[type eq "work"].locality', "[city]"],
  ['addresses[type eq "work"].region', "[state]"],
  ['addresses[type eq "work"].postalCode', "[postalCode]"],
  ['addresses[type eq "work"].country', "[country]"],
  ['phoneNumbers[type eq "work"].value', "[telephoneNumber]"],
  ['phoneNumbers[type eq "mobile"].value', "[mobile]"],
  ['phoneNumbers[type eq "fax"].value', "[facsimileTelephoneNumber]"],
  ["externalId", "[mailNickname]"],
  [`${ENTERPRISE_USER}:employeeNumber`, "[employeeId]"],
  [`${ENTERPRISE_USER}:department`, "[department]"],
  [`${ENTERPRISE_USER}:manager`, "[manager]"],
];

const GROUP_MAPPINGS: [string, string, number?][] = [
  ["displayName", "[displayName]", 1],
  ["externalId", "[objectId]"],
  ["members", "[members]"],
];

/** Builds an attribute mapping from a target name and an expression text. */
export function buildAttributeMapping(
  target: string,
  expression: string,
  matchingPriority = 0,
): AttributeMapping {
  return {
    defaultValue: null,
    exportMissingReferences: false,
    flowBehavior: "FlowWhenChanged",
    flowType: "Always",
    matchingPriority,
    source: parseExpression(expression),
    targetAttributeName: target,
  };
}

function objectMapping(
  kind: "Users" | "Groups",
  source: string,
  target: string,
  rows: [string, string, number?][],
) {
  return {
    attributeMappings: rows.map(([t, e, p]) => buildAttributeMapping(t, e, p)),
    enabled: true,
    flowTypes: "Add, Update, Delete",
    metadata: [{ key: "Disposition", value: "Normal" }],
    name: `Synchronize Azure Active Directory ${kind} to customappsso`,
    scope: null,
    sourceObjectName: source,
    targetObjectName: target,
  };
}

function attr(name: string, type = "String", extra: Record<string, unknown> = {}) {
  return {
    anchor: false,
    apiExpressions: [],
    caseExact: false,
    defaultValue: null,
    flowNullValues: false,
    metadata: [],
    multivalued: false,
    mutability: "ReadWrite",
    name,
    referencedObjects: [],
    required: false,
    type,
    ...extra,
  };
}

function directories() {
  const sourceUser = [
    "objectId",
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "mail",
    "mailNickname",
  ]
    .concat(["jobTitle", "department", "employeeId", "preferredLanguage", "physicalDeliveryOfficeName"])
    .concat(["streetAddress", "city", "state", "postalCode", "country", "telephoneNumber", "mobile"])
    .concat(["facsimileTelephoneNumber"])
    .map((n) => attr(n, "String", n === "objectId" ? { anchor: true } : {}))
    .concat([attr("accountEnabled", "Boolean"), attr("IsSoftDeleted", "Boolean")])
    .concat([
      attr("manager", "Reference", {
        referencedObjects: [{ referencedObjectName: "User", referencedProperty: null }],
      }),
    ]);
  const members = {
    multivalued: true,
    referencedObjects: [{ referencedObjectName: "User", referencedProperty: null }],
  };
  const sourceGroup = [
    attr("objectId", "String", { anchor: true }),
    attr("displayName"),
    attr("mailNickname"),
  ].concat([attr("IsSoftDeleted", "Boolean"), attr("members", "Reference", members)]);
  const targetUser = USER_MAPPINGS.map(([t]) =>
    attr(t, t === "active" ? "Boolean" : t.endsWith(":manager") ? "Reference" : "String", {
      required: t === "userName",
      ...(t.endsWith(":manager")
        ? { referencedObjects: [{ referencedObjectName: ENTERPRISE_USER, referencedProperty: null }] }
        : {}),
    }),
  ).concat([attr("id", "String", { anchor: true, mutability: "ReadOnly" })]);
  const targetMembers = {
    multivalued: true,
    referencedObjects: [{ referencedObjectName: ENTERPRISE_USER, referencedProperty: null }],
  };
  const targetGroup = [
    attr("id", "String", { anchor: true, mutability: "ReadOnly" }),
    attr("displayName", "String", { required: true }),
  ].concat([attr("externalId"), attr("members", "Reference", targetMembers)]);
  const directory = (id: string, name: string, objects: unknown[]) => ({
    id,
    name,
    discoverabilities: "None",
    discoveryDateTime: null,
    objects,
    readOnly: name === SOURCE_DIRECTORY,
    version: "1",
  });
  return [
    directory("66e4a8cc-1b7b-435e-95f8-f06cea133828", SOURCE_DIRECTORY, [
      { attributes: sourceUser, metadata: [], name: "User", supportedApis: [] },
      { attributes: sourceGroup, metadata: [], name: "Group", supportedApis: [] },
    ]),
    directory("8ffa6169-f354-4751-9b77-9c00765be92d", TARGET_DIRECTORY, [
      { attributes: targetUser, metadata: [], name: ENTERPRISE_USER, supportedApis: [] },
      { attributes: targetGroup, metadata: [], name: CORE_GROUP, supportedApis: [] },
    ]),
  ];
}

/** A fresh copy of the default `scim` job schema (the shape GET …/schema returns). */
export function buildDefaultSchema(id: string = SCIM_TEMPLATE_ID): Record<string, unknown> {
  return {
    id,
    version: "Date:2026-11-28~ID:1",
    synchronizationRules: [
      {
        containerFilter: { includedContainers: [] },
        editable: true,
        groupFilter: { includedGroups: [] },
        id: SCIM_RULE_ID,
        metadata: [],
        name: "USER_GROUP_OUTBOUND",
        objectMappings: [
          objectMapping("Users", "User", ENTERPRISE_USER, USER_MAPPINGS),
          objectMapping("Groups", "Group", CORE_GROUP, GROUP_MAPPINGS),
        ],
        priority: 1,
        sourceDirectoryName: SOURCE_DIRECTORY,
        targetDirectoryName: TARGET_DIRECTORY,
      },
    ],
    directories: directories(),
  };
}

/** The `scim` synchronization template as GET …/synchronization/templates lists it (§1.3). */
export function buildScimTemplate(appId: string): Record<string, unknown> {
  return {
    id: SCIM_TEMPLATE_ID,
    applicationId: appId,
    default: true,
    description: "SCIM 2.0 provisioning for a non-gallery application",
    discoverable: true,
    factoryTag: "CustomSCIM",
    metadata: [],
    schema: buildDefaultSchema(),
  };
}
