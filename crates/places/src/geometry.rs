//! Geometry of places: a GeoJSON (RFC 7946) Point, LineString or Polygon in
//! WGS84, [lon, lat] order, checked; its bounding box and a point on it for
//! queries; distance and walking direction between two positions.

use geo::{Bearing, BoundingRect, Distance, Haversine, InteriorPoint};
use serde_json::{Value, json};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    Point,
    LineString,
    Polygon,
}

impl Shape {
    pub fn code(self) -> &'static str {
        match self {
            Shape::Point => "Point",
            Shape::LineString => "LineString",
            Shape::Polygon => "Polygon",
        }
    }
}

/// A checked geometry with what queries need.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    pub shape: Shape,
    /// The geometry as GeoJSON (only `type` and `coordinates`).
    pub json: Value,
    /// A point on the geometry (the point itself, a vertex-near point of a
    /// line, a point inside a polygon): markers, lists and distances use it.
    pub lon: f64,
    pub lat: f64,
    /// [min lon, min lat, max lon, max lat].
    pub bbox: [f64; 4],
}

/// Why a geometry was refused (field error codes).
pub const NOT_SUPPORTED: &str = "place_geometry_type";
pub const INVALID: &str = "place_geometry_invalid";

fn position(v: &Value) -> Result<geo::Coord, &'static str> {
    let a = v.as_array().ok_or(INVALID)?;
    // RFC 7946 allows an altitude as a third number; we keep two.
    if !(2..=3).contains(&a.len()) {
        return Err(INVALID);
    }
    let (lon, lat) = (a[0].as_f64().ok_or(INVALID)?, a[1].as_f64().ok_or(INVALID)?);
    if !(lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
        return Err("coordinates_invalid");
    }
    Ok(geo::coord! { x: lon, y: lat })
}

fn positions(v: &Value) -> Result<Vec<geo::Coord>, &'static str> {
    v.as_array().ok_or(INVALID)?.iter().map(position).collect()
}

fn to_json(c: &[geo::Coord]) -> Value {
    Value::Array(c.iter().map(|c| json!([c.x, c.y])).collect())
}

impl Geometry {
    /// A GeoJSON geometry object, checked.
    pub fn parse(v: &Value) -> Result<Geometry, &'static str> {
        let obj = v.as_object().ok_or(INVALID)?;
        let coords = obj.get("coordinates").ok_or(INVALID)?;
        let (shape, g, json): (Shape, geo::Geometry, Value) = match obj.get("type").and_then(Value::as_str) {
            Some("Point") => {
                let c = position(coords)?;
                (Shape::Point, geo::Point::from(c).into(), json!([c.x, c.y]))
            }
            Some("LineString") => {
                let c = positions(coords)?;
                if c.len() < 2 {
                    return Err(INVALID);
                }
                let j = to_json(&c);
                (Shape::LineString, geo::LineString::new(c).into(), j)
            }
            Some("Polygon") => {
                // One outer ring (holes are not needed for places), closed, at least a triangle.
                let rings = coords.as_array().ok_or(INVALID)?;
                if rings.len() != 1 {
                    return Err(INVALID);
                }
                let c = positions(&rings[0])?;
                if c.len() < 4 || c.first() != c.last() {
                    return Err(INVALID);
                }
                let j = json!([to_json(&c)]);
                (Shape::Polygon, geo::Polygon::new(geo::LineString::new(c), vec![]).into(), j)
            }
            Some(_) => return Err(NOT_SUPPORTED),
            None => return Err(INVALID),
        };
        let rect = g.bounding_rect().ok_or(INVALID)?;
        let p = g.interior_point().ok_or(INVALID)?;
        Ok(Geometry {
            shape,
            json: json!({"type": shape.code(), "coordinates": json}),
            lon: p.x(),
            lat: p.y(),
            bbox: [rect.min().x, rect.min().y, rect.max().x, rect.max().y],
        })
    }

    pub fn point(lon: f64, lat: f64) -> Result<Geometry, &'static str> {
        Geometry::parse(&json!({"type": "Point", "coordinates": [lon, lat]}))
    }
}

/// A WGS84 position someone is at.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
}

