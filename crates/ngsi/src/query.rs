//! The NGSI-LD query language (clause 4.9) over the broker's model, the
//! scope query language (clause 4.19) and entity type selections
//! (`type=A,B`, `(A;B)|C`, clause 4.17).

use crate::model::{Attr, Entity, Kind, parse_time};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Exists(Path),
    Missing(Path),
    Cmp(Path, Op, Operand),
}

/// `attr.sub.sub[key][key]`: an attribute, sub-attributes (or a member such
/// as `observedAt`), then keys inside the value. Names are expanded.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub attr: String,
    pub sub: Vec<String>,
    pub keys: Vec<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Match,
    NotMatch,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    One(Scalar),
    List(Vec<Scalar>),
    Range(Scalar, Scalar),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Num(f64),
    Str(String),
    Bool(bool),
}

/// Members of an attribute a path may name instead of a sub-attribute.
const MEMBERS: &[&str] = &["observedAt", "unitCode", "datasetId", "createdAt", "modifiedAt", "objectType", "lang"];

/// Parse a `q` parameter, expanding attribute names with `expand`.
pub fn parse(q: &str, expand: &dyn Fn(&str) -> String) -> Result<Expr, String> {
    let mut p = Parser { s: q.as_bytes(), i: 0, expand };
    let e = p.or()?;
    if p.i != p.s.len() {
        return Err(format!("unexpected {:?} at {}", &q[p.i..], p.i));
    }
    Ok(e)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    expand: &'a dyn Fn(&str) -> String,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.and()?];
        while self.peek() == Some(b'|') {
            self.i += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::Or(terms) })
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.term()?];
        while self.peek() == Some(b';') {
            self.i += 1;
            terms.push(self.term()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::And(terms) })
    }
    fn term(&mut self) -> Result<Expr, String> {
        self.skip_spaces();
        if self.peek() == Some(b'(') {
            self.i += 1;
            let e = self.or()?;
            if self.peek() != Some(b')') {
                return Err("missing )".into());
            }
            self.i += 1;
            self.skip_spaces();
            return Ok(e);
        }
        if self.peek() == Some(b'!') && self.s.get(self.i + 1) != Some(&b'=') {
            self.i += 1;
            return Ok(Expr::Missing(self.path()?));
        }
        let path = self.path()?;
        let op = match self.op() {
            Some(op) => op,
            None => return Ok(Expr::Exists(path)),
        };
        let value = self.operand()?;
        if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && !matches!(value, Operand::One(_)) {
            return Err("an ordering operator takes a single value, not a range or a list".into());
        }
        self.skip_spaces();
        Ok(Expr::Cmp(path, op, value))
    }
    fn path(&mut self) -> Result<Path, String> {
        let start = self.i;
        let mut depth = 0;
        while let Some(c) = self.peek() {
            let in_brackets = depth > 0;
            let ok = c.is_ascii_alphanumeric()
                || matches!(c, b'_' | b'.' | b':' | b'/' | b'#' | b'-' | b'@' | b'[' | b']')
                || (in_brackets && !matches!(c, b']'))
                || c >= 0x80;
            if !ok {
                break;
            }
            if c == b'[' {
                depth += 1;
            } else if c == b']' {
                depth -= 1;
            }
            self.i += 1;
        }
        let raw = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        if raw.is_empty() {
            return Err(format!("an attribute name is expected at {start}"));
        }
        let (names, keys) = match raw.find('[') {
            Some(b) => (&raw[..b], &raw[b..]),
            None => (raw, ""),
        };
        let keys: Vec<String> = keys.split(['[', ']']).filter(|k| !k.is_empty()).map(str::to_string).collect();
        // An absolute IRI as the attribute keeps its dots.
        let parts: Vec<&str> = if names.contains("://") { vec![names] } else { names.split('.').collect() };
        if parts.iter().any(|p| p.is_empty()) {
            return Err(format!("{raw:?} is not an attribute path"));
        }
        let attr = (self.expand)(parts[0]);
        let sub = parts[1..].iter().map(|p| if MEMBERS.contains(p) { p.to_string() } else { (self.expand)(p) }).collect();
        Ok(Path { attr, sub, keys })
    }
    fn op(&mut self) -> Option<Op> {
        let rest = &self.s[self.i..];
        for (tok, op) in [
            (&b"=="[..], Op::Eq),
            (b"!=", Op::Ne),
            (b">=", Op::Ge),
            (b"<=", Op::Le),
            (b"~=", Op::Match),
            (b"!~=", Op::NotMatch),
            (b">", Op::Gt),
            (b"<", Op::Lt),
        ] {
            if rest.starts_with(tok) {
                self.i += tok.len();
                return Some(op);
            }
        }
        None
    }
    fn scalar(&mut self) -> Result<Scalar, String> {
        if self.peek() == Some(b'"') {
            self.i += 1;
            let mut out = Vec::new();
            while let Some(c) = self.peek() {
                if c == b'"' {
                    break;
                }
                if c == b'\\' && self.s.get(self.i + 1).is_some() {
                    self.i += 1;
                }
                out.push(self.s[self.i]);
                self.i += 1;
            }
            if self.peek() != Some(b'"') {
                return Err("unterminated string".into());
            }
            self.i += 1;
            return Ok(Scalar::Str(String::from_utf8(out).map_err(|e| e.to_string())?));
        }
        let start = self.i;
        while let Some(c) = self.peek() {
            if matches!(c, b';' | b'|' | b')' | b',') || (c == b'.' && self.s.get(self.i + 1) == Some(&b'.')) {
                break;
            }
            self.i += 1;
        }
        let raw = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?.trim();
        if raw.is_empty() {
            return Err(format!("a value is expected at {start}"));
        }
        Ok(match raw {
            "true" => Scalar::Bool(true),
            "false" => Scalar::Bool(false),
            _ => match raw.parse::<f64>() {
                Ok(n) => Scalar::Num(n),
                // Dates, times and URIs stay text; times compare as times.
                Err(_) => Scalar::Str(raw.to_string()),
            },
        })
    }
    fn operand(&mut self) -> Result<Operand, String> {
        let first = self.scalar()?;
        if self.s[self.i..].starts_with(b"..") {
            self.i += 2;
            return Ok(Operand::Range(first, self.scalar()?));
        }
        if self.peek() == Some(b',') {
            let mut list = vec![first];
            while self.peek() == Some(b',') {
                self.i += 1;
                list.push(self.scalar()?);
            }
            return Ok(Operand::List(list));
        }
        Ok(Operand::One(first))
    }
}

