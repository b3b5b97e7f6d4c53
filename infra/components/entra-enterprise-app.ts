/** The Entra Enterprise Application: non-gallery template, owners, optional SAML SSO, and its User app role. */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { ServicePrincipalInfo } from "../providers/service-principal-info-provider.js";
import { SigningKeyActivation } from "../providers/signing-key-provider.js";

/** Application template id of a non-gallery ("Custom") app. */
export const NON_GALLERY_TEMPLATE_ID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

/** SAML SSO settings of the app. */
export interface SamlSsoArgs {
  /** Identifier (Entity ID) URIs. */
  identifierUris: string[];
  /** Reply (ACS) URLs. */
  replyUrls: string[];
  /** Token signing certificate to create; omitted = none. */
  signingCertificate?: { displayName?: string; endDate?: string };
}

/** Arguments of EntraEnterpriseApp. */
export interface EntraEnterpriseAppArgs {
  displayName: string;
  /** Object IDs of the owners. */
  owners: readonly string[];
  /** Emails for certificate-expiry notices. */
  notificationEmails: readonly string[];
  sso?: SamlSsoArgs;
  /** Versioned Graph base URL, used to activate the signing certificate. */
  graphUrl: string;
}

/** Validates the arguments before any child is created. */
export function validateEnterpriseAppArgs(args: EntraEnterpriseAppArgs): void {
  if (!args.displayName.trim())
    throw new Error("`scimgate:app.displayName` is empty; name the Enterprise App");
  if (args.sso && (args.sso.identifierUris.length === 0 || args.sso.replyUrls.length === 0))
    throw new Error("`scimgate:app.sso` needs identifierUris and replyUrls; add both or remove `sso`");
}

/** An Enterprise App instantiated from the non-gallery template, with owners and optional SAML SSO. */
export class EntraEnterpriseApp extends pulumi.ComponentResource {
  readonly applicationObjectId: pulumi.Output<string>;
  readonly servicePrincipalObjectId: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;
  /** Id of the "User" app role, for group assignments. */
  readonly userRoleId: pulumi.Output<string>;

  constructor(name: string, args: EntraEnterpriseAppArgs, opts?: pulumi.ComponentResourceOptions) {
    validateEnterpriseAppArgs(args);
    super("scimgate:entra:EntraEnterpriseApp", name, {}, opts);
    const parent = { parent: this };
    const app = new azuread.ApplicationFromTemplate(
      `${name}-app`,
      { displayName: args.displayName, templateId: NON_GALLERY_TEMPLATE_ID },
      parent,
    );
    // A data-source invoke right after instantiate can 404 while the service principal replicates.
    const info = new ServicePrincipalInfo(
      `${name}-sp-info`,
      { graphUrl: args.graphUrl, servicePrincipalId: app.servicePrincipalObjectId },
      parent,
    );
    new azuread.ServicePrincipal(
      `${name}-sp`,
      {
        clientId: info.appId,
        useExisting: true,
        appRoleAssignmentRequired: true,
        // The Enterprise App's Owners blade shows the service principal's owners; the registration's are set below.
        ...(args.owners.length > 0 ? { owners: [...args.owners] } : {}),
        notificationEmailAddresses: [...args.notificationEmails],
        ...(args.sso ? { preferredSingleSignOnMode: "saml" } : {}),
      },
      parent,
    );
    for (const owner of args.owners)
      new azuread.ApplicationOwner(
        `${name}-owner-${owner}`,
        { applicationId: app.applicationId, ownerObjectId: owner },
        parent,
      );
    if (args.sso) this.configureSaml(name, args.sso, args.graphUrl, app);
    this.applicationObjectId = app.applicationObjectId;
    this.servicePrincipalObjectId = app.servicePrincipalObjectId;
    this.clientId = info.appId;
    this.userRoleId = info.userRoleId;
    this.registerOutputs({
      applicationObjectId: this.applicationObjectId,
      servicePrincipalObjectId: this.servicePrincipalObjectId,
      userRoleId: this.userRoleId,
    });
  }

  private configureSaml(
    name: string,
    sso: SamlSsoArgs,
    graphUrl: string,
    app: azuread.ApplicationFromTemplate,
  ): void {
    const parent = { parent: this };
    sso.identifierUris.forEach((uri, i) => {
      new azuread.ApplicationIdentifierUri(
        `${name}-identifier-${i}`,
        { applicationId: app.applicationId, identifierUri: uri },
        parent,
      );
    });
    new azuread.ApplicationRedirectUris(
      `${name}-reply-urls`,
      { applicationId: app.applicationId, type: "Web", redirectUris: [...sso.replyUrls] },
      parent,
    );
    if (!sso.signingCertificate) return;
    const cert = new azuread.ServicePrincipalTokenSigningCertificate(
      `${name}-signing-cert`,
      { servicePrincipalId: app.servicePrincipalId, ...sso.signingCertificate },
      parent,
    );
    new SigningKeyActivation(
      `${name}-signing-key`,
      { graphUrl, servicePrincipalId: app.servicePrincipalObjectId, thumbprint: cert.thumbprint },
      parent,
    );
  }
}
