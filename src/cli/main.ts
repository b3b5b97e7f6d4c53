#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { registerAdminCommands } from "./admin-commands.js";
import { registerEmulatorCommands } from "./emulator-commands.js";
import { registerEntraCommands } from "./entra-commands.js";
import { err } from "./output.js";
import { registerServeCommands } from "./serve-command.js";
import { registerTenantCommands } from "./tenant-commands.js";

/** Builds the `scimgate` command tree. */
export function buildProgram(): Command {
  const program = new Command("scimgate")
    .description("scimgate: onboard Microsoft Entra ID tenants onto a multi-tenant SCIM 2.0 service")
    .showHelpAfterError();
  registerServeCommands(program);
  registerTenantCommands(program);
  registerAdminCommands(program);
  registerEmulatorCommands(program);
  registerEntraCommands(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (e) {
    // Failures are reported as one clear line; SCIMGATE_DEBUG=1 adds the stack for a bug report.
    const message = e instanceof Error ? e.message : String(e);
    err(`scimgate: ${process.env.SCIMGATE_DEBUG && e instanceof Error ? e.stack : message}`);
    process.exitCode = 1;
  }
}

/** True when this file is the program being run (also through the npm bin symlink), not an import. */
function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) await main();