/// The values a path reaches in an entity (several for multi-instance attributes and arrays).
fn resolve(e: &Entity, p: &Path) -> Vec<Value> {
    let Some(list) = e.attrs.get(&p.attr) else { return vec![] };
    let mut out = vec![];
    for a in list {
        resolve_in(a, &p.sub, &p.keys, &mut out);
    }
    out
}

fn resolve_in(a: &Attr, sub: &[String], keys: &[String], out: &mut Vec<Value>) {
    if let Some((first, rest)) = sub.split_first() {
        let member = match first.as_str() {
            "observedAt" => a.observed_at.clone().map(Value::String),
            "unitCode" => a.unit_code.clone().map(Value::String),
            "datasetId" => a.dataset_id.clone().map(Value::String),
            "createdAt" => Some(Value::String(crate::model::format_time(a.created_at))),
            "modifiedAt" => Some(Value::String(crate::model::format_time(a.modified_at))),
            "objectType" => a.object_type.clone(),
            _ => None,
        };
        if let Some(m) = member {
            out.push(m);
            return;
        }
        if let Some(subs) = a.sub.get(first) {
            for s in subs {
                resolve_in(s, rest, keys, out);
            }
        }
        return;
    }
    // A LanguageProperty: `label` is any language, `label[en]` one, `label[*]` any (clause 4.9).
    let (base, keys): (Vec<&Value>, &[String]) = match (a.kind, keys.split_first()) {
        (Kind::LanguageProperty, Some((lang, rest))) if lang != "*" => (a.value.get(lang.as_str()).into_iter().collect(), rest),
        (Kind::LanguageProperty, first) => {
            (a.value.as_object().map(|m| m.values().collect()).unwrap_or_default(), first.map(|(_, rest)| rest).unwrap_or_default())
        }
        _ => (vec![&a.value], keys),
    };
    for v in base {
        let mut cur = Some(v);
        for k in keys {
            cur = cur.and_then(|c| c.get(k.as_str()));
        }
        if let Some(c) = cur {
            out.push(c.clone());
        }
    }
}