impl Position {
    pub fn new(lat: f64, lon: f64) -> Option<Position> {
        (lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some(Position { lat, lon })
    }
    fn geo(self) -> geo::Point {
        geo::Point::new(self.lon, self.lat)
    }
    /// Great-circle distance in metres.
    pub fn distance_m(self, to: Position) -> f64 {
        Haversine.distance(self.geo(), to.geo())
    }
    /// Initial compass bearing towards `to`, degrees clockwise from north, 0..360.
    pub fn bearing_deg(self, to: Position) -> f64 {
        Haversine.bearing(self.geo(), to.geo()).rem_euclid(360.0)
    }
}

/// The eight compass points, for "walk north-east".
pub const COMPASS: [&str; 8] = ["n", "ne", "e", "se", "s", "sw", "w", "nw"];

/// The compass point (of eight) nearest to a bearing.
pub fn compass(bearing_deg: f64) -> &'static str {
    COMPASS[(((bearing_deg.rem_euclid(360.0) + 22.5) / 45.0) as usize) % 8]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_and_direction_in_ptuj() {
        // Mestni trg (town hall) to the bus station: about 500 m, towards the north-east.
        let town_hall = Position::new(46.41985, 15.87000).unwrap();
        let bus = Position::new(46.42330, 15.87740).unwrap();
        let d = town_hall.distance_m(bus);
        assert!((650.0..700.0).contains(&d), "{d}");
        let b = town_hall.bearing_deg(bus);
        assert!((50.0..60.0).contains(&b), "{b}");
        assert_eq!(compass(b), "ne");
        assert!(town_hall.distance_m(town_hall) < 1e-6);
        // Due south is 180°.
        let south = Position::new(46.40, 15.87).unwrap();
        assert!((town_hall.bearing_deg(south) - 180.0).abs() < 0.5);
    }

    #[test]
    fn compass_points_have_their_sectors() {
        assert_eq!(compass(0.0), "n");
        assert_eq!(compass(22.4), "n");
        assert_eq!(compass(22.6), "ne");
        assert_eq!(compass(359.9), "n");
        assert_eq!(compass(180.0), "s");
        assert_eq!(compass(270.0), "w");
        assert_eq!(compass(-45.0), "nw");
    }

    #[test]
    fn geometries_are_checked() {
        let p = Geometry::parse(&json!({"type": "Point", "coordinates": [15.87, 46.42]})).unwrap();
        assert_eq!((p.shape, p.lon, p.lat), (Shape::Point, 15.87, 46.42));
        let l = Geometry::parse(&json!({"type": "LineString", "coordinates": [[15.85, 46.41], [15.89, 46.415]]})).unwrap();
        assert_eq!(l.bbox, [15.85, 46.41, 15.89, 46.415]);
        assert!((15.85..=15.89).contains(&l.lon));
        let poly = json!({"type": "Polygon", "coordinates": [[[15.84, 46.40], [15.86, 46.40], [15.86, 46.42], [15.84, 46.40]]]});
        let g = Geometry::parse(&poly).unwrap();
        assert_eq!(g.shape, Shape::Polygon);
        assert!(g.lon > 15.84 && g.lon < 15.86 && g.lat > 46.40 && g.lat < 46.42, "{g:?}");

        let bad = |v: Value| Geometry::parse(&v).unwrap_err();
        assert_eq!(bad(json!({"type": "Point", "coordinates": [46.42, 215.87]})), "coordinates_invalid", "lat/lon swapped out of range");
        assert_eq!(bad(json!({"type": "Point", "coordinates": ["15", "46"]})), INVALID);
        assert_eq!(bad(json!({"type": "Point"})), INVALID);
        assert_eq!(bad(json!({"type": "LineString", "coordinates": [[15.0, 46.0]]})), INVALID, "one position is no line");
        assert_eq!(bad(json!({"type": "Polygon", "coordinates": [[[15.0, 46.0], [15.1, 46.0], [15.1, 46.1], [15.0, 46.2]]]})), INVALID, "open ring");
        assert_eq!(bad(json!({"type": "MultiPoint", "coordinates": [[15.0, 46.0]]})), NOT_SUPPORTED);
        assert_eq!(bad(json!("POINT(15 46)")), INVALID);
        assert_eq!(bad(json!({"type": "Point", "coordinates": [f64::MAX, 46.0]})), "coordinates_invalid");
    }
}
