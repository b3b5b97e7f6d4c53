import { ALL_SCENARIOS } from "../scenarios/context.js";
import type { BackendResult, BaselineResult, RunResult, TargetVerdict } from "./results.js";

const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
const n = (v: number) => Math.round(v).toLocaleString("en-US");
const cpu = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "–");
const mb = (v: number) => `${(v / 1024 / 1024).toFixed(0)} MB`;
const ratio = (a: number, b: number | undefined) =>
  b === undefined || !Number.isFinite(b) || b === 0 ? "–" : `${(a / b).toFixed(2)}×`;
const users = (u: number) => (u >= 1_000_000 ? `${u / 1_000_000}M` : `${u / 1000}k`);

/** Answers with status ≥ 400 in one scenario of a run. */
export interface ScenarioErrors {
  readonly scenario: string;
  readonly errors: number;
}

const sum = (xs: readonly { readonly errors: number }[]) => xs.reduce((a, x) => a + x.errors, 0);

/**
 * The error answers (status ≥ 400) each scenario of one backend got, for the scenarios that got any. A
 * scenario's figures time the requests it sent; with error answers among them they time failures (a
 * refused PATCH costs a fraction of an applied one), so they are not a measurement of scimgate's work.
 */
export function scenarioErrors(b: BackendResult): ScenarioErrors[] {
  const all: ScenarioErrors[] = [
    { scenario: "lookups", errors: sum(b.sizes.flatMap((s) => s.lookups)) },
    { scenario: "membership", errors: sum(b.membership) },
    { scenario: "mix", errors: b.mix?.errors ?? 0 },
    { scenario: "kinds", errors: sum(b.mixKinds) },
    { scenario: "sync", errors: sum(b.sync?.phases ?? []) },
  ];
  return all.filter((e) => e.errors > 0);
}

/** The same for the baseline's runs. */
export function baselineErrors(base: BaselineResult): ScenarioErrors[] {
  const all: ScenarioErrors[] = [
    { scenario: "lookups", errors: sum(base.lookups) },
    { scenario: "mix", errors: base.mix?.errors ?? 0 },
  ];
  return all.filter((e) => e.errors > 0);
}

/** A target judged from figures that include error answers is not met, whatever the figure. */
function judged(v: TargetVerdict, errors: number): TargetVerdict {
  if (errors === 0) return v;
  const note = `${v.note ?? ""}; not a valid measurement: ${n(errors)} error answer${errors === 1 ? "" : "s"}`;
  return { ...v, met: false, note };
}

/** Judges the issue's targets from the SQLite figures (the targets are stated for SQLite). */
export function judgeTargets(
  b: BackendResult | undefined,
  base: BaselineResult,
  mode: string,
): TargetVerdict[] {
  if (!b) return [];
  const out: TargetVerdict[] = [];
  const scale = mode === "quick" ? " (quick mode: smaller than the target's size)" : "";
  const bm = base.mix;
  if (b.mix) {
    const share = bm ? b.mix.rps / bm.rps : Number.NaN;
    const errors = b.mix.errors;
    out.push(
      judged(
        { target: "mix ≥ 5,000 req/s", figure: `${n(b.mix.rps)} req/s`, met: b.mix.rps >= 5000 },
        errors,
      ),
    );
    out.push(
      judged(
        { target: "mix p99 ≤ 10 ms", figure: ms(b.mix.latency.p99), met: b.mix.latency.p99 <= 10 },
        errors,
      ),
    );
    out.push(
      judged(
        {
          target: "mix ≥ ¼ of baseline req/s",
          figure: `${(share * 100).toFixed(0)}% of ${n(bm?.rps ?? Number.NaN)}`,
          met: share >= 0.25,
        },
        errors + (bm?.errors ?? 0),
      ),
    );
  }
  const top = b.sizes[b.sizes.length - 1];
  if (top && top.lookups.length > 0) {
    const worst = top.lookups.reduce((a, l) => (l.latency.p99 > a.latency.p99 ? l : a));
    out.push(
      judged(
        {
          target: "lookups p99 ≤ 2 ms at 1M users",
          figure: `worst ${worst.kind} ${ms(worst.latency.p99)} at ${users(top.users)}`,
          met: worst.latency.p99 <= 2,
          note: top.users < 1_000_000 ? scale : undefined,
        },
        sum(top.lookups),
      ),
    );
  }
  if (top) {
    out.push({
      target: "RSS < 300 MB at 1M users",
      figure: `${mb(top.peakRssBytes)} at ${users(top.users)}`,
      met: top.peakRssBytes < 300 * 1024 * 1024,
      note: top.users < 1_000_000 ? scale : undefined,
    });
  }
  const m = b.membership;
  if (m.length >= 2) {
    const lo = m[0]!;
    const hi = m[m.length - 1]!;
    const r = Math.max(hi.add.p50 / lo.add.p50, hi.remove.p50 / lo.remove.p50);
    out.push(
      judged(
        {
          target: `membership PATCH flat ${n(lo.members)} → ${n(hi.members)} (≤ 2×)`,
          figure: `${r.toFixed(2)}× (p50 add ${ms(lo.add.p50)} → ${ms(hi.add.p50)})`,
          met: r <= 2,
          note: hi.members < 100_000 ? scale : undefined,
        },
        sum(m),
      ),
    );
  }
  if (b.sync) {
    const s = b.sync;
    out.push(
      judged(
        {
          target: "initial sync 100k users + 1k groups < 60 s",
          figure: `${s.seconds.toFixed(1)} s for ${n(s.users)} + ${n(s.groups)} (+${n(s.memberships)} memberships)`,
          met: s.seconds < 60 * (s.users / 100_000),
          note: s.users < 100_000 ? `${scale}; judged pro rata` : undefined,
        },
        sum(s.phases),
      ),
    );
  }
  return out;
}

