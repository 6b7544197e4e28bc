//! Distributions written from published rows: CSV (UTF-8, header row) with
//! its Frictionless Table Schema and Data Package, JSON, and GeoJSON for
//! located rows. Input is always `publish::Published`, so no writer can
//! reach a personal column.

use crate::model::{self, ColumnType, Dataset, Format};
use crate::publish::Published;
use kernel::Lang;
use serde_json::{Value, json};

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// CSV with a header row of column names (RFC 4180 quoting).
pub fn csv(p: &Published) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![]);
    w.write_record(p.columns.iter().map(|c| c.name.as_str())).map_err(|e| e.to_string())?;
    for r in &p.rows {
        w.write_record(r.iter().map(cell)).map_err(|e| e.to_string())?;
    }
    String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// The Frictionless Table Schema of the CSV.
pub fn table_schema(p: &Published, lang: Lang) -> Value {
    let fields: Vec<Value> = p
        .columns
        .iter()
        .map(|c| {
            let mut f = json!({"name": c.name, "type": c.kind.table_schema(), "title": c.title.get(lang)});
            if c.kind == ColumnType::Datetime {
                f["format"] = json!("default");
            }
            f
        })
        .collect();
    json!({"fields": fields, "missingValues": [""]})
}

/// A Frictionless Data Package: the CSV (by its URL) with its schema and licence.
pub fn datapackage(d: &Dataset, p: &Published, base: &str, lang: Lang) -> Value {
    let (licence_id, licence_url) = model::licence_ckan(d.licence);
    json!({
        "profile": "tabular-data-package",
        "name": d.name,
        "title": d.title.get(lang),
        "description": d.description.get(lang),
        "homepage": format!("{base}/data/{}", d.name),
        "keywords": d.keywords,
        "licenses": [{"name": licence_id, "path": licence_url}],
        "resources": [{
            "profile": "tabular-data-resource",
            "name": d.name,
            "path": format!("{base}/data/{}.csv", d.name),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table_schema(p, lang),
        }],
    })
}

/// JSON: an array of objects, one per row.
pub fn json_rows(p: &Published) -> Value {
    Value::Array(p.rows.iter().map(|r| Value::Object(p.columns.iter().map(|c| c.name.clone()).zip(r.iter().cloned()).collect())).collect())
}

/// GeoJSON: a point feature per row with a position, the other columns as properties.
pub fn geojson(p: &Published) -> Value {
    let at = |n: &str| p.columns.iter().position(|c| c.name == n);
    let (Some(lat), Some(lon)) = (at("lat"), at("lon")) else {
        return json!({"type": "FeatureCollection", "features": []});
    };
    let features: Vec<Value> = p
        .rows
        .iter()
        .filter_map(|r| {
            let (y, x) = (r[lat].as_f64()?, r[lon].as_f64()?);
            let props: serde_json::Map<String, Value> =
                p.columns.iter().zip(r).filter(|(c, _)| c.name != "lat" && c.name != "lon").map(|(c, v)| (c.name.clone(), v.clone())).collect();
            Some(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": props}))
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The body and media type of a distribution.
pub fn render(f: Format, p: &Published) -> Result<(String, &'static str), String> {
    Ok(match f {
        Format::Csv => (csv(p)?, "text/csv; charset=utf-8"),
        Format::Json => (json_rows(p).to_string(), "application/json"),
        Format::GeoJson => (geojson(p).to_string(), "application/geo+json"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, ColumnType};

    fn published() -> Published {
        Published {
            columns: vec![
                Column::new("id", ColumnType::Integer, "Št.", "No."),
                Column::new("text", ColumnType::String, "Besedilo", "Text"),
                Column::new("lat", ColumnType::Number, "Š", "Lat"),
                Column::new("lon", ColumnType::Number, "D", "Lon"),
            ],
            rows: vec![
                vec![json!(1), json!("Luknja, \"velika\"\nna cesti"), json!(46.42), json!(15.87)],
                vec![json!(2), Value::Null, Value::Null, Value::Null],
            ],
        }
    }

    #[test]
    fn csv_quotes_by_the_book() {
        let c = csv(&published()).unwrap();
        assert_eq!(c, "id,text,lat,lon\r\n1,\"Luknja, \"\"velika\"\"\nna cesti\",46.42,15.87\r\n2,,,\r\n");
    }

    #[test]
    fn geojson_is_lon_lat_and_skips_unlocated_rows() {
        let g = geojson(&published());
        assert_eq!(g["features"].as_array().unwrap().len(), 1);
        assert_eq!(g["features"][0]["geometry"]["coordinates"], json!([15.87, 46.42]));
        assert_eq!(g["features"][0]["properties"]["id"], json!(1));
    }

    #[test]
    fn schema_names_every_column_in_order() {
        let s = table_schema(&published(), Lang::En);
        let names: Vec<&str> = s["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["id", "text", "lat", "lon"]);
        assert_eq!(s["fields"][0]["type"], "integer");
    }
}
