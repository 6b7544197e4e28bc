//! Readings as they arrive, the checks each must pass, and the compact line
//! format. No I/O here.

use crate::types::{DeviceType, unit_matches};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A reading as sent, before any check.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Position in the batch; for the line format, the line number.
    pub index: usize,
    /// Shared by the readings of one line.
    pub device: Arc<str>,
    pub quantity: String,
    pub value: Value,
    pub unit: Option<String>,
    /// Milliseconds since the epoch; `None` means "now".
    pub time: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    /// Anything that is not a number (a string, an object); refused.
    Other,
}

/// Why a reading was refused. The codes are stable: staff pages and device
/// firmware read them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    UnknownDevice,
    DeviceInactive,
    NotPermitted,
    UnknownQuantity,
    WrongUnit,
    NotANumber,
    OutOfRange,
    FutureTimestamp,
    BadTimestamp,
    Malformed,
    /// Not a refusal: the same device, quantity and time again, stored once.
    /// Counted so that a gateway re-sending (or re-stamping) old values shows.
    Duplicate,
}

impl Reason {
    pub const ALL: [Reason; 11] = [
        Reason::UnknownDevice,
        Reason::DeviceInactive,
        Reason::NotPermitted,
        Reason::UnknownQuantity,
        Reason::WrongUnit,
        Reason::NotANumber,
        Reason::OutOfRange,
        Reason::FutureTimestamp,
        Reason::BadTimestamp,
        Reason::Malformed,
        Reason::Duplicate,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Reason::UnknownDevice => "unknown_device",
            Reason::DeviceInactive => "device_inactive",
            Reason::NotPermitted => "not_permitted",
            Reason::UnknownQuantity => "unknown_quantity",
            Reason::WrongUnit => "wrong_unit",
            Reason::NotANumber => "not_a_number",
            Reason::OutOfRange => "out_of_range",
            Reason::FutureTimestamp => "future_timestamp",
            Reason::BadTimestamp => "bad_timestamp",
            Reason::Malformed => "malformed",
            Reason::Duplicate => "duplicate",
        }
    }
    pub fn from_code(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// A refused reading with enough detail to fix the sender.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Rejection {
    /// Position in the batch (from 0); for the line format, the line number (from 1).
    pub index: usize,
    pub device: String,
    pub quantity: String,
    pub reason: Reason,
    pub detail: String,
}

/// What the ingestion path knows about a device, cached per process.
#[derive(Clone, Debug)]
pub struct DeviceEntry {
    pub id: i64,
    pub key: String,
    pub active: bool,
    pub device_type: Arc<DeviceType>,
    /// Series id per quantity name.
    pub series: rustc_hash::FxHashMap<String, i64>,
}

/// A reading that passed every check, ready to store.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Reading {
    pub series: i64,
    pub device: i64,
    pub ts: i64,
    pub value: f64,
}

/// Which devices the sender may write for.
#[derive(Clone, Debug, PartialEq)]
pub enum Sender {
    /// A device token or MQTT login: its own readings only.
    Device(String),
    /// An integration token with `telemetry:write`: any device.
    Integration,
}

pub struct Limits {
    pub now: i64,
    /// How far ahead of the server clock a timestamp may be.
    pub max_future_ms: i64,
}

/// The earliest time a reading may have (1900-01-01T00:00:00Z, in ms).
pub const EARLIEST_MS: i64 = -2_208_988_800_000;

