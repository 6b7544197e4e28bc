//! The catalogue's section of the configuration (`[catalog]`), read strictly.

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CatalogConfig {
    /// The municipality's extent, `[min lon, min lat, max lon, max lat]` (WGS84):
    /// the spatial coverage of datasets that give none.
    pub bbox: [f64; 4],
    /// Contact for the catalogue itself; empty: the municipality's e-mail.
    pub contact_email: String,
    /// Largest `rows` of `package_search` (CKAN's `ckan.search.rows_max`).
    pub rows_max: usize,
    /// Datasets per page of `/catalog.ttl` and its siblings.
    pub page_size: usize,
}

impl Default for CatalogConfig {
    fn default() -> Self {
        // The demo municipality's extent (Ptuj); another municipality sets its own.
        CatalogConfig { bbox: [15.80, 46.38, 15.95, 46.47], contact_email: String::new(), rows_max: 1000, page_size: 100 }
    }
}

impl CatalogConfig {
    pub fn from_table(t: &toml::Table) -> Result<CatalogConfig, String> {
        let c: CatalogConfig = toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| format!("[catalog]: {e}"))?;
        let [x0, y0, x1, y1] = c.bbox;
        if !(x0 < x1
            && y0 < y1
            && (-180.0..=180.0).contains(&x0)
            && (-180.0..=180.0).contains(&x1)
            && (-90.0..=90.0).contains(&y0)
            && (-90.0..=90.0).contains(&y1))
        {
            return Err(format!("[catalog] bbox {:?}: min lon, min lat, max lon, max lat", c.bbox));
        }
        if c.rows_max == 0 || c.page_size == 0 {
            return Err("[catalog] rows_max and page_size must be at least 1".into());
        }
        Ok(c)
    }

    /// The extent as a WKT polygon.
    pub fn wkt(&self) -> String {
        let [x0, y0, x1, y1] = self.bbox;
        format!("POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))")
    }
    pub fn centroid_wkt(&self) -> String {
        let [x0, y0, x1, y1] = self.bbox;
        format!("POINT({} {})", (x0 + x1) / 2.0, (y0 + y1) / 2.0)
    }
    /// The extent as a GeoJSON polygon (the CKAN `spatial` extra).
    pub fn geojson(&self) -> String {
        let [x0, y0, x1, y1] = self.bbox;
        serde_json::json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load_and_a_bad_extent_fails() {
        assert!(CatalogConfig::from_table(&toml::Table::new()).is_ok());
        let bad: toml::Table = toml::from_str("bbox = [16.0, 46.0, 15.0, 47.0]").unwrap();
        assert!(CatalogConfig::from_table(&bad).is_err());
        let typo: toml::Table = toml::from_str("row_max = 5").unwrap();
        assert!(CatalogConfig::from_table(&typo).is_err());
    }
}
