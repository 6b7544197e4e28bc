//! Server-drawn horizontal bar charts (survey results, maturity scores):
//! role `img`, a title and a description naming every figure, dark ink on
//! white; pages put a table with the same numbers beside them.

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

/// One bar: its label, its length, and the figure written beside it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// An SVG bar per item, the longest for the largest value (or `max` when given);
/// `title` names the chart, `id` makes its title and description ids unique.
pub fn bars(items: &[Bar], max: Option<f64>, title: &str, id: &str) -> String {
    if items.is_empty() {
        return String::new();
    }
    let most = max.unwrap_or_else(|| items.iter().map(|b| b.value).fold(0.0, f64::max)).max(f64::EPSILON);
    let h = ROW * items.len() as f64 + 8.0;
    let span = W - LABEL - VALUE;
    let rows: String = items
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let y = 4.0 + i as f64 * ROW;
            let w = (b.value / most * span).clamp(0.0, span).max(if b.value > 0.0 { 2.0 } else { 0.0 });
            format!(
                r##"<text x="{lx:.1}" y="{ty:.1}" text-anchor="end" font-size="13" fill="#1f2328">{label}</text><rect x="{LABEL}" y="{by:.1}" width="{w:.1}" height="{bh:.1}" fill="#0b4f8a"/><text x="{vx:.1}" y="{ty:.1}" font-size="13" fill="#1f2328">{value}</text>"##,
                lx = LABEL - 8.0,
                ty = y + ROW / 2.0 + 4.0,
                by = y + 5.0,
                bh = ROW - 10.0,
                vx = LABEL + w + 6.0,
                label = esc(&short(&b.label, 30)),
                value = esc(&b.text),
            )
        })
        .collect();
    let desc: Vec<String> = items.iter().map(|b| format!("{}: {}", b.label, b.text)).collect();
    format!(
        r##"<svg class="chart" viewBox="0 0 {W} {h:.0}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>{rows}</svg>"##,
        title = esc(title),
        desc = esc(&desc.join("; ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_labelled_scaled_and_escaped() {
        let b = |label: &str, value: f64, text: &str| Bar { label: label.into(), value, text: text.into() };
        let s = bars(
            &[b("Peš <do 1 km>", 3.0, "3 (75 %)"), b("Z avtom", 1.0, "1 (25 %)"), b("S kolesom", 0.0, "0 (0 %)")],
            None,
            "Kako pridete & kdaj",
            "c0",
        );
        assert!(s.starts_with("<svg") && s.contains(r#"role="img""#) && s.contains(r#"aria-labelledby="c0-t c0-d""#));
        assert!(s.contains("Kako pridete &amp; kdaj") && s.contains("Peš &lt;do 1 km&gt;: 3 (75 %)"));
        assert!(s.contains(r#"width="310.0""#), "the largest value fills the span: {s}");
        assert!(s.contains(r#"width="0.0""#), "no bar for nothing");
        let fixed = bars(&[b("A", 2.5, "2,5")], Some(5.0), "t", "c1");
        assert!(fixed.contains(r#"width="155.0""#), "half of a fixed maximum: {fixed}");
        assert_eq!(bars(&[], None, "x", "c"), "");
    }
}
