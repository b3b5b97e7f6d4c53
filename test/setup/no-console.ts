import { afterEach, beforeEach, vi } from "vitest";

// House rule (STYLE.md, after zod): a test run fails on any stray console.* call;
// code logs through the app logger instead.
const methods = ["log", "info", "warn", "error", "debug"] as const;
let calls: string[] = [];

beforeEach(() => {
  calls = [];
  for (const m of methods) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      calls.push(`console.${m}: ${args.map(String).join(" ")}`);
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  if (calls.length > 0) throw new Error(`stray console output:\n${calls.join("\n")}`);
});