/// Check one reading against its device and type.
pub fn validate(c: &Candidate, entry: Option<&DeviceEntry>, sender: &Sender, limits: &Limits) -> Result<Reading, (Reason, String)> {
    if let Sender::Device(own) = sender
        && **own != *c.device
    {
        return Err((Reason::NotPermitted, format!("this credential writes for {own} only")));
    }
    let Some(d) = entry else {
        return Err((Reason::UnknownDevice, format!("no device {:?}", truncate(&c.device))));
    };
    if !d.active {
        return Err((Reason::DeviceInactive, "the device is not active".into()));
    }
    let Some(q) = d.device_type.quantity(&c.quantity) else {
        let known: Vec<&str> = d.device_type.quantities.iter().map(|q| q.name.as_str()).collect();
        return Err((Reason::UnknownQuantity, format!("{} measures {}", d.device_type.id, known.join(", "))));
    };
    if let Some(u) = &c.unit
        && !unit_matches(&q.unit, u)
    {
        return Err((Reason::WrongUnit, format!("{} is in {}, not {}", q.name, q.unit, truncate(u))));
    }
    let v = match c.value {
        Value::Number(v) if v.is_finite() => v,
        _ => return Err((Reason::NotANumber, "the value must be a finite number".into())),
    };
    if v < q.min || v > q.max {
        return Err((Reason::OutOfRange, format!("{v} is outside {}..{} {}", q.min, q.max, q.unit)));
    }
    let ts = c.time.unwrap_or(limits.now);
    // A line's integer timestamp can be anything: far enough back, its hour
    // or day bucket (and a rule's look back) would not fit an i64.
    if ts < EARLIEST_MS {
        return Err((Reason::BadTimestamp, "before 1900-01-01T00:00:00Z".into()));
    }
    if ts > limits.now + limits.max_future_ms {
        return Err((Reason::FutureTimestamp, format!("{} s ahead of the server clock", (ts - limits.now) / 1000)));
    }
    let series = d.series.get(&q.name).copied().ok_or((Reason::UnknownQuantity, "the device has no series for it".to_string()))?;
    Ok(Reading { series, device: d.id, ts, value: v })
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// One reading in the JSON batch format.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadingIn {
    /// Device key; may be left out when the credential is a device's own.
    #[schema(example = "ptuj-lum-00001")]
    pub device: Option<String>,
    #[schema(example = "illuminanceLevel")]
    pub quantity: String,
    #[schema(value_type = f64, example = 40.0)]
    pub value: serde_json::Value,
    /// UN/CEFACT code or common symbol; checked against the type when given.
    pub unit: Option<String>,
    /// RFC 3339; the server's time when left out.
    #[schema(format = "date-time")]
    pub time: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchIn {
    pub readings: Vec<ReadingIn>,
}

/// Turn the JSON form into candidates; a bad timestamp is a refusal of that
/// reading alone.
pub fn from_json(batch: BatchIn, default_device: Option<&str>) -> Vec<Result<Candidate, Rejection>> {
    batch
        .readings
        .into_iter()
        .enumerate()
        .map(|(index, r)| {
            let device: Arc<str> = r.device.as_deref().or(default_device).unwrap_or_default().into();
            let time = match &r.time {
                None => None,
                Some(t) => match chrono::DateTime::parse_from_rfc3339(t) {
                    Ok(dt) => Some(dt.timestamp_millis()),
                    Err(_) => {
                        return Err(Rejection {
                            index,
                            device: device.to_string(),
                            quantity: r.quantity,
                            reason: Reason::BadTimestamp,
                            detail: "use RFC 3339".into(),
                        });
                    }
                },
            };
            let value = match r.value.as_f64() {
                Some(v) => Value::Number(v),
                None => Value::Other,
            };
            Ok(Candidate { index, device, quantity: r.quantity, value, unit: r.unit, time })
        })
        .collect()
}

/// Timestamp precision of the line format (as InfluxDB's `precision=`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    Ns,
    Us,
    Ms,
    S,
}

impl Precision {
    fn to_millis(self, t: i64) -> i64 {
        match self {
            Precision::Ns => t.div_euclid(1_000_000),
            Precision::Us => t.div_euclid(1_000),
            Precision::Ms => t,
            Precision::S => t.saturating_mul(1000),
        }
    }
}

/// The compact line format is InfluxDB line protocol, so that the same lines
/// go to us, to InfluxDB and to VictoriaMetrics:
/// `<device>[,<tag>=<v>…] <quantity>=<value>[,<quantity>=<value>…] [<timestamp>]`.
/// Tags are accepted and ignored; integers may carry Influx's `i` suffix.
/// Each field is one reading; `index` in a rejection is the line number.
pub fn from_lines(text: &str, precision: Precision) -> Vec<Result<Candidate, Rejection>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let index = n + 1;
        match parse_line(line) {
            Ok((device, fields, ts)) => {
                let time = ts.map(|t| precision.to_millis(t));
                let device: Arc<str> = device.into();
                for (quantity, value) in fields {
                    out.push(Ok(Candidate { index, device: device.clone(), quantity, value, unit: None, time }));
                }
            }
            Err(detail) => {
                out.push(Err(Rejection { index, device: String::new(), quantity: String::new(), reason: Reason::Malformed, detail: detail.into() }))
            }
        }
    }
    out
}

type Line = (String, Vec<(String, Value)>, Option<i64>);

/// A field value: a number (Influx's `i`/`u` suffixes and booleans too), or not one.
fn field_value(v: &str) -> Value {
    match v.trim_end_matches(['i', 'u']).parse::<f64>() {
        Ok(x) => Value::Number(x),
        Err(_) if matches!(v, "t" | "T" | "true" | "True" | "TRUE") => Value::Number(1.0),
        Err(_) if matches!(v, "f" | "F" | "false" | "False" | "FALSE") => Value::Number(0.0),
        Err(_) => Value::Other,
    }
}

