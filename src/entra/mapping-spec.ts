/** The declarative attribute-mapping spec a stack file gives for users and groups. */

/** One attribute mapping: exactly one of `source`, `expression` or `constant`. */
export interface MappingSpec {
  /** SCIM target attribute, e.g. `title` or `urn:…:enterprise:2.0:User:department`. */
  target: string;
  /** Entra attribute name (source type Attribute). */
  source?: string;
  /** Entra expression, e.g. `Join(" ", [givenName], [surname])` (source type Function). */
  expression?: string;
  /** Constant value (source type Constant). */
  constant?: string;
  /** `Always` (default) or `ObjectAddOnly` (only on create). */
  flowType?: "Always" | "ObjectAddOnly";
  /** Value used when the source is null (Entra applies it on create only). */
  defaultValue?: string;
}

/** One scoping-filter clause, e.g. `{ attribute: department, operator: EQUALS, values: [Sales] }`. */
export interface ScopeClauseSpec {
  attribute: string;
  operator: string;
  values: string[];
}

/** A scoping-filter group: its clauses are ANDed; several groups are ORed. */
export interface ScopeGroupSpec {
  name?: string;
  clauses: ScopeClauseSpec[];
}

/** Spec of one object mapping (users or groups), relative to the reference defaults. */
export interface ObjectMappingSpec {
  /** Whether the object type is provisioned at all (groups on or off). */
  enabled: boolean;
  /** Target attribute Entra matches existing objects on (matchingPriority 1). */
  matchingAttribute: string;
  /** Mappings added to, or replacing, the defaults (keyed by target). */
  mappings: MappingSpec[];
  /** Default targets to remove. */
  remove: string[];
  /** Scoping filter groups; empty means everyone assigned is in scope. */
  scopingFilter: ScopeGroupSpec[];
}

/** Spec of a whole job schema. */
export interface SchemaSpec {
  users: ObjectMappingSpec;
  groups: ObjectMappingSpec;
}

/** Targets each object mapping was managing at the last apply (kept in Pulumi state). */
export interface ManagedTargets {
  users: string[];
  groups: string[];
}
