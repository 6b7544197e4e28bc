//! The NGSI-LD query language (ETSI GS CIM 009, clause 4.9) over entities
//! held as JSON in normalized form, and geo-queries (clause 4.10) for
//! entities located by a point.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    /// An attribute path exists.
    Exists(Vec<String>),
    Cmp(Vec<String>, Op, Operand),
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

/// Parse a `q` parameter.
pub fn parse(q: &str) -> Result<Expr, String> {
    let mut p = Parser { s: q.as_bytes(), i: 0 };
    let e = p.or()?;
    if p.i != p.s.len() {
        return Err(format!("unexpected {:?} at {}", &q[p.i..], p.i));
    }
    Ok(e)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
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
        if self.peek() == Some(b'(') {
            self.i += 1;
            let e = self.or()?;
            if self.peek() != Some(b')') {
                return Err("missing )".into());
            }
            self.i += 1;
            return Ok(e);
        }
        let path = self.path()?;
        let op = match self.op() {
            Some(op) => op,
            None => return Ok(Expr::Exists(path)),
        };
        let value = self.operand()?;
        Ok(Expr::Cmp(path, op, value))
    }
    fn path(&mut self) -> Result<Vec<String>, String> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'[' | b']' | b':' | b'/' | b'#' | b'-' | b'@') {
                self.i += 1;
            } else {
                break;
            }
        }
        let raw = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        if raw.is_empty() {
            return Err(format!("an attribute name is expected at {start}"));
        }
        // attr.sub[compound][path]: the first part is the attribute, then sub-attributes or keys.
        let parts: Vec<String> = raw.split(['.', '[', ']']).filter(|p| !p.is_empty()).map(str::to_string).collect();
        Ok(parts)
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
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' {
                    break;
                }
                self.i += 1;
            }
            if self.peek() != Some(b'"') {
                return Err("unterminated string".into());
            }
            let s = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?.to_string();
            self.i += 1;
            return Ok(Scalar::Str(s));
        }
        let start = self.i;
        while let Some(c) = self.peek() {
            if matches!(c, b';' | b'|' | b')' | b',') || (c == b'.' && self.s.get(self.i + 1) == Some(&b'.')) {
                break;
            }
            self.i += 1;
        }
        let raw = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        if raw.is_empty() {
            return Err(format!("a value is expected at {start}"));
        }
        Ok(match raw {
            "true" => Scalar::Bool(true),
            "false" => Scalar::Bool(false),
            _ => match raw.parse::<f64>() {
                Ok(n) => Scalar::Num(n),
                // Dates, times and URIs compare as text (ISO 8601 sorts as time).
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

/// The value a path points at in an entity (normalized or key-values form).
fn resolve<'a>(entity: &'a Value, path: &[String]) -> Option<&'a Value> {
    let (attr, rest) = path.split_first()?;
    let mut v = entity.get(attr)?;
    // A multi-attribute (array of instances): take the first (default) one.
    if let Some(arr) = v.as_array() {
        v = arr.first()?;
    }
    let mut v = match v.get("type").and_then(Value::as_str) {
        Some("Relationship") => v.get("object")?,
        Some("Property" | "GeoProperty" | "LanguageProperty" | "VocabProperty" | "ListProperty") => {
            // A sub-attribute or a member such as `observedAt` first, else a key inside the value.
            if let Some((sub, more)) = rest.split_first()
                && sub != "value"
                && let Some(s) = v.get(sub)
            {
                if s.get("type").is_some() {
                    return resolve(v, rest);
                }
                if more.is_empty() {
                    return Some(s);
                }
            }
            v.get("value").or_else(|| v.get("object")).or_else(|| v.get("vocab"))?
        }
        _ => v,
    };
    for key in rest {
        v = v.get(key)?;
    }
    Some(v)
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
        (Scalar::Str(x), Scalar::Str(y)) => Some(x.cmp(y)),
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
        (Op::Match, Operand::One(Scalar::Str(re))) => matches!(v, Scalar::Str(s) if simple_regex(re, s)),
        (Op::NotMatch, o) => !matches_one(v, Op::Match, o),
        _ => false,
    }
}

/// Whether an entity satisfies the query.
pub fn eval(e: &Expr, entity: &Value) -> bool {
    match e {
        Expr::And(t) => t.iter().all(|x| eval(x, entity)),
        Expr::Or(t) => t.iter().any(|x| eval(x, entity)),
        Expr::Exists(p) => resolve(entity, p).is_some(),
        Expr::Cmp(p, op, operand) => match resolve(entity, p) {
            None => false,
            Some(Value::Array(items)) => items.iter().filter_map(to_scalar).any(|v| matches_one(&v, *op, operand)),
            Some(v) => to_scalar(v).is_some_and(|v| matches_one(&v, *op, operand)),
        },
    }
}

/// Regular expressions (`~=`, `idPattern`), in linear time whatever the pattern.
pub fn simple_regex(re: &str, s: &str) -> bool {
    regex_lite::Regex::new(re).is_ok_and(|r| r.is_match(s))
}

