import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { damonPageoutAfterSeconds } from "../../bench/lib/machine.js";

const roots: string[] = [];

/** A fake DAMON sysfs tree: files given relative to the admin directory. */
function sysfs(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "damon-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${content}\n`);
  }
  return root;
}

const ctx = "kdamonds/0/contexts/0";

function scheme(state: string, action: string, minAge: string, aggrUs = "5000000") {
  return {
    "kdamonds/0/state": state,
    [`${ctx}/monitoring_attrs/intervals/aggr_us`]: aggrUs,
    [`${ctx}/schemes/0/action`]: action,
    [`${ctx}/schemes/0/access_pattern/age/min`]: minAge,
  };
}

afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe("damonPageoutAfterSeconds", () => {
  it("reads a running pageout scheme's idle time: minimum age in aggregation intervals", () => {
    expect(damonPageoutAfterSeconds(sysfs(scheme("on", "pageout", "12")))).toBe(60);
    expect(damonPageoutAfterSeconds(sysfs(scheme("on", "pageout", "3", "100000")))).toBeCloseTo(0.3);
  });

  it("ignores stopped kdamonds and schemes that do not page out", () => {
    expect(damonPageoutAfterSeconds(sysfs(scheme("off", "pageout", "12")))).toBeUndefined();
    expect(damonPageoutAfterSeconds(sysfs(scheme("on", "stat", "12")))).toBeUndefined();
  });

  it("takes the shortest of several schemes", () => {
    const root = sysfs({
      ...scheme("on", "pageout", "12"),
      [`${ctx}/schemes/1/action`]: "pageout",
      [`${ctx}/schemes/1/access_pattern/age/min`]: "4",
    });
    expect(damonPageoutAfterSeconds(root)).toBe(20);
  });

  it("is undefined where the kernel has no DAMON interface", () => {
    expect(damonPageoutAfterSeconds(join(tmpdir(), "no-such-damon-dir"))).toBeUndefined();
  });
});
