//! The little geometry reports need: WGS84 points, distance, point in polygon.

#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Point {
    pub lon: f64,
    pub lat: f64,
}

impl Point {
    /// A point if both coordinates are finite and in range.
    pub fn new(lon: f64, lat: f64) -> Option<Point> {
        (lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)).then_some(Point { lon, lat })
    }

    /// Great-circle distance in metres (haversine; ample at town scale).
    pub fn distance_m(self, other: Point) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }

    /// Degrees of latitude and longitude that cover `m` metres around this point,
    /// for a bounding-box prefilter in SQL.
    pub fn degrees_for(self, m: f64) -> (f64, f64) {
        let dlat = m / 111_320.0;
        let dlon = m / (111_320.0 * self.lat.to_radians().cos().max(0.01));
        (dlat, dlon)
    }
}

/// A polygon's outer ring as [lon, lat] pairs (closed or not).
pub struct Polygon<'a>(pub &'a [[f64; 2]]);

impl Polygon<'_> {
    /// Ray casting: whether the point lies inside the ring.
    pub fn contains(&self, p: Point) -> bool {
        let ring = self.0;
        let mut inside = false;
        let mut j = ring.len().wrapping_sub(1);
        for i in 0..ring.len() {
            let ([xi, yi], [xj, yj]) = (ring[i], ring[j]);
            if (yi > p.lat) != (yj > p.lat) && p.lon < (xj - xi) * (p.lat - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
        inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_between_ptuj_squares() {
        // Mestni trg to Slovenski trg, about 190 m apart.
        let a = Point::new(15.8702, 46.4197).unwrap();
        let b = Point::new(15.8726, 46.4207).unwrap();
        let d = a.distance_m(b);
        assert!((150.0..250.0).contains(&d), "{d}");
        assert!(a.distance_m(a) < 1e-6);
    }

    #[test]
    fn polygon_contains_inside_not_outside() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        let concave = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [1.0, 1.0], [0.0, 2.0]];
        assert!(Polygon(&square).contains(Point { lon: 0.5, lat: 0.5 }));
        assert!(!Polygon(&square).contains(Point { lon: 1.5, lat: 0.5 }));
        assert!(!Polygon(&concave).contains(Point { lon: 1.0, lat: 1.5 }));
        assert!(Polygon(&concave).contains(Point { lon: 1.0, lat: 0.5 }));
    }

    #[test]
    fn out_of_range_coordinates_are_no_point() {
        assert!(Point::new(200.0, 46.0).is_none());
        assert!(Point::new(15.0, f64::NAN).is_none());
        assert!(Point::new(15.87, 46.42).is_some());
    }
}