/// A geo-query: relation, geometry and coordinates (lon, lat order).
#[derive(Clone, Debug, PartialEq)]
pub struct GeoQuery {
    pub rel: GeoRel,
    pub geometry: Geometry,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GeoRel {
    Near { max: Option<f64>, min: Option<f64> },
    Within,
    Contains,
    Intersects,
    Equals,
    Disjoint,
    Overlaps,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    Point(f64, f64),
    Polygon(Vec<Vec<(f64, f64)>>),
    /// Other shapes are reduced to their points for the relations we evaluate.
    Points(Vec<(f64, f64)>),
}

pub fn parse_geo(georel: &str, geometry: &str, coordinates: &str) -> Result<GeoQuery, String> {
    let mut parts = georel.split(';');
    let rel = match parts.next().unwrap_or("") {
        "near" => {
            let (mut max, mut min) = (None, None);
            for p in parts {
                let (k, v) = p.split_once("==").ok_or("near needs maxDistance==… or minDistance==…")?;
                let v: f64 = v.parse().map_err(|_| "distance must be a number")?;
                match k {
                    "maxDistance" => max = Some(v),
                    "minDistance" => min = Some(v),
                    _ => return Err(format!("unknown modifier {k}")),
                }
            }
            if max.is_none() && min.is_none() {
                return Err("near needs maxDistance or minDistance".into());
            }
            GeoRel::Near { max, min }
        }
        "within" => GeoRel::Within,
        "contains" => GeoRel::Contains,
        "intersects" => GeoRel::Intersects,
        "equals" => GeoRel::Equals,
        "disjoint" => GeoRel::Disjoint,
        "overlaps" => GeoRel::Overlaps,
        other => return Err(format!("unknown georel {other}")),
    };
    let c: Value = serde_json::from_str(coordinates).map_err(|_| "coordinates must be a JSON array")?;
    let pt = |v: &Value| -> Option<(f64, f64)> {
        let a = v.as_array()?;
        Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
    };
    let geometry = match geometry {
        "Point" => {
            let (x, y) = pt(&c).ok_or("a Point is [lon, lat]")?;
            Geometry::Point(x, y)
        }
        "Polygon" => {
            let rings: Option<Vec<Vec<(f64, f64)>>> =
                c.as_array().and_then(|rs| rs.iter().map(|r| r.as_array().map(|ps| ps.iter().filter_map(pt).collect())).collect::<Option<_>>());
            let rings = rings
                .filter(|r| !r.is_empty() && r.iter().all(|ring| ring.len() >= 4 && ring.first() == ring.last()))
                .ok_or("a Polygon is closed rings of [lon, lat]")?;
            Geometry::Polygon(rings)
        }
        "LineString" | "MultiPoint" => Geometry::Points(c.as_array().map(|a| a.iter().filter_map(pt).collect()).unwrap_or_default()),
        other => return Err(format!("unsupported geometry {other}")),
    };
    if matches!(rel, GeoRel::Near { .. }) && !matches!(geometry, Geometry::Point(..)) {
        return Err("near needs a Point".into());
    }
    Ok(GeoQuery { rel, geometry })
}

/// Great-circle distance in metres.
pub fn distance_m((x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> f64 {
    let r = 6_371_008.8;
    let (p1, p2) = (y1.to_radians(), y2.to_radians());
    let dp = (y2 - y1).to_radians();
    let dl = (x2 - x1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

fn in_ring(p: (f64, f64), ring: &[(f64, f64)]) -> bool {
    let mut inside = false;
    let mut j = ring.len() - 1;
    for i in 0..ring.len() {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > p.1) != (yj > p.1) && p.0 < (xj - xi) * (p.1 - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn in_polygon(p: (f64, f64), rings: &[Vec<(f64, f64)>]) -> bool {
    in_ring(p, &rings[0]) && !rings[1..].iter().any(|hole| in_ring(p, hole))
}

/// Whether an entity located at `p` satisfies the geo-query.
pub fn geo_matches(q: &GeoQuery, p: (f64, f64)) -> bool {
    let same = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9;
    let intersects = match &q.geometry {
        Geometry::Point(x, y) => same(p, (*x, *y)),
        Geometry::Polygon(r) => in_polygon(p, r),
        Geometry::Points(ps) => ps.iter().any(|q| same(p, *q)),
    };
    match &q.rel {
        GeoRel::Near { max, min } => {
            let Geometry::Point(x, y) = q.geometry else { return false };
            let d = distance_m(p, (x, y));
            max.is_none_or(|m| d <= m) && min.is_none_or(|m| d >= m)
        }
        GeoRel::Within | GeoRel::Intersects => intersects,
        GeoRel::Equals => matches!(q.geometry, Geometry::Point(..)) && intersects,
        GeoRel::Disjoint => !intersects,
        // A point contains or overlaps only an equal point.
        GeoRel::Contains | GeoRel::Overlaps => matches!(q.geometry, Geometry::Point(..)) && intersects,
    }
}

/// A bounding box that holds every point the query can match, to narrow the
/// search in SQL before the exact test.
pub fn bbox(q: &GeoQuery) -> Option<[f64; 4]> {
    match (&q.rel, &q.geometry) {
        (GeoRel::Near { max: Some(m), .. }, Geometry::Point(x, y)) => {
            let dlat = m / 111_000.0 + 1e-6;
            let dlon = m / (111_000.0 * y.to_radians().cos().max(0.01)) + 1e-6;
            Some([x - dlon, y - dlat, x + dlon, y + dlat])
        }
        (GeoRel::Within | GeoRel::Intersects, Geometry::Polygon(r)) => {
            let xs = r[0].iter().map(|p| p.0);
            let ys = r[0].iter().map(|p| p.1);
            Some([xs.clone().fold(f64::MAX, f64::min), ys.clone().fold(f64::MAX, f64::min), xs.fold(f64::MIN, f64::max), ys.fold(f64::MIN, f64::max)])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lamp() -> Value {
        json!({
            "id": "urn:ngsi-ld:Streetlight:a",
            "type": "Streetlight",
            "illuminanceLevel": {"type": "Property", "value": 40, "unitCode": "P1", "observedAt": "2026-11-24T21:00:00Z"},
            "status": {"type": "Property", "value": "active"},
            "address": {"type": "Property", "value": {"streetAddress": "Mestni trg 1", "addressLocality": "Ptuj"}},
            "controlledAsset": {"type": "Relationship", "object": "urn:ngsi-ld:Building:1"},
            "tags": {"type": "Property", "value": ["a", "b"]},
        })
    }

    #[test]
    fn the_query_language() {
        let e = lamp();
        let t = |q: &str| eval(&parse(q).unwrap_or_else(|err| panic!("{q}: {err}")), &e);
        assert!(t("illuminanceLevel>30"));
        assert!(!t("illuminanceLevel>40"));
        assert!(t("illuminanceLevel>=40;status==\"active\""));
        assert!(t("illuminanceLevel<10|status==\"active\""));
        assert!(t("(illuminanceLevel<10|illuminanceLevel==40);status!=\"broken\""));
        assert!(t("illuminanceLevel==30..50"));
        assert!(t("illuminanceLevel==10,40"));
        assert!(!t("illuminanceLevel!=10,40"));
        assert!(t("address[addressLocality]==\"Ptuj\""));
        assert!(t("illuminanceLevel.unitCode==\"P1\""), "sub-attribute");
        assert!(t("illuminanceLevel.observedAt>=2026-11-24T00:00:00Z"));
        assert!(t("controlledAsset==\"urn:ngsi-ld:Building:1\""));
        assert!(t("controlledAsset==urn:ngsi-ld:Building:1"), "unquoted URIs");
        assert!(t("tags==\"b\""), "any element of an array");
        assert!(t("status~=\"^act\""));
        assert!(t("address"), "existence");
        assert!(!t("nothing"));
        assert!(parse("a==").is_err());
        assert!(parse("(a==1").is_err());
    }

    #[test]
    fn regexes_of_the_usual_kind() {
        assert!(simple_regex("^urn:ngsi-ld:Streetlight:.*", "urn:ngsi-ld:Streetlight:x"));
        assert!(!simple_regex("^urn:ngsi-ld:Building:.*", "urn:ngsi-ld:Streetlight:x"));
        assert!(simple_regex("light", "Streetlight"));
        assert!(simple_regex("l.ght$", "Streetlight"));
        assert!(!simple_regex("^light$", "Streetlight"));
        assert!(simple_regex("^Streetlight$", "Streetlight"));
    }

    #[test]
    fn geo_relations_on_points() {
        let centre = (15.8703, 46.4199);
        let near = parse_geo("near;maxDistance==500", "Point", "[15.8703,46.4199]").unwrap();
        assert!(geo_matches(&near, (15.8710, 46.4200)));
        assert!(!geo_matches(&near, (15.90, 46.43)));
        let b = bbox(&near).unwrap();
        assert!(b[0] < 15.8703 && b[2] > 15.8703);
        let poly = parse_geo("within", "Polygon", "[[[15.86,46.41],[15.88,46.41],[15.88,46.43],[15.86,46.43],[15.86,46.41]]]").unwrap();
        assert!(geo_matches(&poly, centre));
        assert!(!geo_matches(&poly, (15.9, 46.42)));
        let far = parse_geo("near;minDistance==1000", "Point", "[15.8703,46.4199]").unwrap();
        assert!(!geo_matches(&far, centre));
        assert!(parse_geo("near", "Point", "[1,2]").is_err());
        assert!(parse_geo("within", "Polygon", "[[[1,2],[3,4]]]").is_err(), "rings are closed");
        assert!((distance_m((15.87, 46.42), (15.88, 46.42)) - 767.0).abs() < 5.0);
    }
}
