import { describe, expect, it } from "vitest";
import type { ReportSeries } from "./bindings/ipc";
import { axisLabels, colour, dayString, defaultPeriod, periodError, stackedBars, sum } from "./report";

const series: ReportSeries = {
  bucket: "day",
  starts: ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"],
  totals: [1, 3, 0, 6],
  vendors: [
    { vendor_id: "w", name: "Writer", counts: [0, 3, 0, 2], total: 5 },
    { vendor_id: "s", name: "Shop", counts: [1, 0, 0, 4], total: 5 },
  ],
};

describe("the report's period", () => {
  it("defaults to the last 30 days, today included, in UTC", () => {
    const today = new Date(Date.UTC(2026, 2, 4, 23, 30));
    expect(defaultPeriod(today)).toEqual({ from: "2026-02-03", to: "2026-03-04" });
    expect(dayString(today)).toBe("2026-03-04");
  });

  it("refuses what is not a date and a period that ends before it starts", () => {
    expect(periodError("2026-03-01", "2026-03-31")).toBeNull();
    expect(periodError("", "")).toBeNull();
    expect(periodError("2026-03-01", "")).toBeNull();
    expect(periodError("2026-02-30", "")).toBe("The start is not a date.");
    expect(periodError("", "yesterday")).toBe("The end is not a date.");
    expect(periodError("2026-03-02", "2026-03-01")).toBe("The period must end on or after the day it starts.");
  });
});

describe("the disclosures chart", () => {
  it("stacks each step's vendors up to the highest step", () => {
    const { bars, max } = stackedBars(series, 400, 120);
    expect(max).toBe(6);
    // One segment per vendor with something in the step; nothing for the empty step.
    expect(bars).toHaveLength(4);
    const last = bars.filter((b) => b.x > 300);
    expect(last).toHaveLength(2);
    // The tallest step fills the plot: its segments stack from the base to the top.
    expect(last[0]!.y + last[0]!.height).toBeCloseTo(120);
    expect(last[1]!.y).toBeCloseTo(0);
    expect(last.map((b) => b.height).reduce((a, b) => a + b)).toBeCloseTo(120);
    expect(last[1]!.colour).toBe(colour(1));
    expect(last[1]!.title).toBe("Shop: 4 on 2026-03-04");
    // Bars stay inside their slot.
    for (const b of bars) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(400);
    }
  });

  it("says weeks and months in the tooltip, and labels the first, middle and last steps", () => {
    const weekly = { ...series, bucket: "week" as const };
    expect(stackedBars(weekly, 400, 120).bars[0]!.title).toBe("Shop: 1 in the week of 2026-03-01");
    expect(axisLabels(series)).toEqual([
      { index: 0, text: "2026-03-01" },
      { index: 2, text: "2026-03-03" },
      { index: 3, text: "2026-03-04" },
    ]);
    expect(axisLabels({ ...series, starts: [] })).toEqual([]);
  });

  it("draws nothing for a period without steps", () => {
    expect(stackedBars({ bucket: "day", starts: [], totals: [], vendors: [] }, 400, 120)).toEqual({ bars: [], max: 1 });
  });
});

describe("counts by key", () => {
  it("add up, and nothing is zero", () => {
    expect(sum({ grant_expired: 2, scope_exceeded: 3 })).toBe(5);
    expect(sum({})).toBe(0);
  });
});
