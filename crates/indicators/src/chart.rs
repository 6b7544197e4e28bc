//! A server-drawn sparkline of an indicator's history, with the figures in
//! its accessible name (the page shows the same values in a table too).

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const W: f64 = 120.0;
const H: f64 = 32.0;

/// Points by period, scaled to the range of the values and of the target.
pub fn sparkline(points: &[(String, f64)], target: Option<f64>, label: &str) -> String {
    if points.is_empty() {
        return String::new();
    }
    let values = points.iter().map(|p| p.1).chain(target);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let lo = lo.min(0.0);
    let span = (hi - lo).max(f64::EPSILON);
    let x = |i: usize| if points.len() == 1 { W / 2.0 } else { 4.0 + i as f64 * (W - 8.0) / (points.len() - 1) as f64 };
    let y = |v: f64| H - 4.0 - (v - lo) / span * (H - 8.0);
    let line: Vec<String> = points.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1))).collect();
    let target_line = target
        .map(|t| format!(r##"<line x1="0" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="#6e4a00" stroke-dasharray="3 2"/>"##, y = y(t)))
        .unwrap_or_default();
    let last = points.len() - 1;
    format!(
        r##"<svg class="spark" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">{target_line}<polyline fill="none" stroke="#0b4f8a" stroke-width="2" points="{pts}"/><circle cx="{cx:.1}" cy="{cy:.1}" r="3" fill="#0b4f8a"/></svg>"##,
        label = esc(label),
        pts = line.join(" "),
        cx = x(last),
        cy = y(points[last].1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_names_its_figures_and_scales_to_the_target() {
        let s = sparkline(&[("2024".into(), 10.0), ("2025".into(), 20.0)], Some(40.0), "2024: 10; 2025: 20 < cilj 40");
        assert!(s.contains(r#"role="img""#) && s.contains("2025: 20 &lt; cilj 40"));
        // 0 at the bottom (y = 28), the target at the top (y = 4).
        assert!(s.contains(r#"y1="4.0""#), "{s}");
        assert!(s.contains("4.0,22.0 116.0,16.0"), "{s}");
        assert_eq!(sparkline(&[], None, "x"), "");
    }
}
