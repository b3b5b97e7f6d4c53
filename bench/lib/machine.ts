import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Where the kernel's DAMON sysfs interface lives. */
export const DAMON_ADMIN = "/sys/kernel/mm/damon/admin";

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
}

/**
 * The shortest idle time (seconds) after which a running DAMON scheme pages memory out, or undefined when
 * none does. Some VMs (this workplace's among them) run DAMON's `pageout` action on physical memory to give
 * idle pages back to the host: file pages of the page cache included, so parts of a database file that the
 * bench touches less often than that leave memory during a run and come back from disk.
 */
export function damonPageoutAfterSeconds(root = DAMON_ADMIN): number | undefined {
  let shortest: number | undefined;
  for (const k of entries(join(root, "kdamonds"))) {
    const kdamond = join(root, "kdamonds", k);
    if (read(join(kdamond, "state")) !== "on") continue;
    for (const c of entries(join(kdamond, "contexts"))) {
      const ctx = join(kdamond, "contexts", c);
      const aggrUs = Number(read(join(ctx, "monitoring_attrs", "intervals", "aggr_us")));
      for (const s of entries(join(ctx, "schemes"))) {
        const scheme = join(ctx, "schemes", s);
        if (read(join(scheme, "action")) !== "pageout") continue;
        const minAge = Number(read(join(scheme, "access_pattern", "age", "min")) ?? 0);
        const seconds = Number.isFinite(aggrUs) && Number.isFinite(minAge) ? (minAge * aggrUs) / 1e6 : 0;
        shortest = shortest === undefined ? seconds : Math.min(shortest, seconds);
      }
    }
  }
  return shortest;
}
