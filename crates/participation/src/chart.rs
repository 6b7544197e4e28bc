//! Server-drawn horizontal bar charts of survey results. The telemetry chart
//! draws a time series (a min–max band and a mean line) and does not fit
//! counts per option, so this is its sibling: the same conventions (role
//! `img`, a title and a description naming every figure, text in dark ink on
//! white), and the page puts a table with the same numbers beside it.

use crate::model::Count;

const W: f64 = 640.0;
const ROW: f64 = 30.0;
const LABEL: f64 = 220.0;
const VALUE: f64 = 110.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

/// Percent as pages show it (Slovenian and English alike: `42 %`).
pub fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// An SVG bar per count, longest bar for the largest count; `label` names the chart.
pub fn bars(counts: &[Count], label: &str, id: &str) -> String {
    if counts.is_empty() {
        return String::new();
    }
    let most = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1) as f64;
    let h = ROW * counts.len() as f64 + 8.0;
    let span = W - LABEL - VALUE;
    let rows: String = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = 4.0 + i as f64 * ROW;
            let w = (c.count as f64 / most * span).max(if c.count > 0 { 2.0 } else { 0.0 });
            format!(
                r##"<text x="{lx:.1}" y="{ty:.1}" text-anchor="end" font-size="13" fill="#1f2328">{label}</text><rect x="{LABEL}" y="{by:.1}" width="{w:.1}" height="{bh:.1}" fill="#0b4f8a"/><text x="{vx:.1}" y="{ty:.1}" font-size="13" fill="#1f2328">{value}</text>"##,
                lx = LABEL - 8.0,
                ty = y + ROW / 2.0 + 4.0,
                by = y + 5.0,
                bh = ROW - 10.0,
                vx = LABEL + w + 6.0,
                label = esc(&short(&c.label, 30)),
                value = esc(&format!("{} ({})", c.count, percent(c.share))),
            )
        })
        .collect();
    let desc: Vec<String> = counts.iter().map(|c| format!("{}: {} ({})", c.label, c.count, percent(c.share))).collect();
    format!(
        r##"<svg class="chart" viewBox="0 0 {W} {h:.0}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>{rows}</svg>"##,
        title = esc(label),
        desc = esc(&desc.join("; ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_labelled_scaled_and_escaped() {
        let counts = vec![
            Count { label: "Peš <do 1 km>".into(), count: 3, share: 0.75 },
            Count { label: "Z avtom".into(), count: 1, share: 0.25 },
            Count { label: "S kolesom".into(), count: 0, share: 0.0 },
        ];
        let s = bars(&counts, "Kako pridete & kdaj", "c0");
        assert!(s.starts_with("<svg") && s.contains(r#"role="img""#) && s.contains(r#"aria-labelledby="c0-t c0-d""#));
        assert!(s.contains("Kako pridete &amp; kdaj") && s.contains("Peš &lt;do 1 km&gt;: 3 (75 %)"));
        assert!(s.contains(r#"width="310.0""#), "the largest count fills the span: {s}");
        assert!(s.contains(r#"width="0.0""#), "no bar for nothing");
        assert_eq!(bars(&[], "x", "c"), "");
    }
}
