import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantiateApp } from "../../src/entra/directory-ops.js";
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
