/**
 * `scimgate simulate`: the example directory drives a full Entra lifecycle against scimgate with zero
 * failures; a broken target ends with the failures and escrow Entra would report; the CLI's exit code follows.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerEmulatorCommands } from "../../src/cli/emulator-commands.js";
import {
  DirectoryFileError,
  parseDirectoryFile,
  parseDirectoryYaml,
} from "../../src/emulator/directory-file.js";
import { formatReport, reportJson } from "../../src/emulator/report.js";
import { isCleanRun, runSimulation } from "../../src/emulator/simulate.js";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";
import { startMemoryScimTarget } from "./fixtures/memory-scim-target.js";

const EXAMPLE = new URL("../../examples/directory.yaml", import.meta.url);
const directory = parseDirectoryYaml(readFileSync(EXAMPLE, "utf8"));

function summary(report: Awaited<ReturnType<typeof runSimulation>>): string[][] {
  return report.cycles.map((c) =>
    c.result.records.map((r) => `${r.entry.provisioningAction}:${r.entry.sourceIdentity.displayName}`),
  );
}

describe("simulate against scimgate", () => {
  let sg: TestScimgate;
  beforeAll(async () => {
    sg = await startScimgate();
  });
  afterAll(() => sg.close());

  it.each(["", "?aadOptscim062020"])(
    "runs the example lifecycle with zero failures (tenant URL suffix %j)",
    async (suffix) => {
      const tenant = await sg.addTenant(`sim${suffix ? "-flag" : ""}`);
      const report = await runSimulation({ target: `${sg.url}${suffix}`, token: tenant.token, directory });
      expect(isCleanRun(report)).toBe(true);
      expect(report.cycles.map((c) => c.result.state)).toEqual([
        "Succeeded",
        "Succeeded",
        "Succeeded",
        "Succeeded",
        "Succeeded",
      ]);
      expect(summary(report)[0]).toEqual([
        "create:bob@contoso.com",
        "create:alice@contoso.com",
        "create:carol@contoso.com",
        "other:dave@contoso.com",
        "create:Engineering",
        "update:alice@contoso.com",
        "update:Engineering",
      ]);
      expect(summary(report)[3]).toEqual(["delete:carol@contoso.com", "update:Platform Engineering"]);
      expect(summary(report)[4]).toEqual([
        "disable:alice@contoso.com",
        "disable:erin@contoso.com",
        "delete:Platform Engineering",
      ]);
      const text = formatReport(report);
      expect(text).toContain("Test Connection: OK");
      expect(text).toContain("Result: 0 failed action(s)");
    },
  );

  it("runs extra cycles as steady-state cycles that export nothing", async () => {
    const tenant = await sg.addTenant("steady");
    const report = await runSimulation({
      target: sg.url,
      token: tenant.token,
      directory: { ...directory, steps: [] },
      cycles: 2,
    });
    expect(report.cycles).toHaveLength(2);
    expect(report.cycles[1]!.result.records).toEqual([]);
    expect(formatReport(report)).toContain("nothing to export");
  });
});

describe("simulate against a broken target", () => {
  it("reports escrowed 500s and fails the run", async () => {
    const target = await startMemoryScimTarget();
    try {
      target.faults.push({ method: "POST", path: /^\/Users$/, status: 500 });
      const report = await runSimulation({
        target: target.url,
        token: target.token,
        directory: { ...directory, steps: [] },
      });
      expect(isCleanRun(report)).toBe(false);
      expect(report.failures).toBe(3);
      expect(report.quarantined).toBe(false);
      const text = formatReport(report);
      expect(text).toContain("error InternalServerError");
      expect(text).toContain("3 in escrow");
      expect((reportJson(report) as { failures: number }).failures).toBe(3);
    } finally {
      await target.close();
    }
  });

  it("stops at Test Connection when the target refuses the token", async () => {
    const target = await startMemoryScimTarget();
    try {
      const report = await runSimulation({ target: target.url, token: "wrong", directory });
      expect(report.testConnection).toMatchObject({
        ok: false,
        code: "SystemForCrossDomainIdentityManagementCredentialValidationFailure",
      });
      expect(report.cycles).toEqual([]);
      expect(isCleanRun(report)).toBe(false);
    } finally {
      await target.close();
    }
  });

  it("quarantines when every filter query answers 404", async () => {
    const target = await startMemoryScimTarget();
    try {
      // Test Connection succeeds once, then the matching queries fail as a non-compliant endpoint would.
      target.faults.push({ method: "GET", path: /^\/Users$/, status: 404 });
      target.faults.unshift({
        method: "GET",
        path: /^\/Users$/,
        status: 200,
        body: {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
          totalResults: 0,
          Resources: [],
        },
        times: 1,
      });
      const report = await runSimulation({
        target: target.url,
        token: target.token,
        directory: { ...directory, steps: [] },
      });
      expect(report.quarantined).toBe(true);
      expect(formatReport(report)).toContain("quarantine: EncounteredQuarantineException");
    } finally {
      await target.close();
    }
  });
});

describe("directory references", () => {
  it.each([
    [{ groups: [{ displayName: "G", members: ["nobody"] }] }, "unknown user 'nobody'"],
    [{ users: [{ userPrincipalName: "a@b.c", manager: "ghost" }] }, "unknown user 'ghost'"],
    [{ assignments: { groups: ["Nope"] } }, "unknown group 'Nope'"],
    [
      { users: [{ userPrincipalName: "a@b.c" }], steps: [{ changes: [{ op: "unassign", user: "a@b.c" }] }] },
      "is not assigned",
    ],
  ])("refuses %j with a clear DirectoryFileError", async (raw, message) => {
    const target = await startMemoryScimTarget();
    try {
      const run = runSimulation({
        target: target.url,
        token: target.token,
        directory: parseDirectoryFile(raw),
      });
      await expect(run).rejects.toThrow(DirectoryFileError);
      await expect(
        runSimulation({ target: target.url, token: target.token, directory: parseDirectoryFile(raw) }),
      ).rejects.toThrow(message);
    } finally {
      await target.close();
    }
  });
});

describe("scimgate simulate CLI", () => {
  const writes: string[] = [];
  afterEach(() => {
    process.exitCode = undefined;
    writes.length = 0;
  });

  async function run(args: string[]): Promise<string> {
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const program = new Command("scimgate").exitOverride();
    registerEmulatorCommands(program);
    await program.parseAsync(["node", "scimgate", ...args]);
    return writes.join("");
  }

  it("exits 0 and prints the report for a clean run", async () => {
    const sg = await startScimgate();
    try {
      const text = await run([
        "simulate",
        "--target",
        sg.url,
        "--token",
        sg.token,
        "--directory",
        EXAMPLE.pathname,
        "--cycles",
        "1",
      ]);
      expect(text).toContain("Cycle 1 (initial): Succeeded, 7 action(s)");
      expect(process.exitCode).toBeUndefined();
    } finally {
      await sg.close();
    }
  });

  it("exits 1 when the target fails", async () => {
    const target = await startMemoryScimTarget();
    try {
      target.faults.push({ method: "POST", status: 503 });
      const text = await run([
        "simulate",
        "--target",
        target.url,
        "--token",
        target.token,
        "--directory",
        EXAMPLE.pathname,
        "--cycles",
        "1",
        "--json",
      ]);
      expect(JSON.parse(text).failures).toBeGreaterThan(0);
      expect(process.exitCode).toBe(1);
    } finally {
      await target.close();
    }
  });

  it("refuses a non-integer --cycles", async () => {
    const program = new Command("scimgate").exitOverride().configureOutput({ writeErr: () => undefined });
    registerEmulatorCommands(program);
    await expect(
      program.parseAsync([
        "node",
        "scimgate",
        "simulate",
        "--target",
        "http://x",
        "--token",
        "t",
        "--directory",
        "d",
        "--cycles",
        "two",
      ]),
    ).rejects.toThrow(/--cycles must be a positive integer/);
  });
});
