//! GeoJSON geometries (the values of GeoProperties) and NGSI-LD geo-queries
//! (clause 4.10): near with a distance in metres, within, contains,
//! intersects, equals, disjoint and overlaps, evaluated with the DE-9IM
//! relations of the `geo` crate.

use geo::{
    Centroid, Closest, ClosestPoint, Coord, Distance, Geometry, Haversine, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon,
    Relate,
};
use serde_json::Value;

/// Read a GeoJSON geometry, checking it as NGSI-LD requires (clause 4.7).
pub fn parse_geometry(v: &Value) -> Result<Geometry<f64>, String> {
    let ty = v.get("type").and_then(Value::as_str).ok_or("a geometry needs a type")?;
    if ty == "GeometryCollection" {
        let parts = v.get("geometries").and_then(Value::as_array).ok_or("a GeometryCollection needs geometries")?;
        return Ok(Geometry::GeometryCollection(geo::GeometryCollection(parts.iter().map(parse_geometry).collect::<Result<_, _>>()?)));
    }
    let c = v.get("coordinates").ok_or_else(|| format!("a {ty} needs coordinates"))?;
    geometry_of(ty, c)
}

/// A geometry from its type and coordinates (geo-queries give them apart).
pub fn geometry_of(ty: &str, c: &Value) -> Result<Geometry<f64>, String> {
    Ok(match ty {
        "Point" => Geometry::Point(Point(position(c)?)),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(list(c)?.iter().map(|p| position(p).map(Point)).collect::<Result<_, _>>()?)),
        "LineString" => Geometry::LineString(line(c)?),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(list(c)?.iter().map(line).collect::<Result<_, _>>()?)),
        "Polygon" => Geometry::Polygon(polygon(c)?),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(list(c)?.iter().map(polygon).collect::<Result<_, _>>()?)),
        other => return Err(format!("{other} is not a GeoJSON geometry type")),
    })
}

fn list(c: &Value) -> Result<&Vec<Value>, String> {
    c.as_array().ok_or_else(|| "coordinates must be arrays".to_string())
}

fn position(c: &Value) -> Result<Coord<f64>, String> {
    let a = list(c)?;
    if !(2..=3).contains(&a.len()) {
        return Err("a position is [longitude, latitude] (and an optional altitude)".into());
    }
    let n = |i: usize| a[i].as_f64().ok_or_else(|| "positions are numbers".to_string());
    let (x, y) = (n(0)?, n(1)?);
    if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
        return Err(format!("[{x}, {y}] is not a WGS84 longitude and latitude"));
    }
    Ok(Coord { x, y })
}

fn line(c: &Value) -> Result<LineString<f64>, String> {
    let pts: Vec<Coord<f64>> = list(c)?.iter().map(position).collect::<Result<_, _>>()?;
    if pts.len() < 2 {
        return Err("a LineString has at least two positions".into());
    }
    Ok(LineString(pts))
}