fn to_scalar(v: &Value) -> Option<Scalar> {
    match v {
        Value::Number(n) => n.as_f64().map(Scalar::Num),
        Value::String(s) => Some(Scalar::Str(s.clone())),
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Object(o) => o.get("@value").and_then(to_scalar),
        _ => None,
    }
}

fn cmp(a: &Scalar, b: &Scalar) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Scalar::Num(x), Scalar::Num(y)) => x.partial_cmp(y),
        (Scalar::Str(x), Scalar::Str(y)) => match (parse_time(x), parse_time(y)) {
            (Some(tx), Some(ty)) => Some(tx.cmp(&ty)),
            _ => Some(x.cmp(y)),
        },
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn matches_one(v: &Scalar, op: Op, operand: &Operand) -> bool {
    use std::cmp::Ordering::*;
    match (op, operand) {
        (Op::Eq, Operand::One(b)) => cmp(v, b) == Some(Equal),
        (Op::Eq, Operand::List(l)) => l.iter().any(|b| cmp(v, b) == Some(Equal)),
        (Op::Eq, Operand::Range(lo, hi)) => matches!(cmp(v, lo), Some(Greater | Equal)) && matches!(cmp(v, hi), Some(Less | Equal)),
        (Op::Ne, o) => !matches_one(v, Op::Eq, o),
        (Op::Gt, Operand::One(b)) => cmp(v, b) == Some(Greater),
        (Op::Ge, Operand::One(b)) => matches!(cmp(v, b), Some(Greater | Equal)),
        (Op::Lt, Operand::One(b)) => cmp(v, b) == Some(Less),
        (Op::Le, Operand::One(b)) => matches!(cmp(v, b), Some(Less | Equal)),
        (Op::Match, Operand::One(Scalar::Str(re))) => matches!(v, Scalar::Str(s) if regex_matches(re, s)),
        (Op::NotMatch, o) => !matches_one(v, Op::Match, o),
        _ => false,
    }
}

/// Whether an entity satisfies the query. Vocabulary values are held expanded:
/// for the attributes named in `expandValues` (clause 4.9), `expand` turns the
/// compared string into an IRI as well; for others it is compared as written.
pub fn eval(e: &Expr, entity: &Entity, expand: &dyn Fn(&str) -> String, expand_values: &[String]) -> bool {
    match e {
        Expr::And(t) => t.iter().all(|x| eval(x, entity, expand, expand_values)),
        Expr::Or(t) => t.iter().any(|x| eval(x, entity, expand, expand_values)),
        Expr::Exists(p) => !resolve(entity, p).is_empty(),
        Expr::Missing(p) => resolve(entity, p).is_empty(),
        Expr::Cmp(p, op, operand) => {
            // A Relationship's object is only ever equal or unequal (clause 4.9).
            let relationship = entity.attrs.get(&p.attr).is_some_and(|l| l.iter().any(|a| a.kind.is_relationship())) && p.sub.is_empty();
            if relationship && !matches!(op, Op::Eq | Op::Ne) {
                return false;
            }
            let vocab = expand_values.contains(&p.attr)
                && entity.attrs.get(&p.attr).is_some_and(|l| l.iter().any(|a| a.kind == Kind::VocabProperty))
                && p.sub.is_empty();
            let operand = if vocab { expand_operand(operand, expand) } else { operand.clone() };
            let values = resolve(entity, p);
            let test = |v: &Value| to_scalar(v).is_some_and(|v| matches_one(&v, *op, &operand));
            // Ne holds when no value equals; the others when some value matches.
            if *op == Op::Ne {
                return !values.is_empty()
                    && values.iter().all(|v| match v {
                        Value::Array(items) => items.iter().all(test),
                        v => test(v),
                    });
            }
            values.iter().any(|v| match v {
                Value::Array(items) => items.iter().any(test),
                v => test(v),
            })
        }
    }
}

