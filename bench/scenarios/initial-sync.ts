import { performance } from "node:perf_hooks";
import { runLoad } from "../lib/client.js";
import type { Directory } from "../lib/directory.js";
import type { LatencySummary } from "../lib/stats.js";
import type { BenchConfig, Target } from "./context.js";
import { create, lookup, memberPatch } from "./requests.js";

/** One phase of the initial sync. */
export interface SyncPhase {
  readonly name: "users" | "groups" | "members";
  readonly objects: number;
  readonly requests: number;
  readonly seconds: number;
  readonly latency: LatencySummary;
  readonly errors: number;
}

/** Entra's first cycle over HTTP: every object matched (miss) and created, then memberships by PATCH. */
export interface SyncResult {
  readonly users: number;
  readonly groups: number;
  readonly memberships: number;
  readonly seconds: number;
  /** (users + groups + memberships) / seconds: Entra counts all three as objects of a cycle. */
  readonly objectsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly phases: readonly SyncPhase[];
}

function idOf(body: string): string {
  return (JSON.parse(body) as { id: string }).id;
}

async function createAll(t: Target, cfg: BenchConfig, kind: "users" | "groups", dir: Directory, n: number) {
  const ids: string[] = new Array(n);
  const res = await runLoad({
    ...t,
    concurrency: cfg.syncConcurrency,
    steps: n,
    step: async (send, i) => {
      const miss = await send(lookup(dir, kind === "users" ? "userName" : "groupDisplayName", i));
      if (!miss.body.includes('"totalResults":0'))
        throw new Error(`initial sync: ${kind} ${i} already exists`);
      const made = await send(
        create(kind === "users" ? "Users" : "Groups", kind === "users" ? dir.userBody(i) : dir.groupBody(i)),
      );
      if (made.status !== 201)
        throw new Error(`initial sync: POST ${kind} → ${made.status} ${made.body.slice(0, 200)}`);
      ids[i] = idOf(made.body);
    },
  });
  return { ids, res };
}

/** The member PATCH batches of the directory's groups: [groupIndex, first user, count]. */
function memberBatches(dir: Directory, cfg: BenchConfig): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let j = 0; j < cfg.syncGroups; j++) {
    const size = dir.groupSize(j, cfg.syncGroups, cfg.syncUsers);
    const start = dir.groupStart(j, cfg.syncUsers);
    for (let k = 0; k < size; k += cfg.memberBatch)
      out.push([j, start + k, Math.min(cfg.memberBatch, size - k)]);
  }
  return out;
}

function phase(name: SyncPhase["name"], objects: number, r: Awaited<ReturnType<typeof runLoad>>): SyncPhase {
  return { name, objects, requests: r.requests, seconds: r.seconds, latency: r.latency, errors: r.errors };
}

/** Runs the initial sync against an empty tenant. */
export async function measureInitialSync(t: Target, dir: Directory, cfg: BenchConfig): Promise<SyncResult> {
  const t0 = performance.now();
  const users = await createAll(t, cfg, "users", dir, cfg.syncUsers);
  const groups = await createAll(t, cfg, "groups", dir, cfg.syncGroups);
  const batches = memberBatches(dir, cfg);
  let memberships = 0;
  const members = await runLoad({
    ...t,
    concurrency: cfg.syncConcurrency,
    steps: batches.length,
    step: async (send, k) => {
      const [j, first, count] = batches[k]!;
      const ids = Array.from({ length: count }, (_, x) => users.ids[(first + x) % cfg.syncUsers]!);
      const r = await send(memberPatch(groups.ids[j]!, "Add", ids));
      if (r.status !== 204)
        throw new Error(`initial sync: member PATCH → ${r.status} ${r.body.slice(0, 200)}`);
      memberships += count;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const requests = users.res.requests + groups.res.requests + members.requests;
  return {
    users: cfg.syncUsers,
    groups: cfg.syncGroups,
    memberships,
    seconds,
    objectsPerSecond: (cfg.syncUsers + cfg.syncGroups + memberships) / seconds,
    requestsPerSecond: requests / seconds,
    phases: [
      phase("users", cfg.syncUsers, users.res),
      phase("groups", cfg.syncGroups, groups.res),
      phase("members", memberships, members),
    ],
  };
}
