//! CAP 1.2 (OASIS Common Alerting Protocol, 2010) documents: the message
//! model as the standard defines it, its XML form, and a check of the rules
//! the standard states in prose and its XML schema does not express (or
//! expresses loosely). No I/O.
//!
//! Values the standard encodes as text (times, polygons, circles,
//! references) are kept as text here, exactly as they appear in the
//! document, so that the check is a check of the document.

use kernel::Timestamp;
use serde::{Deserialize, Serialize};

pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";
/// The media type of a CAP document (IANA registration of CAP 1.2).
pub const MEDIA_TYPE: &str = "application/cap+xml";

/// A closed CAP code list: variants named as the standard spells them.
macro_rules! code_list {
    ($(#[$m:meta])* $name:ident { $($v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// The value as the standard spells it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => stringify!($v)),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

code_list!(
    /// `<status>`: the appropriate handling of the message.
    Status { Actual, Exercise, System, Test, Draft }
);
code_list!(
    /// `<msgType>`: the nature of the message.
    MsgType { Alert, Update, Cancel, Ack, Error }
);
code_list!(
    /// `<scope>`: the intended distribution.
    Scope { Public, Restricted, Private }
);
code_list!(
    /// `<category>`: the category of the subject event.
    Category { Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other }
);
code_list!(
    /// `<responseType>`: the type of action recommended for the audience.
    ResponseType { Shelter, Evacuate, Prepare, Execute, Avoid, Monitor, Assess, AllClear, None }
);
code_list!(
    /// `<urgency>`: how soon responsive action should be taken.
    Urgency { Immediate, Expected, Future, Past, Unknown }
);
code_list!(
    /// `<severity>`: the intensity of impact.
    Severity { Extreme, Severe, Moderate, Minor, Unknown }
);
code_list!(
    /// `<certainty>`: the confidence in the observation or prediction.
    Certainty { Observed, Likely, Possible, Unlikely, Unknown }
);

/// `<alert>`: the message and its envelope.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub identifier: String,
    pub sender: String,
    /// CAP dateTime, e.g. `2026-11-05T09:00:00+01:00`.
    pub sent: String,
    pub status: Status,
    pub msg_type: MsgType,
    pub source: Option<String>,
    pub scope: Scope,
    pub restriction: Option<String>,
    pub addresses: Option<String>,
    pub code: Vec<String>,
    pub note: Option<String>,
    /// `sender,identifier,sent` of earlier messages, separated by spaces.
    pub references: Option<String>,
    pub incidents: Option<String>,
    pub info: Vec<Info>,
}

/// `<info>`: the event in one language.
#[derive(Clone, Debug, PartialEq)]
pub struct Info {
    /// RFC 3066 language tag, e.g. `sl-SI`.
    pub language: String,
    pub category: Vec<Category>,
    pub event: String,
    pub response_type: Vec<ResponseType>,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    pub audience: Option<String>,
    pub event_code: Vec<(String, String)>,
    pub effective: Option<String>,
    pub onset: Option<String>,
    pub expires: Option<String>,
    pub sender_name: Option<String>,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    pub web: Option<String>,
    pub contact: Option<String>,
    pub parameter: Vec<(String, String)>,
    pub area: Vec<Area>,
}

/// `<area>`: where the event applies.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Area {
    pub area_desc: String,
    /// Each `lat,lon lat,lon …` (WGS 84), closed.
    pub polygon: Vec<String>,
    /// Each `lat,lon radius` with the radius in kilometres.
    pub circle: Vec<String>,
    pub geocode: Vec<(String, String)>,
    /// Feet above mean sea level (WGS 84 datum), as CAP states.
    pub altitude: Option<f64>,
    pub ceiling: Option<f64>,
}

// ---------------------------------------------------------------- times

/// A time as CAP writes it: local time in Slovenia with its explicit offset
/// (`+01:00` in winter, `+02:00` in summer), whole seconds. CAP forbids `Z`
/// and writes UTC as `-00:00`, which `offset_form` does when the offset is zero.
pub fn format_time(t: Timestamp) -> String {
    let utc = t.to_datetime().naive_utc();
    let local = t.local();
    offset_form(local, (local - utc).num_minutes())
}

/// The same instant in UTC, as `…-00:00`.
pub fn format_time_utc(t: Timestamp) -> String {
    offset_form(t.to_datetime().naive_utc(), 0)
}

fn offset_form(local: chrono::NaiveDateTime, minutes: i64) -> String {
    // CAP 1.2 §3.3.2: "The timezone for UTC MUST be represented as -00:00".
    let sign = if minutes > 0 { '+' } else { '-' };
    let m = minutes.abs();
    format!("{}{sign}{:02}:{:02}", local.format("%Y-%m-%dT%H:%M:%S"), m / 60, m % 60)
}

/// Read a CAP dateTime: `YYYY-MM-DDThh:mm:ss` and an explicit `+hh:mm` or
/// `-hh:mm`; no `Z`, no fractions of a second, a real calendar date.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let shape = b.len() == 25
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && matches!(b[19], b'+' | b'-')
        && digits(20..22)
        && b[22] == b':'
        && digits(23..25);
    if !shape {
        return None;
    }
    let local = chrono::NaiveDateTime::parse_from_str(&s[..19], "%Y-%m-%dT%H:%M:%S").ok()?;
    let (h, m): (i64, i64) = (s[20..22].parse().ok()?, s[23..25].parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    let offset = (h * 60 + m) * if b[19] == b'-' { -1 } else { 1 };
    Some(Timestamp((local - chrono::Duration::minutes(offset)).and_utc().timestamp_millis()))
}

// ---------------------------------------------------------------- geometry

/// A WGS 84 point as CAP orders it: latitude first.
pub type LatLon = (f64, f64);

fn parse_pair(s: &str) -> Option<LatLon> {
    let (lat, lon) = s.split_once(',')?;
    let (lat, lon): (f64, f64) = (lat.trim().parse().ok()?, lon.trim().parse().ok()?);
    (lat.is_finite() && lon.is_finite()).then_some((lat, lon))
}

fn in_range((lat, lon): LatLon) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

/// A coordinate written without superfluous digits (about 1 cm).
pub fn coord(v: f64) -> String {
    let s = format!("{v:.7}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// `lat,lon lat,lon …`, closed: the first point is repeated at the end if needed.
pub fn polygon_text(points: &[LatLon]) -> String {
    let mut ring: Vec<LatLon> = points.to_vec();
    if ring.first() != ring.last() {
        ring.extend(ring.first().copied());
    }
    ring.iter().map(|(lat, lon)| format!("{},{}", coord(*lat), coord(*lon))).collect::<Vec<_>>().join(" ")
}

/// The points of a polygon as written, or why they cannot be read.
pub fn parse_polygon(s: &str) -> Result<Vec<LatLon>, &'static str> {
    s.split_whitespace().map(|p| parse_pair(p).ok_or("cap_polygon_format")).collect()
}

pub fn circle_text(centre: LatLon, radius_km: f64) -> String {
    format!("{},{} {}", coord(centre.0), coord(centre.1), coord(radius_km))
}

pub fn parse_circle(s: &str) -> Result<(LatLon, f64), &'static str> {
    let mut parts = s.split_whitespace();
    let (Some(centre), Some(radius), None) = (parts.next(), parts.next(), parts.next()) else { return Err("cap_circle_format") };
    let centre = parse_pair(centre).ok_or("cap_circle_format")?;
    let radius: f64 = radius.parse().map_err(|_| "cap_circle_format")?;
    Ok((centre, radius))
}

// ---------------------------------------------------------------- references

/// One referenced message: `sender,identifier,sent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub sender: String,
    pub identifier: String,
    pub sent: String,
}

