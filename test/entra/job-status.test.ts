import { describe, expect, it } from "vitest";
import {
  buildSecretPairs,
  buildTestCredentials,
  diffRunState,
  diffSecrets,
  summarizeJob,
} from "../../src/entra/job-status.js";
import type { SyncJob } from "../../src/entra/sync-types.js";

const creds = {
  baseAddress: "https://scimgate.example.com/scim/v2?aadOptscim062020",
  secretToken: "p:k",
  syncAll: false,
  notifications: { email: "ops@contoso.example", deleteThreshold: 500 },
};

const job = (state: string, code: string, quarantine: unknown = null): SyncJob => ({
  id: "scim.x.y",
  templateId: "scim",
  schedule: { state, interval: "PT40M" },
  status: { code, quarantine: quarantine as null },
});

describe("secrets payload", () => {
  it("sends string values and the notification settings as a JSON string", () => {
    expect(buildSecretPairs(creds)).toEqual([
      { key: "BaseAddress", value: "https://scimgate.example.com/scim/v2?aadOptscim062020" },
      { key: "SecretToken", value: "p:k" },
      {
        key: "SyncNotificationSettings",
        value:
          '{"Enabled":true,"DeleteThresholdEnabled":true,"Recipients":"ops@contoso.example","DeleteThresholdValue":500}',
      },
      { key: "SyncAll", value: "false" },
    ]);
  });

  it("turns notifications off when the stack gives none", () => {
    expect(buildSecretPairs({ ...creds, notifications: {} })[2]).toEqual({
      key: "SyncNotificationSettings",
      value: '{"Enabled":false,"DeleteThresholdEnabled":false}',
    });
  });

  it("tests the connection with the Tenant URL and token only", () => {
    expect(buildTestCredentials(creds).map((p) => p.key)).toEqual(["BaseAddress", "SecretToken"]);
  });

  it("cannot see the masked token, but sees a missing one and a changed BaseAddress or scope", () => {
    const saved = buildSecretPairs(creds).map((p) => (p.key === "SecretToken" ? { ...p, value: "*" } : p));
    expect(diffSecrets(creds, saved)).toEqual([]);
    expect(
      diffSecrets(
        creds,
        saved.filter((p) => p.key !== "SecretToken"),
      ),
    ).toEqual(["the job has no saved SecretToken"]);
    expect(diffSecrets({ ...creds, syncAll: true }, saved)).toEqual([
      "SyncAll is false, the stack wants true",
    ]);
  });
});

describe("job state", () => {
  it.each<[boolean, SyncJob | undefined, string[]]>([
    [true, job("Active", "Active"), []],
    [true, job("Paused", "Paused"), ["the job is Paused but the stack wants it running"]],
    [false, job("Active", "Active"), ["the job is running but the stack wants it paused"]],
    [false, job("Paused", "Paused"), []],
    [true, undefined, ["the synchronization job no longer exists"]],
  ])("wanted running=%s: reports %j", (enabled, j, expected) => {
    expect(diffRunState(enabled, j)).toEqual(expected);
  });

  it("summarises a quarantine with Graph's error code and message", () => {
    const q = {
      reason: "EncounteredQuarantineException",
      error: { code: "SystemForCrossDomainIdentityManagementCredentialValidationFailure", message: "401" },
    };
    const s = summarizeJob(job("Active", "Quarantine", q));
    expect(s.quarantine).toBe("SystemForCrossDomainIdentityManagementCredentialValidationFailure: 401");
    expect(diffRunState(true, job("Active", "Quarantine", q))[0]).toMatch(/^the job is quarantined/);
  });
});
