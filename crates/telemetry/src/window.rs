//! Recent readings of the series that rate and frozen rules watch, kept in
//! memory by the rule engine so that evaluating a reading needs no database
//! read. A series is loaded once (table and journal together) from the start
//! of the window a rule needs; from then on every committed batch adds its
//! readings, so the window holds every reading from `from` on. That holds
//! for the single process on SQLite; on PostgreSQL other processes store
//! readings of the same series, so the engine reads the windows of each
//! batch afresh (`alarms::evaluate`).

use crate::live::{Live, with_buffered};
use crate::model::Reading;
use crate::store;
use kernel::Ctx;
use rustc_hash::FxHashMap;
use sea_orm::DbErr;

struct Recent {
    /// Every stored reading with a time from here on is in `points`.
    from: i64,
    /// Oldest first, no time twice.
    points: Vec<(i64, f64)>,
    /// How far back from the newest reading to keep.
    keep: i64,
}

#[derive(Default)]
pub struct Windows {
    series: FxHashMap<i64, Recent>,
}

fn insert(points: &mut Vec<(i64, f64)>, ts: i64, v: f64) {
    match points.last() {
        Some((t, _)) if *t >= ts => {
            if let Err(i) = points.binary_search_by_key(&ts, |p| p.0) {
                points.insert(i, (ts, v));
            }
        }
        _ => points.push((ts, v)),
    }
}

impl Windows {
    /// Forget everything (after the engine missed batches).
    pub fn clear(&mut self) {
        self.series.clear();
    }

    /// Add a committed batch's readings to the series held here.
    pub fn add(&mut self, readings: &[Reading]) {
        if self.series.is_empty() {
            return;
        }
        for r in readings {
            if let Some(w) = self.series.get_mut(&r.series)
                && r.ts >= w.from
            {
                insert(&mut w.points, r.ts, r.value);
            }
        }
    }

    /// Make sure each series' readings from its `from` on are here, keeping
    /// at least `keep` ms behind its newest: `needs` are (series, from, keep).
    /// What is missing is read in one go, table and journal together.
    pub async fn cover(&mut self, ctx: &Ctx, live: Option<&Live>, needs: &[(i64, i64, i64)]) -> Result<(), DbErr> {
        let mut missing: Vec<(i64, i64)> = vec![];
        for (series, from, keep) in needs {
            match self.series.get_mut(series) {
                Some(w) if w.from <= *from => w.keep = w.keep.max(*keep),
                Some(w) => {
                    w.keep = w.keep.max(*keep);
                    missing.push((*series, *from));
                }
                None => {
                    self.series.insert(*series, Recent { from: i64::MAX, points: vec![], keep: *keep });
                    missing.push((*series, *from));
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = missing.iter().map(|(s, _)| *s).collect();
        let since = missing.iter().map(|(_, f)| *f).min().unwrap_or(i64::MIN);
        let c = ctx.db.conn();
        let (stored, buffered) = with_buffered(live, &ids, since, i64::MAX, || store::raw_since(c, &ids, since)).await?;
        for (series, from) in &missing {
            let Some(w) = self.series.get_mut(series) else { continue };
            for (s, t, v) in stored.iter().chain(buffered.iter()) {
                if s == series && t >= from {
                    insert(&mut w.points, *t, *v);
                }
            }
            w.from = w.from.min(*from);
        }
        Ok(())
    }

    /// Drop what no rule needs any more.
    pub fn prune(&mut self) {
        for w in self.series.values_mut() {
            let Some((newest, _)) = w.points.last() else { continue };
            let horizon = newest.saturating_sub(w.keep);
            if horizon > w.from {
                let cut = w.points.partition_point(|(t, _)| *t < horizon);
                w.points.drain(..cut);
                w.from = horizon;
            }
        }
    }

    /// Readings of the series in `[lo, hi]` (`cover` it first).
    pub fn between(&self, series: i64, lo: i64, hi: i64) -> &[(i64, f64)] {
        let Some(w) = self.series.get(&series) else { return &[] };
        let start = w.points.partition_point(|(t, _)| *t < lo);
        let end = w.points.partition_point(|(t, _)| *t <= hi);
        &w.points[start..end.max(start)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(points: Vec<(i64, f64)>, from: i64, keep: i64) -> Windows {
        Windows { series: [(1, Recent { from, points, keep })].into_iter().collect() }
    }

    #[test]
    fn batches_add_to_held_series_only_and_old_readings_go() {
        let mut w = windows(vec![(100, 1.0)], 50, 100);
        let r = |series, ts| Reading { series, device: 1, ts, value: ts as f64 };
        w.add(&[r(1, 300), r(1, 200), r(1, 200), r(2, 250), r(1, 10)]);
        assert_eq!(w.between(1, 0, 1000), &[(100, 1.0), (200, 200.0), (300, 300.0)], "in order, once, nothing before `from`");
        assert!(w.between(2, 0, 1000).is_empty());
        w.prune();
        assert_eq!(w.between(1, 0, 1000), &[(200, 200.0), (300, 300.0)], "only `keep` behind the newest");
        assert_eq!(w.between(1, 250, 299), &[] as &[(i64, f64)]);
    }
}
