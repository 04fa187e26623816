//! Charts: drawn as inline SVG in HTML, given as a table of their numbers in Markdown.

use std::fmt::Write as _;

use super::html::esc;
use super::{Table, Text, strong, text};

/// The colours of the series, in order (they repeat after the last).
const PALETTE: &[&str] = &[
    "#3b6fd8", "#d8843b", "#2f9e6e", "#a24bd1", "#d14b6f", "#1aa3b8", "#8a7a0d", "#6b7a8f",
];

/// A chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Chart {
    /// One horizontal bar per label.
    Bars(Bars),
    /// Stacked columns over consecutive steps in time, one colour per series.
    Stacked(Stacked),
}

/// One horizontal bar per label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bars {
    /// What the picture shows, for screen readers.
    pub(crate) title: String,
    /// The line under it.
    pub(crate) caption: String,
    /// The names of the label and value columns of its table.
    pub(crate) head: [&'static str; 2],
    /// Each bar's label and value.
    pub(crate) bars: Vec<(String, u64)>,
}

/// Stacked columns over consecutive steps in time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stacked {
    /// What the picture shows, for screen readers.
    pub(crate) title: String,
    /// The line under it.
    pub(crate) caption: String,
    /// The name of the step column of its table (`Day`, `Week starting`, …).
    pub(crate) step_head: &'static str,
    /// How a step is named before its first day (`on`, `in the week of`, …).
    pub(crate) when: &'static str,
    /// The first day of each step, as `YYYY-MM-DD`.
    pub(crate) starts: Vec<String>,
    /// Each series' name and its value in each step.
    pub(crate) series: Vec<(String, Vec<u64>)>,
}

impl Chart {
    /// The chart as inline SVG in a figure with its caption.
    pub(super) fn svg(&self) -> String {
        match self {
            Self::Bars(b) => b.svg(),
            Self::Stacked(s) => s.svg(),
        }
    }

    /// The chart's caption and its numbers as a table.
    pub(super) fn table(&self) -> (Text, Table) {
        match self {
            Self::Bars(b) => {
                let mut t = Table {
                    head: vec![(b.head[0].into(), false), (b.head[1].into(), true)],
                    rows: Vec::new(),
                };
                for (label, n) in &b.bars {
                    t.row(vec![text(label), text(n)]);
                }
                (text(&b.caption), t)
            }
            Self::Stacked(s) => s.table(),
        }
    }
}

impl Bars {
    fn svg(&self) -> String {
        let max = self.bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
        let (label_w, bar_w, row_h) = (220u64, 380u64, 26u64);
        let width = label_w + bar_w + 60;
        let height = row_h * self.bars.len() as u64 + 30;
        let mut s = format!(
            "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><title id=\"chart-title\">{}</title>",
            esc(&self.title)
        );
        for (i, (name, n)) in self.bars.iter().enumerate() {
            let y = 10 + row_h * i as u64;
            let w = (bar_w * n).div_ceil(max);
            let short: String = name.chars().take(28).collect();
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"{}\"></rect><text x=\"{}\" y=\"{}\">{n}</text>",
                label_w - 8,
                y + 16,
                esc(&short),
                y + 3,
                row_h - 8,
                PALETTE[0],
                label_w + w + 6,
                y + 16,
            );
        }
        let _ = write!(
            s,
            "</svg><figcaption class=muted>{}</figcaption></figure>",
            esc(&self.caption)
        );
        s
    }
}

impl Stacked {
    fn totals(&self) -> Vec<u64> {
        (0..self.starts.len())
            .map(|i| self.series.iter().map(|(_, c)| c[i]).sum())
            .collect()
    }

