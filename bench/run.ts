import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { progress, runBackend } from "./lib/backend-run.js";
import type { BackendName } from "./lib/databases.js";
import { judgeTargets, renderMarkdown } from "./lib/report.js";
import type { BackendResult, BaselineResult, RunResult } from "./lib/results.js";
import { benchConfig } from "./scenarios/context.js";

/**
 * `npm run bench [-- --quick] [--backend sqlite|postgres|both] [--seed N] [--sizes 10000,100000]
 * [--skip-sync] [--profile DIR] [--out DIR]`: runs every scenario over loopback HTTP against scimgate in a
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
      profile: { type: "string" },
      out: { type: "string", default: "bench/results" },
    },
  });
  const backends: BackendName[] =
    values.backend === "both" ? ["sqlite", "postgres"] : [values.backend as BackendName];
  const base = benchConfig(values.quick ?? false, Number(values.seed));
  const cfg = values.sizes ? { ...base, sizes: values.sizes.split(",").map(Number) } : base;
  return {
    cfg,
    backends,
    skipSync: values["skip-sync"] ?? false,
    profile: values.profile,
    out: values.out ?? "bench/results",
  };
}

function machine() {
  return {
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
  const { cfg, backends, skipSync, profile, out } = parseCli();
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const mode = cfg.quick ? "quick" : "full";
  progress(`${mode} run, seed ${cfg.seed}, backends ${backends.join(", ")}, sizes ${cfg.sizes.join(", ")}`);
  const results: BackendResult[] = [];
  let baseline: BaselineResult = { lookups: [], mix: undefined };
  for (const b of backends) {
    const r = await runBackend(b, cfg, { skipSync, ...(profile ? { profDir: profile } : {}) });
    results.push(r.result);
    if (b === "sqlite") baseline = r.baseline;
    // Written after every backend, so a long run cut short still leaves its finished half.
    writeResults(out, buildRun(cfg, startedAt, t0, baseline, results));
  }
  process.stdout.write(renderMarkdown(buildRun(cfg, startedAt, t0, baseline, results)));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
