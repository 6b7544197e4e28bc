//! Search over the catalogue as CKAN's `package_search` does it, without
//! Solr: the Lucene subset CKAN clients send in `q` and `fq` (`field:value`,
//! quoted phrases, `[a TO b]` ranges with `*` and `NOW`, `AND`/`OR`/`NOT`,
//! `+`/`-`, parentheses; juxtaposition is AND, as CKAN's Solr schema sets),
//! sorting, paging and facet counts. The portal's search uses it too.

use std::borrow::Borrow;
use std::collections::BTreeMap;

/// A search document: the values of each field, lower-cased.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub fields: BTreeMap<&'static str, Vec<String>>,
    /// Free text (title, description, keywords, name), lower-cased.
    pub text: String,
    /// Times in ms, for ranges and sorting.
    pub modified: i64,
    pub created: i64,
}

impl Doc {
    pub fn add(&mut self, field: &'static str, value: impl Into<String>) {
        self.fields.entry(field).or_default().push(value.into().to_lowercase());
    }
    fn values(&self, field: &str) -> &[String] {
        self.fields.get(field).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Fields a query may name; others are a Search Query Error, as Solr's "undefined field".
pub const FIELDS: &[&str] = &[
    "id",
    "name",
    "title",
    "notes",
    "text",
    "tags",
    "organization",
    "owner_org",
    "groups",
    "res_format",
    "license_id",
    "metadata_modified",
    "metadata_created",
    "capacity",
    "type",
    "dataset_type",
    "state",
    "hvd_category",
    "access_level",
    "theme",
];

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A word; `*` matches any run of characters.
    Word(String),
    Phrase(String),
    Range {
        from: Option<String>,
        to: Option<String>,
        from_inclusive: bool,
        to_inclusive: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    All,
    /// `field` None: the free text.
    Term(Option<String>, Value),
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
}

#[derive(Debug, PartialEq)]
pub struct QueryError(pub String);

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Plus,
    Minus,
    /// `field:` before a value.
    Field(String),
    Word(String),
    Phrase(String),
    Range(String, String, bool, bool),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, QueryError> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = vec![];
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1
            }
            ')' => {
                out.push(Tok::Close);
                i += 1
            }
            '+' => {
                out.push(Tok::Plus);
                i += 1
            }
            '-' if out.last().is_none_or(|t| !matches!(t, Tok::Field(_))) => {
                out.push(Tok::Minus);
                i += 1
            }
            '&' if chars.get(i + 1) == Some(&'&') => {
                out.push(Tok::And);
                i += 2
            }
            '|' if chars.get(i + 1) == Some(&'|') => {
                out.push(Tok::Or);
                i += 2
            }
            '"' => {
                let mut j = i + 1;
                let mut v = String::new();
                while j < chars.len() && chars[j] != '"' {
                    if chars[j] == '\\' && j + 1 < chars.len() {
                        j += 1;
                    }
                    v.push(chars[j]);
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(QueryError("unterminated quoted phrase".into()));
                }
                out.push(Tok::Phrase(v));
                i = j + 1;
            }
            '[' | '{' => {
                let close = if c == '[' { [']', '}'] } else { ['}', ']'] };
                let j = (i + 1..chars.len()).find(|&j| close.contains(&chars[j])).ok_or_else(|| QueryError("unterminated range".into()))?;
                let inner: String = chars[i + 1..j].iter().collect();
                let parts: Vec<&str> = inner.split(" TO ").collect();
                if parts.len() != 2 {
                    return Err(QueryError(format!("a range is [from TO to], not [{inner}]")));
                }
                out.push(Tok::Range(parts[0].trim().into(), parts[1].trim().into(), c == '[', chars[j] == ']'));
                i = j + 1;
            }
            _ => {
                let mut j = i;
                let mut v = String::new();
                while j < chars.len() && !chars[j].is_whitespace() && !"()\"[{".contains(chars[j]) {
                    if chars[j] == '\\' && j + 1 < chars.len() {
                        j += 1;
                        v.push(chars[j]);
                        j += 1;
                        continue;
                    }
                    if chars[j] == ':' {
                        break;
                    }
                    v.push(chars[j]);
                    j += 1;
                }
                if j < chars.len() && chars[j] == ':' {
                    out.push(Tok::Field(v));
                    i = j + 1;
                    continue;
                }
                out.push(match v.as_str() {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    _ => Tok::Word(v),
                });
                i = j;
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn or(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Query::Or(parts) })
    }
    fn and(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                None | Some(Tok::Close) | Some(Tok::Or) => break,
                Some(Tok::And) => {
                    self.at += 1;
                }
                _ => {}
            }
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Query::And(parts) })
    }
    fn unary(&mut self) -> Result<Query, QueryError> {
        match self.peek() {
            Some(Tok::Not) | Some(Tok::Minus) => {
                self.at += 1;
                Ok(Query::Not(Box::new(self.unary()?)))
            }
            Some(Tok::Plus) => {
                self.at += 1;
                self.unary()
            }
            _ => self.primary(None),
        }
    }
    fn primary(&mut self, field: Option<String>) -> Result<Query, QueryError> {
        match self.next() {
            Some(Tok::Open) => {
                // `field:(a OR b)` applies the field inside.
                let inner = self.or()?;
                if self.next() != Some(Tok::Close) {
                    return Err(QueryError("missing )".into()));
                }
                Ok(match field {
                    Some(f) => with_field(inner, &f),
                    None => inner,
                })
            }
            Some(Tok::Field(f)) if field.is_none() => {
                if f == "*" && self.peek() == Some(&Tok::Word("*".into())) {
                    self.at += 1;
                    return Ok(Query::All);
                }
                if !FIELDS.contains(&f.as_str()) {
                    return Err(QueryError(format!("undefined field {f}")));
                }
                self.primary(Some(f))
            }
            Some(Tok::Word(w)) => Ok(Query::Term(field, Value::Word(w))),
            Some(Tok::Phrase(p)) => Ok(Query::Term(field, Value::Phrase(p))),
            Some(Tok::Range(a, b, fi, ti)) => {
                let bound = |s: String| if s == "*" { None } else { Some(s) };
                Ok(Query::Term(field, Value::Range { from: bound(a), to: bound(b), from_inclusive: fi, to_inclusive: ti }))
            }
            other => Err(QueryError(format!("unexpected {}", other.map(|t| format!("{t:?}")).unwrap_or_else(|| "end of query".into())))),
        }
    }
}

