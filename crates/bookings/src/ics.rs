//! A booking as an iCalendar file (RFC 5545): one VEVENT with UTC times,
//! CRLF line endings, lines folded at 75 octets, text values escaped.

use kernel::Timestamp;

/// One event of a calendar.
pub struct Event<'a> {
    pub uid: &'a str,
    pub stamp: Timestamp,
    pub start: Timestamp,
    pub end: Timestamp,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    /// CONFIRMED, TENTATIVE or CANCELLED.
    pub status: &'a str,
}

fn utc(t: Timestamp) -> String {
    t.to_datetime().format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets, never inside a UTF-8 character (§3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The calendar with one event.
pub fn calendar(e: &Event) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//obcina//bookings//SL".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}", escape(e.uid)),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.start)),
        format!("DTEND:{}", utc(e.end)),
        format!("SUMMARY:{}", escape(e.summary)),
        format!("LOCATION:{}", escape(e.location)),
        format!("DESCRIPTION:{}", escape(e.description)),
        format!("STATUS:{}", e.status),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    let mut out = String::new();
    for l in &lines {
        fold(l, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booking_event_with_utc_times_escaping_and_folding() {
        let long = "Dvorana Narodnega doma, Ptuj; velika dvorana, balkon in oder za glasbene vaje ob četrtkih";
        let e = Event {
            uid: "b1@obcina",
            stamp: Timestamp(0),
            start: Timestamp(1_782_900_000_000),
            end: Timestamp(1_782_907_200_000),
            summary: "Rezervacija: Narodni dom, velika dvorana",
            location: "Narodni dom; Ptuj",
            description: long,
            status: "CONFIRMED",
        };
        let ics = calendar(&e);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nDTSTART:20260701T100000Z\r\nDTEND:20260701T120000Z\r\n"), "{ics}");
        assert!(ics.contains("DTSTAMP:19700101T000000Z"));
        assert!(ics.contains("SUMMARY:Rezervacija: Narodni dom\\, velika dvorana\r\n"));
        assert!(ics.contains("LOCATION:Narodni dom\\; Ptuj\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "only CRLF line endings");
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("DESCRIPTION:Dvorana Narodnega doma\\, Ptuj\\; velika dvorana\\, balkon in oder za glasbene vaje ob četrtkih\r\n"));
    }

    #[test]
    fn folding_never_splits_a_character() {
        let mut out = String::new();
        fold(&"č".repeat(100), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75);
            assert!(line.trim_start().chars().all(|c| c == 'č'));
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), "č".repeat(100));
    }
}
