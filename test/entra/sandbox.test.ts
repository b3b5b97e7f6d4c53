import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { registerEntraCommands, runSandbox } from "../../src/cli/entra-commands.js";
import { buildSandboxDirectory } from "../../src/entra/sandbox-directory.js";

const EXAMPLE = new URL("../../stacks/Pulumi.example.yaml", import.meta.url).pathname;

interface StackConfigDoc {
  "scimgate:tenant": unknown;
  "scimgate:provisioning": { enabled: boolean; users: { mappings: unknown[] }; groups: { enabled: boolean } };
}

function variant(edit: (config: StackConfigDoc) => void): { file: string; cleanup(): void } {
  const doc = parse(readFileSync(EXAMPLE, "utf8"));
  edit(doc.config);
  const dir = mkdtempSync(join(tmpdir(), "scimgate-stack-"));
  const file = join(dir, "Pulumi.variant.yaml");
  writeFileSync(file, stringify(doc));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("scimgate sandbox", () => {
  it("onboards the example stack offline: users arrive with the roles of their groups", async () => {
    const lines: string[] = [];
    const report = await runSandbox({ stackFile: EXAMPLE, write: (l) => lines.push(l) });
    expect(report.cycle?.state).toBe("Succeeded");
    expect(report.onboarding.jobStatus).toBe("NotRun");
    expect(report.users.map((u) => [u.userName, u.active, u.roles.sort()]).sort()).toEqual([
      ["admins-1@contoso.example", true, ["admin", "member"]],
      ["admins-2@contoso.example", true, ["admin", "member"]],
      ["all-employees-member-1@contoso.example", true, ["member"]],
    ]);
    expect(report.groups.map((g) => [g.displayName, g.memberCount]).sort()).toEqual([
      ["Admins", 2],
      ["All Employees", 1],
    ]);
    expect(report.groups.find((g) => g.displayName === "Admins")?.externalId).toBe(
      "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
    );
    expect(report.onboarding.mappingChanges).toHaveLength(3);
    expect(lines.join("\n")).toContain("Users in scimgate (3):");
  });

  it("applies the stack's mappings: the changed displayName expression reaches scimgate", async () => {
    const v = variant((c) => {
      c["scimgate:provisioning"].users.mappings = [
        { target: "displayName", expression: 'Join(" / ", [surname], [givenName])' },
      ];
    });
    try {
      const report = await runSandbox({ stackFile: v.file, write: () => {} });
      expect(report.onboarding.mappingChanges).toEqual([
        'users: remove phoneNumbers[type eq "fax"].value <- [facsimileTelephoneNumber]',
        'users: change displayName <- [displayName] -> displayName <- Join(" / ",[surname],[givenName])',
      ]);
      expect(report.users).toHaveLength(3);
    } finally {
      v.cleanup();
    }
  });

  it("provisions nobody when the stack pauses the job, and no groups when groups are off", async () => {
    const paused = variant((c) => {
      c["scimgate:provisioning"].enabled = false;
    });
    const noGroups = variant((c) => {
      c["scimgate:provisioning"].groups.enabled = false;
    });
    try {
      const p = await runSandbox({ stackFile: paused.file, write: () => {} });
      expect(p.cycle).toBeNull();
      expect(p.users).toEqual([]);
      const g = await runSandbox({ stackFile: noGroups.file, write: () => {} });
      expect(g.groups).toEqual([]);
      expect(g.users).toHaveLength(3);
    } finally {
      paused.cleanup();
      noGroups.cleanup();
    }
  });

  it("fails with the config key when the stack file is invalid", async () => {
    const v = variant((c) => {
      c["scimgate:tenant"] = { name: "" };
    });
    try {
      await expect(runSandbox({ stackFile: v.file, write: () => {} })).rejects.toThrow(
        "`scimgate:tenant.name`",
      );
    } finally {
      v.cleanup();
    }
  });

  it("seeds a directory where every referenced object exists, plus one unassigned user", () => {
    const dir = buildSandboxDirectory({
      tenant: { name: "Fabrikam Inc", jit: false },
      groups: [
        {
          key: "staff",
          displayName: "Staff",
          create: true,
          members: ["9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"],
          roles: [],
        },
        { key: "ops", displayName: "Ops Team", create: false, members: [], roles: [] },
      ],
    });
    expect(dir.users.map((u) => [u.key, u.id, u.userPrincipalName])).toEqual([
      ["staff-member-1", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "staff-member-1@fabrikaminc.example"],
      ["ops-1", undefined, "ops-1@fabrikaminc.example"],
      ["ops-2", undefined, "ops-2@fabrikaminc.example"],
      ["unassigned", undefined, "unassigned@fabrikaminc.example"],
    ]);
    expect(dir.groups).toEqual([{ key: "ops", displayName: "Ops Team", members: ["ops-1", "ops-2"] }]);
  });

  it("runs as `scimgate sandbox --stack <file> --json` and prints the report", async () => {
    const program = new Command("scimgate").exitOverride();
    registerEntraCommands(program);
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    });
    try {
      await program.parseAsync(["node", "scimgate", "sandbox", "--stack", EXAMPLE, "--json"]);
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(chunks.join(""));
    expect(report.stackFile).toBe(EXAMPLE);
    expect(report.users).toHaveLength(3);
  });
});
