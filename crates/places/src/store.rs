//! The SQL of places (both backends): the only code that touches `places`,
//! `place_photos` and `places_version`. Every write bumps the version in
//! the caller's transaction, so the kept GeoJSON of the layers is made again.

use crate::geometry::{Geometry, Shape};
use crate::model::{Layer, PlaceData, Text, Wheelchair};
use kernel::Timestamp;
use kernel::db::{col, exec, opt_i64, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

/// A stored place.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub id: String,
    pub data: PlaceData,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub demo: bool,
    /// Photos staff uploaded, in order (photo addresses elsewhere are `data.photos`).
    pub uploads: Vec<Photo>,
}

/// A photo uploaded to a place: its file in the file store and its alternative text.
#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    pub id: String,
    pub place_id: String,
    pub position: i64,
    pub file_key: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    /// Per language code; Slovenian always there.
    pub alt: Text,
}

impl Photo {
    /// Where the site serves it.
    pub fn url(&self) -> String {
        format!("/places/photos/{}.jpg", self.id)
    }
}

impl std::ops::Deref for Place {
    type Target = PlaceData;
    fn deref(&self) -> &PlaceData {
        &self.data
    }
}

const COLUMNS: &str = "id, layer, names, descriptions, geometry, shape, lat, lon, min_lat, min_lon, max_lat, max_lon, address, opening_hours, wheelchair, accessibility, photos, price_cents, heritage_id, heritage_level, audio_url, website, phone, attributes, created_at, updated_at, demo";

fn bad(what: &str) -> DbErr {
    DbErr::Custom(format!("places: stored {what} is not valid"))
}

fn json_col<T: serde::de::DeserializeOwned>(r: &QueryResult, name: &str) -> Result<T, DbErr> {
    let s: String = col(r, name)?;
    serde_json::from_str(&s).map_err(|_| bad(name))
}

fn place_from(r: &QueryResult) -> Result<Place, DbErr> {
    let layer: String = col(r, "layer")?;
    let shape = match col::<String>(r, "shape")?.as_str() {
        "Point" => Shape::Point,
        "LineString" => Shape::LineString,
        "Polygon" => Shape::Polygon,
        _ => return Err(bad("shape")),
    };
    let hours: Option<String> = col(r, "opening_hours")?;
    let wheelchair: Option<String> = col(r, "wheelchair")?;
    let id: String = col(r, "id")?;
    Ok(Place {
        data: PlaceData {
            id: Some(id.clone()),
            layer: Layer::from_code(&layer).ok_or_else(|| bad("layer"))?,
            names: json_col(r, "names")?,
            descriptions: json_col(r, "descriptions")?,
            geometry: Geometry {
                shape,
                json: json_col(r, "geometry")?,
                lat: col(r, "lat")?,
                lon: col(r, "lon")?,
                bbox: [col(r, "min_lon")?, col(r, "min_lat")?, col(r, "max_lon")?, col(r, "max_lat")?],
            },
            address: col(r, "address")?,
            hours: hours.map(|h| serde_json::from_str(&h).map_err(|_| bad("opening_hours"))).transpose()?,
            wheelchair: wheelchair.as_deref().and_then(Wheelchair::from_code),
            accessibility: json_col(r, "accessibility")?,
            photos: json_col(r, "photos")?,
            price_cents: col(r, "price_cents")?,
            heritage_id: col(r, "heritage_id")?,
            heritage_level: col(r, "heritage_level")?,
            audio_url: col(r, "audio_url")?,
            website: col(r, "website")?,
            phone: col(r, "phone")?,
            attributes: json_col(r, "attributes")?,
        },
        id,
        created_at: Timestamp(col(r, "created_at")?),
        updated_at: Timestamp(col(r, "updated_at")?),
        demo: col::<i64>(r, "demo")? != 0,
        uploads: vec![],
    })
}