fn expand_operand(o: &Operand, expand: &dyn Fn(&str) -> String) -> Operand {
    let s = |x: &Scalar| match x {
        Scalar::Str(t) => Scalar::Str(expand(t)),
        other => other.clone(),
    };
    match o {
        Operand::One(x) => Operand::One(s(x)),
        Operand::List(l) => Operand::List(l.iter().map(s).collect()),
        Operand::Range(a, b) => Operand::Range(s(a), s(b)),
    }
}

/// `%XX` escapes decoded (a subscription's q is written as in a URL).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// One key of `orderBy` (clause 4.23): a member path and a direction.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderKey {
    /// `id`, `type`, `createdAt`, `modifiedAt`, or an attribute path.
    pub member: Option<&'static str>,
    pub path: Option<Path>,
    pub desc: bool,
    /// `dist-asc` / `dist-desc`: by distance of the GeoProperty from the reference.
    pub distance: bool,
}

/// How to order: the keys, the reference point for distances, the collation.
#[derive(Clone, Debug, Default)]
pub struct Ordering {
    pub keys: Vec<OrderKey>,
    pub from: Option<geo::Geometry<f64>>,
    /// `und` (the root collation): letters rank with their base letter.
    pub fold_accents: bool,
}

/// Parse `orderBy`: `name;desc,type,name.createdAt,location;dist-asc`.
pub fn parse_order(s: &str, expand: &dyn Fn(&str) -> String) -> Result<Vec<OrderKey>, String> {
    let mut out = vec![];
    for part in s.split(',') {
        let (path, dir) = match part.split_once(';') {
            Some((p, d)) => (p.trim(), d.trim()),
            None => (part.trim(), "asc"),
        };
        let (desc, distance) = match dir {
            "asc" => (false, false),
            "desc" => (true, false),
            "dist-asc" => (false, true),
            "dist-desc" => (true, true),
            other => return Err(format!("{other:?} is not asc, desc, dist-asc or dist-desc")),
        };
        if path.is_empty() {
            return Err("an empty orderBy key".into());
        }
        let member = ["id", "type", "createdAt", "modifiedAt"].into_iter().find(|m| *m == path);
        let parsed = if member.is_some() {
            None
        } else {
            let mut p = Parser { s: path.as_bytes(), i: 0, expand };
            let parsed = p.path()?;
            if p.i != path.len() {
                return Err(format!("{path:?} is not a member path"));
            }
            Some(parsed)
        };
        out.push(OrderKey { member, path: parsed, desc, distance });
    }
    Ok(out)
}

/// The collation given: codepoint order by default, `und` (root) folds accents.
pub fn parse_collation(c: &str) -> Result<bool, String> {
    let tag_ok = !c.is_empty() && c.split('-').all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|ch| ch.is_ascii_alphanumeric()));
    if !tag_ok {
        return Err(format!("{c:?} is not a language tag"));
    }
    match c {
        "und" | "root" => Ok(true),
        _ => Err(format!("the collation {c:?} is not offered; use und (root) or none (code points)")),
    }
}

