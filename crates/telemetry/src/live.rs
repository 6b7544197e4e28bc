//! What the embedded (SQLite) store knows before its tables do: everything
//! the journal holds that no checkpoint has written yet. Per series, its
//! latest reading and the readings still to write (sorted by time); per
//! device, when it was last heard from; the duplicate and refusal counts.
//!
//! The writer sorts each group's readings into new and seen-before from
//! here, without a database read for the live stream: a reading after its
//! series' latest is new. Only late readings are looked up, first here, then
//! in the table. A reading moves one way — active buffer, sealed (being
//! checkpointed), table — and is always in at least one of them.

use crate::journal::Entry;
use crate::model::{Reading, Reason};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::{Notify, RwLock};

/// Readings of one series, oldest first, with no time twice.
pub type Points = Vec<(i64, f64)>;

#[derive(Default)]
struct Series {
    /// The newest reading stored or buffered; `None` when the series has none.
    latest: Option<(i64, f64)>,
    /// Whether `latest` moved since the last seal.
    moved: bool,
    buffer: Points,
}

#[derive(Default)]
struct State {
    series: HashMap<i64, Series>,
    /// Readings being written by a checkpoint, until their slice commits.
    sealed: HashMap<i64, Arc<Points>>,
    devices: HashMap<i64, i64>,
    /// Device → (count, last time).
    duplicates: HashMap<i64, (i64, i64)>,
    /// (key, reason) → (count, last time, last detail).
    refused: HashMap<(String, Reason), (i64, i64, String)>,
    buffered: usize,
    /// When the oldest entry not yet sealed was applied.
    since: Option<Instant>,
    /// Last journal sequence number applied.
    seq: i64,
    /// Whether anything was applied since the last seal.
    dirty: bool,
    /// Entries applied so far (tells a pause from a burst).
    applied: u64,
}

/// Refusals of one (device key, reason): (count, last time, last detail).
pub type RefusedCount = ((String, Reason), (i64, i64, String));

/// One checkpoint's worth, taken out of the live state at once.
pub struct Sealed {
    /// Journal rows up to this sequence number are covered.
    pub upto: i64,
    /// Readings per series, series in order.
    pub readings: Vec<(i64, Arc<Points>)>,
    /// Series whose latest value moved: (series, ts, value).
    pub latest: Vec<(i64, i64, f64)>,
    /// (device, last seen).
    pub devices: Vec<(i64, i64)>,
    /// (device, count, last time).
    pub duplicates: Vec<(i64, i64, i64)>,
    pub refused: Vec<RefusedCount>,
}

impl Sealed {
    pub fn reading_count(&self) -> usize {
        self.readings.iter().map(|(_, p)| p.len()).sum()
    }
}

/// How the readings of a group of requests were sorted.
pub struct Sorting {
    /// Per job and reading: new, seen before, or `None` until the table is asked.
    pub flags: Vec<Vec<Option<bool>>>,
    /// Late readings to look up in the table, by series.
    pub ask: HashMap<i64, Vec<i64>>,
}

#[derive(Default)]
pub struct Live {
    state: Mutex<State>,
    /// Shared by readers that combine buffered readings with the table (the
    /// rules), exclusive while a checkpoint moves a slice into the table, so
    /// that such a reader sees each reading exactly once.
    pub gate: RwLock<()>,
    /// The writer applied an entry.
    pub applied: Notify,
    /// A checkpoint sealed or finished (room for the writer again).
    pub drained: Notify,
}

