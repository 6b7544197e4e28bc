//! An RFC 5545 (iCalendar) writer over plain data.
//!
//! A capability fills a [`Calendar`] with [`Event`]s and calls
//! [`Calendar::render`]; the writer takes care of TEXT escaping, CRLF line
//! endings, folding at 75 octets (never inside a UTF-8 character) and the
//! `VTIMEZONE` for Europe/Ljubljana that local times refer to. It knows
//! nothing of any capability's tables.

use crate::clock::Timestamp;
use std::fmt::Write as _;

/// The one time zone the platform writes local times in.
pub const TZID: &str = "Europe/Ljubljana";

/// Central European time with the EU summer-time rule (last Sunday of March
/// and of October), as calendar clients expect it.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Ljubljana",
    "X-LIC-LOCATION:Europe/Ljubljana",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// How an event's start and end are written.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum TimeForm {
    /// `DTSTART;TZID=Europe/Ljubljana:20260701T120000` (wall-clock time).
    #[default]
    Local,
    /// `DTSTART:20260701T100000Z`.
    Utc,
}

/// `STATUS` of a `VEVENT`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Tentative,
    Confirmed,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Tentative => "TENTATIVE",
            Status::Confirmed => "CONFIRMED",
            Status::Cancelled => "CANCELLED",
        }
    }
}

/// One `VEVENT`. `uid`, `stamp` and `start` are required; the rest is written
/// when present.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub uid: String,
    /// `DTSTAMP`: when this representation was made (or last changed).
    pub stamp: Timestamp,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub times: TimeForm,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// WGS84 latitude and longitude, in that order (as `GEO` wants them).
    pub geo: Option<(f64, f64)>,
    pub url: Option<String>,
    pub categories: Vec<String>,
    pub status: Option<Status>,
    pub last_modified: Option<Timestamp>,
    pub sequence: Option<u32>,
}

impl Event {
    pub fn new(uid: impl Into<String>, stamp: Timestamp, start: Timestamp, summary: impl Into<String>) -> Event {
        Event {
            uid: uid.into(),
            stamp,
            start,
            end: None,
            times: TimeForm::Local,
            summary: summary.into(),
            description: None,
            location: None,
            geo: None,
            url: None,
            categories: Vec::new(),
            status: None,
            last_modified: None,
            sequence: None,
        }
    }
    pub fn end(mut self, end: Timestamp) -> Event {
        self.end = Some(end);
        self
    }
    pub fn times(mut self, times: TimeForm) -> Event {
        self.times = times;
        self
    }
    pub fn description(mut self, text: impl Into<String>) -> Event {
        self.description = Some(text.into());
        self
    }
    pub fn location(mut self, text: impl Into<String>) -> Event {
        self.location = Some(text.into());
        self
    }
    pub fn geo(mut self, lat: f64, lon: f64) -> Event {
        self.geo = Some((lat, lon));
        self
    }
    pub fn url(mut self, url: impl Into<String>) -> Event {
        self.url = Some(url.into());
        self
    }
    pub fn category(mut self, name: impl Into<String>) -> Event {
        self.categories.push(name.into());
        self
    }
    pub fn status(mut self, status: Status) -> Event {
        self.status = Some(status);
        self
    }
    pub fn last_modified(mut self, at: Timestamp) -> Event {
        self.last_modified = Some(at);
        self
    }
    pub fn sequence(mut self, n: u32) -> Event {
        self.sequence = Some(n);
        self
    }

    fn write(&self, out: &mut Lines) {
        out.line("BEGIN:VEVENT");
        out.prop("UID", &escape(&self.uid));
        out.prop("DTSTAMP", &utc(self.stamp));
        out.time("DTSTART", self.start, self.times);
        if let Some(end) = self.end {
            out.time("DTEND", end, self.times);
        }
        out.prop("SUMMARY", &escape(&self.summary));
        if let Some(d) = &self.description {
            out.prop("DESCRIPTION", &escape(d));
        }
        if let Some(l) = &self.location {
            out.prop("LOCATION", &escape(l));
        }
        if let Some((lat, lon)) = self.geo {
            out.prop("GEO", &format!("{lat:.6};{lon:.6}"));
        }
        if let Some(u) = &self.url {
            out.prop("URL", &strip_controls(u));
        }
        if !self.categories.is_empty() {
            let list: Vec<String> = self.categories.iter().map(|c| escape(c)).collect();
            out.prop("CATEGORIES", &list.join(","));
        }
        if let Some(s) = self.status {
            out.prop("STATUS", s.as_str());
        }
        if let Some(at) = self.last_modified {
            out.prop("LAST-MODIFIED", &utc(at));
        }
        if let Some(n) = self.sequence {
            out.prop("SEQUENCE", &n.to_string());
        }
        out.line("END:VEVENT");
    }
}

