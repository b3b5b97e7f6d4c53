/** Default attribute mappings of a non-gallery `scim` job (entra-scim-client.md §1.4), as scimgate specs. */
import type { MappingSpec } from "./mapping-spec.js";

/** SCIM enterprise extension URN prefix used in target attribute names. */
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** Expression Entra uses for `active`; it yields the strings "True"/"False". */
export const ACTIVE_EXPRESSION = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")';

/** Default user mappings (target <- source); the matching attribute is userName. */
export const DEFAULT_USER_MAPPINGS: readonly MappingSpec[] = Object.freeze([
  { target: "userName", source: "userPrincipalName" },
  { target: "active", expression: ACTIVE_EXPRESSION },
  { target: "displayName", source: "displayName" },
  { target: "title", source: "jobTitle" },
  { target: 'emails[type eq "work"].value', source: "mail" },
  { target: "preferredLanguage", source: "preferredLanguage" },
  { target: "name.givenName", source: "givenName" },
  { target: "name.familyName", source: "surname" },
  { target: "name.formatted", expression: 'Join(" ", [givenName], [surname])' },
  { target: 'addresses[type eq "work"].formatted', source: "physicalDeliveryOfficeName" },
  { target: 'addresses[type eq "work"].streetAddress', source: "streetAddress" },
  { target: 'addresses[type eq "work"].locality', source: "city" },
  { target: 'addresses[type eq "work"].region', source: "state" },
  { target: 'addresses[type eq "work"].postalCode', source: "postalCode" },
  { target: 'addresses[type eq "work"].country', source: "country" },
  { target: 'phoneNumbers[type eq "work"].value', source: "telephoneNumber" },
  { target: 'phoneNumbers[type eq "mobile"].value', source: "mobile" },
  { target: 'phoneNumbers[type eq "fax"].value', source: "facsimileTelephoneNumber" },
  { target: "externalId", source: "mailNickname" },
  { target: `${ENTERPRISE_USER}:employeeNumber`, source: "employeeId" },
  { target: `${ENTERPRISE_USER}:department`, source: "department" },
  { target: `${ENTERPRISE_USER}:manager`, source: "manager" },
]);

/** Default group mappings; the matching attribute is displayName. */
export const DEFAULT_GROUP_MAPPINGS: readonly MappingSpec[] = Object.freeze([
  { target: "displayName", source: "displayName" },
  { target: "externalId", source: "objectId" },
  { target: "members", source: "members" },
]);

/** Default matching attribute of users. */
export const DEFAULT_USER_MATCHING = "userName";

/** Default matching attribute of groups. */
export const DEFAULT_GROUP_MATCHING = "displayName";