/// The value an entity sorts by for one key.
fn order_value(e: &Entity, k: &OrderKey, from: Option<&geo::Geometry<f64>>) -> Option<Value> {
    if k.distance {
        let p = k.path.as_ref()?;
        let from = from?;
        let g = e.attrs.get(&p.attr)?.iter().find(|a| a.kind == Kind::GeoProperty)?;
        let geom = crate::geo::parse_geometry(&g.value).ok()?;
        let origin = geo::Centroid::centroid(from)?;
        return Some(Value::from(crate::geo::distance_between_m(&geom, from, origin)));
    }
    match (k.member, &k.path) {
        (Some("id"), _) => Some(Value::String(e.id.clone())),
        (Some("type"), _) => e.types.first().map(|t| Value::String(t.clone())),
        (Some("createdAt"), _) => Some(Value::from(e.created_at)),
        (Some("modifiedAt"), _) => Some(Value::from(e.modified_at)),
        (_, Some(p)) => resolve(e, p).into_iter().next().map(|v| match v {
            // Times sort as times.
            Value::String(s) if p.sub.last().is_some_and(|m| m == "createdAt" || m == "modifiedAt" || m == "observedAt") => {
                parse_time(&s).map(Value::from).unwrap_or(Value::String(s))
            }
            other => other,
        }),
        _ => None,
    }
}

/// Numbers before strings before anything else; absent values last whatever the direction.
fn rank(v: &Value) -> u8 {
    match v {
        Value::Number(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        _ => 3,
    }
}

/// A letter of Latin-1 or Latin Extended-A without its accent, lower case.
fn base_letter(c: char) -> char {
    const FROM: &str = "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž";
    const TO: &str = "aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzz";
    let lower = c.to_lowercase().next().unwrap_or(c);
    match FROM.chars().position(|f| f == lower) {
        Some(i) => TO.chars().nth(i).unwrap_or(lower),
        None => lower,
    }
}

fn compare_values(a: &Value, b: &Value, fold: bool) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal),
        (Value::String(x), Value::String(y)) if fold => {
            let key = |s: &str| s.chars().map(base_letter).collect::<String>();
            key(x).cmp(&key(y)).then_with(|| x.cmp(y))
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)).then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

/// Sort entities by `orderBy` keys, then by id.
pub fn sort(entities: &mut [Entity], order: &Ordering) {
    entities.sort_by(|a, b| {
        for k in &order.keys {
            let ord = match (order_value(a, k, order.from.as_ref()), order_value(b, k, order.from.as_ref())) {
                (Some(x), Some(y)) => {
                    let o = compare_values(&x, &y, order.fold_accents);
                    if k.desc { o.reverse() } else { o }
                }
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        a.id.cmp(&b.id)
    });
}

/// Regular expressions (`~=`, `idPattern`), in linear time whatever the pattern.
pub fn regex_matches(re: &str, s: &str) -> bool {
    regex_lite::Regex::new(re).is_ok_and(|r| r.is_match(s))
}

/// Every attribute a query names (for `attrs` defaults and projections).
pub fn attributes(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::And(t) | Expr::Or(t) => t.iter().for_each(|x| attributes(x, out)),
        Expr::Exists(p) | Expr::Missing(p) | Expr::Cmp(p, ..) => {
            if !out.contains(&p.attr) {
                out.push(p.attr.clone())
            }
        }
    }
}

/// An entity type selection: alternatives, each a set of types the entity has all of.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeSelection(pub Vec<Vec<String>>);

impl TypeSelection {
    /// `A`, `A,B` or `A|B` (either), `A;B` (both), with one level of
    /// parentheses: `(A;B)|C`, `(A|B);C`. Held as alternatives of types all required.
    pub fn parse(s: &str, expand: &dyn Fn(&str) -> String) -> Result<TypeSelection, String> {
        let alternatives = Self::either(s, expand, 0).map_err(|e| format!("{s:?} {e}"))?;
        Ok(TypeSelection(alternatives))
    }

    fn either(s: &str, expand: &dyn Fn(&str) -> String, depth: usize) -> Result<Vec<Vec<String>>, String> {
        let mut out = vec![];
        for alt in split_top(s, &[',', '|']) {
            out.extend(Self::both(alt.trim(), expand, depth)?);
        }
        Ok(out)
    }

    fn both(s: &str, expand: &dyn Fn(&str) -> String, depth: usize) -> Result<Vec<Vec<String>>, String> {
        let mut product: Vec<Vec<String>> = vec![vec![]];
        for term in split_top(s, &[';']) {
            let term = term.trim();
            let options = match term.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
                Some(_) if depth > 0 => return Err("nests parentheses too deeply".into()),
                Some(inner) => Self::either(inner, expand, depth + 1)?,
                None if crate::model::is_valid_name(term) && !term.contains(['(', ')']) => vec![vec![expand(term)]],
                None => return Err("is not a type selection".into()),
            };
            product = product.iter().flat_map(|p| options.iter().map(move |o| [p.clone(), o.clone()].concat())).collect();
        }
        Ok(product)
    }
    pub fn matches(&self, types: &[String]) -> bool {
        self.0.iter().any(|all| all.iter().all(|t| types.contains(t)))
    }
    /// Every type named, for narrowing a search.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.0.iter().flatten().cloned().collect();
        v.sort();
        v.dedup();
        v
    }
}