/// A `VCALENDAR` with the Europe/Ljubljana `VTIMEZONE` and its events.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    /// `PRODID`, e.g. `-//obcina//events//SL`.
    pub prodid: String,
    /// `X-WR-CALNAME`, the name calendar apps show for a subscription.
    pub name: Option<String>,
    /// `METHOD`; `PUBLISH` for feeds.
    pub method: String,
    pub events: Vec<Event>,
}

impl Calendar {
    pub fn new(prodid: impl Into<String>) -> Calendar {
        Calendar { prodid: prodid.into(), name: None, method: "PUBLISH".into(), events: Vec::new() }
    }
    pub fn name(mut self, name: impl Into<String>) -> Calendar {
        self.name = Some(name.into());
        self
    }
    pub fn method(mut self, method: impl Into<String>) -> Calendar {
        self.method = method.into();
        self
    }
    pub fn event(mut self, event: Event) -> Calendar {
        self.events.push(event);
        self
    }

    /// The whole calendar as `text/calendar` content: CRLF, folded.
    pub fn render(&self) -> String {
        let mut out = Lines::default();
        out.line("BEGIN:VCALENDAR");
        out.prop("PRODID", &strip_controls(&self.prodid));
        out.line("VERSION:2.0");
        out.line("CALSCALE:GREGORIAN");
        out.prop("METHOD", &strip_controls(&self.method));
        if let Some(name) = &self.name {
            out.prop("X-WR-CALNAME", &escape(name));
        }
        out.prop("X-WR-TIMEZONE", TZID);
        for line in VTIMEZONE {
            out.line(line);
        }
        for event in &self.events {
            event.write(&mut out);
        }
        out.line("END:VCALENDAR");
        out.0
    }
}

/// The media type of [`Calendar::render`]'s output.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// Collects content lines, folded and CRLF-terminated.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn line(&mut self, line: &str) {
        fold_into(&mut self.0, line);
    }
    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }
    fn time(&mut self, name: &str, at: Timestamp, form: TimeForm) {
        match form {
            TimeForm::Utc => self.prop(name, &utc(at)),
            TimeForm::Local => {
                let local = at.local().format("%Y%m%dT%H%M%S");
                self.line(&format!("{name};TZID={TZID}:{local}"));
            }
        }
    }
}

