//! The yearly evaluation report as PDF, written directly (PDF 1.4, the
//! standard Helvetica fonts, no embedding): a council member prints it or
//! files it. WinAnsi covers German and Italian and š/ž; a /Differences
//! table gives the other Slovenian and Croatian letters (č, ć, đ) codes that
//! WinAnsi leaves unused.

use crate::pages::Report;
use kernel::layout::Page;

const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 50.0;

/// One byte per character in the fonts' encoding; `?` for what it lacks.
fn encode(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            'č' => 0x81,
            'Đ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            'Š' => 0x8a,
            'Č' => 0x8d,
            'Ž' => 0x8e,
            'ć' => 0x8f,
            'Ć' => 0x90,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            'š' => 0x9a,
            'đ' => 0x9d,
            'ž' => 0x9e,
            _ => b'?',
        })
        .collect()
}

/// A PDF string literal.
fn literal(s: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for b in encode(s) {
        match b {
            b'(' | b')' | b'\\' => out.extend([b'\\', b]),
            0x80..=0xff => out.extend(format!("\\{b:03o}").bytes()),
            _ => out.push(b),
        }
    }
    out.push(b')');
    out
}

/// Lines of at most `width` points at `size` (Helvetica averages about half
/// an em per character; 0.55 keeps a margin for capitals).
fn wrap(s: &str, width: f64, size: f64) -> Vec<String> {
    let max = ((width / (size * 0.55)) as usize).max(8);
    let mut lines = vec![];
    let mut line = String::new();
    for word in s.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Content streams, one per page.
struct Writer {
    pages: Vec<Vec<u8>>,
    y: f64,
}

impl Writer {
    fn new() -> Writer {
        Writer { pages: vec![vec![]], y: PAGE_H - MARGIN }
    }

    fn room(&mut self, needed: f64) {
        if self.y - needed < MARGIN {
            self.pages.push(vec![]);
            self.y = PAGE_H - MARGIN;
        }
    }

    fn out(&mut self) -> &mut Vec<u8> {
        self.pages.last_mut().expect("a page")
    }

    fn text(&mut self, x: f64, y: f64, font: &str, size: f64, s: &str) {
        let mut op = format!("BT /{font} {size} Tf {x:.1} {y:.1} Td ").into_bytes();
        op.extend(literal(s));
        op.extend(b" Tj ET\n");
        self.out().extend(op);
    }

    /// A paragraph from the current line down.
    fn para(&mut self, font: &str, size: f64, s: &str, gap: f64) {
        for line in wrap(s, PAGE_W - 2.0 * MARGIN, size) {
            self.room(size * 1.4);
            self.y -= size * 1.4;
            let y = self.y;
            self.text(MARGIN, y, font, size, &line);
        }
        self.y -= gap;
    }

    /// A progress bar: an outline and the share filled.
    fn bar(&mut self, x: f64, y: f64, w: f64, share: f64) {
        let op = format!(
            "0.043 0.31 0.54 RG 0.5 w {x:.1} {y:.1} {w:.1} 7 re S 0.043 0.31 0.54 rg {x:.1} {y:.1} {:.1} 7 re f 0 g\n",
            w * share.clamp(0.0, 1.0)
        );
        self.out().extend(op.into_bytes());
    }
}

/// The report: a title, the summary, then for each pillar and area a table
/// of the KPIs with baseline, this year's value, the year before, the target
/// and a bar of the progress.
pub fn report(p: &Page, r: &Report) -> Vec<u8> {
    let mut w = Writer::new();
    w.para("F2", 16.0, &p.t1("indicators-report-title", "year", r.year), 2.0);
    w.para("F1", 10.0, p.municipality(), 6.0);
    let summary = format!(
        "{} {}: {} / {}. {}: {}. {}: {}.",
        p.t("indicators-report-measured"),
        r.year,
        r.measured,
        r.total,
        p.t("indicators-report-halfway"),
        r.halfway,
        p.t("indicators-report-reached"),
        r.reached
    );
    w.para("F1", 10.0, &summary, 10.0);
    let cols = [
        (MARGIN, p.t("indicators-kpi")),
        (300.0, p.t("indicators-baseline")),
        (370.0, r.year.to_string()),
        (440.0, p.t("indicators-target")),
        (490.0, p.t("indicators-progress")),
    ];
    for pillar in &r.pillars {
        w.room(60.0);
        w.para("F2", 13.0, &pillar.name, 4.0);
        for area in pillar.areas.iter().filter(|a| !a.rows.is_empty()) {
            w.room(40.0);
            w.para("F2", 11.0, &area.name, 2.0);
            w.y -= 12.0;
            let y = w.y;
            for (x, label) in &cols {
                w.text(*x, y, "F2", 8.0, label);
            }
            for row in &area.rows {
                let name = wrap(&format!("{} {}", row.code, row.name), 240.0, 8.5);
                w.room(name.len() as f64 * 11.0 + 4.0);
                let top = w.y - 11.0;
                for (k, line) in name.iter().enumerate() {
                    w.text(MARGIN, top - k as f64 * 11.0, "F1", 8.5, line);
                }
                w.text(300.0, top, "F1", 8.5, &row.baseline);
                w.text(370.0, top, "F1", 8.5, &row.value);
                w.text(440.0, top, "F1", 8.5, &row.target);
                if let Some(pct) = row.progress {
                    w.bar(490.0, top - 1.0, 40.0, f64::from(pct) / 100.0);
                    w.text(534.0, top, "F1", 8.5, &format!("{pct} %"));
                }
                w.y = top - (name.len() as f64 - 1.0) * 11.0 - 4.0;
            }
            w.y -= 8.0;
        }
    }
    assemble(&w.pages)
}

/// Objects, the cross-reference table and the trailer around the pages.
fn assemble(pages: &[Vec<u8>]) -> Vec<u8> {
    let encoding =
        "<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [129 /ccaron 131 /Dcroat 141 /Ccaron 143 /cacute 144 /Cacute 157 /dcroat] >>";
    let n = pages.len();
    // 1 catalog, 2 pages, 3 regular font, 4 bold font, then per page: page, content.
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding {encoding} >>").into_bytes(),
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding {encoding} >>").into_bytes(),
    ];
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                6 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend(content);
        stream.extend(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = vec![];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slovenian_letters_get_their_codes_and_strings_are_escaped() {
        assert_eq!(encode("čšžČŠŽ ćđ"), [0x81, 0x9a, 0x9e, 0x8d, 0x8a, 0x8e, b' ', 0x8f, 0x9d]);
        assert_eq!(encode("Größe città"), b"Gr\xf6\xdfe citt\xe0");
        assert_eq!(literal("a(b)\\č"), b"(a\\(b\\)\\\\\\201)");
    }

    #[test]
    fn lines_wrap_at_words() {
        let lines = wrap("Odstotek občinskih lokacij in prostorov, vključenih v bazo", 100.0, 10.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| l.chars().count() <= 18), "{lines:?}");
        assert_eq!(lines.join(" "), "Odstotek občinskih lokacij in prostorov, vključenih v bazo");
    }

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let pdf = assemble(&[b"BT ET".to_vec(), b"BT ET".to_vec()]);
        // Byte offsets: search the bytes, not a lossy text of them.
        let find = |needle: &[u8]| pdf.windows(needle.len()).rposition(|w| w == needle).unwrap();
        let tail = std::str::from_utf8(&pdf[find(b"startxref\n")..]).unwrap();
        let xref_at: usize = tail.lines().nth(1).unwrap().parse().unwrap();
        let table = std::str::from_utf8(&pdf[xref_at..]).unwrap();
        assert!(table.starts_with("xref\n0 9\n"), "9 entries: the free one and 8 objects");
        let entries: Vec<usize> = table.lines().skip(3).take(8).map(|l| l[..10].parse().unwrap()).collect();
        for (i, at) in entries.iter().enumerate() {
            assert!(pdf[*at..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {} at {at}", i + 1);
        }
        assert!(table.contains("/Count 2") || std::str::from_utf8(&pdf[entries[1]..]).unwrap().contains("/Count 2"));
        assert!(tail.ends_with("%%EOF\n"));
    }
}
