//! Survey results as bar charts: counts per option through the kernel's
//! bar chart, with the share beside each.

use crate::model::Count;
use kernel::chart::Bar;

/// Percent as pages show it (Slovenian and English alike: `42 %`).
pub fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// A bar per count, longest bar for the largest count; `label` names the chart.
pub fn bars(counts: &[Count], label: &str, id: &str) -> String {
    let items: Vec<Bar> =
        counts.iter().map(|c| Bar { label: c.label.clone(), value: c.count as f64, text: format!("{} ({})", c.count, percent(c.share)) }).collect();
    kernel::chart::bars(&items, None, label, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_their_share() {
        let counts = vec![Count { label: "Peš".into(), count: 3, share: 0.75 }, Count { label: "Z avtom".into(), count: 1, share: 0.25 }];
        let s = bars(&counts, "Kako pridete", "c0");
        assert!(s.contains("Peš: 3 (75 %)") && s.contains(r#"width="310.0""#), "{s}");
    }
}