impl Reference {
    pub fn text(&self) -> String {
        format!("{},{},{}", self.sender, self.identifier, self.sent)
    }
}

pub fn references_text(refs: &[Reference]) -> Option<String> {
    (!refs.is_empty()).then(|| refs.iter().map(Reference::text).collect::<Vec<_>>().join(" "))
}

pub fn parse_references(s: &str) -> Result<Vec<Reference>, &'static str> {
    s.split_whitespace()
        .map(|r| {
            let mut it = r.split(',');
            match (it.next(), it.next(), it.next(), it.next()) {
                (Some(sender), Some(identifier), Some(sent), None) if !sender.is_empty() && !identifier.is_empty() && parse_time(sent).is_some() => {
                    Ok(Reference { sender: sender.into(), identifier: identifier.into(), sent: sent.into() })
                }
                _ => Err("cap_references_format"),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- the rules

/// One broken rule: where in the document (`info[1].area[0].polygon[0]`) and
/// a stable code (`cap_polygon_open`) that pages and clients translate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub code: &'static str,
}

/// How far ahead of the checker's clock `sent` may be (clocks differ a little).
pub const SENT_SKEW_SECONDS: i64 = 60;
/// CAP 1.2 §3.2.2 suggests 160 characters as a target for a headline.
pub const HEADLINE_MAX: usize = 160;

/// Every rule of CAP 1.2 this document breaks that its XML schema does not
/// catch, plus the schema's own constraints on values we write as text.
/// `now` is for "sent is not in the future".
pub fn check(a: &Alert, now: Timestamp) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut bad = |path: String, code: &'static str| v.push(Violation { path, code });

    // §3.2.1 identifier and sender: no spaces, commas or restricted characters (< and &).
    for (path, value) in [("identifier", &a.identifier), ("sender", &a.sender)] {
        if value.is_empty() {
            bad(path.into(), "cap_required");
        } else if value.chars().any(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&')) {
            bad(path.into(), "cap_restricted_characters");
        }
    }
    // §3.3.2 dateTime: explicit offset, "-00:00" for UTC, never "Z".
    match parse_time(&a.sent) {
        None => bad("sent".into(), "cap_time_format"),
        Some(t) if t.0 > now.0 + SENT_SKEW_SECONDS * 1000 => bad("sent".into(), "cap_sent_future"),
        Some(_) => {}
    }
    // §3.2.1 scope: restriction when Restricted, addresses when Private; for
    // Public neither (they would limit a message meant for everyone).
    let filled = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
    match a.scope {
        Scope::Restricted if !filled(&a.restriction) => bad("restriction".into(), "cap_restriction_required"),
        Scope::Private if !filled(&a.addresses) => bad("addresses".into(), "cap_addresses_required"),
        Scope::Public if a.restriction.is_some() => bad("restriction".into(), "cap_public_restricted"),
        Scope::Public if a.addresses.is_some() => bad("addresses".into(), "cap_public_restricted"),
        _ => {}
    }
    // §3.2.1 msgType: Update, Cancel, Ack and Error name the messages they concern.
    let needs_refs = matches!(a.msg_type, MsgType::Update | MsgType::Cancel | MsgType::Ack | MsgType::Error);
    match a.references.as_deref() {
        None | Some("") if needs_refs => bad("references".into(), "cap_references_required"),
        None | Some("") => {}
        Some(r) => match parse_references(r) {
            Err(code) => bad("references".into(), code),
            Ok(refs) => {
                if refs.iter().any(|r| r.sender == a.sender && r.identifier == a.identifier) {
                    bad("references".into(), "cap_references_self");
                }
                if refs.iter().any(|r| r.sender.contains(['<', '&']) || r.identifier.contains(['<', '&'])) {
                    bad("references".into(), "cap_restricted_characters");
                }
            }
        },
    }
    if a.msg_type == MsgType::Error && !filled(&a.note) {
        bad("note".into(), "cap_note_required");
    }
    // Alerts and updates say what is happening: at least one info block.
    if matches!(a.msg_type, MsgType::Alert | MsgType::Update) && a.info.is_empty() {
        bad("info".into(), "cap_info_required");
    }
    let sent = parse_time(&a.sent);
    for (i, info) in a.info.iter().enumerate() {
        let at = |f: &str| format!("info[{i}].{f}");
        if !is_language_tag(&info.language) {
            bad(at("language"), "cap_language");
        }
        if info.category.is_empty() {
            bad(at("category"), "cap_required");
        }
        if info.event.trim().is_empty() {
            bad(at("event"), "cap_required");
        }
        let mut times = vec![];
        for (name, value) in [("effective", &info.effective), ("onset", &info.onset), ("expires", &info.expires)] {
            if let Some(s) = value {
                match parse_time(s) {
                    None => bad(at(name), "cap_time_format"),
                    Some(t) => times.push((name, t)),
                }
            }
        }
        let time = |n: &str| times.iter().find(|(name, _)| *name == n).map(|(_, t)| *t);
        if let Some(exp) = time("expires") {
            let start = time("onset").or(time("effective")).or(sent);
            if start.is_some_and(|s| exp <= s) {
                bad(at("expires"), "cap_expires_before_start");
            }
        }
        if info.headline.as_deref().is_some_and(|h| h.chars().count() > HEADLINE_MAX) {
            bad(at("headline"), "cap_headline_long");
        }
        if let Some(web) = &info.web
            && !is_absolute_uri(web)
        {
            bad(at("web"), "cap_web_absolute");
        }
        for (j, area) in info.area.iter().enumerate() {
            let at = |f: &str| format!("info[{i}].area[{j}].{f}");
            if area.area_desc.trim().is_empty() {
                bad(at("areaDesc"), "cap_required");
            }
            for (k, p) in area.polygon.iter().enumerate() {
                let path = at(&format!("polygon[{k}]"));
                match parse_polygon(p) {
                    Err(code) => bad(path, code),
                    // §3.2.4: at least four pairs, the first and the last the same.
                    Ok(points) if points.len() < 4 => bad(path, "cap_polygon_short"),
                    Ok(points) if points.first() != points.last() => bad(path, "cap_polygon_open"),
                    Ok(points) if !points.iter().all(|p| in_range(*p)) => bad(path, "cap_coordinate_range"),
                    Ok(_) => {}
                }
            }
            for (k, c) in area.circle.iter().enumerate() {
                let path = at(&format!("circle[{k}]"));
                match parse_circle(c) {
                    Err(code) => bad(path, code),
                    Ok((centre, _)) if !in_range(centre) => bad(path, "cap_coordinate_range"),
                    Ok((_, r)) if !(r.is_finite() && r >= 0.0) => bad(path, "cap_circle_radius"),
                    Ok(_) => {}
                }
            }
            // §3.2.4: ceiling only with altitude, and not below it.
            match (area.altitude, area.ceiling) {
                (None, Some(_)) => bad(at("ceiling"), "cap_ceiling_without_altitude"),
                (Some(lo), Some(hi)) if hi < lo => bad(at("ceiling"), "cap_ceiling_below_altitude"),
                _ => {}
            }
        }
    }
    // XML 1.0 cannot carry most control characters, escaped or not.
    for (path, text) in texts(a) {
        if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
            bad(path, "cap_control_characters");
        }
    }
    v
}

