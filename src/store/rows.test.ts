import { afterEach, describe, expect, it, vi } from "vitest";
import { auditValues, now } from "./rows.js";

describe("now", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is the current millisecond as an ISO string, made anew when the clock moves on", () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse("2026-12-06T10:00:00.123Z"));
    expect(now()).toBe("2026-12-06T10:00:00.123Z");
    expect(now()).toBe("2026-12-06T10:00:00.123Z");
    vi.setSystemTime(Date.parse("2026-12-06T10:00:00.124Z"));
    expect(now()).toBe("2026-12-06T10:00:00.124Z");
    // A clock set back is followed too.
    vi.setSystemTime(Date.parse("2026-01-01T00:00:00.000Z"));
    expect(now()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("stamps audit records", () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse("2026-12-06T10:00:01.000Z"));
    const values = auditValues({
      tenantId: "t",
      keyId: null,
      requestId: "r",
      operation: "patch",
      resourceType: "User",
      resourceId: "u",
      outcome: "success",
      summary: "replace title",
    });
    expect(values).toEqual([
      "2026-12-06T10:00:01.000Z",
      "t",
      null,
      "r",
      "patch",
      "User",
      "u",
      "success",
      "replace title",
    ]);
  });
});
