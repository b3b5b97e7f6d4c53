#!/usr/bin/env node
import { Command } from "commander";
import { SCIMError } from "../scim/errors.js";
import { StoreError } from "../store/store.js";
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
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (e) {
    // Expected failures get one clear line; anything else keeps its stack for a bug report.
    const known =
      e instanceof StoreError ||
      e instanceof SCIMError ||
      (e instanceof Error && !e.stack?.includes("\n    at "));
    err(`scimgate: ${e instanceof Error ? (known ? e.message : e.stack) : String(e)}`);
    process.exitCode = 1;
  }
}

await main();