/// Every free text of the document with its path.
fn texts(a: &Alert) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = vec![("identifier".into(), &a.identifier), ("sender".into(), &a.sender)];
    for (name, o) in
        [("source", &a.source), ("restriction", &a.restriction), ("addresses", &a.addresses), ("note", &a.note), ("incidents", &a.incidents)]
    {
        if let Some(s) = o {
            out.push((name.into(), s));
        }
    }
    for (i, info) in a.info.iter().enumerate() {
        out.push((format!("info[{i}].event"), &info.event));
        for (name, o) in [
            ("audience", &info.audience),
            ("senderName", &info.sender_name),
            ("headline", &info.headline),
            ("description", &info.description),
            ("instruction", &info.instruction),
            ("contact", &info.contact),
        ] {
            if let Some(s) = o {
                out.push((format!("info[{i}].{name}"), s));
            }
        }
        for (j, area) in info.area.iter().enumerate() {
            out.push((format!("info[{i}].area[{j}].areaDesc"), &area.area_desc));
        }
    }
    out
}

/// RFC 3066: a primary subtag of 1–8 letters, then subtags of 1–8 letters or digits.
pub fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let primary = parts.next().unwrap_or("");
    let ok = |p: &str, f: fn(&char) -> bool| (1..=8).contains(&p.len()) && p.chars().all(|c| f(&c));
    ok(primary, char::is_ascii_alphabetic) && parts.all(|p| ok(p, char::is_ascii_alphanumeric))
}

