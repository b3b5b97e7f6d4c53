/** The scimgate side of a tenant: the tenant, its SCIM access key (rotatable) and its group-to-role mappings. */
import * as pulumi from "@pulumi/pulumi";
import {
  type AssignedGroupRoles,
  buildRoleMappingDocument,
  buildTenantUrl,
} from "../../src/entra/scimgate-tenant.js";
import {
  ScimgateAccessKey,
  ScimgateRoleMappings,
  ScimgateTenant,
} from "../providers/scimgate-tenant-provider.js";

/** Arguments of ScimTargetTenant. */
export interface ScimTargetTenantArgs {
  /** scimgate base URL. */
  adminUrl: string;
  /** Management token (secret); omitted = $SCIMGATE_ADMIN_TOKEN where the provider runs. */
  adminToken?: pulumi.Input<string>;
  name: string;
  jit: boolean;
  /** Changing this value issues a new access key; the old one is revoked after Entra has the new one. */
  keyRotation: string;
  keyExpiresInDays?: number;
  /** Append ?aadOptscim062020 to the Tenant URL. */
  patchCompliance: boolean;
  roles: { name: string; description?: string }[];
  defaultRoles: string[];
  /** Assigned groups (by Entra objectId) and the roles their members get. */
  groups: pulumi.Input<AssignedGroupRoles[]>;
}

/** Validates the arguments before any child is created. */
export function validateTargetTenantArgs(args: ScimTargetTenantArgs): void {
  if (!/^https?:\/\//.test(args.adminUrl))
    throw new Error("`scimgate:service.url` must be an http(s) URL; fix it");
  if (!args.name.trim()) throw new Error("`scimgate:tenant.name` is empty; name the tenant");
  if (!args.keyRotation.trim())
    throw new Error("`scimgate:service.keyRotation` is empty; set any label, e.g. a date");
}

/** Creates the scimgate tenant and key and maps the assigned Entra groups to roles. */
export class ScimTargetTenant extends pulumi.ComponentResource {
  readonly tenantId: pulumi.Output<string>;
  /** The Tenant URL to give Entra. */
  readonly tenantUrl: pulumi.Output<string>;
  /** The Secret Token `<ProjectID>:<AccessKey>` (secret). */
  readonly token: pulumi.Output<string>;

  constructor(name: string, args: ScimTargetTenantArgs, opts?: pulumi.ComponentResourceOptions) {
    validateTargetTenantArgs(args);
    super("scimgate:scimgate:ScimTargetTenant", name, {}, opts);
    const conn = {
      adminUrl: args.adminUrl,
      ...(args.adminToken ? { adminToken: pulumi.secret(args.adminToken) } : {}),
    };
    const tenant = new ScimgateTenant(
      `${name}-tenant`,
      { ...conn, name: args.name, jit: args.jit },
      { parent: this },
    );
    const key = new ScimgateAccessKey(
      `${name}-key`,
      {
        ...conn,
        tenantId: tenant.tenantId,
        rotation: args.keyRotation,
        description: `Entra provisioning (rotation ${args.keyRotation})`,
        ...(args.keyExpiresInDays ? { expiresInDays: args.keyExpiresInDays } : {}),
      },
      { parent: this },
    );
    const document = pulumi
      .output(args.groups)
      .apply((groups) => buildRoleMappingDocument(args.roles, args.defaultRoles, groups));
    new ScimgateRoleMappings(
      `${name}-roles`,
      { ...conn, tenantId: tenant.tenantId, document },
      { parent: this },
    );
    this.tenantId = tenant.tenantId;
    this.tenantUrl = tenant.scimUrl.apply((u) => buildTenantUrl(u, args.patchCompliance));
    this.token = pulumi.secret(key.token);
    this.registerOutputs({ tenantId: this.tenantId, tenantUrl: this.tenantUrl, token: this.token });
  }
}