    /// One column per step, one colour per series, with a legend; each segment carries its
    /// numbers in a `<title>`.
    fn svg(&self) -> String {
        let totals = self.totals();
        let max = totals.iter().copied().max().unwrap_or(0).max(1);
        let (left, top, plot_w, plot_h) = (48.0_f64, 12.0_f64, 680.0_f64, 170.0_f64);
        let legend_top = top + plot_h + 34.0;
        let height = legend_top + 18.0 * self.series.len() as f64 + 4.0;
        let width = left + plot_w + 16.0;
        let base = top + plot_h;
        let mut o = format!(
            "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"timeline-title\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\"><title id=\"timeline-title\">{}</title>",
            esc(&self.title)
        );
        // Axes and the scale: 0, half and the highest step.
        let _ = write!(
            o,
            "<line class=\"axis\" x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"></line><line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{base}\"></line>",
            left + plot_w
        );
        let mut ticks = vec![0, max];
        if max >= 4 {
            ticks.insert(1, max / 2);
        }
        for t in ticks {
            let y = base - plot_h * t as f64 / max as f64;
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{t}</text>",
                left - 6.0,
                y + 4.0
            );
        }
        let slot = plot_w / self.starts.len().max(1) as f64;
        let bar = (slot * 0.8).clamp(1.0, 40.0);
        for (i, start) in self.starts.iter().enumerate() {
            let x = left + slot * i as f64 + (slot - bar) / 2.0;
            let mut y = base;
            for (k, (name, counts)) in self.series.iter().enumerate() {
                let n = counts[i];
                if n == 0 {
                    continue;
                }
                let h = plot_h * n as f64 / max as f64;
                y -= h;
                let _ = write!(
                    o,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}: {n} {} {}</title></rect>",
                    PALETTE[k % PALETTE.len()],
                    esc(name),
                    self.when,
                    start
                );
            }
        }
        // Dates under the first, middle and last steps.
        let n = self.starts.len();
        let mut labels = vec![(0, "start")];
        if n >= 3 {
            labels.push((n / 2, "middle"));
        }
        if n >= 2 {
            labels.push((n - 1, "end"));
        }
        for (i, anchor) in labels.into_iter().filter(|_| n > 0) {
            let x = match anchor {
                "start" => left + slot * i as f64,
                "end" => left + slot * (i + 1) as f64,
                _ => left + slot * (i as f64 + 0.5),
            };
            let _ = write!(
                o,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                base + 16.0,
                self.starts[i]
            );
        }
        for (k, (name, counts)) in self.series.iter().enumerate() {
            let y = legend_top + 18.0 * k as f64;
            let name: String = name.chars().take(60).collect();
            let _ = write!(
                o,
                "<rect x=\"{left}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"></rect><text x=\"{:.1}\" y=\"{:.1}\">{} — {}</text>",
                y - 10.0,
                PALETTE[k % PALETTE.len()],
                left + 18.0,
                y,
                esc(&name),
                counts.iter().sum::<u64>()
            );
        }
        let _ = write!(
            o,
            "</svg><figcaption class=muted>{}</figcaption></figure>",
            esc(&self.caption)
        );
        o
    }

    /// One row per step with anything in it, one column per series, and a row of totals.
    fn table(&self) -> (Text, Table) {
        let mut head = vec![(self.step_head.to_owned(), false)];
        head.extend(self.series.iter().map(|(name, _)| (name.clone(), true)));
        head.push(("Total".into(), true));
        let mut t = Table {
            head,
            rows: Vec::new(),
        };
        for (i, (start, total)) in self.starts.iter().zip(self.totals()).enumerate() {
            if total > 0 {
                let mut row = vec![text(start)];
                row.extend(self.series.iter().map(|(_, c)| text(c[i])));
                row.push(text(total));
                t.row(row);
            }
        }
        let mut sums = vec![strong("Total")];
        sums.extend(self.series.iter().map(|(_, c)| text(c.iter().sum::<u64>())));
        sums.push(text(self.totals().iter().sum::<u64>()));
        t.row(sums);
        let caption = text(&self.caption).plain(" Rows with nothing disclosed are left out.");
        (caption, t)
    }
}
