//! One group commit as the writer appends it to `telemetry_journal`: the new
//! readings and what else the commit changes (devices heard from, duplicates
//! and refusals counted). On SQLite the row is the whole commit, so that the
//! acknowledgement path is one sequential append; the tables are brought up
//! to date later by the checkpoint (`checkpoint`). On PostgreSQL the row
//! carries only the readings, as the rollup work still to do (`rollup`).
//!
//! Compact binary form: integers as LEB128 varints (zigzag for deltas),
//! values as 8-byte floats, so a reading costs about 12 bytes.

use crate::model::{Reading, Reason};

const VERSION: u8 = 1;

/// Refused readings of one presented device key and reason in a commit.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    pub key: String,
    pub reason: Reason,
    pub n: i64,
    pub detail: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entry {
    /// Commit time (ms): when the devices were heard from and the counts last moved.
    pub at: i64,
    /// Readings that were new.
    pub readings: Vec<Reading>,
    /// Devices that sent a new reading.
    pub devices: Vec<i64>,
    /// Readings sent again, per device id.
    pub duplicates: Vec<(i64, i64)>,
    pub refused: Vec<Refused>,
}

impl Entry {
    pub fn is_empty(&self) -> bool {
        self.readings.is_empty() && self.duplicates.is_empty() && self.refused.is_empty()
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(16 + self.readings.len() * 13);
        b.push(VERSION);
        put_i(&mut b, self.at);
        put_u(&mut b, self.readings.len() as u64);
        let (mut s, mut d, mut t) = (0i64, 0i64, 0i64);
        for r in &self.readings {
            put_i(&mut b, r.series.wrapping_sub(s));
            put_i(&mut b, r.device.wrapping_sub(d));
            put_i(&mut b, r.ts.wrapping_sub(t));
            b.extend_from_slice(&r.value.to_le_bytes());
            (s, d, t) = (r.series, r.device, r.ts);
        }
        put_u(&mut b, self.devices.len() as u64);
        let mut prev = 0i64;
        for id in &self.devices {
            put_i(&mut b, id.wrapping_sub(prev));
            prev = *id;
        }
        put_u(&mut b, self.duplicates.len() as u64);
        for (device, n) in &self.duplicates {
            put_i(&mut b, *device);
            put_i(&mut b, *n);
        }
        put_u(&mut b, self.refused.len() as u64);
        for r in &self.refused {
            put_str(&mut b, &r.key);
            put_str(&mut b, r.reason.code());
            put_i(&mut b, r.n);
            put_str(&mut b, &r.detail);
        }
        b
    }

    pub fn decode(bytes: &[u8]) -> Result<Entry, String> {
        let mut c = Cursor { b: bytes, at: 0 };
        if c.byte()? != VERSION {
            return Err("unknown journal entry version".into());
        }
        let at = c.i()?;
        // At least three one-byte varints and eight bytes of value each.
        let n = c.len(11)?;
        let mut readings = Vec::with_capacity(n);
        let (mut s, mut d, mut t) = (0i64, 0i64, 0i64);
        for _ in 0..n {
            s = s.wrapping_add(c.i()?);
            d = d.wrapping_add(c.i()?);
            t = t.wrapping_add(c.i()?);
            let value = f64::from_le_bytes(c.take(8)?.try_into().map_err(|_| "short value")?);
            readings.push(Reading { series: s, device: d, ts: t, value });
        }
        let n = c.len(1)?;
        let mut devices = Vec::with_capacity(n);
        let mut prev = 0i64;
        for _ in 0..n {
            prev = prev.wrapping_add(c.i()?);
            devices.push(prev);
        }
        let n = c.len(2)?;
        let mut duplicates = Vec::with_capacity(n);
        for _ in 0..n {
            duplicates.push((c.i()?, c.i()?));
        }
        let n = c.len(4)?;
        let mut refused = Vec::with_capacity(n);
        for _ in 0..n {
            let key = c.str()?;
            let code = c.str()?;
            let reason = Reason::from_code(&code).ok_or_else(|| format!("unknown reason {code:?}"))?;
            refused.push(Refused { key, reason, n: c.i()?, detail: c.str()? });
        }
        if c.at != bytes.len() {
            return Err("trailing bytes after the journal entry".into());
        }
        Ok(Entry { at, readings, devices, duplicates, refused })
    }
}

fn put_u(b: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        b.push((v as u8) | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}

fn put_i(b: &mut Vec<u8>, v: i64) {
    put_u(b, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_str(b: &mut Vec<u8>, s: &str) {
    put_u(b, s.len() as u64);
    b.extend_from_slice(s.as_bytes());
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.b.len()).ok_or("truncated journal entry")?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }
    fn i(&mut self) -> Result<i64, String> {
        let u = self.u()?;
        Ok((u >> 1) as i64 ^ -((u & 1) as i64))
    }
    /// A count of items of at least `min_bytes` each: bounded by what is left,
    /// so a damaged count cannot ask for a huge allocation.
    fn len(&mut self, min_bytes: usize) -> Result<usize, String> {
        let n = self.u()? as usize;
        if n.saturating_mul(min_bytes) > self.b.len() - self.at {
            return Err("journal entry count exceeds its size".into());
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.len(1)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| "journal text is not UTF-8".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        Entry {
            at: 1_795_000_000_123,
            readings: vec![
                Reading { series: 42, device: 7, ts: 1_795_000_000_000, value: 40.5 },
                Reading { series: 3, device: 1, ts: 1_794_000_000_000, value: -0.0 },
                Reading { series: i64::MAX, device: 2, ts: -5, value: f64::MAX },
            ],
            devices: vec![7, 1, 2],
            duplicates: vec![(7, 3)],
            refused: vec![Refused { key: "t-ghost ✓".into(), reason: Reason::UnknownDevice, n: 2, detail: "no device \"t-ghost\"".into() }],
        }
    }

    #[test]
    fn an_entry_comes_back_as_written() {
        let e = sample();
        let bytes = e.encode();
        let back = Entry::decode(&bytes).unwrap();
        assert_eq!(back, e);
        assert!(back.readings[1].value.is_sign_negative(), "values are kept bit for bit");
        assert_eq!(Entry::decode(&Entry::default().encode()).unwrap(), Entry::default());
    }

    #[test]
    fn a_reading_of_a_live_stream_costs_about_twelve_bytes() {
        let readings: Vec<Reading> =
            (0..1000).map(|i| Reading { series: 10_000 + i, device: 5_000 + i / 3, ts: 1_795_000_000_000, value: i as f64 }).collect();
        let bytes = Entry { readings, ..Default::default() }.encode();
        assert!(bytes.len() < 13 * 1000, "{} bytes", bytes.len());
        // The smallest a reading gets: the same series, device and time as the one before.
        let same = Entry { readings: vec![Reading { series: 0, device: 0, ts: 0, value: 1.0 }; 100], ..Default::default() };
        assert_eq!(Entry::decode(&same.encode()).unwrap(), same);
    }

    #[test]
    fn damaged_entries_are_refused_not_misread() {
        let bytes = sample().encode();
        for cut in 0..bytes.len() {
            assert!(Entry::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Entry::decode(&longer).is_err());
        let mut other = bytes;
        other[0] = 9;
        assert!(Entry::decode(&other).is_err());
        // A count that claims more items than bytes left.
        assert!(Entry::decode(&[VERSION, 0, 0xff, 0xff, 0xff, 0x7f]).is_err());
    }
}