/// A full absolute URI (RFC 3986 scheme, then no spaces).
pub fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok && !rest.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
}

// ---------------------------------------------------------------- XML

/// Escape text for XML element content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn open(&mut self, name: &str) {
        self.indent();
        self.out.push_str(&format!("<{name}>\n"));
        self.depth += 1;
    }
    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        self.out.push_str(&format!("</{name}>\n"));
    }
    fn el(&mut self, name: &str, value: &str) {
        self.indent();
        self.out.push_str(&format!("<{name}>{}</{name}>\n", escape(value)));
    }
    fn opt(&mut self, name: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.el(name, v);
        }
    }
    fn pairs(&mut self, name: &str, pairs: &[(String, String)]) {
        for (k, v) in pairs {
            self.open(name);
            self.el("valueName", k);
            self.el("value", v);
            self.close(name);
        }
    }
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

impl Alert {
    /// The document, elements in the order the schema's sequences require.
    pub fn to_xml(&self) -> String {
        let mut x = Xml { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), depth: 0 };
        x.out.push_str(&format!("<alert xmlns=\"{NAMESPACE}\">\n"));
        x.depth = 1;
        x.el("identifier", &self.identifier);
        x.el("sender", &self.sender);
        x.el("sent", &self.sent);
        x.el("status", self.status.as_str());
        x.el("msgType", self.msg_type.as_str());
        x.opt("source", &self.source);
        x.el("scope", self.scope.as_str());
        x.opt("restriction", &self.restriction);
        x.opt("addresses", &self.addresses);
        for c in &self.code {
            x.el("code", c);
        }
        x.opt("note", &self.note);
        x.opt("references", &self.references);
        x.opt("incidents", &self.incidents);
        for info in &self.info {
            x.open("info");
            x.el("language", &info.language);
            for c in &info.category {
                x.el("category", c.as_str());
            }
            x.el("event", &info.event);
            for r in &info.response_type {
                x.el("responseType", r.as_str());
            }
            x.el("urgency", info.urgency.as_str());
            x.el("severity", info.severity.as_str());
            x.el("certainty", info.certainty.as_str());
            x.opt("audience", &info.audience);
            x.pairs("eventCode", &info.event_code);
            x.opt("effective", &info.effective);
            x.opt("onset", &info.onset);
            x.opt("expires", &info.expires);
            x.opt("senderName", &info.sender_name);
            x.opt("headline", &info.headline);
            x.opt("description", &info.description);
            x.opt("instruction", &info.instruction);
            x.opt("web", &info.web);
            x.opt("contact", &info.contact);
            x.pairs("parameter", &info.parameter);
            for area in &info.area {
                x.open("area");
                x.el("areaDesc", &area.area_desc);
                for p in &area.polygon {
                    x.el("polygon", p);
                }
                for c in &area.circle {
                    x.el("circle", c);
                }
                x.pairs("geocode", &area.geocode);
                if let Some(a) = area.altitude {
                    x.el("altitude", &a.to_string());
                }
                if let Some(c) = area.ceiling {
                    x.el("ceiling", &c.to_string());
                }
                x.close("area");
            }
            x.close("info");
        }
        x.depth = 0;
        x.out.push_str("</alert>\n");
        x.out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// 2026-11-05 08:00:00 UTC (09:00 in Ptuj).
    pub const NOV5: Timestamp = Timestamp(1_793_865_600_000);

