import { describe, expect, it } from "vitest";
import { validateEnterpriseAppArgs } from "../../infra/components/entra-enterprise-app.js";
import { validateGroupSpecs } from "../../infra/components/group-assignments.js";
import { validateProvisioningArgs } from "../../infra/components/scim-provisioning.js";
import { validateTargetTenantArgs } from "../../infra/components/scim-target-tenant.js";

const group = { key: "g", create: false, members: [], roles: [] };

describe("component argument validation (before any child is created)", () => {
  it.each<[string, () => void, string]>([
    [
      "an empty app name",
      () =>
        validateEnterpriseAppArgs({
          displayName: " ",
          owners: [],
          notificationEmails: [],
          graphUrl: "https://g",
        }),
      "`scimgate:app.displayName` is empty",
    ],
    [
      "SSO without reply URLs",
      () =>
        validateEnterpriseAppArgs({
          displayName: "a",
          owners: [],
          notificationEmails: [],
          graphUrl: "https://g",
          sso: { identifierUris: ["x"], replyUrls: [] },
        }),
      "`scimgate:app.sso` needs identifierUris and replyUrls",
    ],
    [
      "a group with neither id nor name",
      () => validateGroupSpecs([group]),
      "`scimgate:groups[0]` needs exactly one of objectId or displayName",
    ],
    [
      "a created group without a name",
      () => validateGroupSpecs([{ ...group, objectId: "o", create: true }]),
      "has create: true but no displayName; add one",
    ],
    [
      "a repeated group key",
      () =>
        validateGroupSpecs([
          { ...group, displayName: "a" },
          { ...group, displayName: "b" },
        ]),
      '`scimgate:groups[1]` repeats key "g"',
    ],
    [
      "a relative Graph URL",
      () => validateProvisioningArgs({ graphUrl: "graph", templateId: "scim" } as never),
      "`scimgate:graph.url` must be an http(s) URL",
    ],
    [
      "an empty template",
      () => validateProvisioningArgs({ graphUrl: "https://g", templateId: "" } as never),
      "`scimgate:provisioning.templateId` is empty",
    ],
    [
      "a bad service URL",
      () => validateTargetTenantArgs({ adminUrl: "x", name: "n", keyRotation: "1" } as never),
      "`scimgate:service.url` must be an http(s) URL",
    ],
    [
      "an empty key rotation label",
      () => validateTargetTenantArgs({ adminUrl: "https://s", name: "n", keyRotation: " " } as never),
      "`scimgate:service.keyRotation` is empty",
    ],
  ])("rejects %s, naming the key", (_n, fn, message) => {
    expect(fn).toThrow(message);
  });
});
