/**
 * `scimgate simulate` and `scimgate emulator`: Entra in a box from the command line.
 */
import { readFile } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import { pino } from "pino";
import { type DirectoryFile, DirectoryFileError, parseDirectoryYaml } from "../emulator/directory-file.js";
import { formatReport, reportJson } from "../emulator/report.js";
import { startGraphEmulator } from "../emulator/server.js";
import { isCleanRun, runSimulation } from "../emulator/simulate.js";
import { err, out } from "./output.js";

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return n;
  };
}

function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer.`);
    return n;
  };
}

async function loadDirectory(path: string): Promise<DirectoryFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DirectoryFileError(`cannot read directory file '${path}': ${(error as Error).message}`);
  }
  try {
    return parseDirectoryYaml(text);
  } catch (error) {
    throw new DirectoryFileError(`${path}: ${(error as Error).message}`);
  }
}

interface SimulateFlags {
  target: string;
  token: string;
  directory: string;
  cycles?: number;
  json?: boolean;
  verbose?: boolean;
  timeoutMs: number;
  memberBatchSize: number;
}

async function simulate(flags: SimulateFlags): Promise<void> {
  if (!/^https?:\/\//i.test(flags.target))
    throw new InvalidArgumentError("--target must be an http(s) Tenant URL.");
  const directory = await loadDirectory(flags.directory);
  const report = await runSimulation({
    target: flags.target,
    token: flags.token,
    directory,
    cycles: flags.cycles,
    timeoutMs: flags.timeoutMs,
    memberBatchSize: flags.memberBatchSize,
  });
  out(flags.json ? JSON.stringify(reportJson(report), null, 2) : formatReport(report, flags.verbose));
  if (!isCleanRun(report)) process.exitCode = 1;
}

interface EmulatorFlags {
  port: number;
  host: string;
  directory?: string;
  consistencyDelayMs: number;
  throttle?: boolean;
  auth: boolean;
  logLevel: string;
}

async function emulator(flags: EmulatorFlags): Promise<void> {
  const directory = flags.directory ? await loadDirectory(flags.directory) : undefined;
  const logger = pino({ level: flags.logLevel });
  const em = await startGraphEmulator({
    port: flags.port,
    host: flags.host,
    directory,
    consistencyDelayMs: flags.consistencyDelayMs,
    throttling: flags.throttle ?? false,
    requireAuth: flags.auth,
    logger,
  });
  out(`Graph emulator listening: ${em.graphUrl}`);
  for (const sp of em.state.servicePrincipals.values())
    out(`  service principal '${sp.displayName}': ${sp.id} (appId ${sp.appId})`);
  out(
    `  users: ${em.directory.users.size}, groups: ${em.directory.groups.size}${flags.auth ? "; send any 'Authorization: Bearer <token>'" : "; no auth required"}`,
  );
  const shutdown = () => {
    em.close().then(
      () => process.exit(0),
      (e: unknown) => {
        err(`scimgate emulator: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

/** Adds the `simulate` and `emulator` subcommands to the scimgate CLI. */
export function registerEmulatorCommands(program: Command): void {
  program
    .command("simulate")
    .description(
      "Run Entra's provisioning engine against a SCIM endpoint from a directory file and print a provisioning report",
    )
    .requiredOption(
      "--target <tenantUrl>",
      "Tenant URL (add ?aadOptscim062020 for the RFC-compliant PATCH dialect)",
    )
    .requiredOption("--token <secretToken>", "Secret Token sent as Authorization: Bearer")
    .requiredOption(
      "--directory <file.yaml>",
      "directory file: users, groups, assignments, steps (see src/emulator/README.md)",
    )
    .option("--cycles <n>", "number of cycles (default: 1 + number of steps)", positiveInt("--cycles"))
    .option("--json", "print the report as JSON")
    .option("--verbose", "also print the bodies of successful SCIM responses")
    .option("--timeout-ms <ms>", "per-request timeout", positiveInt("--timeout-ms"), 10_000)
    .option("--member-batch-size <n>", "members per group PATCH", positiveInt("--member-batch-size"), 5)
    .action((flags: SimulateFlags) => simulate(flags));
  program
    .command("emulator")
    .description(
      "Serve the Microsoft Graph emulator (/v1.0) with the synchronization API and provisioning engine",
    )
    .option("--port <n>", "TCP port (0 = ephemeral)", nonNegativeInt("--port"), 8900)
    .option("--host <host>", "bind address", "127.0.0.1")
    .option("--directory <file.yaml>", "seed the directory (and assignments) from a directory file")
    .option(
      "--consistency-delay-ms <ms>",
      "new objects answer 404 for this long",
      nonNegativeInt("--consistency-delay-ms"),
      0,
    )
    .option("--throttle", "enable throttling fault injection (429 + Retry-After)")
    .option("--no-auth", "accept requests without a bearer token")
    .option("--log-level <level>", "pino log level", "info")
    .action((flags: EmulatorFlags) => emulator(flags));
}