/** The line under a table that says which scenarios got error answers, if any did. */
function errorLine(who: string, errors: readonly ScenarioErrors[]): string {
  if (errors.length === 0) return `Error answers (status ≥ 400) from ${who}: none.`;
  const list = errors.map((e) => `${e.scenario} ${n(e.errors)}`).join(", ");
  return `**Error answers (status ≥ 400) from ${who}: ${list}.** Those scenarios' figures time failing requests, not scimgate's work; see \`sampleErrors\` in latest.json.`;
}

function backendTable(b: BackendResult, base: BaselineResult): string[] {
  const rows: string[] = ["| scenario | figure | scimgate | baseline | ratio |", "|---|---|---:|---:|---:|"];
  for (const s of b.sizes) {
    const bl = base.lookups.find((l) => l.users === s.users);
    for (const l of s.lookups) {
      rows.push(
        `| lookup ${l.kind} @ ${users(s.users)} | p50 / p99 | ${ms(l.latency.p50)} / ${ms(l.latency.p99)} | ${bl ? `${ms(bl.latency.p50)} / ${ms(bl.latency.p99)}` : "–"} | ${ratio(l.latency.p50, bl?.latency.p50)} / ${ratio(l.latency.p99, bl?.latency.p99)} |`,
      );
      rows.push(
        `| lookup ${l.kind} @ ${users(s.users)} | server CPU µs/request | ${cpu(l.cpuUsPerRequest)} | ${bl ? cpu(bl.cpuUsPerRequest) : "–"} | ${ratio(l.cpuUsPerRequest, bl?.cpuUsPerRequest)} |`,
      );
    }
  }
  const bl = base.lookups[base.lookups.length - 1];
  for (const m of b.membership) {
    rows.push(
      `| member PATCH add, group of ${n(m.members)} | p50 / p99 | ${ms(m.add.p50)} / ${ms(m.add.p99)} | ${bl ? `${ms(bl.latency.p50)} / ${ms(bl.latency.p99)}` : "–"} | ${ratio(m.add.p50, bl?.latency.p50)} / ${ratio(m.add.p99, bl?.latency.p99)} |`,
    );
    rows.push(
      `| member PATCH remove, group of ${n(m.members)} | p50 / p99 | ${ms(m.remove.p50)} / ${ms(m.remove.p99)} | ${bl ? `${ms(bl.latency.p50)} / ${ms(bl.latency.p99)}` : "–"} | ${ratio(m.remove.p50, bl?.latency.p50)} / ${ratio(m.remove.p99, bl?.latency.p99)} |`,
    );
  }
  if (b.mix) {
    const bm = base.mix;
    rows.push(
      `| incremental mix @ ${users(b.mix.users)}, ${b.mix.concurrency} conns | req/s | ${n(b.mix.rps)} | ${bm ? n(bm.rps) : "–"} | ${ratio(b.mix.rps, bm?.rps)} |`,
    );
    rows.push(
      `| incremental mix | server CPU µs/request | ${cpu(b.mix.cpuUsPerRequest)} | ${bm ? cpu(bm.cpuUsPerRequest) : "–"} | ${ratio(b.mix.cpuUsPerRequest, bm?.cpuUsPerRequest)} |`,
    );
    rows.push(
      `| incremental mix | main-thread CPU µs/request (the thread that bounds req/s) | ${cpu(b.mix.mainCpuUsPerRequest)} | ${bm ? cpu(bm.mainCpuUsPerRequest) : "–"} | ${ratio(b.mix.mainCpuUsPerRequest, bm?.mainCpuUsPerRequest)} |`,
    );
    rows.push(
      `| incremental mix | p50 / p99 | ${ms(b.mix.latency.p50)} / ${ms(b.mix.latency.p99)} | ${bm ? `${ms(bm.latency.p50)} / ${ms(bm.latency.p99)}` : "–"} | ${ratio(b.mix.latency.p50, bm?.latency.p50)} / ${ratio(b.mix.latency.p99, bm?.latency.p99)} |`,
    );
  }
  if (b.mixKinds.length > 0) {
    const bm = base.mix;
    for (const k of b.mixKinds) {
      rows.push(
        `| mix kind alone: ${k.kind} (${(k.share * 100).toFixed(0)}% of the mix) | req/s · server CPU µs/request (main thread) · p50 / p99 | ${n(k.rps)} · ${cpu(k.cpuUsPerRequest)} (${cpu(k.mainCpuUsPerRequest)}) · ${ms(k.latency.p50)} / ${ms(k.latency.p99)} | ${bm ? `– · ${cpu(bm.cpuUsPerRequest)} · –` : "–"} | CPU ${ratio(k.cpuUsPerRequest, bm?.cpuUsPerRequest)} |`,
      );
    }
    const weighted = b.mixKinds.reduce((a, k) => a + k.share * k.cpuUsPerRequest, 0);
    const weightedMain = b.mixKinds.reduce((a, k) => a + k.share * k.mainCpuUsPerRequest, 0);
    const measured = b.mix ? `${cpu(b.mix.cpuUsPerRequest)} (${cpu(b.mix.mainCpuUsPerRequest)})` : "–";
    rows.push(
      `| mix kinds weighted by share | server CPU µs/request (main thread); the mix measured ${measured} | ${cpu(weighted)} (${cpu(weightedMain)}) | ${bm ? cpu(bm.cpuUsPerRequest) : "–"} | ${ratio(weighted, bm?.cpuUsPerRequest)} |`,
    );
  }
  if (b.sync) {
    const s = b.sync;
    rows.push(
      `| initial sync ${n(s.users)} users + ${n(s.groups)} groups + ${n(s.memberships)} memberships | total | ${s.seconds.toFixed(1)} s | – | – |`,
    );
    rows.push(
      `| initial sync | objects/s (req/s) | ${n(s.objectsPerSecond)} (${n(s.requestsPerSecond)}) | ${base.mix ? `(${n(base.mix.rps)})` : "–"} | ${ratio(s.requestsPerSecond, base.mix?.rps)} |`,
    );
    for (const p of s.phases)
      rows.push(
        `| sync phase ${p.name} | ${n(p.requests)} req, p50 / p99 | ${ms(p.latency.p50)} / ${ms(p.latency.p99)} | – | – |`,
      );
  }
  for (const s of b.sizes) {
    rows.push(
      `| resources @ ${users(s.users)} | peak RSS, DB size per 100k users | ${mb(s.peakRssBytes)}, ${mb(s.dbBytesPer100kUsers)} | – | – |`,
    );
  }
  return rows;
}