fn split_top<'a>(s: &'a str, seps: &[char]) -> Vec<&'a str> {
    let (mut out, mut depth, mut start) = (vec![], 0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 && seps.contains(&c) => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// A scope query (clause 4.19): `/a/b`, `/a/+`, `/a/#`, combined with `;` (and), `,` or `|` (or).
pub fn scope_matches(q: &str, scopes: &[String]) -> bool {
    split_top(q, &[',', '|']).into_iter().any(|alt| {
        let alt = alt.trim();
        let inner = alt.strip_prefix('(').and_then(|a| a.strip_suffix(')')).unwrap_or(alt);
        inner.split(';').all(|one| scopes.iter().any(|s| scope_matches_one(one.trim(), s)))
    })
}

fn scope_matches_one(pattern: &str, scope: &str) -> bool {
    if pattern == "/#" {
        return true;
    }
    let p: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    let s: Vec<&str> = scope.trim_start_matches('/').split('/').collect();
    for (i, part) in p.iter().enumerate() {
        match *part {
            "#" => return s.len() >= i,
            "+" => {
                if s.len() <= i {
                    return false;
                }
            }
            x => {
                if s.get(i) != Some(&x) {
                    return false;
                }
            }
        }
    }
    p.len() == s.len()
}

pub fn check_scope_query(q: &str) -> Result<(), String> {
    for alt in split_top(q, &[',', '|']) {
        let alt = alt.trim();
        let inner = alt.strip_prefix('(').and_then(|a| a.strip_suffix(')')).unwrap_or(alt);
        for one in inner.split(';') {
            let one = one.trim();
            if !one.starts_with('/') {
                return Err(format!("{one:?} is not a scope query"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::RequestContext;
    use crate::parse;
    use serde_json::json;

    fn lamp() -> Entity {
        let v = json!({
            "id": "urn:ngsi-ld:Streetlight:a",
            "type": "Streetlight",
            "illuminanceLevel": {"type": "Property", "value": 40, "unitCode": "P1", "observedAt": "2026-11-24T21:00:00Z",
                                 "accuracy": {"type": "Property", "value": 2}},
            "status": {"type": "Property", "value": "active"},
            "address": {"type": "Property", "value": {"streetAddress": "Mestni trg 1", "addressLocality": "Ptuj"}},
            "controlledAsset": {"type": "Relationship", "object": "urn:ngsi-ld:Building:1"},
            "tags": {"type": "Property", "value": ["a", "b"]},
            "category": {"type": "VocabProperty", "vocab": "lighting"},
            "label": {"type": "LanguageProperty", "languageMap": {"sl": "Svetilka", "en": "Lamp"}},
        });
        parse::entity(&v, &RequestContext::core(), 1).unwrap()
    }

    #[test]
    fn the_query_language() {
        let c = RequestContext::core();
        let e = lamp();
        let x = |s: &str| c.expand(s);
        let t = |q: &str| eval(&parse(q, &x).unwrap_or_else(|err| panic!("{q}: {err}")), &e, &x, &[]);
        let expanded = |q: &str| eval(&parse(q, &x).unwrap_or_else(|err| panic!("{q}: {err}")), &e, &x, &[x("category")]);
        assert!(t("illuminanceLevel>30"));
        assert!(!t("illuminanceLevel>40"));
        assert!(t("illuminanceLevel>=40;status==\"active\""));
        assert!(t("illuminanceLevel<10|status==\"active\""));
        assert!(t("(illuminanceLevel<10|illuminanceLevel==40);status!=\"broken\""));
        assert!(t("illuminanceLevel==30..50"));
        assert!(t("illuminanceLevel==10,40"));
        assert!(!t("illuminanceLevel!=10,40"));
        assert!(t("address[addressLocality]==\"Ptuj\""));
        assert!(t("illuminanceLevel.unitCode==\"P1\""), "a member");
        assert!(t("illuminanceLevel.accuracy==2"), "a sub-property");
        assert!(t("illuminanceLevel.observedAt>=2026-11-24T00:00:00Z"));
        assert!(t("controlledAsset==\"urn:ngsi-ld:Building:1\""));
        assert!(t("controlledAsset==urn:ngsi-ld:Building:1"), "unquoted URIs");
        assert!(t("tags==\"b\""), "any element of an array");
        assert!(t("status~=\"^act\""));
        assert!(!t("category==\"lighting\""), "vocabulary held expanded, the term compared as written");
        assert!(expanded("category==\"lighting\""), "expandValues expands the term");
        assert!(t("label==\"Lamp\""), "any language");
        assert!(t("label[en]==\"Lamp\"") && !t("label[sl]==\"Lamp\"") && t("label[*]==\"Svetilka\""), "one language or any");
        assert!(!t("controlledAsset>\"urn:a\""), "a Relationship is only equal or not");
        assert!(t("address") && t("!nothing") && !t("nothing") && !t("!address"));
        assert!(parse("a==", &x).is_err());
        assert!(parse("(a==1", &x).is_err());
    }

    #[test]
    fn types_and_scopes() {
        let x = |s: &str| format!("ex:{s}");
        let sel = TypeSelection::parse("(Building;Shop)|Vehicle", &x).unwrap();
        assert!(sel.matches(&["ex:Building".into(), "ex:Shop".into()]));
        assert!(!sel.matches(&["ex:Building".into()]));
        assert!(sel.matches(&["ex:Vehicle".into()]));
        assert!(TypeSelection::parse("A,B", &x).unwrap().matches(&["ex:B".into()]));
        assert!(TypeSelection::parse("((A))", &x).is_err());
        let grouped = TypeSelection::parse("(Building|Tower)", &x).unwrap();
        assert!(grouped.matches(&["ex:Tower".into()]) && grouped.matches(&["ex:Building".into()]));
        let both = TypeSelection::parse("(A|B);C", &x).unwrap();
        assert!(both.matches(&["ex:B".into(), "ex:C".into()]) && !both.matches(&["ex:A".into()]));
        assert!(TypeSelection::parse("", &x).is_err() && TypeSelection::parse("A;", &x).is_err());
        let s = vec!["/Madrid/Centro".to_string()];
        assert!(scope_matches("/Madrid/#", &s) && scope_matches("/Madrid/+", &s) && scope_matches("/Madrid/Centro", &s));
        assert!(!scope_matches("/Madrid", &s) && !scope_matches("/Paris/#", &s));
        assert!(scope_matches("/Paris,/Madrid/Centro", &s) && !scope_matches("/Paris;/Madrid/Centro", &s));
        assert!(scope_matches("/#", &s));
        assert_eq!(("č".chars().map(base_letter).collect::<String>(), base_letter('Ž'), base_letter('ł')), ("c".to_string(), 'z', 'l'));
    }
}