fn text(t: &Text) -> Value {
    serde_json::to_string(t).unwrap_or_else(|_| "{}".into()).into()
}

/// The values of every data column, in `COLUMNS` order after `id`, up to `attributes`.
fn data_values(d: &PlaceData) -> Vec<Value> {
    let g = &d.geometry;
    vec![
        d.layer.code().into(),
        text(&d.names),
        text(&d.descriptions),
        g.json.to_string().into(),
        g.shape.code().into(),
        g.lat.into(),
        g.lon.into(),
        g.bbox[1].into(),
        g.bbox[0].into(),
        g.bbox[3].into(),
        g.bbox[2].into(),
        opt_str(d.address.clone()),
        opt_str(d.hours.as_ref().and_then(|h| serde_json::to_string(h).ok())),
        opt_str(d.wheelchair.map(|w| w.code().to_string())),
        text(&d.accessibility),
        serde_json::to_string(&d.photos).unwrap_or_else(|_| "[]".into()).into(),
        opt_i64(d.price_cents),
        opt_str(d.heritage_id.clone()),
        opt_str(d.heritage_level.clone()),
        opt_str(d.audio_url.clone()),
        opt_str(d.website.clone()),
        opt_str(d.phone.clone()),
        serde_json::to_string(&d.attributes).unwrap_or_else(|_| "{}".into()).into(),
    ]
}

pub async fn insert<C: ConnectionTrait>(c: &C, id: &str, d: &PlaceData, now: Timestamp, demo: bool) -> Result<(), DbErr> {
    let mut values: Vec<Value> = vec![id.into()];
    values.extend(data_values(d));
    values.extend([now.0.into(), now.0.into(), i64::from(demo).into()]);
    let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
    exec(c, &format!("INSERT INTO places ({COLUMNS}) VALUES ({})", placeholders.join(", ")), values).await?;
    bump_version(c).await
}

async fn bump_version<C: ConnectionTrait>(c: &C) -> Result<(), DbErr> {
    exec(c, "UPDATE places_version SET version = version + 1 WHERE id = 1", []).await.map(|_| ())
}

/// The version of the places: it changes with every write.
pub async fn version<C: ConnectionTrait>(c: &C) -> Result<i64, DbErr> {
    query_opt(c, "SELECT version FROM places_version WHERE id = 1", []).await?.map(|r| col(&r, "version")).transpose().map(Option::unwrap_or_default)
}

/// Replace a place's data; false if there is no such place.
pub async fn update<C: ConnectionTrait>(c: &C, id: &str, d: &PlaceData, now: Timestamp) -> Result<bool, DbErr> {
    let names: Vec<&str> = COLUMNS.split(", ").skip(1).take_while(|c| *c != "created_at").collect();
    let mut values = data_values(d);
    let sets: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("{n} = ${}", i + 1)).collect();
    values.push(now.0.into());
    values.push(id.into());
    let sql = format!("UPDATE places SET {}, updated_at = ${}, demo = 0 WHERE id = ${}", sets.join(", "), values.len() - 1, values.len());
    bump_version(c).await?;
    Ok(exec(c, &sql, values).await? > 0)
}

pub async fn delete<C: ConnectionTrait>(c: &C, id: &str) -> Result<bool, DbErr> {
    // Bumps the version too.
    delete_photos_of(c, id).await?;
    Ok(exec(c, "DELETE FROM places WHERE id = $1", [id.into()]).await? > 0)
}

pub async fn get<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Place>, DbErr> {
    let Some(mut place) =
        query_opt(c, &format!("SELECT {COLUMNS} FROM places WHERE id = $1"), [id.into()]).await?.map(|r| place_from(&r)).transpose()?
    else {
        return Ok(None);
    };
    place.uploads = photos_of(c, id).await?;
    Ok(Some(place))
}