/** The machine line's note on DAMON's proactive reclaim, when the kernel runs it. */
function reclaimNote(r: RunResult): string {
  const after = r.machine.damonPageoutAfterSeconds;
  if (after === undefined) return "";
  return ` The kernel's DAMON pages out memory idle for ${after} s or more, page cache included: the database is read back into the page cache before each scenario.`;
}

/** The markdown report: machine, per-backend tables (absolute, baseline, ratio), targets. */
export function renderMarkdown(r: RunResult): string {
  const only = (r.config.only as readonly string[] | undefined) ?? ALL_SCENARIOS;
  const lines = [
    `# scimgate bench results (${r.mode} run)`,
    "",
    `${r.startedAt}, ${r.seconds.toFixed(0)} s. Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}, ${r.machine.platform}. Seed ${r.seed}.${reclaimNote(r)}`,
    "Ratios: latency ratio = scimgate ÷ baseline (lower is better); throughput ratio = scimgate ÷ baseline (higher is better).",
    "Member PATCH rows compare with the baseline's sequential lookup latency at the largest size.",
    ...(only.length < ALL_SCENARIOS.length
      ? [`Scenarios run (--only or --skip-sync): ${only.join(", ")}.`]
      : []),
    "",
  ];
  for (const b of r.backends) {
    lines.push(
      `## ${b.backend}`,
      "",
      ...backendTable(b, r.baseline),
      "",
      errorLine("scimgate", scenarioErrors(b)),
    );
    if (b.backend === "sqlite") lines.push("", errorLine("the baseline", baselineErrors(r.baseline)));
    lines.push("");
  }
  lines.push("## Targets (SQLite)", "", "| target | figure | met |", "|---|---|---|");
  for (const t of r.targets)
    lines.push(`| ${t.target} | ${t.figure}${t.note ?? ""} | ${t.met ? "met" : "**missed**"} |`);
  return `${lines.join("\n")}\n`;
}
