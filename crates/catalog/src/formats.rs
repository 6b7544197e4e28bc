//! Distributions written from published rows: CSV (UTF-8, header row) with
//! its Frictionless Table Schema and Data Package, JSON, and GeoJSON for
//! located rows. Input is always `publish::Published`, so no writer can
//! reach a personal column.

use crate::model::{self, Column, ColumnType, Dataset, Format};
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

/// Writes one distribution a page at a time: `head`, `rows` for each page,
/// then `tail`; concatenated they are the whole file, so a download can be
/// streamed without holding its body.
pub struct Writer {
    format: Format,
    columns: Vec<Column>,
    /// Whether a JSON item was written already (for the commas).
    wrote: bool,
}

fn csv_lines(records: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, String> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![]);
    for r in records {
        w.write_record(&r).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

impl Writer {
    pub fn new(format: Format, columns: Vec<Column>) -> Writer {
        Writer { format, columns, wrote: false }
    }

    pub fn content_type(&self) -> &'static str {
        match self.format {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::GeoJson => "application/geo+json",
        }
    }

    /// CSV: the header row of column names; JSON: the opening of the array or collection.
    pub fn head(&self) -> Result<Vec<u8>, String> {
        Ok(match self.format {
            Format::Csv => csv_lines(std::iter::once(self.columns.iter().map(|c| c.name.clone()).collect()))?,
            Format::Json => b"[".to_vec(),
            Format::GeoJson => br#"{"type":"FeatureCollection","features":["#.to_vec(),
        })
    }

    /// One page of published rows (RFC 4180 quoting for CSV).
    pub fn rows(&mut self, rows: &[Vec<Value>]) -> Result<Vec<u8>, String> {
        let items: Vec<Value> = match self.format {
            Format::Csv => return csv_lines(rows.iter().map(|r| r.iter().map(cell).collect())),
            Format::Json => {
                rows.iter().map(|r| Value::Object(self.columns.iter().map(|c| c.name.clone()).zip(r.iter().cloned()).collect())).collect()
            }
            Format::GeoJson => rows.iter().filter_map(|r| feature(&self.columns, r)).collect(),
        };
        let mut out = vec![];
        for item in items {
            if self.wrote {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, &item).map_err(|e| e.to_string())?;
            self.wrote = true;
        }
        Ok(out)
    }

    pub fn tail(&self) -> Vec<u8> {
        match self.format {
            Format::Csv => vec![],
            Format::Json => b"]".to_vec(),
            Format::GeoJson => b"]}".to_vec(),
        }
    }

    /// The whole file of rows held in memory (small datasets, tests).
    pub fn whole(mut self, rows: &[Vec<Value>]) -> Result<String, String> {
        let mut out = self.head()?;
        out.extend(self.rows(rows)?);
        out.extend(self.tail());
        String::from_utf8(out).map_err(|e| e.to_string())
    }
}

/// CSV with a header row of column names (RFC 4180 quoting).
pub fn csv(p: &Published) -> Result<String, String> {
    Writer::new(Format::Csv, p.columns.clone()).whole(&p.rows)
}

/// The Frictionless Table Schema of the CSV of these (published) columns.
pub fn table_schema(columns: &[Column], lang: Lang) -> Value {
    let fields: Vec<Value> = columns
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
pub fn datapackage(d: &Dataset, columns: &[Column], base: &str, lang: Lang) -> Value {
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
            "schema": table_schema(columns, lang),
        }],
    })
}

/// A GeoJSON point feature of a row with a position, the other columns as properties.
fn feature(columns: &[Column], r: &[Value]) -> Option<Value> {
    let at = |n: &str| columns.iter().position(|c| c.name == n);
    let (y, x) = (r[at("lat")?].as_f64()?, r[at("lon")?].as_f64()?);
    let props: serde_json::Map<String, Value> =
        columns.iter().zip(r).filter(|(c, _)| c.name != "lat" && c.name != "lon").map(|(c, v)| (c.name.clone(), v.clone())).collect();
    Some(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": props}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ColumnType;

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

    fn whole(f: Format, p: &Published) -> Value {
        serde_json::from_str(&Writer::new(f, p.columns.clone()).whole(&p.rows).unwrap()).unwrap()
    }

    #[test]
    fn pages_make_the_same_file_as_one_piece() {
        let p = published();
        for f in [Format::Csv, Format::Json, Format::GeoJson] {
            let mut w = Writer::new(f, p.columns.clone());
            let mut paged = w.head().unwrap();
            for r in &p.rows {
                paged.extend(w.rows(std::slice::from_ref(r)).unwrap());
            }
            paged.extend(w.rows(&[]).unwrap());
            paged.extend(w.tail());
            assert_eq!(String::from_utf8(paged).unwrap(), Writer::new(f, p.columns.clone()).whole(&p.rows).unwrap(), "{f:?}");
        }
        assert_eq!(whole(Format::Json, &p)[1], json!({"id": 2, "text": null, "lat": null, "lon": null}));
    }

    #[test]
    fn geojson_is_lon_lat_and_skips_unlocated_rows() {
        let g = whole(Format::GeoJson, &published());
        assert_eq!(g["features"].as_array().unwrap().len(), 1);
        assert_eq!(g["features"][0]["geometry"]["coordinates"], json!([15.87, 46.42]));
        assert_eq!(g["features"][0]["properties"]["id"], json!(1));
    }

    #[test]
    fn schema_names_every_column_in_order() {
        let s = table_schema(&published().columns, Lang::En);
        let names: Vec<&str> = s["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["id", "text", "lat", "lon"]);
        assert_eq!(s["fields"][0]["type"], "integer");
    }
}