fn with_field(q: Query, f: &str) -> Query {
    match q {
        Query::Term(None, v) => Query::Term(Some(f.to_string()), v),
        Query::And(v) => Query::And(v.into_iter().map(|q| with_field(q, f)).collect()),
        Query::Or(v) => Query::Or(v.into_iter().map(|q| with_field(q, f)).collect()),
        Query::Not(q) => Query::Not(Box::new(with_field(*q, f))),
        other => other,
    }
}

/// Parse a `q` or `fq`; empty is everything.
pub fn parse(s: &str) -> Result<Query, QueryError> {
    let toks = tokenize(s)?;
    if toks.is_empty() {
        return Ok(Query::All);
    }
    let mut p = Parser { toks, at: 0 };
    let q = p.or()?;
    if p.at < p.toks.len() {
        return Err(QueryError("unbalanced )".into()));
    }
    for_each_range(&q, &mut |field, v| check_range(field, v))?;
    Ok(q)
}

type RangeCheck<'a> = &'a mut dyn FnMut(Option<&str>, &Value) -> Result<(), QueryError>;

fn for_each_range(q: &Query, f: RangeCheck<'_>) -> Result<(), QueryError> {
    match q {
        Query::Term(field, v @ Value::Range { .. }) => f(field.as_deref(), v),
        Query::And(v) | Query::Or(v) => v.iter().try_for_each(|q| for_each_range(q, f)),
        Query::Not(q) => for_each_range(q, f),
        _ => Ok(()),
    }
}

