import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantiateApp } from "../../src/entra/directory-ops.js";
import { readServicePrincipalInfo } from "../../src/entra/service-principal-info.js";
import { activateSigningKey, readSigningKey } from "../../src/entra/signing-key.js";
import { FAST_RETRY, type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe("the signing-key activation resource against the Graph emulator", () => {
  it("sets the preferred token signing thumbprint and reads a portal change as drift", async () => {
    const sp = (await instantiateApp(h.graph, "saml app", FAST_RETRY)).servicePrincipalObjectId;
    const inputs = {
      graphUrl: h.graph.graphUrl,
      servicePrincipalId: sp,
      thumbprint: "A7D3C4626B8A84FDA868CCC67D274D402FFD0A10",
    };
    const deps = { graph: h.graph, retry: FAST_RETRY };
    const outs = await activateSigningKey(inputs, deps);
    expect((await readSigningKey(outs, deps)).activeThumbprint).toBe(inputs.thumbprint);
    await h.graph.patch(`/servicePrincipals/${sp}`, { preferredTokenSigningKeyThumbprint: "0000" });
    expect((await readSigningKey(outs, deps)).activeThumbprint).toBe("0000");
  });
});

describe("the service-principal lookup resource against the Graph emulator", () => {
  it("waits out replication lag, then returns the appId and the User role id", async () => {
    let now = 5_000_000;
    const lagging = await startHarness({ consistencyDelayMs: 20_000, now: () => now });
    try {
      const sleep = async (ms: number) => {
        now += ms;
      };
      const res = await lagging.graph.post<{ servicePrincipal: { id: string; appId: string } }>(
        "/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
        { displayName: "lagging" },
      );
      const info = await readServicePrincipalInfo(
        { graphUrl: lagging.graph.graphUrl, servicePrincipalId: res.servicePrincipal.id },
        { graph: lagging.graph, retry: { retries: 10, baseDelayMs: 5000, maxDelayMs: 5000, sleep } },
      );
      expect(info.appId).toBe(res.servicePrincipal.appId);
      expect(info.userRoleId).toMatch(/^[0-9a-f-]{36}$/);
      expect(now).toBeGreaterThanOrEqual(5_020_000);
    } finally {
      await lagging.close();
    }
  });
});
