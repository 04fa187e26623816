// The Reports screen's logic: the default period, checking a period, and the geometry of the
// disclosures-over-time chart (stacked bars, one colour per vendor).

import type { ReportSeries } from "./bindings/ipc";

/** A day as the core takes it: `YYYY-MM-DD` (UTC). */
export function dayString(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The last `days` days, today included (UTC). */
export function defaultPeriod(today: Date, days = 30): { from: string; to: string } {
  const from = new Date(today.getTime() - (days - 1) * 86_400_000);
  return { from: dayString(from), to: dayString(today) };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function validDay(s: string): boolean {
  return DAY.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && dayString(new Date(`${s}T00:00:00Z`)) === s;
}

/** What is wrong with a period, in plain words; `null` when it is fine. Empty means open. */
export function periodError(from: string, to: string): string | null {
  if (from !== "" && !validDay(from)) return "The start is not a date.";
  if (to !== "" && !validDay(to)) return "The end is not a date.";
  if (from !== "" && to !== "" && from > to) return "The period must end on or after the day it starts.";
  return null;
}

/** The colours of the vendors, in order (the saved report uses the same). */
export const PALETTE = ["#3b6fd8", "#d8843b", "#2f9e6e", "#a24bd1", "#d14b6f", "#1aa3b8", "#8a7a0d", "#6b7a8f"];

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

/** One segment of a stacked bar. */
export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  colour: string;
  /** What it shows, in words (its tooltip). */
  title: string;
}

const STEP_WORDS = { day: "on", week: "in the week of", month: "in the month of" } as const;

/**
 * The stacked bars of the series in a plot `width` × `height` (y grows downwards, the base is at
 * `height`): one slot per step, one segment per vendor with something in that step.
 */
export function stackedBars(series: ReportSeries, width: number, height: number): { bars: Bar[]; max: number } {
  const max = Math.max(1, ...series.totals);
  const n = series.starts.length;
  if (n === 0) return { bars: [], max };
  const slot = width / n;
  const barWidth = Math.min(40, Math.max(1, slot * 0.8));
  const bars: Bar[] = [];
  series.starts.forEach((start, i) => {
    let y = height;
    series.vendors.forEach((v, k) => {
      const count = v.counts[i] ?? 0;
      if (count === 0) return;
      const h = (height * count) / max;
      y -= h;
      bars.push({
        x: slot * i + (slot - barWidth) / 2,
        y,
        width: barWidth,
        height: h,
        colour: colour(k),
        title: `${v.name}: ${count} ${STEP_WORDS[series.bucket]} ${start}`,
      });
    });
  });
  return { bars, max };
}

/** The sum of counts by key (refusals by reason, notices by kind). */
export function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The steps to label under the chart: the first, the middle and the last. */
export function axisLabels(series: ReportSeries): { index: number; text: string }[] {
  const n = series.starts.length;
  const picks = n === 0 ? [] : n === 1 ? [0] : n === 2 ? [0, 1] : [0, Math.floor(n / 2), n - 1];
  return picks.map((index) => ({ index, text: series.starts[index]! }));
}