    pub fn sample() -> Alert {
        Alert {
            identifier: "ptuj-20261105-0001".into(),
            sender: "obcina@ptuj.si".into(),
            sent: format_time(NOV5),
            status: Status::Exercise,
            msg_type: MsgType::Alert,
            source: None,
            scope: Scope::Public,
            restriction: None,
            addresses: None,
            code: vec![],
            note: None,
            references: None,
            incidents: None,
            info: vec![Info {
                language: "sl-SI".into(),
                category: vec![Category::Met, Category::Safety],
                event: "Poplava".into(),
                response_type: vec![ResponseType::Prepare],
                urgency: Urgency::Expected,
                severity: Severity::Severe,
                certainty: Certainty::Likely,
                audience: None,
                event_code: vec![],
                effective: None,
                onset: Some(format_time(Timestamp(NOV5.0 + 3_600_000))),
                expires: Some(format_time(Timestamp(NOV5.0 + 86_400_000))),
                sender_name: Some("Mestna občina Ptuj".into()),
                headline: Some("Drava narašča <vaja> & več".into()),
                description: Some("Opis".into()),
                instruction: Some("Navodilo".into()),
                web: Some("https://portal.ptuj.si/alerts/ptuj-20261105-0001".into()),
                contact: None,
                parameter: vec![],
                area: vec![Area {
                    area_desc: "Ob Dravi".into(),
                    polygon: vec![polygon_text(&[(46.41, 15.86), (46.41, 15.88), (46.43, 15.88), (46.43, 15.86)])],
                    circle: vec![circle_text((46.42, 15.87), 1.5)],
                    ..Default::default()
                }],
            }],
        }
    }