/// `20260701T100000Z`.
fn utc(at: Timestamp) -> String {
    at.to_datetime().format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and
/// line breaks; other control characters, which TEXT does not allow, go.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn strip_controls(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Appends `line` folded at 75 octets (RFC 5545 §3.1): a continuation line
/// starts with one space, which counts towards its 75; a multi-octet UTF-8
/// character is never split.
fn fold_into(out: &mut String, line: &str) {
    const LIMIT: usize = 75;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-07-01 10:00 UTC (12:00 in Ljubljana) and 2026-01-15 10:00 UTC (11:00).
    const SUMMER: Timestamp = Timestamp(1_782_900_000_000);
    const WINTER: Timestamp = Timestamp(1_768_471_200_000);

    fn unfold(text: &str) -> String {
        text.replace("\r\n ", "")
    }

    #[test]
    fn escapes_text_specials() {
        assert_eq!(escape(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape("one\ntwo\r\nthree\rfour"), r"one\ntwo\nthree\nfour");
        assert_eq!(escape("bell\u{7}gone"), "bellgone");
        assert_eq!(escape("Šentjur: Ptuj"), "Šentjur: Ptuj");
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let summary = "Kurentovanje – največji pustni karneval v Sloveniji; čaščenje ".repeat(4) + "žžž";
        let cal = Calendar::new("-//test//EN").event(Event::new("u1", SUMMER, SUMMER, summary.clone()));
        let text = cal.render();
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        // No bare LF anywhere: every line ends CRLF.
        assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
        // Unfolding gives the escaped property back whole (so nothing was split).
        let unfolded = unfold(&text);
        assert!(unfolded.contains(&format!("SUMMARY:{}\r\n", escape(&summary))));
        // A folded line that filled up is exactly 75 octets or stopped short of a
        // multibyte character.
        let longest = text.split("\r\n").map(str::len).max().unwrap_or(0);
        assert!(longest >= 73, "folding too early: {longest}");
    }

    #[test]
    fn fold_boundary_exactly_75() {
        let mut out = String::new();
        fold_into(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));
        let mut out = String::new();
        fold_into(&mut out, &"a".repeat(76));
        assert_eq!(out, format!("{}\r\n a\r\n", "a".repeat(75)));
        // 74 ASCII then a two-octet character: it moves whole to the next line.
        let mut out = String::new();
        fold_into(&mut out, &format!("{}č", "a".repeat(74)));
        assert_eq!(out, format!("{}\r\n č\r\n", "a".repeat(74)));
    }

    #[test]
    fn local_times_follow_ljubljana_offsets_and_vtimezone_is_present() {
        let cal = Calendar::new("-//test//EN")
            .name("Prireditve, Ptuj")
            .event(Event::new("s", SUMMER, SUMMER, "Poletje").end(SUMMER.plus(std::time::Duration::from_secs(3600))))
            .event(Event::new("w", WINTER, WINTER, "Zima"))
            .event(Event::new("z", WINTER, WINTER, "UTC").times(TimeForm::Utc));
        let text = cal.render();
        assert!(text.contains("DTSTART;TZID=Europe/Ljubljana:20260701T120000\r\n"), "{text}");
        assert!(text.contains("DTEND;TZID=Europe/Ljubljana:20260701T130000\r\n"));
        assert!(text.contains("DTSTART;TZID=Europe/Ljubljana:20260115T110000\r\n"));
        assert!(text.contains("DTSTART:20260115T100000Z\r\n"));
        assert!(text.contains("DTSTAMP:20260701T100000Z\r\n"));
        assert!(text.contains("X-WR-CALNAME:Prireditve\\, Ptuj\r\n"));
        let tz = &text[text.find("BEGIN:VTIMEZONE").unwrap()..text.find("END:VTIMEZONE").unwrap()];
        assert!(tz.contains("TZID:Europe/Ljubljana\r\n"));
        assert!(tz.contains("BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"));
        assert!(tz.contains("BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"));
        assert!(tz.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"));
        assert!(tz.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"));
        // The VTIMEZONE precedes every VEVENT.
        assert!(text.find("END:VTIMEZONE") < text.find("BEGIN:VEVENT"));
    }

    #[test]
    fn the_day_after_the_change_of_time_uses_the_new_offset() {
        // 2026-03-29 is the last Sunday of March: 00:30 UTC is 01:30 CET,
        // 01:30 UTC is 03:30 CEST.
        let before = Timestamp(1_774_744_200_000);
        let after = Timestamp(1_774_747_800_000);
        let text = Calendar::new("-//t//EN").event(Event::new("a", before, before, "a")).event(Event::new("b", after, after, "b")).render();
        assert!(text.contains("DTSTART;TZID=Europe/Ljubljana:20260329T013000\r\n"), "{text}");
        assert!(text.contains("DTSTART;TZID=Europe/Ljubljana:20260329T033000\r\n"), "{text}");
    }

    #[test]
    fn header_and_optional_properties() {
        let event = Event::new("ev-1@obcina", WINTER, WINTER, "Koncert")
            .description("Godalni kvartet\nvstop prost")
            .location("Minoritski samostan, Ptuj")
            .geo(46.4199, 15.8716)
            .url("https://ptuj.example/events/1")
            .category("Glasba")
            .category("Klasika, komorna")
            .status(Status::Confirmed)
            .last_modified(WINTER)
            .sequence(2);
        let text = unfold(&Calendar::new("-//obcina//events//SL").event(event).render());
        for line in [
            "BEGIN:VCALENDAR\r\nPRODID:-//obcina//events//SL\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n",
            "UID:ev-1@obcina\r\n",
            "DESCRIPTION:Godalni kvartet\\nvstop prost\r\n",
            "LOCATION:Minoritski samostan\\, Ptuj\r\n",
            "GEO:46.419900;15.871600\r\n",
            "URL:https://ptuj.example/events/1\r\n",
            "CATEGORIES:Glasba,Klasika\\, komorna\r\n",
            "STATUS:CONFIRMED\r\n",
            "LAST-MODIFIED:20260115T100000Z\r\n",
            "SEQUENCE:2\r\n",
        ] {
            assert!(text.contains(line), "missing {line:?} in {text}");
        }
    }
}
