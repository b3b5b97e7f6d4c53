/** Test harness: the Graph emulator plus a real scimgate on SQLite, and clients for both. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DirectoryFile, parseDirectoryFile } from "../../src/emulator/directory-file.js";
import { type GraphEmulator, startGraphEmulator } from "../../src/emulator/server.js";
import { createGraphClient, type Graph } from "../../src/entra/graph-client.js";
import type { AdminConnection } from "../../src/entra/scimgate-tenant.js";
import { type RunningService, startService } from "../../src/main.js";

/** A running emulator + scimgate pair. */
export interface Harness {
  emulator: GraphEmulator;
  service: RunningService;
  graph: Graph;
  admin: AdminConnection;
  /** Every delay the Graph client slept, in ms. */
  sleeps: number[];
  close(): Promise<void>;
}

/** A small directory: three users, two groups. */
export const DIRECTORY: DirectoryFile = parseDirectoryFile({
  users: [
    {
      key: "ada",
      userPrincipalName: "ada@contoso.example",
      displayName: "Ada Lovelace",
      givenName: "Ada",
      surname: "Lovelace",
      mail: "ada@contoso.example",
      mailNickname: "ada",
      jobTitle: "Engineer",
      department: "R&D",
    },
    {
      key: "bob",
      userPrincipalName: "bob@contoso.example",
      displayName: "Bob Builder",
      givenName: "Bob",
      surname: "Builder",
      mail: "bob@contoso.example",
      mailNickname: "bob",
      department: "Sales",
    },
    {
      key: "cy",
      userPrincipalName: "cy@contoso.example",
      displayName: "Cy Young",
      givenName: "Cy",
      surname: "Young",
      mailNickname: "cy",
    },
  ],
  groups: [
    { key: "admins", displayName: "Admins", members: ["ada"] },
    { key: "staff", displayName: "Staff", members: ["ada", "bob"] },
  ],
});

/** Starts the harness; `emulatorOptions` pass through (consistency delay, throttling). */
export async function startHarness(
  emulatorOptions: Parameters<typeof startGraphEmulator>[0] = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "scimgate-entra-"));
  const service = await startService({ databaseUrl: join(dir, "scimgate.db"), logger: false });
  const emulator = await startGraphEmulator({
    directory: DIRECTORY,
    engine: { autoRun: false },
    ...emulatorOptions,
  });
  const sleeps: number[] = [];
  const graph = createGraphClient({
    graphUrl: emulator.graphUrl,
    token: "test-token",
    retry: {
      baseDelayMs: 20,
      maxDelayMs: 50,
      sleep: async (ms) => {
        sleeps.push(ms);
        await new Promise((r) => setTimeout(r, Math.min(ms, 50)));
      },
    },
  });
  const admin = { adminUrl: service.url, adminToken: await service.createAdminToken() };
  return {
    emulator,
    service,
    graph,
    admin,
    sleeps,
    close: async () => {
      await emulator.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fast retry policy for operation-level retries in tests. */
export const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 50, retries: 8 };