fn parse_line(line: &str) -> Result<Line, &'static str> {
    if line.contains(['\\', '"']) { parse_escaped(line) } else { parse_plain(line) }
}

/// A line with backslash escapes or quoted strings.
fn parse_escaped(line: &str) -> Result<Line, &'static str> {
    let parts = split_unescaped(line, ' ');
    let (head, fields, ts) = match parts.as_slice() {
        [h, f] => (h, f, None),
        [h, f, t] => (h, f, Some(t.parse::<i64>().map_err(|_| "the timestamp must be an integer")?)),
        _ => return Err("expected `<device> <quantity>=<value>[,…] [timestamp]`"),
    };
    let device = unescape(split_unescaped(head, ',').first().ok_or("missing device")?);
    if device.is_empty() {
        return Err("missing device");
    }
    let mut out = Vec::new();
    for f in split_unescaped(fields, ',') {
        let Some((k, v)) = split_once_unescaped(&f, '=') else {
            return Err("a field must be `<quantity>=<value>`");
        };
        out.push((unescape(&k), field_value(&v)));
    }
    Ok((device, out, ts))
}

/// The same as `parse_line` for a line without escapes or quotes (nearly
/// every line), without copying each part first.
fn parse_plain(line: &str) -> Result<Line, &'static str> {
    let mut parts = line.split(' ').filter(|p| !p.is_empty());
    let (head, fields, ts) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(f), None, None) => (h, f, None),
        (Some(h), Some(f), Some(t), None) => (h, f, Some(t.parse::<i64>().map_err(|_| "the timestamp must be an integer")?)),
        _ => return Err("expected `<device> <quantity>=<value>[,…] [timestamp]`"),
    };
    let device = head.split(',').find(|p| !p.is_empty()).ok_or("missing device")?;
    let mut out = Vec::new();
    for f in fields.split(',').filter(|f| !f.is_empty()) {
        let (k, v) = f.split_once('=').ok_or("a field must be `<quantity>=<value>`")?;
        out.push((k.to_string(), field_value(v)));
    }
    Ok((device.to_string(), out, ts))
}

