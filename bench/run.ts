import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { progress, runBackend } from "./lib/backend-run.js";
import type { BackendName } from "./lib/databases.js";
import { damonPageoutAfterSeconds } from "./lib/machine.js";
import { buildServers } from "./lib/processes.js";
import { baselineErrors, judgeTargets, renderMarkdown, scenarioErrors } from "./lib/report.js";
import type { BackendResult, BaselineResult, RunResult } from "./lib/results.js";
import { ALL_SCENARIOS, benchConfig, type Scenario } from "./scenarios/context.js";

/**
 * `npm run bench [-- --quick] [--backend sqlite|postgres|both] [--seed N] [--sizes 10000,100000]
 * [--sync-users N] [--only lookups,membership,mix,kinds,sync] [--skip-sync] [--profile DIR] [--out DIR]`:
 * runs every scenario (or those `--only` names) over loopback HTTP against scimgate in a
 * child process, and the baseline in the same run; writes latest.json and latest.md, prints the table.
 */
function parseCli() {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      backend: { type: "string", default: "both" },
      seed: { type: "string", default: "42" },
      sizes: { type: "string" },
      "skip-sync": { type: "boolean", default: false },
      "sync-users": { type: "string" },
      only: { type: "string" },
      profile: { type: "string" },
      out: { type: "string", default: "bench/results" },
    },
  });
  const backends: BackendName[] =
    values.backend === "both" ? ["sqlite", "postgres"] : [values.backend as BackendName];
  const base = benchConfig(values.quick ?? false, Number(values.seed));
  const sized = values.sizes ? { ...base, sizes: values.sizes.split(",").map(Number) } : base;
  const syncUsers = values["sync-users"] === undefined ? undefined : Number(values["sync-users"]);
  if (syncUsers !== undefined && !(Number.isInteger(syncUsers) && syncUsers > 0)) {
    throw new Error(`--sync-users must be a positive integer, not ${values["sync-users"]}`);
  }
  const only = parseOnly(values.only);
  // --skip-sync is --only without sync.
  if (values["skip-sync"]) only.delete("sync");
  const cfg = {
    ...sized,
    // Entra-typical: one group per 100 users, as in the full run (100k users, 1k groups).
    ...(syncUsers === undefined ? {} : { syncUsers, syncGroups: Math.max(10, Math.round(syncUsers / 100)) }),
    only: [...only],
  };
  return {
    cfg,
    backends,
    profile: values.profile,
    out: values.out ?? "bench/results",
  };
}

/** The scenarios `--only` names; without it, all of them. */
function parseOnly(only: string | undefined): Set<Scenario> {
  if (only === undefined) return new Set(ALL_SCENARIOS);
  const names = only.split(",").map((x) => x.trim());
  const unknown = names.filter((x) => !(ALL_SCENARIOS as readonly string[]).includes(x));
  if (unknown.length > 0) {
    throw new Error(`--only takes a comma-separated list of ${ALL_SCENARIOS.join(", ")}; got ${only}`);
  }
  return new Set(names as Scenario[]);
}

function machine() {
  const pageout = damonPageoutAfterSeconds();
  return {
    ...(pageout === undefined ? {} : { damonPageoutAfterSeconds: pageout }),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

type Config = ReturnType<typeof parseCli>["cfg"];

function buildRun(
  cfg: Config,
  startedAt: string,
  t0: number,
  baseline: BaselineResult,
  results: BackendResult[],
): RunResult {
  const mode = cfg.quick ? "quick" : "full";
  return {
    mode,
    seed: cfg.seed,
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    machine: machine(),
    config: { ...cfg },
    baseline,
    backends: results,
    targets: judgeTargets(
      results.find((r) => r.backend === "sqlite"),
      baseline,
      mode,
    ),
  };
}

function writeResults(out: string, run: RunResult): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}/latest.json`, `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(`${out}/latest.md`, renderMarkdown(run));
}

async function main(): Promise<void> {
  const { cfg, backends, profile, out } = parseCli();
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const mode = cfg.quick ? "quick" : "full";
  progress(`${mode} run, seed ${cfg.seed}, backends ${backends.join(", ")}, sizes ${cfg.sizes.join(", ")}`);
  progress("building the servers with tsc (tsconfig.bench.json), as npm run build does");
  buildServers();
  const results: BackendResult[] = [];
  let baseline: BaselineResult = { lookups: [], mix: undefined };
  for (const b of backends) {
    const r = await runBackend(b, cfg, profile);
    results.push(r.result);
    if (b === "sqlite") baseline = r.baseline;
    // Written after every backend, so a long run cut short still leaves its finished half.
    writeResults(out, buildRun(cfg, startedAt, t0, baseline, results));
  }
  process.stdout.write(renderMarkdown(buildRun(cfg, startedAt, t0, baseline, results)));
  // Figures that timed error answers are written down (and judged not met), but the run did not measure
  // what it set out to: it fails, so that a script or CI job running the bench sees it.
  const failed = [
    ...results.flatMap((r) => scenarioErrors(r).map((e) => `${r.backend} ${e.scenario}: ${e.errors}`)),
    ...baselineErrors(baseline).map((e) => `baseline ${e.scenario}: ${e.errors}`),
  ];
  if (failed.length > 0) {
    progress(`error answers (status ≥ 400) in ${failed.join("; ")}; samples in ${out}/latest.json`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