    fn codes(a: &Alert) -> Vec<(String, &'static str)> {
        check(a, NOV5).into_iter().map(|v| (v.path, v.code)).collect()
    }

    #[test]
    fn times_carry_an_explicit_offset_and_never_z() {
        assert_eq!(format_time(NOV5), "2026-11-05T09:00:00+01:00");
        // Summer: +02:00.
        assert_eq!(format_time(Timestamp(1_782_900_000_000)), "2026-07-01T12:00:00+02:00");
        assert_eq!(format_time_utc(NOV5), "2026-11-05T08:00:00-00:00");
        assert_eq!(parse_time("2026-11-05T09:00:00+01:00"), Some(NOV5));
        assert_eq!(parse_time("2026-11-05T08:00:00-00:00"), Some(NOV5));
        assert_eq!(parse_time("2002-05-24T16:49:00-07:00").map(|t| t.rfc3339()).as_deref(), Some("2002-05-24T23:49:00Z"));
        for bad in [
            "2026-11-05T08:00:00Z",
            "2026-11-05T08:00:00.5+01:00",
            "2026-11-05 08:00:00+01:00",
            "2026-02-30T08:00:00+01:00",
            "2026-11-05T08:00+01:00",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_good_document_passes_and_escapes_its_text() {
        let a = sample();
        assert_eq!(codes(&a), vec![]);
        let xml = a.to_xml();
        assert!(xml.contains("<headline>Drava narašča &lt;vaja&gt; &amp; več</headline>"), "{xml}");
        assert!(xml.contains("<polygon>46.41,15.86 46.41,15.88 46.43,15.88 46.43,15.86 46.41,15.86</polygon>"), "{xml}");
        assert!(xml.contains("<circle>46.42,15.87 1.5</circle>"));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"));
    }

    #[test]
    fn envelope_rules() {
        let mut a = sample();
        a.identifier = "ptuj 1,2".into();
        a.sender = "a&b".into();
        a.sent = "2026-11-05T08:00:00Z".into();
        assert_eq!(
            codes(&a),
            vec![
                ("identifier".into(), "cap_restricted_characters"),
                ("sender".into(), "cap_restricted_characters"),
                ("sent".into(), "cap_time_format")
            ]
        );
        let mut a = sample();
        a.sent = format_time(Timestamp(NOV5.0 + 120_000));
        assert_eq!(codes(&a), vec![("sent".into(), "cap_sent_future")]);
        a.sent = format_time(Timestamp(NOV5.0 + 30_000));
        assert_eq!(codes(&a), vec![], "a little clock skew is allowed");

        let mut a = sample();
        a.addresses = Some("someone".into());
        assert_eq!(codes(&a), vec![("addresses".into(), "cap_public_restricted")]);
        a.addresses = None;
        a.scope = Scope::Restricted;
        assert_eq!(codes(&a), vec![("restriction".into(), "cap_restriction_required")]);
        a.scope = Scope::Private;
        assert_eq!(codes(&a), vec![("addresses".into(), "cap_addresses_required")]);
    }

    #[test]
    fn updates_and_cancellations_reference_earlier_messages() {
        let mut a = sample();
        a.msg_type = MsgType::Update;
        assert_eq!(codes(&a), vec![("references".into(), "cap_references_required")]);
        a.references = Some("obcina@ptuj.si,ptuj-1,2026-11-05T08:00:00Z".into());
        assert_eq!(codes(&a), vec![("references".into(), "cap_references_format")]);
        a.references = Some("obcina@ptuj.si,ptuj-1".into());
        assert_eq!(codes(&a), vec![("references".into(), "cap_references_format")]);
        a.references = Some(format!("obcina@ptuj.si,{},{}", a.identifier, a.sent));
        assert_eq!(codes(&a), vec![("references".into(), "cap_references_self")]);
        let earlier = [
            Reference { sender: "obcina@ptuj.si".into(), identifier: "ptuj-0".into(), sent: "2026-11-05T07:00:00+01:00".into() },
            Reference { sender: "obcina@ptuj.si".into(), identifier: "ptuj-1".into(), sent: "2026-11-05T08:00:00+01:00".into() },
        ];
        a.references = references_text(&earlier);
        assert_eq!(a.references.as_deref(), Some("obcina@ptuj.si,ptuj-0,2026-11-05T07:00:00+01:00 obcina@ptuj.si,ptuj-1,2026-11-05T08:00:00+01:00"));
        assert_eq!(codes(&a), vec![]);
        assert_eq!(parse_references(a.references.as_deref().unwrap()).unwrap(), earlier);
        a.msg_type = MsgType::Cancel;
        a.info.clear();
        assert_eq!(codes(&a), vec![], "a cancellation needs no info");
        a.msg_type = MsgType::Update;
        assert_eq!(codes(&a), vec![("info".into(), "cap_info_required")]);
        a.msg_type = MsgType::Error;
        assert_eq!(codes(&a), vec![("note".into(), "cap_note_required")]);
    }

    #[test]
    fn info_and_area_rules() {
        let mut a = sample();
        let info = &mut a.info[0];
        info.language = "sl_SI".into();
        info.category.clear();
        info.event = " ".into();
        info.expires = Some(format_time(NOV5));
        info.headline = Some("x".repeat(161));
        info.web = Some("/alerts/1".into());
        info.area[0].polygon = vec![
            "46.41,15.86 46.41,15.88 46.43,15.88".into(),
            "46.41,15.86 46.41,15.88 46.43,15.88 46.43,15.86".into(),
            "46.41;15.86 46.41,15.88 46.43,15.88 46.41,15.86".into(),
            "96.41,15.86 46.41,15.88 46.43,15.88 96.41,15.86".into(),
        ];
        info.area[0].circle = vec!["46.42,15.87".into(), "46.42,15.87 -1".into()];
        info.area[0].ceiling = Some(100.0);
        info.area[0].area_desc = String::new();
        let p = |s: &str| format!("info[0].{s}");
        assert_eq!(
            codes(&a),
            vec![
                (p("language"), "cap_language"),
                (p("category"), "cap_required"),
                (p("event"), "cap_required"),
                (p("expires"), "cap_expires_before_start"),
                (p("headline"), "cap_headline_long"),
                (p("web"), "cap_web_absolute"),
                (p("area[0].areaDesc"), "cap_required"),
                (p("area[0].polygon[0]"), "cap_polygon_short"),
                (p("area[0].polygon[1]"), "cap_polygon_open"),
                (p("area[0].polygon[2]"), "cap_polygon_format"),
                (p("area[0].polygon[3]"), "cap_coordinate_range"),
                (p("area[0].circle[0]"), "cap_circle_format"),
                (p("area[0].circle[1]"), "cap_circle_radius"),
                (p("area[0].ceiling"), "cap_ceiling_without_altitude"),
            ]
        );
        let mut a = sample();
        a.info[0].description = Some("bell \u{7}".into());
        a.info[0].onset = Some("2026-11-05T10:00:00.000+01:00".into());
        assert_eq!(codes(&a), vec![(p("onset"), "cap_time_format"), (p("description"), "cap_control_characters")]);
    }

    /// The OASIS schema, from the shared data beside the repository
    /// (`../shared/data/cap/CAP-v1.2.xsd`: this test reads outside the repo).
    pub fn schema() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/cap/CAP-v1.2.xsd")
    }

    /// `xmllint --noout --schema` on a document; None when xmllint or the
    /// schema is missing (a failure instead under OBCINA_REQUIRE_XMLLINT=1).
    pub fn xmllint(xml: &str) -> Option<Result<(), String>> {
        let required = std::env::var("OBCINA_REQUIRE_XMLLINT").is_ok_and(|v| v == "1");
        let have = std::process::Command::new("xmllint").arg("--version").output().is_ok() && schema().exists();
        if !have {
            assert!(!required, "OBCINA_REQUIRE_XMLLINT=1 but xmllint or {} is missing", schema().display());
            eprintln!("skipped: xmllint or {} missing (scripts/install-test-deps installs libxml2-utils)", schema().display());
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("alert.xml");
        std::fs::write(&file, xml).unwrap();
        let out = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(schema()).arg(&file).output().unwrap();
        Some(if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) })
    }