fn is_date_field(f: Option<&str>) -> bool {
    matches!(f, Some("metadata_modified" | "metadata_created"))
}

fn check_range(field: Option<&str>, v: &Value) -> Result<(), QueryError> {
    if let (true, Value::Range { from, to, .. }) = (is_date_field(field), v) {
        for b in [from, to].into_iter().flatten() {
            solr_date(b, 0).ok_or_else(|| QueryError(format!("invalid date {b:?}")))?;
        }
    }
    Ok(())
}

/// A Solr date: RFC 3339 with or without `Z` and fraction, a bare date, or
/// `NOW` with `+N`/`-N` UNIT steps and `/UNIT` rounding. In ms.
pub fn solr_date(s: &str, now: i64) -> Option<i64> {
    use chrono::{NaiveDate, NaiveDateTime};
    if let Some(rest) = s.strip_prefix("NOW") {
        return now_math(rest, now);
    }
    let t = s.trim_end_matches('Z');
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp_millis());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d.and_utc().timestamp_millis());
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis())
}

fn now_math(mut rest: &str, now: i64) -> Option<i64> {
    let unit = |u: &str| -> Option<i64> {
        Some(match u.trim_end_matches('S') {
            "SECOND" => 1000,
            "MINUTE" => 60_000,
            "HOUR" => 3_600_000,
            "DAY" => 86_400_000,
            "WEEK" => 7 * 86_400_000,
            "MONTH" => 30 * 86_400_000,
            "YEAR" => 365 * 86_400_000,
            _ => return None,
        })
    };
    let mut t = now;
    while !rest.is_empty() {
        let op = rest.chars().next()?;
        rest = &rest[1..];
        let end = rest.find(['+', '-', '/']).unwrap_or(rest.len());
        let step = &rest[..end];
        rest = &rest[end..];
        match op {
            '/' => {
                let u = unit(step)?;
                t -= t.rem_euclid(u);
            }
            '+' | '-' => {
                let digits = step.chars().take_while(char::is_ascii_digit).count();
                let n: i64 = step[..digits].parse().ok()?;
                let d = n * unit(&step[digits..])?;
                t += if op == '+' { d } else { -d };
            }
            _ => return None,
        }
    }
    Some(t)
}

fn wildcard(pattern: &str, value: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == value;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = value;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            if !rest.starts_with(p) {
                return false;
            }
            rest = &rest[p.len()..];
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else if let Some(k) = rest.find(p) {
            rest = &rest[k + p.len()..];
        } else {
            return false;
        }
    }
    true
}

fn matches_value(doc: &Doc, field: Option<&str>, v: &Value, now: i64) -> bool {
    match (field, v) {
        (None | Some("text"), Value::Word(w)) => {
            let w = w.to_lowercase();
            if w.contains('*') { doc.text.split(|c: char| !c.is_alphanumeric()).any(|t| wildcard(&w, t)) } else { doc.text.contains(&w) }
        }
        (None | Some("text"), Value::Phrase(p)) => doc.text.contains(&p.to_lowercase()),
        (Some(f), Value::Range { from, to, from_inclusive, to_inclusive }) if is_date_field(Some(f)) => {
            let t = if f == "metadata_modified" { doc.modified } else { doc.created };
            let lo = from.as_deref().and_then(|b| solr_date(b, now));
            let hi = to.as_deref().and_then(|b| solr_date(b, now));
            lo.is_none_or(|lo| if *from_inclusive { t >= lo } else { t > lo }) && hi.is_none_or(|hi| if *to_inclusive { t <= hi } else { t < hi })
        }
        (Some(f), Value::Range { from, to, from_inclusive, to_inclusive }) => doc.values(f).iter().any(|x| {
            from.as_deref().map(str::to_lowercase).is_none_or(|lo| if *from_inclusive { *x >= lo } else { *x > lo })
                && to.as_deref().map(str::to_lowercase).is_none_or(|hi| if *to_inclusive { *x <= hi } else { *x < hi })
        }),
        (Some(f), Value::Word(w)) if is_date_field(Some(f)) => {
            w == "*" || solr_date(w, now).is_some_and(|t| t == if f == "metadata_modified" { doc.modified } else { doc.created })
        }
        (Some(f), Value::Word(w)) => {
            let w = w.to_lowercase();
            doc.values(f).iter().any(|x| wildcard(&w, x))
        }
        (Some(f), Value::Phrase(p)) => {
            let p = p.to_lowercase();
            doc.values(f).contains(&p)
        }
        (None, Value::Range { .. }) => false,
    }
}

