/** Groups assigned to the Enterprise App: existing ones looked up, or created by the stack, each with the User role. */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";

/** One group to assign: exactly one of objectId / displayName; `create` makes the stack own it. */
export interface GroupAssignmentSpec {
  /** Stable logical key, used in child names. */
  key: string;
  objectId?: string;
  displayName?: string;
  create: boolean;
  description?: string;
  members: readonly string[];
  /** Dynamic membership rule of a created group (the "All Employees" pattern without manual upkeep). */
  dynamicRule?: string;
  roles: readonly string[];
}

/** Arguments of GroupAssignments. */
export interface GroupAssignmentsArgs {
  groups: readonly GroupAssignmentSpec[];
  /** Object id of the Enterprise App's service principal. */
  servicePrincipalObjectId: pulumi.Input<string>;
  /** Id of the app's "User" role. */
  userRoleId: pulumi.Input<string>;
}

/** An assigned group as the component reports it. */
export interface AssignedGroup {
  key: string;
  objectId: string;
  displayName: string;
  roles: string[];
}

/** Validates the group specs before any child is created. */
export function validateGroupSpecs(groups: readonly GroupAssignmentSpec[]): void {
  const keys = new Set<string>();
  groups.forEach((g, i) => {
    const where = `\`scimgate:groups[${i}]\``;
    if ((g.objectId === undefined) === (g.displayName === undefined))
      throw new Error(`${where} needs exactly one of objectId or displayName`);
    if (g.create && !g.displayName) throw new Error(`${where} has create: true but no displayName; add one`);
    if (keys.has(g.key)) throw new Error(`${where} repeats key "${g.key}"; give each group a distinct key`);
    keys.add(g.key);
  });
}

/** Assigns existing or stack-created groups to the Enterprise App with its User role. */
export class GroupAssignments extends pulumi.ComponentResource {
  /** The assigned groups with their Entra objectIds (= their SCIM externalId in scimgate). */
  readonly groups: pulumi.Output<AssignedGroup[]>;
  /** The app role assignments, for dependsOn. */
  readonly assignments: azuread.AppRoleAssignment[];

  constructor(name: string, args: GroupAssignmentsArgs, opts?: pulumi.ComponentResourceOptions) {
    validateGroupSpecs(args.groups);
    super("scimgate:entra:GroupAssignments", name, {}, opts);
    const resolved = args.groups.map((g) => this.resolveGroup(name, g));
    this.assignments = args.groups.map(
      (g, i) =>
        new azuread.AppRoleAssignment(
          `${name}-${g.key}-assignment`,
          {
            appRoleId: args.userRoleId,
            principalObjectId: resolved[i]!.objectId,
            resourceObjectId: args.servicePrincipalObjectId,
          },
          { parent: this },
        ),
    );
    this.groups = pulumi.all(
      args.groups.map((g, i) =>
        pulumi
          .all([resolved[i]!.objectId, resolved[i]!.displayName])
          .apply(([objectId, displayName]) => ({ key: g.key, objectId, displayName, roles: [...g.roles] })),
      ),
    );
    this.registerOutputs({ groups: this.groups });
  }

  private resolveGroup(name: string, g: GroupAssignmentSpec) {
    const parent = { parent: this };
    if (g.create) {
      const group = new azuread.Group(
        `${name}-${g.key}`,
        {
          displayName: g.displayName!,
          securityEnabled: true,
          preventDuplicateNames: true,
          ...(g.description ? { description: g.description } : {}),
          ...(g.members.length > 0 ? { members: [...g.members] } : {}),
          ...(g.dynamicRule
            ? { types: ["DynamicMembership"], dynamicMembership: { enabled: true, rule: g.dynamicRule } }
            : {}),
        },
        parent,
      );
      return { objectId: group.objectId, displayName: group.displayName };
    }
    const found = azuread.getGroupOutput(
      g.objectId ? { objectId: g.objectId } : { displayName: g.displayName! },
      parent,
    );
    return { objectId: found.objectId, displayName: found.displayName };
  }
}