impl Live {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("live telemetry state")
    }

    /// Series among these whose latest reading is not known here yet.
    pub fn unknown(&self, series: impl IntoIterator<Item = i64>) -> Vec<i64> {
        let s = self.lock();
        let mut out: Vec<i64> = series.into_iter().filter(|id| !s.series.contains_key(id)).collect::<HashSet<_>>().into_iter().collect();
        out.sort_unstable();
        out
    }

    /// Latest readings as the table has them, for series not known here yet.
    pub fn learn(&self, rows: impl IntoIterator<Item = (i64, Option<(i64, f64)>)>) {
        let mut s = self.lock();
        for (id, latest) in rows {
            s.series.entry(id).or_insert(Series { latest, ..Default::default() });
        }
    }

    /// Sort readings into new and seen before. Every series must be known
    /// (`unknown`, `learn`). A reading repeated in the group is new once, for
    /// the first job that carried it.
    pub fn sort(&self, jobs: &[&[Reading]]) -> Sorting {
        let s = self.lock();
        // Per series: readings taken in this group after the known latest (in
        // time order), and late ones taken or asked about.
        let mut fresh: HashMap<i64, Vec<i64>> = HashMap::default();
        let mut late: HashSet<(i64, i64)> = HashSet::default();
        let mut ask: HashMap<i64, Vec<i64>> = HashMap::default();
        let flags = jobs
            .iter()
            .map(|readings| {
                readings
                    .iter()
                    .map(|r| {
                        let known = s.series.get(&r.series);
                        let latest = known.and_then(|x| x.latest).map(|(t, _)| t);
                        let taken = fresh.entry(r.series).or_default();
                        let newest = taken.last().copied().max(latest);
                        if newest.is_none_or(|n| r.ts > n) {
                            taken.push(r.ts);
                            return Some(true);
                        }
                        if !late.insert((r.series, r.ts)) || taken.binary_search(&r.ts).is_ok() {
                            return Some(false);
                        }
                        match latest {
                            // Between the stored latest and this group's newest: nowhere yet.
                            None => return Some(true),
                            Some(l) if r.ts > l => return Some(true),
                            // The latest itself (a sender re-stamping its last time).
                            Some(l) if r.ts == l => return Some(false),
                            _ => {}
                        }
                        if known.is_some_and(|x| has(&x.buffer, r.ts)) || s.sealed.get(&r.series).is_some_and(|p| has(p, r.ts)) {
                            return Some(false);
                        }
                        ask.entry(r.series).or_default().push(r.ts);
                        None
                    })
                    .collect()
            })
            .collect();
        Sorting { flags, ask }
    }

    pub fn next_seq(&self) -> i64 {
        self.lock().seq + 1
    }

    /// Fold a journal entry in, once it is durable.
    pub fn apply(&self, e: &Entry, seq: i64) {
        let mut s = self.lock();
        for r in &e.readings {
            let x = s.series.entry(r.series).or_default();
            if x.latest.is_none_or(|(t, _)| r.ts > t) {
                x.latest = Some((r.ts, r.value));
                x.moved = true;
            }
            let added = match x.buffer.last() {
                Some((t, _)) if *t >= r.ts => match x.buffer.binary_search_by_key(&r.ts, |p| p.0) {
                    Ok(_) => false,
                    Err(i) => {
                        x.buffer.insert(i, (r.ts, r.value));
                        true
                    }
                },
                _ => {
                    x.buffer.push((r.ts, r.value));
                    true
                }
            };
            s.buffered += usize::from(added);
        }
        for d in &e.devices {
            let seen = s.devices.entry(*d).or_insert(e.at);
            *seen = (*seen).max(e.at);
        }
        for (d, n) in &e.duplicates {
            let c = s.duplicates.entry(*d).or_insert((0, e.at));
            c.0 += n;
            c.1 = c.1.max(e.at);
        }
        for r in &e.refused {
            let c = s.refused.entry((r.key.clone(), r.reason)).or_insert((0, e.at, String::new()));
            c.0 += r.n;
            c.1 = c.1.max(e.at);
            c.2 = r.detail.clone();
        }
        s.seq = s.seq.max(seq);
        s.dirty = true;
        s.applied += 1;
        s.since.get_or_insert_with(Instant::now);
    }

    /// Entries applied so far.
    pub fn applied_count(&self) -> u64 {
        self.lock().applied
    }

    /// Readings buffered and not yet sealed.
    pub fn buffered(&self) -> usize {
        self.lock().buffered
    }

    /// Whether anything waits for a checkpoint, and since when.
    pub fn waiting_since(&self) -> Option<Instant> {
        let s = self.lock();
        if s.dirty { s.since.or(Some(Instant::now())) } else { None }
    }

    /// Take everything applied so far out for a checkpoint; `None` if nothing.
    pub fn seal(&self) -> Option<Sealed> {
        let mut guard = self.lock();
        let s = &mut *guard;
        if !s.dirty {
            return None;
        }
        let mut readings = vec![];
        let mut latest = vec![];
        for (id, x) in s.series.iter_mut() {
            if !x.buffer.is_empty() {
                let points = Arc::new(std::mem::take(&mut x.buffer));
                // A series sealed again before its earlier slice committed: keep both visible.
                match s.sealed.get_mut(id) {
                    Some(old) => {
                        let mut both: Points = old.iter().chain(points.iter()).copied().collect();
                        both.sort_unstable_by_key(|p| p.0);
                        *old = Arc::new(both);
                    }
                    None => {
                        s.sealed.insert(*id, points.clone());
                    }
                }
                readings.push((*id, points));
            }
            if std::mem::take(&mut x.moved)
                && let Some((t, v)) = x.latest
            {
                latest.push((*id, t, v));
            }
        }
        readings.sort_unstable_by_key(|(id, _)| *id);
        latest.sort_unstable_by_key(|l| l.0);
        let mut devices: Vec<(i64, i64)> = s.devices.drain().collect();
        devices.sort_unstable();
        let mut duplicates: Vec<(i64, i64, i64)> = s.duplicates.drain().map(|(d, (n, at))| (d, n, at)).collect();
        duplicates.sort_unstable();
        let mut refused: Vec<_> = s.refused.drain().collect();
        refused.sort_by(|a, b| (&a.0.0, a.0.1.code()).cmp(&(&b.0.0, b.0.1.code())));
        s.buffered = 0;
        s.since = None;
        s.dirty = false;
        let upto = s.seq;
        drop(guard);
        self.drained.notify_waiters();
        Some(Sealed { upto, readings, latest, devices, duplicates, refused })
    }

    /// These series' sealed readings are in the table now (call with the gate held).
    pub fn written(&self, series: &[(i64, Arc<Points>)]) {
        let mut s = self.lock();
        for (id, points) in series {
            if s.sealed.get(id).is_some_and(|p| Arc::ptr_eq(p, points)) {
                s.sealed.remove(id);
            } else if let Some(p) = s.sealed.get_mut(id) {
                // Merged with a later seal: drop only what was written.
                let rest: Points = p.iter().filter(|(t, _)| !has(points, *t)).copied().collect();
                *p = Arc::new(rest);
            }
        }
    }

    /// A checkpoint finished; wake a writer waiting for room.
    pub fn finished(&self) {
        self.drained.notify_waiters();
    }

    /// Visit the readings of a series in `[from, to]` that are not in the
    /// table yet (hold the gate to combine them with a table read).
    pub fn each_buffered(&self, series: i64, from: i64, to: i64, mut f: impl FnMut(i64, f64)) {
        let s = self.lock();
        let parts = [s.series.get(&series).map(|x| x.buffer.as_slice()), s.sealed.get(&series).map(|p| p.as_slice())];
        for p in parts.into_iter().flatten() {
            let start = p.partition_point(|(t, _)| *t < from);
            for (t, v) in p[start..].iter().take_while(|(t, _)| *t <= to) {
                f(*t, *v);
            }
        }
    }
}

