//! The rules of places: everyone reads; staff with `ManagePlaces` create,
//! change, delete and import, each change in one transaction with its audit
//! entry. An import is all or nothing. Staff also upload photos (processed
//! by `kernel::photos`, kept in the file store) and remove them.

use crate::geometry::{Position, compass};
use crate::model::{Layer, PlaceData};
use crate::store::{self, Photo, Place};
use kernel::access::UserActor;
use kernel::audit::AuditEntry;
use kernel::error::FieldError;
use kernel::files::{FileStore, LocalFiles};
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use sea_orm::ConnectionTrait;
use serde_json::json;

pub fn new_id(ctx: &Ctx) -> String {
    let at = ctx.now().0.max(0);
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, (at / 1000) as u64, ((at % 1000) * 1_000_000) as u32)).to_string()
}

async fn audit<C: ConnectionTrait>(ctx: &Ctx, c: &C, user: &UserActor, action: &str, subject: &str, detail: serde_json::Value) -> AppResult<()> {
    ctx.audit(c, AuditEntry { actor: &format!("account:{}", user.account_id), action, subject, outcome: "ok", detail }).await?;
    Ok(())
}

pub async fn get(ctx: &Ctx, id: &str) -> AppResult<Place> {
    if id.len() > 64 {
        return Err(AppError::not_found());
    }
    store::get(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)
}

pub async fn list(ctx: &Ctx, layers: &[Layer]) -> AppResult<Vec<Place>> {
    Ok(store::list(ctx.db.conn(), layers).await?)
}

pub async fn create(ctx: &Ctx, actor: &Actor, data: PlaceData) -> AppResult<Place> {
    let user = actor.check(Permission::ManagePlaces)?;
    let txn = ctx.db.begin().await?;
    let id = data.id.clone().unwrap_or_else(|| new_id(ctx));
    if store::get(&txn, &id).await?.is_some() {
        return Err(AppError::conflict("place_exists"));
    }
    store::insert(&txn, &id, &data, ctx.now(), false).await?;
    audit(ctx, &txn, user, "places.create", &format!("place:{id}"), json!({"layer": data.layer.code()})).await?;
    let place = store::get(&txn, &id).await?.ok_or_else(|| AppError::internal("created place vanished"))?;
    txn.commit().await?;
    Ok(place)
}

/// The fields that differ, for the audit entry (names only).
fn changed(before: &PlaceData, after: &PlaceData) -> Vec<&'static str> {
    let mut v = vec![];
    let mut diff = |name: &'static str, d: bool| {
        if d {
            v.push(name);
        }
    };
    diff("layer", before.layer != after.layer);
    diff("names", before.names != after.names);
    diff("descriptions", before.descriptions != after.descriptions);
    diff("geometry", before.geometry.json != after.geometry.json);
    diff("address", before.address != after.address);
    diff("opening_hours", before.hours != after.hours);
    diff("wheelchair", before.wheelchair != after.wheelchair);
    diff("accessibility", before.accessibility != after.accessibility);
    diff("photos", before.photos != after.photos);
    diff("price_cents", before.price_cents != after.price_cents);
    diff("heritage", before.heritage_id != after.heritage_id || before.heritage_level != after.heritage_level);
    diff("audio_url", before.audio_url != after.audio_url);
    diff("contact", before.website != after.website || before.phone != after.phone);
    diff("attributes", before.attributes != after.attributes);
    v
}

pub async fn update(ctx: &Ctx, actor: &Actor, id: &str, mut data: PlaceData) -> AppResult<Place> {
    let user = actor.check(Permission::ManagePlaces)?;
    let txn = ctx.db.begin().await?;
    let before = store::get(&txn, id).await?.ok_or_else(AppError::not_found)?;
    data.id = Some(id.to_string());
    store::update(&txn, id, &data, ctx.now()).await?;
    audit(ctx, &txn, user, "places.update", &format!("place:{id}"), json!({"fields": changed(&before.data, &data)})).await?;
    let place = store::get(&txn, id).await?.ok_or_else(AppError::not_found)?;
    txn.commit().await?;
    Ok(place)
}