pub fn matches(q: &Query, doc: &Doc, now: i64) -> bool {
    match q {
        Query::All => true,
        Query::Term(f, v) => matches_value(doc, f.as_deref(), v, now),
        Query::And(v) => v.iter().all(|q| match q {
            // A purely negative clause inside AND excludes.
            Query::Not(inner) => !matches(inner, doc, now),
            q => matches(q, doc, now),
        }),
        Query::Or(v) => v.iter().any(|q| matches(q, doc, now)),
        Query::Not(q) => !matches(q, doc, now),
    }
}

/// One sort key of `sort`.
#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
}

/// Parse `sort` (`metadata_modified desc, name asc`); empty: CKAN's default.
pub fn parse_sort(s: &str) -> Result<Vec<SortKey>, QueryError> {
    let s = if s.trim().is_empty() { "score desc, metadata_modified desc" } else { s };
    s.split(',')
        .map(|part| {
            let mut w = part.split_whitespace();
            let field = w.next().ok_or_else(|| QueryError("empty sort".into()))?;
            let descending = match w.next().unwrap_or("asc") {
                "asc" => false,
                "desc" => true,
                o => return Err(QueryError(format!("sort order {o:?}: use asc or desc"))),
            };
            if !["score", "id", "name", "title", "title_string", "metadata_modified", "metadata_created"].contains(&field) {
                return Err(QueryError(format!("can't sort by {field}")));
            }
            Ok(SortKey { field: field.to_string(), descending })
        })
        .collect()
}

