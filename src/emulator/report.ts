/**
 * Renders a simulation as an Entra-style provisioning report: per cycle, per object the action, each SCIM
 * request and response, and the outcome with Entra's error code (graph-synchronization.md §1.11 fields).
 */
import type { ProvisioningRecord, ScimExchange } from "./engine/provisioning-log.js";
import type { SimulationReport } from "./simulate.js";

/** Longest JSON body printed inline; longer ones are cut with an ellipsis. */
const MAX_BODY = 600;

function compact(value: unknown): string {
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…` : text;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return decodeURIComponent(`${u.pathname}${u.search}`.replaceAll("+", " "));
}

function exchangeLines(x: ScimExchange, verbose: boolean): string[] {
  const answer = x.status === null ? `no response (${x.error ?? "error"})` : String(x.status);
  const lines = [`      ${x.method} ${pathOf(x.url)} → ${answer}`];
  if (x.requestBody !== undefined) lines.push(`        request:  ${compact(x.requestBody)}`);
  // Success bodies only in verbose mode; an error answer is always shown.
  const failed = x.status === null || x.status >= 300;
  if (x.responseBody !== undefined && (verbose || failed))
    lines.push(`        response: ${compact(x.responseBody)}`);
  return lines;
}

function recordLines(record: ProvisioningRecord, verbose: boolean): string[] {
  const e = record.entry;
  const info = e.provisioningStatusInfo;
  const target = e.targetIdentity.id ? ` → ${e.targetIdentity.id}` : "";
  const lines = [
    `  ${e.provisioningAction.padEnd(7)} ${info.status.padEnd(8)} ${e.sourceIdentity.identityType} '${e.sourceIdentity.displayName}'${target}`,
  ];
  if (info.errorInformation)
    lines.push(`      error ${info.errorInformation.errorCode}: ${info.errorInformation.reason}`);
  const skipped = e.provisioningSteps.find((s) => s.status === "skipped");
  if (skipped) lines.push(`      ${skipped.description}`);
  for (const x of record.exchanges) lines.push(...exchangeLines(x, verbose));
  return lines;
}

function summary(report: SimulationReport): string[] {
  const status = report.job.status as unknown as Record<string, unknown> & {
    quarantine: { reason: string; error: { code: string } } | null;
  };
  const lines = ["", `Job ${report.job.id}: status ${status.code}, schedule ${report.job.schedule.state}`];
  if (status.quarantine)
    lines.push(`  quarantine: ${status.quarantine.reason} (${status.quarantine.error.code})`);
  const last = status.lastExecution as { countEscrowed: number; countExported: number; state: string } | null;
  if (last)
    lines.push(
      `  last cycle: ${last.state}, ${last.countExported} exported, ${last.countEscrowed} in escrow`,
    );
  lines.push(`Result: ${report.failures} failed action(s)${report.quarantined ? ", job quarantined" : ""}`);
  return lines;
}

/** The human-readable report text; `verbose` adds the bodies of successful responses. */
export function formatReport(report: SimulationReport, verbose = false): string {
  const lines = [`Entra provisioning simulation → ${report.target}`];
  if (!report.testConnection.ok) {
    lines.push(`Test Connection FAILED: ${report.testConnection.code}`, `  ${report.testConnection.message}`);
    return lines.join("\n");
  }
  lines.push("Test Connection: OK");
  for (const cycle of report.cycles) {
    const r = cycle.result;
    const kind = r.initial ? "initial" : "incremental";
    lines.push(
      "",
      `Cycle ${cycle.index} (${kind}${cycle.step ? `, after "${cycle.step}"` : ""}): ${r.state}, ${r.records.length} action(s)`,
    );
    if (r.records.length === 0) lines.push("  (nothing to export: source and target already match)");
    for (const record of r.records) lines.push(...recordLines(record, verbose));
  }
  lines.push(...summary(report));
  return lines.join("\n");
}

/** The machine-readable report (`--json`): cycles with Graph log entries and raw exchanges. */
export function reportJson(report: SimulationReport): unknown {
  return {
    target: report.target,
    testConnection: report.testConnection,
    failures: report.failures,
    quarantined: report.quarantined,
    job: report.job,
    cycles: report.cycles.map((c) => ({
      index: c.index,
      step: c.step,
      initial: c.result.initial,
      state: c.result.state,
      actions: c.result.records,
    })),
  };
}
