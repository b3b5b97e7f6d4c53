import { describe, expect, it } from "vitest";
import { median, medianSummary, percentile, Recorder } from "../../bench/lib/stats.js";

describe("bench statistics", () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("takes percentiles by nearest rank", () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
    // 1,000 values: p99 is the 990th, not the largest of the slowest 1%.
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(thousand, 99)).toBe(990);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("takes the median of an odd and of an even count, whatever their order", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("records past its first buffer and sorts latencies as numbers", () => {
    const r = new Recorder();
    // 2,000 values in descending order: 2.0, 1.999, …; a text sort would put 10 before 9.
    for (let i = 2000; i >= 1; i--) r.add(i / 1000);
    r.add(10);
    r.add(9);
    expect(r.count).toBe(2002);
    const s = r.summary();
    expect(s.count).toBe(2002);
    expect(s.max).toBe(10);
    expect(s.p50).toBe(1.001);
    expect(s.p99).toBe(1.982);
  });

  it("summarises repetitions by the median of each figure, the largest max and the summed count", () => {
    const runs = [
      { count: 10, p50: 1, p99: 9, max: 20 },
      { count: 20, p50: 3, p99: 5, max: 30 },
      { count: 30, p50: 2, p99: 7, max: 25 },
    ];
    expect(medianSummary(runs)).toEqual({ count: 60, p50: 2, p99: 7, max: 30 });
  });
});
