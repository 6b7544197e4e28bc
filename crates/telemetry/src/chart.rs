//! Server-drawn SVG charts: a min–max band and the mean line of a series,
//! with a text description; pages add a data table beside them, so nothing
//! is conveyed by the picture alone.

use crate::store::Point;

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 28.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An accessible SVG of the points (oldest first); `label` names it for screen readers.
pub fn svg(points: &[Point], label: &str, unit: &str, id: &str) -> String {
    if points.is_empty() {
        return String::new();
    }
    let lo = points.iter().map(|p| p.min).fold(f64::MAX, f64::min);
    let hi = points.iter().map(|p| p.max).fold(f64::MIN, f64::max);
    let (lo, hi) = if (hi - lo).abs() < 1e-9 { (lo - 1.0, hi + 1.0) } else { (lo, hi) };
    let (t0, t1) = (points[0].ts, points[points.len() - 1].ts.max(points[0].ts + 1));
    let x = |t: i64| LEFT + (t - t0) as f64 / (t1 - t0) as f64 * (W - LEFT - 8.0);
    let y = |v: f64| 8.0 + (hi - v) / (hi - lo) * (H - BOTTOM - 8.0);
    let upper: Vec<String> = points.iter().map(|p| format!("{:.1},{:.1}", x(p.ts), y(p.max))).collect();
    let lower: Vec<String> = points.iter().rev().map(|p| format!("{:.1},{:.1}", x(p.ts), y(p.min))).collect();
    let mean: Vec<String> = points.iter().map(|p| format!("{:.1},{:.1}", x(p.ts), y(p.mean))).collect();
    let ticks: String = (0..=3)
        .map(|i| {
            let v = lo + (hi - lo) * i as f64 / 3.0;
            format!(
                r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#d0d7de"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" fill="#1f2328">{}</text>"##,
                W - 8.0,
                LEFT - 6.0,
                y(v) + 4.0,
                esc(&format!("{v:.1}")),
                y = y(v)
            )
        })
        .collect();
    let first = kernel::Timestamp(t0).display_local();
    let last = kernel::Timestamp(t1).display_local();
    format!(
        r##"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>{ticks}<polygon points="{band}" fill="#9ec5e8" opacity="0.6"/><polyline points="{mean}" fill="none" stroke="#0b4f8a" stroke-width="2"/><text x="{LEFT}" y="{ty:.1}" font-size="12" fill="#1f2328">{first}</text><text x="{tx:.1}" y="{ty:.1}" font-size="12" text-anchor="end" fill="#1f2328">{last}</text></svg>"##,
        title = esc(label),
        desc = esc(&format!("{label}: {:.1}–{:.1} {unit}, {first} – {last}", lo, hi)),
        band = [upper, lower].concat().join(" "),
        mean = mean.join(" "),
        ty = H - 8.0,
        tx = W - 8.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ts: i64, v: f64) -> Point {
        Point { ts, time: String::new(), count: 1, min: v - 1.0, max: v + 1.0, mean: v, sum: v, last: v }
    }

    #[test]
    fn the_chart_is_labelled_and_escapes_text() {
        let s = svg(&[p(0, 10.0), p(3_600_000, 20.0)], "Temp <in> & out", "°C", "c1");
        assert!(s.starts_with("<svg") && s.contains(r#"role="img""#) && s.contains(r#"aria-labelledby="c1-t c1-d""#));
        assert!(s.contains("Temp &lt;in&gt; &amp; out"));
        assert!(s.contains("9.0–21.0 °C"));
        assert_eq!(svg(&[], "x", "", "c"), "");
    }
}
