//! The `;`-separated rows of a `.pb` file, as Python's `csv` module reads
//! and writes them with `delimiter=";"` (which is what pabutools and
//! pabulib-checker use): a field may be quoted with `"`, a quote inside a
//! quoted field is doubled, and a quoted field may span lines.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line on which the row starts.
    pub line: usize,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    #[error("line {0}: quoted field is not closed")]
    UnclosedQuote(usize),
    #[error("line {0}: text after the closing quote of a field")]
    TextAfterQuote(usize),
}

/// Splits a whole file into rows. A leading byte-order mark is dropped;
/// `\r\n`, `\n` and `\r` all end a line; blank lines are left out.
pub fn read(text: &str) -> Result<Vec<Row>, TableError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut row_line = 1;
    // After a closing quote only `;` or the end of the line may follow.
    let mut closed = false;
    let mut end_row = |fields: &mut Vec<String>, field: &mut String, row_line: usize| {
        fields.push(std::mem::take(field));
        let row = std::mem::take(fields);
        if !row.iter().all(|f| f.trim().is_empty()) {
            rows.push(Row { line: row_line, fields: row });
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' if field.is_empty() && !closed => {
                let start = line;
                loop {
                    match chars.next() {
                        None => return Err(TableError::UnclosedQuote(start)),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some('\r') => {
                            if chars.peek() == Some(&'\n') {
                                chars.next();
                            }
                            line += 1;
                            field.push('\n');
                        }
                        Some('\n') => {
                            line += 1;
                            field.push('\n');
                        }
                        Some(other) => field.push(other),
                    }
                }
                closed = true;
            }
            ';' => {
                fields.push(std::mem::take(&mut field));
                closed = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                end_row(&mut fields, &mut field, row_line);
                closed = false;
                line += 1;
                row_line = line;
            }
            _ if closed => return Err(TableError::TextAfterQuote(line)),
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() || closed {
        end_row(&mut fields, &mut field, row_line);
    }
    Ok(rows)
}

/// Appends one row, quoting only the fields that need it, ending in `\n`.
pub fn write_row<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let field = field.as_ref();
        if field.contains([';', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        read(text).unwrap().into_iter().map(|r| r.fields).collect()
    }

    #[test]
    fn splits_rows_and_fields_with_line_numbers() {
        let rows = read("META\nkey;value\n\nbudget;100\n").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2], Row { line: 4, fields: vec!["budget".into(), "100".into()] });
    }

    #[test]
    fn drops_a_byte_order_mark_and_reads_crlf() {
        assert_eq!(fields("\u{feff}a;b\r\nc;d\r\n"), vec![vec!["a", "b"], vec!["c", "d"]]);
        assert_eq!(fields("a\rb"), vec![vec!["a"], vec!["b"]]);
    }

    #[test]
    fn quoted_fields_hold_separators_quotes_and_newlines() {
        let rows = read("1;\"Park; \"\"Drava\"\" side\";x\n2;\"two\r\nlines\";y\n3;z\n").unwrap();
        assert_eq!(rows[0].fields, vec!["1", "Park; \"Drava\" side", "x"]);
        assert_eq!(rows[1].fields, vec!["2", "two\nlines", "y"]);
        assert_eq!(rows[2].line, 4);
        // A quote inside an unquoted field is an ordinary character.
        assert_eq!(fields("5 \"inch\";b"), vec![vec!["5 \"inch\"", "b"]]);
        assert_eq!(fields("\"\";b"), vec![vec!["", "b"]]);
    }

    #[test]
    fn bad_quoting_is_an_error_with_its_line() {
        assert_eq!(read("a;b\nc;\"open\n\nmore"), Err(TableError::UnclosedQuote(2)));
        assert_eq!(read("a;b\n\"x\"y;z"), Err(TableError::TextAfterQuote(2)));
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let rows = vec![vec!["plain", "semi;colon", "quote \"q\"", "line\nbreak", ""], vec!["2", "", "", "", "last"]];
        let mut out = String::new();
        for r in &rows {
            write_row(&mut out, r);
        }
        assert_eq!(out.lines().next(), Some("plain;\"semi;colon\";\"quote \"\"q\"\"\";\"line"));
        assert_eq!(fields(&out), rows);
    }
}
