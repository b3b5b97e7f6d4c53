/** Pulumi mocks for the program tests: canned azuread/dynamic outputs and a recorder of every registration. */
import * as pulumi from "@pulumi/pulumi";

/** One resource registration as the engine would see it. */
export interface Registration {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** Raw (serialized) inputs, where secrets still carry the secret signature. */
  rawInputs: Record<string, unknown>;
  dependencies: string[];
  additionalSecretOutputs: string[];
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** True when a raw serialized property value is marked secret. */
export function isSerializedSecret(v: unknown): boolean {
  return (
    !!v &&
    typeof v === "object" &&
    (v as Record<string, unknown>)[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270"
  );
}

const USER_ROLE = {
  allowedMemberTypes: ["User"],
  description: "User",
  displayName: "User",
  enabled: true,
  id: "8774f594-1d59-4279-b9d9-59ef09a23530",
  value: "",
};
const MSIAM_ROLE = {
  ...USER_ROLE,
  displayName: "msiam_access",
  description: "msiam_access",
  id: "e7f1a7f3-9eda-48e0-9963-bd67bf531afd",
};

function stateFor(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "azuread:index/applicationFromTemplate:ApplicationFromTemplate":
      return {
        ...inputs,
        applicationObjectId: "app-object-id",
        servicePrincipalObjectId: "sp-object-id",
        applicationId: "/applications/app-object-id",
        servicePrincipalId: "/servicePrincipals/sp-object-id",
      };
    case "azuread:index/servicePrincipal:ServicePrincipal":
      return { ...inputs, objectId: "sp-object-id", appRoles: [MSIAM_ROLE, USER_ROLE] };
    case "azuread:index/servicePrincipalTokenSigningCertificate:ServicePrincipalTokenSigningCertificate":
      return { ...inputs, thumbprint: "A7D3C4626B8A84FDA868CCC67D274D402FFD0A10", keyId: "key-id-1" };
    case "azuread:index/group:Group":
      return { ...inputs, objectId: `${name}-object-id` };
    case "pulumi-nodejs:dynamic/scimgate:ServicePrincipalInfo":
      return { ...inputs, appId: "client-id-1", userRoleId: USER_ROLE.id };
    case "pulumi-nodejs:dynamic/scimgate:Tenant":
      return { ...inputs, tenantId: "tenant-1", scimUrl: "https://scimgate.example.com/scim/v2" };
    case "pulumi-nodejs:dynamic/scimgate:AccessKey":
      return { ...inputs, keyId: "key-1", token: "project-1:access-key-1" };
    case "pulumi-nodejs:dynamic/scimgate:ScimJob":
      return {
        ...inputs,
        jobId: "scim.0123456789abcdef0123456789abcdef.11111111-2222-3333-4444-555555555555",
        drift: [],
      };
    case "pulumi-nodejs:dynamic/scimgate:ScimJobRun":
      return { ...inputs, scheduleState: "Active", statusCode: "NotRun", quarantine: null };
    default:
      return inputs;
  }
}

function callResult(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (token === "azuread:index/getGroup:getGroup")
    return {
      ...inputs,
      objectId: inputs.objectId ?? "group-found-by-name",
      displayName: inputs.displayName ?? "Admins",
    };
  return inputs;
}

/** The parts of the engine's RegisterResourceRequest the recorder reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
  getDependenciesList(): string[];
  getAdditionalsecretoutputsList(): string[];
}

/** Installs mocks and returns the live list of registrations. */
export function installMocks(): Registration[] {
  const seen: Registration[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: (a) => ({ id: `${a.name}-id`, state: stateFor(a.type, a.name, a.inputs) }),
      call: (a) => callResult(a.token, a.inputs),
    },
    "scimgate",
    "test",
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res: { getUrn(): string }) => void): void;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    original(req, (err, res) => {
      if (!err)
        seen.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          parent: req.getParent(),
          custom: req.getCustom(),
          inputs: pulumi.runtime.deserializeProperties(req.getObject()),
          rawInputs: req.getObject().toJavaScript() as Record<string, unknown>,
          dependencies: req.getDependenciesList(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        });
      cb(err, res);
    });
  };
  return seen;
}

/** Resolves an Output's value in tests. */
export function outputValue<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}