/// Split on `sep` outside backslash escapes and double quotes.
fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    let mut quoted = false;
    for ch in s.chars() {
        let cur = parts.last_mut().expect("one part at least");
        if escaped {
            cur.push('\\');
            cur.push(ch);
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == '"' {
            quoted = !quoted;
            cur.push(ch);
        } else if ch == sep && !quoted {
            // Runs of spaces count as one separator.
            if !(sep == ' ' && cur.is_empty()) {
                parts.push(String::new());
            }
        } else {
            cur.push(ch);
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

fn split_once_unescaped(s: &str, sep: char) -> Option<(String, String)> {
    let mut prev = '\0';
    for (i, ch) in s.char_indices() {
        if ch == sep && prev != '\\' {
            return Some((s[..i].to_string(), s[i + ch.len_utf8()..].to_string()));
        }
        prev = ch;
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("\\ ", " ").replace("\\,", ",").replace("\\=", "=")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::builtin;

    fn lamp() -> DeviceEntry {
        let t = builtin().into_iter().find(|t| t.id == "Streetlight").unwrap();
        DeviceEntry {
            id: 7,
            key: "lum-1".into(),
            active: true,
            series: t.quantities.iter().enumerate().map(|(i, q)| (q.name.clone(), 100 + i as i64)).collect(),
            device_type: Arc::new(t),
        }
    }

    fn cand(q: &str, v: f64) -> Candidate {
        Candidate { index: 0, device: "lum-1".into(), quantity: q.into(), value: Value::Number(v), unit: None, time: Some(1_000) }
    }

    const LIMITS: Limits = Limits { now: 10_000, max_future_ms: 5_000 };

    #[test]
    fn each_check_refuses_with_its_reason() {
        let d = lamp();
        let ok = validate(&cand("illuminanceLevel", 40.0), Some(&d), &Sender::Integration, &LIMITS).unwrap();
        assert_eq!(ok, Reading { series: 100, device: 7, ts: 1_000, value: 40.0 });
        let reason = |c: &Candidate, e: Option<&DeviceEntry>, s: &Sender| validate(c, e, s, &LIMITS).unwrap_err().0;
        assert_eq!(reason(&cand("illuminanceLevel", 40.0), None, &Sender::Integration), Reason::UnknownDevice);
        assert_eq!(reason(&cand("illuminanceLevel", 40.0), Some(&d), &Sender::Device("lum-2".into())), Reason::NotPermitted);
        assert_eq!(reason(&cand("temperature", 4.0), Some(&d), &Sender::Integration), Reason::UnknownQuantity);
        assert_eq!(reason(&cand("illuminanceLevel", 101.0), Some(&d), &Sender::Integration), Reason::OutOfRange);
        assert_eq!(reason(&cand("illuminanceLevel", f64::NAN), Some(&d), &Sender::Integration), Reason::NotANumber);
        let mut c = cand("activePower", 50.0);
        c.unit = Some("kW".into());
        assert_eq!(reason(&c, Some(&d), &Sender::Integration), Reason::WrongUnit);
        c.unit = Some("W".into());
        assert!(validate(&c, Some(&d), &Sender::Integration, &LIMITS).is_ok(), "the symbol of the declared unit is fine");
        c.time = Some(LIMITS.now + 5_001);
        assert_eq!(reason(&c, Some(&d), &Sender::Integration), Reason::FutureTimestamp);
        for t in [i64::MIN, EARLIEST_MS - 1] {
            c.time = Some(t);
            assert_eq!(reason(&c, Some(&d), &Sender::Integration), Reason::BadTimestamp, "{t}");
        }
        c.time = Some(EARLIEST_MS);
        assert!(validate(&c, Some(&d), &Sender::Integration, &LIMITS).is_ok(), "history back to 1900 is fine");
        let mut inactive = lamp();
        inactive.active = false;
        assert_eq!(reason(&cand("illuminanceLevel", 1.0), Some(&inactive), &Sender::Integration), Reason::DeviceInactive);
    }

    #[test]
    fn missing_time_means_now() {
        let mut c = cand("illuminanceLevel", 1.0);
        c.time = None;
        assert_eq!(validate(&c, Some(&lamp()), &Sender::Integration, &LIMITS).unwrap().ts, LIMITS.now);
    }

    #[test]
    fn line_protocol_as_influx_writes_it() {
        let got = from_lines(
            "lum-1,feeder=F1 illuminanceLevel=40,activePower=61i 1700000000000000000\n\n# note\nlum\\ 2 energyConsumed=1.5",
            Precision::Ns,
        );
        let got: Vec<Candidate> = got.into_iter().map(Result::unwrap).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0],
            Candidate {
                index: 1,
                device: "lum-1".into(),
                quantity: "illuminanceLevel".into(),
                value: Value::Number(40.0),
                unit: None,
                time: Some(1_700_000_000_000)
            }
        );
        assert_eq!(got[1].value, Value::Number(61.0));
        assert_eq!(&*got[2].device, "lum 2");
        assert_eq!(got[2].time, None);
        let s = from_lines("lum-1 level=1 1700000000", Precision::S);
        assert_eq!(s[0].as_ref().unwrap().time, Some(1_700_000_000_000));
    }

    #[test]
    fn plain_lines_parse_as_the_general_parser_does() {
        for line in [
            "lum-1,feeder=RP-01 illuminanceLevel=40,activePower=24.5i 1795644000000",
            "lum-1  a=1,,b=t   12",
            ",lum-2 a=F",
            "lum-1 a=",
            "lum-1 a=1 x",
            "lum-1 a",
            "lum-1",
            "lum-1 a=1 2 3",
            ", a=1",
            "lum-1 =5",
        ] {
            assert_eq!(parse_plain(line), parse_escaped(line), "{line}");
        }
    }

    #[test]
    fn malformed_lines_are_refused_by_line_number() {
        let got = from_lines("lum-1 x=1\nnonsense\nlum-1 y=\"text\" 12 13", Precision::Ms);
        assert!(got[0].is_ok());
        let e = got[1].as_ref().unwrap_err();
        assert_eq!((e.index, e.reason), (2, Reason::Malformed));
        assert_eq!(got[2].as_ref().unwrap_err().index, 3);
        let text = from_lines("lum-1 y=\"text\"", Precision::Ms);
        assert_eq!(text[0].as_ref().unwrap().value, Value::Other);
    }

    #[test]
    fn json_batch_with_bad_time_refuses_that_reading_only() {
        let b: BatchIn = serde_json::from_str(
            r#"{"readings":[{"quantity":"a","value":1,"time":"yesterday"},{"quantity":"b","value":"x","time":"2026-11-25T10:00:00+01:00"}]}"#,
        )
        .unwrap();
        let got = from_json(b, Some("lum-1"));
        assert_eq!(got[0].as_ref().unwrap_err().reason, Reason::BadTimestamp);
        let c = got[1].as_ref().unwrap();
        assert_eq!((&*c.device, &c.value, c.time), ("lum-1", &Value::Other, Some(1_795_597_200_000)));
    }
}