    #[test]
    fn documents_validate_against_the_oasis_schema() {
        let mut a = sample();
        a.info.push(Info { language: "en-US".into(), headline: Some("The Drava is rising".into()), ..a.info[0].clone() });
        a.info[0].area[0].altitude = Some(700.0);
        a.info[0].area[0].ceiling = Some(1200.5);
        a.info[0].event_code = vec![("SI-ARSO".into(), "poplava".into())];
        a.info[0].parameter = vec![("layer".into(), "Drava".into())];
        a.code = vec!["Vaja Drava 2026".into()];
        let Some(result) = xmllint(&a.to_xml()) else { return };
        result.unwrap();
        let mut update = sample();
        update.msg_type = MsgType::Cancel;
        update.references = Some("obcina@ptuj.si,ptuj-0,2026-11-05T07:00:00+01:00".into());
        update.note = Some("Konec vaje".into());
        update.info.clear();
        xmllint(&update.to_xml()).unwrap().unwrap();
        // The schema refuses what the rules refuse too: a time with Z.
        let mut z = sample();
        z.sent = "2026-11-05T08:00:00Z".into();
        assert!(xmllint(&z.to_xml()).unwrap().is_err());
    }

    #[test]
    fn geometry_texts() {
        assert_eq!(coord(15.870000001), "15.87");
        assert_eq!(coord(-0.0), "0");
        assert_eq!(polygon_text(&[(1.0, 2.0), (3.0, 4.0), (5.0, 6.0), (1.0, 2.0)]), "1,2 3,4 5,6 1,2", "closed rings stay as they are");
        assert_eq!(parse_circle("46.42,15.87 1.5"), Ok(((46.42, 15.87), 1.5)));
        assert!(is_language_tag("en-US") && is_language_tag("sl") && !is_language_tag("") && !is_language_tag("toolongtag-x"));
        assert!(is_absolute_uri("https://www.ptuj.si/x?y=1") && !is_absolute_uri("www.ptuj.si") && !is_absolute_uri("https://a b"));
    }
}