/// The places of some layers (all when empty), in a stable order.
pub async fn list<C: ConnectionTrait>(c: &C, layers: &[Layer]) -> Result<Vec<Place>, DbErr> {
    let (filter, values): (String, Vec<Value>) = if layers.is_empty() {
        (String::new(), vec![])
    } else {
        let ph: Vec<String> = (1..=layers.len()).map(|i| format!("${i}")).collect();
        (format!(" WHERE layer IN ({})", ph.join(", ")), layers.iter().map(|l| l.code().into()).collect())
    };
    let mut places: Vec<Place> = query_all(c, &format!("SELECT {COLUMNS} FROM places{filter} ORDER BY layer, id"), values.clone())
        .await?
        .iter()
        .map(place_from)
        .collect::<Result<_, _>>()?;
    // The photos of the same places in one query, not one per place.
    let sql = format!("SELECT place_photos.* FROM place_photos JOIN places ON places.id = place_photos.place_id{filter} ORDER BY place_id, position");
    let mut photos: std::collections::HashMap<String, Vec<Photo>> = std::collections::HashMap::new();
    for r in query_all(c, &sql, values).await? {
        let ph = photo_from(&r)?;
        photos.entry(ph.place_id.clone()).or_default().push(ph);
    }
    for p in &mut places {
        p.uploads = photos.remove(&p.id).unwrap_or_default();
    }
    Ok(places)
}

fn photo_from(r: &QueryResult) -> Result<Photo, DbErr> {
    Ok(Photo {
        id: col(r, "id")?,
        place_id: col(r, "place_id")?,
        position: col(r, "position")?,
        file_key: col(r, "file_key")?,
        width: col(r, "width")?,
        height: col(r, "height")?,
        bytes: col(r, "bytes")?,
        alt: json_col(r, "alt")?,
    })
}

pub async fn insert_photo<C: ConnectionTrait>(c: &C, p: &Photo, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO place_photos (id, place_id, position, file_key, width, height, bytes, alt, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            p.id.clone().into(),
            p.place_id.clone().into(),
            p.position.into(),
            p.file_key.clone().into(),
            p.width.into(),
            p.height.into(),
            p.bytes.into(),
            text(&p.alt),
            now.0.into(),
        ],
    )
    .await?;
    bump_version(c).await
}

pub async fn photos_of<C: ConnectionTrait>(c: &C, place_id: &str) -> Result<Vec<Photo>, DbErr> {
    query_all(c, "SELECT * FROM place_photos WHERE place_id = $1 ORDER BY position", [place_id.into()]).await?.iter().map(photo_from).collect()
}

pub async fn photo<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Photo>, DbErr> {
    query_opt(c, "SELECT * FROM place_photos WHERE id = $1", [id.into()]).await?.map(|r| photo_from(&r)).transpose()
}

pub async fn delete_photo<C: ConnectionTrait>(c: &C, id: &str) -> Result<bool, DbErr> {
    bump_version(c).await?;
    Ok(exec(c, "DELETE FROM place_photos WHERE id = $1", [id.into()]).await? > 0)
}

/// The photos' rows go with the place (their files are the caller's to delete).
async fn delete_photos_of<C: ConnectionTrait>(c: &C, place_id: &str) -> Result<(), DbErr> {
    exec(c, "DELETE FROM place_photos WHERE place_id = $1", [place_id.into()]).await?;
    bump_version(c).await
}

/// How many places each layer has.
pub async fn counts<C: ConnectionTrait>(c: &C) -> Result<Vec<(Layer, i64)>, DbErr> {
    let rows = query_all(c, "SELECT layer, COUNT(*) AS n FROM places GROUP BY layer", []).await?;
    let mut out = vec![];
    for r in rows {
        let code: String = col(&r, "layer")?;
        if let Some(l) = Layer::from_code(&code) {
            out.push((l, col(&r, "n")?));
        }
    }
    Ok(out)
}

pub async fn any<C: ConnectionTrait>(c: &C) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT id FROM places LIMIT 1", []).await?.is_some())
}