/// Order documents (indexes into `docs`) by the keys; ties by name, so pages are stable.
pub fn sort<D: Borrow<Doc>>(hits: &mut [usize], docs: &[D], keys: &[SortKey]) {
    // Borrowed, not cloned: a sort of thousands of hits compares many times.
    fn first<'a>(d: &'a Doc, f: &str) -> &'a str {
        d.values(f).first().map(String::as_str).unwrap_or_default()
    }
    hits.sort_by(|&a, &b| {
        let (da, db) = (docs[a].borrow(), docs[b].borrow());
        for k in keys {
            let o = match k.field.as_str() {
                "score" => std::cmp::Ordering::Equal,
                "metadata_modified" => da.modified.cmp(&db.modified),
                "metadata_created" => da.created.cmp(&db.created),
                "title_string" => first(da, "title").cmp(first(db, "title")),
                f => first(da, f).cmp(first(db, f)),
            };
            let o = if k.descending { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        first(da, "name").cmp(first(db, "name"))
    });
}

/// Facet counts over the hits: value to count, most frequent first.
pub fn facet(hits: &[usize], mut values_of: impl FnMut(usize) -> Vec<String>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for &h in hits {
        let mut vs = values_of(h);
        vs.sort();
        vs.dedup();
        for v in vs {
            *counts.entry(v).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, org: &str, modified: &str) -> Doc {
        let mut d = Doc { modified: solr_date(modified, 0).unwrap(), created: 0, ..Default::default() };
        d.add("name", name);
        d.add("organization", org);
        d.add("tags", "air quality");
        d.add("res_format", "CSV");
        d.text = format!("{name} kakovost zraka");
        d
    }

    fn hits(q: &str, docs: &[Doc]) -> Vec<String> {
        let q = parse(q).unwrap();
        docs.iter().filter(|d| matches(&q, d, 0)).map(|d| d.fields["name"][0].clone()).collect()
    }

    #[test]
    fn harvester_filters_parse_and_match() {
        let docs = [doc("a", "mop", "2026-11-01T10:00:00Z"), doc("b", "jsp", "2026-12-01T10:00:00Z"), doc("c", "mop", "2026-12-02T00:00:00Z")];
        // The CKAN harvester: modified since the last harvest (with microseconds, Z appended).
        assert_eq!(hits("metadata_modified:[2026-11-30T09:00:00.123456Z TO *]", &docs), ["b", "c"]);
        assert_eq!(hits("metadata_modified:[* TO 2026-12-01T10:00:00Z]", &docs), ["a", "b"]);
        assert_eq!(hits("metadata_modified:{* TO 2026-12-01T10:00:00Z}", &docs), ["a"]);
        assert_eq!(hits("metadata_modified:[2026-11-30 TO *] organization:mop", &docs), ["c"]);
        assert_eq!(hits("organization:mop OR organization:jsp", &docs), ["a", "b", "c"]);
        assert_eq!(hits("organization:(mop OR jsp) AND -name:a", &docs), ["b", "c"]);
        assert_eq!(hits("-organization:mop", &docs), ["b"]);
        assert_eq!(hits("+organization:mop +name:c", &docs), ["c"]);
        assert_eq!(hits("NOT organization:mop", &docs), ["b"]);
        assert_eq!(hits("tags:\"air quality\" res_format:csv", &docs), ["a", "b", "c"]);
        assert_eq!(hits("name:*", &docs), ["a", "b", "c"]);
        assert_eq!(hits("*:*", &docs), ["a", "b", "c"]);
        assert_eq!(hits("", &docs), ["a", "b", "c"]);
        assert_eq!(hits("zraka", &docs), ["a", "b", "c"]);
        assert_eq!(hits("kakov*", &docs), ["a", "b", "c"]);
        assert_eq!(hits("voda", &docs), Vec::<String>::new());
    }

    #[test]
    fn malformed_queries_are_errors() {
        for q in [
            "metadata_modified:[2026-13-45 TO *]",
            "nosuchfield:x",
            "(organization:mop",
            "organization:mop)",
            "name:\"open",
            "metadata_modified:[a b]",
        ] {
            assert!(parse(q).is_err(), "{q}");
        }
    }

    #[test]
    fn solr_dates_and_now_arithmetic() {
        let now = solr_date("2026-12-02T14:30:00Z", 0).unwrap();
        assert_eq!(solr_date("NOW", now), Some(now));
        assert_eq!(solr_date("NOW-1DAY", now), solr_date("2026-12-01T14:30:00Z", 0));
        assert_eq!(solr_date("NOW/DAY", now), solr_date("2026-12-02", 0));
        assert_eq!(solr_date("2026-12-02T14:30:00", 0), Some(now));
        assert_eq!(solr_date("2026-12-02T15:30:00+01:00", 0), Some(now));
        assert_eq!(solr_date("yesterday", now), None);
    }

    #[test]
    fn sorting_is_stable_and_checked() {
        let docs = [doc("b", "x", "2026-12-01"), doc("a", "x", "2026-12-01"), doc("c", "x", "2026-12-03")];
        let mut h = vec![0, 1, 2];
        sort(&mut h, &docs, &parse_sort("metadata_modified desc").unwrap());
        assert_eq!(h, [2, 1, 0], "newest first, ties by name");
        sort(&mut h, &docs, &parse_sort("id asc").unwrap());
        sort(&mut h, &docs, &parse_sort("name desc").unwrap());
        assert_eq!(h, [2, 0, 1]);
        assert!(parse_sort("name sideways").is_err());
        assert!(parse_sort("secret asc").is_err());
    }
}