/// A table read about some series' readings in `[from, to]`, with those of
/// their readings in that range that are not in the table yet, as (series,
/// ts, value) (none on PostgreSQL, `live` absent): each reading is in
/// exactly one of the two, as `query` runs while the gate keeps the
/// checkpoint from moving readings.
pub async fn with_buffered<T, E, Fut>(
    live: Option<&Live>,
    series: &[i64],
    from: i64,
    to: i64,
    query: impl FnOnce() -> Fut,
) -> Result<(T, Vec<(i64, i64, f64)>), E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let Some(live) = live else { return Ok((query().await?, vec![])) };
    let _gate = live.gate.read().await;
    let stored = query().await?;
    let mut buffered = vec![];
    for s in series {
        live.each_buffered(*s, from, to, |t, v| buffered.push((*s, t, v)));
    }
    Ok((stored, buffered))
}

fn has(points: &[(i64, f64)], ts: i64) -> bool {
    points.binary_search_by_key(&ts, |p| p.0).is_ok()
}

/// Complete a `Sorting` with what the table holds: `stored` has the (series, ts)
/// of asked readings found there.
pub fn resolve(sorting: Sorting, stored: &HashSet<(i64, i64)>, jobs: &[&[Reading]]) -> Vec<Vec<bool>> {
    sorting
        .flags
        .into_iter()
        .zip(jobs)
        .map(|(flags, readings)| {
            flags.into_iter().zip(readings.iter()).map(|(f, r)| f.unwrap_or_else(|| !stored.contains(&(r.series, r.ts)))).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(series: i64, ts: i64) -> Reading {
        Reading { series, device: series * 10, ts, value: ts as f64 }
    }

    fn entry(readings: Vec<Reading>) -> Entry {
        Entry { at: 1, devices: readings.iter().map(|r| r.device).collect::<HashSet<_>>().into_iter().collect(), readings, ..Default::default() }
    }

    #[test]
    fn the_live_stream_is_new_without_asking_the_table() {
        let live = Live::default();
        live.learn([(1, Some((100, 1.0))), (2, None)]);
        let jobs = [r(1, 101), r(1, 102), r(2, 5)];
        let s = live.sort(&[&jobs]);
        assert_eq!(s.flags, vec![vec![Some(true), Some(true), Some(true)]]);
        assert!(s.ask.is_empty());
    }

    #[test]
    fn repeats_are_new_once_for_the_first_job_that_sent_them() {
        let live = Live::default();
        live.learn([(1, Some((100, 1.0)))]);
        let a = [r(1, 200), r(1, 150), r(1, 50)];
        let b = [r(1, 200), r(1, 150), r(1, 50), r(1, 100), r(1, 60)];
        let s = live.sort(&[&a, &b]);
        // 200 after the latest; 150 between the stored latest and 200: new; 100 is the latest;
        // 50 and 60 need the table.
        assert_eq!(s.flags[0], vec![Some(true), Some(true), None]);
        assert_eq!(s.flags[1], vec![Some(false), Some(false), Some(false), Some(false), None]);
        assert_eq!(s.ask, [(1, vec![50, 60])].into_iter().collect::<HashMap<_, _>>());
        // The table has 60 but not 50.
        let flags = resolve(s, &[(1, 60)].into_iter().collect(), &[&a, &b]);
        assert_eq!(flags, vec![vec![true, true, true], vec![false, false, false, false, false]]);
    }

    #[test]
    fn buffered_and_sealed_readings_count_as_stored() {
        let live = Live::default();
        live.learn([(1, None)]);
        live.apply(&entry(vec![r(1, 10), r(1, 30), r(1, 20)]), 1);
        assert_eq!(live.buffered(), 3);
        let s = live.sort(&[&[r(1, 20), r(1, 25)]]);
        assert_eq!(s.flags[0], vec![Some(false), None], "20 is buffered; 25 is late and unknown here");
        let sealed = live.seal().unwrap();
        assert_eq!((sealed.upto, sealed.reading_count(), live.buffered()), (1, 3, 0));
        assert_eq!(sealed.latest, vec![(1, 30, 30.0)]);
        assert_eq!(*sealed.readings[0].1, vec![(10, 10.0), (20, 20.0), (30, 30.0)], "sorted by time");
        assert_eq!(live.sort(&[&[r(1, 10)]]).flags[0], vec![Some(false)], "sealed readings are still seen");
        live.written(&sealed.readings);
        assert_eq!(live.sort(&[&[r(1, 10)]]).flags[0], vec![None], "once written, the table answers");
        assert!(live.seal().is_none(), "nothing new to seal");
    }

    #[test]
    fn a_series_sealed_twice_before_its_slice_is_written_stays_visible() {
        let live = Live::default();
        live.learn([(1, None)]);
        live.apply(&entry(vec![r(1, 10)]), 1);
        let first = live.seal().unwrap();
        live.apply(&entry(vec![r(1, 5)]), 2);
        let second = live.seal().unwrap();
        let mut seen = vec![];
        live.each_buffered(1, 0, 100, |t, _| seen.push(t));
        assert_eq!(seen, vec![5, 10]);
        live.written(&first.readings);
        seen.clear();
        live.each_buffered(1, 0, 100, |t, _| seen.push(t));
        assert_eq!(seen, vec![5]);
        live.written(&second.readings);
        seen.clear();
        live.each_buffered(1, 0, 100, |t, _| seen.push(t));
        assert!(seen.is_empty());
    }

    #[test]
    fn counts_and_devices_add_up_until_sealed() {
        let live = Live::default();
        let refused = |n| crate::journal::Refused { key: "x".into(), reason: Reason::OutOfRange, n, detail: format!("d{n}") };
        live.apply(&Entry { at: 5, duplicates: vec![(7, 2)], refused: vec![refused(1)], devices: vec![7], ..Default::default() }, 1);
        live.apply(&Entry { at: 9, duplicates: vec![(7, 3)], refused: vec![refused(2)], devices: vec![7], ..Default::default() }, 2);
        let s = live.seal().unwrap();
        assert_eq!(s.devices, vec![(7, 9)]);
        assert_eq!(s.duplicates, vec![(7, 5, 9)]);
        assert_eq!(s.refused, vec![(("x".to_string(), Reason::OutOfRange), (3, 9, "d2".to_string()))]);
        assert_eq!(s.upto, 2);
    }

    #[test]
    fn buffered_readings_in_a_window() {
        let live = Live::default();
        live.learn([(1, None)]);
        live.apply(&entry(vec![r(1, 10), r(1, 20), r(1, 30)]), 1);
        let mut seen = vec![];
        live.each_buffered(1, 15, 30, |t, _| seen.push(t));
        assert_eq!(seen, vec![20, 30]);
    }
}
