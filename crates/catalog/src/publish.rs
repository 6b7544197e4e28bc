//! The one place that decides what data leaves the platform: only datasets
//! the reader may see, and of them only columns that are not personal, in the
//! order the dataset declares. Every distribution (CSV, JSON, GeoJSON, the
//! CKAN DataStore) is built from `Published`, never from a source's rows.

use crate::model::{Access, Column, Dataset};
use crate::source::Row;
use serde_json::Value;

/// Who is reading.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Reader {
    /// Anyone: open datasets.
    Public,
    /// A partner's token with `catalog:read`: open and partner datasets.
    Partner,
}

impl Reader {
    pub fn of(actor: &kernel::Actor) -> Reader {
        if actor.has_scope("catalog:read") { Reader::Partner } else { Reader::Public }
    }
    /// Whether this reader sees the dataset (its metadata and its data).
    pub fn sees(self, access: Access) -> bool {
        matches!((self, access), (_, Access::Open) | (Reader::Partner, Access::Partners))
    }
}

/// Rows ready to be written out: published columns only.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
}

/// The columns of a dataset that may be published.
pub fn public_columns(d: &Dataset) -> Vec<Column> {
    d.columns.iter().filter(|c| !c.personal).cloned().collect()
}

/// Turns a dataset's rows into published rows for one reader, page by
/// page: the same decision as `publish`, for rows that are streamed.
#[derive(Clone, Debug)]
pub struct Publisher {
    pub columns: Vec<Column>,
}

impl Publisher {
    /// `None` when the reader may not have the dataset's data.
    pub fn of(d: &Dataset, reader: Reader) -> Option<Publisher> {
        if !reader.sees(d.access) || !d.has_rows() {
            return None;
        }
        Some(Publisher { columns: public_columns(d) })
    }

    /// The published columns of one row, in order; everything else is dropped.
    pub fn row(&self, mut r: Row) -> Vec<Value> {
        self.columns.iter().map(|c| r.remove(&c.name).unwrap_or(Value::Null)).collect()
    }
}

/// The published form of a dataset's rows, or `None` when the reader may
/// not have its data.
pub fn publish(d: &Dataset, reader: Reader, rows: Vec<Row>) -> Option<Published> {
    let p = Publisher::of(d, reader)?;
    let rows = rows.into_iter().map(|r| p.row(r)).collect();
    Some(Published { columns: p.columns, rows })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::*;

    /// A dataset of fault-report-like rows, one column personal.
    pub fn dataset(access: Access) -> Dataset {
        Dataset {
            name: "t".into(),
            title: Text::new("T", "T"),
            description: Text::new("D", "D"),
            theme: "GOVE",
            keywords: vec![],
            owner: "O".into(),
            contact_email: "o@example.si".into(),
            frequency: "DAILY",
            temporal: Period::default(),
            usable: Period::default(),
            access,
            licence: DEFAULT_LICENCE,
            spatial: String::new(),
            related: vec![],
            derived_from: vec![],
            consumers: vec![],
            hvd: None,
            columns: vec![
                Column::new("id", ColumnType::Integer, "Št.", "No."),
                Column::new("reporter_email", ColumnType::String, "E-pošta", "E-mail").personal(),
                Column::new("lat", ColumnType::Number, "Š", "Lat"),
                Column::new("lon", ColumnType::Number, "D", "Lon"),
            ],
            apis: vec![],
            external: vec![],
            origin: Origin::Capability("test"),
            issued: kernel::Timestamp(0),
            large: false,
        }
    }

    fn row() -> Row {
        let v = serde_json::json!({"id": 1, "reporter_email": "ana@example.si", "lat": 46.4, "lon": 15.8, "undeclared_name": "Ana Novak"});
        v.as_object().unwrap().clone()
    }

    #[test]
    fn personal_and_undeclared_fields_never_leave() {
        let p = publish(&dataset(Access::Open), Reader::Public, vec![row()]).unwrap();
        assert_eq!(p.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["id", "lat", "lon"]);
        let text = serde_json::to_string(&p.rows).unwrap();
        assert!(!text.contains("ana@example.si") && !text.contains("Ana Novak"), "{text}");
        assert_eq!(p.rows[0], vec![serde_json::json!(1), serde_json::json!(46.4), serde_json::json!(15.8)]);
    }

    #[test]
    fn access_level_decides_who_gets_rows() {
        assert!(publish(&dataset(Access::Internal), Reader::Public, vec![row()]).is_none());
        assert!(publish(&dataset(Access::Internal), Reader::Partner, vec![row()]).is_none());
        assert!(publish(&dataset(Access::Partners), Reader::Public, vec![row()]).is_none());
        assert!(publish(&dataset(Access::Partners), Reader::Partner, vec![row()]).is_some());
    }

    #[test]
    fn a_personal_coordinate_turns_geojson_off() {
        let mut d = dataset(Access::Open);
        assert!(d.located());
        d.columns[2].personal = true;
        assert!(!d.located());
        assert_eq!(d.formats(), vec![Format::Csv, Format::Json]);
    }
}