pub async fn delete(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<()> {
    let user = actor.check(Permission::ManagePlaces)?;
    let txn = ctx.db.begin().await?;
    let before = store::get(&txn, id).await?.ok_or_else(AppError::not_found)?;
    store::delete(&txn, id).await?;
    audit(ctx, &txn, user, "places.delete", &format!("place:{id}"), json!({"layer": before.layer.code(), "photos": before.uploads.len()})).await?;
    txn.commit().await?;
    for ph in &before.uploads {
        remove_file(ctx, &ph.file_key);
    }
    Ok(())
}

/// Largest photo accepted, in bytes, before it is scaled down.
pub const PHOTO_MAX_BYTES: usize = 8 * 1024 * 1024;
/// Longest side of a stored photo, in pixels.
pub const PHOTO_MAX_SIDE: u32 = 1600;
/// Largest body of an upload: one photo at its limit, plus the form.
pub const UPLOAD_LIMIT: usize = PHOTO_MAX_BYTES + 256 * 1024;

/// The platform's file store (the same as fault reports use).
fn files(ctx: &Ctx) -> LocalFiles {
    LocalFiles::under_data_dir(&ctx.config.data_dir)
}

/// After the row is gone, the file: a failure leaves only an unreferenced file.
fn remove_file(ctx: &Ctx, key: &str) {
    if let Err(e) = files(ctx).delete(key) {
        tracing::warn!(key, error = %e, "places: photo file not deleted");
    }
}

/// The bytes of an uploaded photo, by its id.
pub async fn photo_file(ctx: &Ctx, id: &str) -> AppResult<Vec<u8>> {
    if id.len() > 64 {
        return Err(AppError::not_found());
    }
    let ph = store::photo(ctx.db.conn(), id).await?.ok_or_else(AppError::not_found)?;
    files(ctx).get(&ph.file_key).map_err(AppError::internal)?.ok_or_else(AppError::not_found)
}

/// Add an uploaded photo to a place: the alternative text checked (Slovenian
/// required), the image checked, stripped of its metadata (EXIF, GPS) and
/// re-encoded; every problem at once (fields `photo`, `alt_sl`, `alt_en`),
/// and nothing stored unless all is well.
pub async fn add_photo(ctx: &Ctx, actor: &Actor, place_id: &str, bytes: Option<Vec<u8>>, alt: (Option<String>, Option<String>)) -> AppResult<Photo> {
    let user = actor.check(Permission::ManagePlaces)?;
    get(ctx, place_id).await?;
    let mut errors = vec![];
    let alt = crate::model::photo_alt(alt.0.as_deref(), alt.1.as_deref()).map_err(|e| errors.extend(e)).ok();
    let processed = match bytes.filter(|b| !b.is_empty()) {
        None => {
            errors.push(FieldError { field: "photo".into(), code: "required".into() });
            None
        }
        Some(bytes) => {
            // Decoding takes a while: not on the async threads, not in a transaction.
            let p = tokio::task::spawn_blocking(move || kernel::photos::process(&bytes, PHOTO_MAX_BYTES, PHOTO_MAX_SIDE, false))
                .await
                .map_err(AppError::internal)?;
            p.map_err(|e| errors.push(FieldError { field: "photo".into(), code: e.code().into() })).ok()
        }
    };
    let (Some(alt), Some(processed), true) = (alt, processed, errors.is_empty()) else { return Err(AppError::invalid(errors)) };
    let txn = ctx.db.begin().await?;
    let place = store::get(&txn, place_id).await?.ok_or_else(AppError::not_found)?;
    if place.uploads.len() >= crate::model::MAX_PHOTOS {
        return Err(AppError::field("photo", "too_many_photos"));
    }
    let id = uuid::Uuid::now_v7().simple().to_string();
    let photo = Photo {
        file_key: format!("places/{}-{id}.jpg", place.id),
        id,
        place_id: place.id.clone(),
        position: place.uploads.iter().map(|p| p.position + 1).max().unwrap_or(0),
        width: processed.width.into(),
        height: processed.height.into(),
        bytes: processed.jpeg.len() as i64,
        alt,
    };
    // Durable before the row that names it commits.
    files(ctx).put(&photo.file_key, &processed.jpeg).map_err(AppError::internal)?;
    store::insert_photo(&txn, &photo, ctx.now()).await?;
    audit(ctx, &txn, user, "places.photo_add", &format!("place:{}", place.id), json!({"photo": photo.id, "bytes": photo.bytes})).await?;
    txn.commit().await?;
    Ok(photo)
}

/// Remove an uploaded photo of a place.
pub async fn delete_photo(ctx: &Ctx, actor: &Actor, place_id: &str, photo_id: &str) -> AppResult<()> {
    let user = actor.check(Permission::ManagePlaces)?;
    if photo_id.len() > 64 {
        return Err(AppError::not_found());
    }
    let txn = ctx.db.begin().await?;
    let ph = store::photo(&txn, photo_id).await?.filter(|p| p.place_id == place_id).ok_or_else(AppError::not_found)?;
    store::delete_photo(&txn, photo_id).await?;
    audit(ctx, &txn, user, "places.photo_delete", &format!("place:{place_id}"), json!({"photo": photo_id})).await?;
    txn.commit().await?;
    remove_file(ctx, &ph.file_key);
    Ok(())
}

/// What an import did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = PlacesImported)]
pub struct Imported {
    pub created: usize,
    pub updated: usize,
}

/// A whole FeatureCollection, or nothing: 422 with every problem of every
/// feature when any is wrong.
pub async fn import(ctx: &Ctx, actor: &Actor, collection: &serde_json::Value) -> AppResult<Imported> {
    let user = actor.check(Permission::ManagePlaces)?;
    let features = crate::geojson::parse_collection(collection).map_err(invalid_features)?;
    let txn = ctx.db.begin().await?;
    let now = ctx.now();
    let mut done = Imported { created: 0, updated: 0 };
    for d in &features {
        match &d.id {
            Some(id) if store::update(&txn, id, d, now).await? => done.updated += 1,
            Some(id) => {
                store::insert(&txn, id, d, now, false).await?;
                done.created += 1;
            }
            None => {
                store::insert(&txn, &new_id(ctx), d, now, false).await?;
                done.created += 1;
            }
        }
    }
    audit(ctx, &txn, user, "places.import", "places", json!({"created": done.created, "updated": done.updated})).await?;
    txn.commit().await?;
    Ok(done)
}

fn invalid_features(errors: Vec<FieldError>) -> AppError {
    let features: std::collections::BTreeSet<&str> =
        errors.iter().filter_map(|e| e.field.split('.').next().filter(|f| f.starts_with("features["))).collect();
    let n = features.len();
    AppError::invalid(errors).with_detail(format!("{n} feature(s) are not valid; nothing was imported"))
}

/// A place near someone, with the way to it.
#[derive(Clone, Debug)]
pub struct Nearby {
    pub place: Place,
    pub distance_m: f64,
    pub bearing_deg: f64,
    /// n, ne, e, …
    pub direction: &'static str,
}

pub fn by_distance(places: Vec<Place>, from: Position) -> Vec<Nearby> {
    let mut v: Vec<Nearby> = places
        .into_iter()
        .map(|place| {
            let to = Position { lat: place.geometry.lat, lon: place.geometry.lon };
            let bearing_deg = from.bearing_deg(to);
            Nearby { distance_m: from.distance_m(to), bearing_deg, direction: compass(bearing_deg), place }
        })
        .collect();
    v.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    v
}

/// The `limit` places of a layer nearest to a position.
pub async fn nearest(ctx: &Ctx, layer: Layer, from: Position, limit: usize) -> AppResult<Vec<Nearby>> {
    let mut v = by_distance(store::list(ctx.db.conn(), &[layer]).await?, from);
    v.truncate(limit);
    Ok(v)
}