fn polygon(c: &Value) -> Result<Polygon<f64>, String> {
    let rings: Vec<LineString<f64>> = list(c)?.iter().map(line).collect::<Result<_, _>>()?;
    if rings.is_empty() {
        return Err("a Polygon has at least one ring".into());
    }
    for r in &rings {
        if r.0.len() < 4 || r.0.first() != r.0.last() {
            return Err("a Polygon's rings are closed and have at least four positions".into());
        }
    }
    let mut rings = rings.into_iter();
    let outer = rings.next().unwrap_or_else(|| LineString(vec![]));
    Ok(Polygon::new(outer, rings.collect()))
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

/// A geo-query: relation, geometry, and the GeoProperty it applies to.
#[derive(Clone, Debug)]
pub struct GeoQuery {
    pub rel: GeoRel,
    pub geometry: Geometry<f64>,
    /// The raw parts, for echoing in subscriptions.
    pub georel: String,
    pub geometry_type: String,
    pub coordinates: Value,
}

pub fn parse_georel(georel: &str) -> Result<GeoRel, String> {
    let mut parts = georel.split(';');
    Ok(match parts.next().unwrap_or("") {
        "near" => {
            let (mut max, mut min) = (None, None);
            for p in parts {
                let (k, v) = p.split_once("==").ok_or("near takes maxDistance==… or minDistance==…")?;
                let v: f64 = v.parse().map_err(|_| "a distance is a number of metres")?;
                if !v.is_finite() || v <= 0.0 {
                    return Err("a distance is a positive number of metres".into());
                }
                if max.is_some() || min.is_some() {
                    return Err("near takes one distance".into());
                }
                match k {
                    "maxDistance" => max = Some(v),
                    "minDistance" => min = Some(v),
                    _ => return Err(format!("unknown near modifier {k}")),
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
        other => return Err(format!("unknown georel {other:?}")),
    })
}

/// A geo-query from its parts; `coordinates` is the JSON array (or its text, as in a URL).
pub fn parse_query(georel: &str, geometry: &str, coordinates: &Value) -> Result<GeoQuery, String> {
    let rel = parse_georel(georel)?;
    let coords = match coordinates {
        Value::String(s) => serde_json::from_str(s).map_err(|_| "coordinates must be a JSON array")?,
        other => other.clone(),
    };
    let g = geometry_of(geometry, &coords)?;
    Ok(GeoQuery { rel, geometry: g, georel: georel.to_string(), geometry_type: geometry.to_string(), coordinates: coords })
}

/// Great-circle metres between two (longitude, latitude) points.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    Haversine.distance(Point::new(a.0, a.1), Point::new(b.0, b.1))
}

/// Metres from a point to the nearest point of a geometry (0 inside it).
pub fn distance_m(from: Point<f64>, to: &Geometry<f64>) -> f64 {
    if from.relate(to).is_intersects() {
        return 0.0;
    }
    match to.closest_point(&from) {
        Closest::Intersection(p) | Closest::SinglePoint(p) => Haversine.distance(from, p),
        Closest::Indeterminate => f64::INFINITY,
    }
}

/// Metres between the nearest points of two geometries: both projected onto a
/// plane tangent at `origin` (metric around it, so the closest points are the
/// metric ones even at high latitude), then measured there.
pub fn distance_between_m(a: &Geometry<f64>, b: &Geometry<f64>, origin: Point<f64>) -> f64 {
    use geo::{Euclidean, MapCoords};
    if a.relate(b).is_intersects() {
        return 0.0;
    }
    const R: f64 = 6_371_008.8;
    let (lat0, lon0) = (origin.y().to_radians(), origin.x());
    let project = |g: &Geometry<f64>| g.map_coords(|c| Coord { x: (c.x - lon0).to_radians() * R * lat0.cos(), y: (c.y.to_radians() - lat0) * R });
    Euclidean.distance(&project(a), &project(b))
}

/// Whether an entity's geometry satisfies the query.
pub fn matches(q: &GeoQuery, g: &Geometry<f64>) -> bool {
    match &q.rel {
        GeoRel::Near { max, min } => {
            let d = match &q.geometry {
                Geometry::Point(p) if matches!(g, Geometry::Point(_)) => distance_m(*p, g),
                reference => {
                    let origin = reference.centroid().unwrap_or(Point::new(0.0, 0.0));
                    distance_between_m(g, reference, origin)
                }
            };
            max.is_none_or(|m| d <= m) && min.is_none_or(|m| d >= m)
        }
        GeoRel::Within => g.relate(&q.geometry).is_within(),
        GeoRel::Contains => g.relate(&q.geometry).is_contains(),
        GeoRel::Intersects => g.relate(&q.geometry).is_intersects(),
        // The same coordinates are equal even where DE-9IM gives up (self-touching rings).
        GeoRel::Equals => g == &q.geometry || g.relate(&q.geometry).is_equal_topo(),
        GeoRel::Disjoint => g.relate(&q.geometry).is_disjoint(),
        GeoRel::Overlaps => {
            let m = g.relate(&q.geometry);
            m.matches("T*T***T**").unwrap_or(false) || m.matches("1*T***T**").unwrap_or(false)
        }
    }
}

/// A box holding every point the query can match (lon/lat min and max), to narrow a search first.
pub fn bbox(q: &GeoQuery) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    match (&q.rel, &q.geometry) {
        (GeoRel::Near { max: Some(m), .. }, Geometry::Point(p)) => {
            let dlat = m / 111_000.0 + 1e-6;
            let dlon = m / (111_000.0 * p.y().to_radians().cos().max(0.01)) + 1e-6;
            Some([p.x() - dlon, p.y() - dlat, p.x() + dlon, p.y() + dlat])
        }
        (GeoRel::Within | GeoRel::Intersects | GeoRel::Equals | GeoRel::Overlaps, g) => {
            let r = g.bounding_rect()?;
            Some([r.min().x, r.min().y, r.max().x, r.max().y])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn geom(v: Value) -> Geometry<f64> {
        parse_geometry(&v).unwrap()
    }

    #[test]
    fn geometries_are_checked() {
        assert!(parse_geometry(&json!({"type": "Point", "coordinates": [15.87, 46.42]})).is_ok());
        assert!(parse_geometry(&json!({"type": "Point", "coordinates": [215.0, 46.42]})).is_err());
        assert!(parse_geometry(&json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]})).is_err(), "open ring");
        assert!(parse_geometry(&json!({"type": "LineString", "coordinates": [[0, 0]]})).is_err());
        assert!(parse_geometry(&json!({"type": "Circle", "coordinates": [0, 0]})).is_err());
    }

    #[test]
    fn relations_between_shapes() {
        let square = json!([[[15.86, 46.41], [15.88, 46.41], [15.88, 46.43], [15.86, 46.43], [15.86, 46.41]]]);
        let q = |rel: &str| parse_query(rel, "Polygon", &square).unwrap();
        let inside = geom(json!({"type": "Point", "coordinates": [15.87, 46.42]}));
        let outside = geom(json!({"type": "Point", "coordinates": [15.90, 46.42]}));
        let crossing = geom(json!({"type": "LineString", "coordinates": [[15.85, 46.42], [15.87, 46.42]]}));
        assert!(matches(&q("within"), &inside) && !matches(&q("within"), &outside));
        assert!(matches(&q("intersects"), &crossing) && !matches(&q("within"), &crossing));
        assert!(matches(&q("disjoint"), &outside) && !matches(&q("disjoint"), &inside));
        assert!(matches(&q("equals"), &geom(json!({"type": "Polygon", "coordinates": square}))));
        let big = geom(json!({"type": "Polygon", "coordinates": [[[15.85, 46.40], [15.9, 46.40], [15.9, 46.45], [15.85, 46.45], [15.85, 46.40]]]}));
        assert!(matches(&q("contains"), &big) && !matches(&q("contains"), &inside));
        assert!(matches(&q("within"), &inside) && !matches(&q("within"), &big));
        let near = parse_query("near;maxDistance==500", "Point", &json!("[15.87, 46.42]")).unwrap();
        assert!(matches(&near, &geom(json!({"type": "Point", "coordinates": [15.872, 46.421]}))));
        assert!(!matches(&near, &outside));
        assert!(matches(&near, &crossing), "a line passing within 500 m");
        let far = parse_query("near;minDistance==1000", "Point", &json!([15.87, 46.42])).unwrap();
        assert!(matches(&far, &outside) && !matches(&far, &inside));
        assert!(parse_query("near", "Point", &json!([1, 2])).is_err());
        assert!(parse_query("touches", "Point", &json!([1, 2])).is_err());
        assert!((haversine_m((15.87, 46.42), (15.88, 46.42)) - 767.0).abs() < 5.0);
    }
}
