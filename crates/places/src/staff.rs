//! Staff pages of the map (`ManagePlaces`): the list of places, the form to
//! create and change one, delete, and GeoJSON import (with an error per
//! feature) and export; uploading photos to a place (with their alternative
//! text) and removing them.

use crate::model::{Layer, PlaceInput, Wheelchair};
use crate::pages::layer_label;
use crate::service;
use crate::store::Place;
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, RawQuery};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use kernel::csrf::CsrfForm;
use kernel::error::FieldError;
use kernel::layout::{FormErrors, Page, field_message};
use kernel::web::{render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission};
use std::collections::{BTreeMap, HashMap};

type Form = HashMap<String, String>;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/staff/places", get(list))
        .route("/staff/places/new", get(new_form).post(create))
        .route("/staff/places/import", post(import))
        .route("/staff/places/{id}", get(edit_form).post(update))
        .route("/staff/places/{id}/delete", post(delete))
        .route("/staff/places/{id}/photos/{photo}/delete", post(delete_photo))
}

/// The photo form posts a file: mounted under the larger body limit.
pub fn upload_router() -> Router<Ctx> {
    Router::new().route("/staff/places/{id}/photos", post(add_photo))
}

pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub layer: String,
    pub shape: &'static str,
    pub updated: String,
    pub demo: bool,
}

#[derive(Template)]
#[template(path = "places_staff.html")]
struct ListPage {
    p: Page,
    rows: Vec<StaffRow>,
    layers: Vec<(&'static str, String, bool)>,
    import_errors: Vec<(String, String)>,
    import_text: String,
    notice: String,
}

async fn list_view(p: Page, layer: Option<Layer>, import_errors: Vec<(String, String)>, import_text: String, notice: String) -> AppResult<Response> {
    let places = service::list(&p.ctx, &layer.into_iter().collect::<Vec<_>>()).await?;
    let rows = places
        .iter()
        .map(|pl| StaffRow {
            id: pl.id.clone(),
            name: pl.names.get(p.lang).to_string(),
            layer: layer_label(&p, pl.layer),
            shape: pl.geometry.shape.code(),
            updated: pl.updated_at.display_local(),
            demo: pl.demo,
        })
        .collect();
    let layers = Layer::ALL.into_iter().map(|l| (l.code(), layer_label(&p, l), Some(l) == layer)).collect();
    Ok(render(&ListPage { rows, layers, import_errors, import_text, notice, p }))
}

async fn list(p: Page, actor: Actor, RawQuery(raw): RawQuery) -> AppResult<Response> {
    actor.check(Permission::ManagePlaces)?;
    let q = crate::pages::MapQuery::parse(raw.as_deref())?;
    let notice = match raw.as_deref().unwrap_or("") {
        r if r.contains("deleted=1") => p.t("places-staff-deleted"),
        r if r.contains("saved=1") => p.t("places-staff-saved"),
        _ => String::new(),
    };
    list_view(p, q.layers.first().copied(), vec![], String::new(), notice).await
}

/// A problem of an import, for people: the feature's number and the field.
fn import_error(p: &Page, e: &FieldError) -> (String, String) {
    (e.field.clone(), field_message(p, &e.code))
}

async fn import(p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManagePlaces)?;
    let text = f.get("geojson").cloned().unwrap_or_default();
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
    let result = match parsed {
        Ok(v) => service::import(&p.ctx, &actor, &v).await,
        Err(_) => Err(AppError::field("geojson", "place_not_feature_collection")),
    };
    match result {
        Ok(done) => {
            let notice = p.ctx.i18n.t_args(
                p.lang,
                "places-staff-imported",
                &[("created", (done.created as i64).into()), ("updated", (done.updated as i64).into())],
            );
            list_view(p, None, vec![], String::new(), notice).await
        }
        Err(e) if e.status.as_u16() == 422 => {
            let errors = e.fields.iter().map(|x| import_error(&p, x)).collect();
            let mut r = list_view(p, None, errors, text, String::new()).await?;
            *r.status_mut() = e.status;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "places_form.html")]
struct FormPage {
    p: Page,
    id: Option<String>,
    form: Form,
    errors: FormErrors,
    layers: Vec<(&'static str, String)>,
    wheelchair: Vec<(&'static str, String)>,
    langs: Vec<(&'static str, String)>,
    saved: bool,
    photos: PhotoPart,
    /// The photo's alternative text fields: language code and hint.
    alt_fields: Vec<(&'static str, String)>,
}

/// The photos of the place being edited and the upload form's state.
#[derive(Default)]
struct PhotoPart {
    uploads: Vec<StaffPhoto>,
    errors: FormErrors,
    form: Form,
    notice: String,
}

impl PhotoPart {
    fn of(pl: &Place) -> PhotoPart {
        let uploads = pl
            .uploads
            .iter()
            .map(|u| StaffPhoto {
                id: u.id.clone(),
                url: u.url(),
                alt_sl: u.alt.get(Lang::Sl).to_string(),
                alt_en: u.alt.0.get("en").cloned().unwrap_or_default(),
            })
            .collect();
        PhotoPart { uploads, ..Default::default() }
    }
    fn v(&self, k: &str) -> String {
        self.form.get(k).cloned().unwrap_or_default()
    }
}

struct StaffPhoto {
    id: String,
    url: String,
    alt_sl: String,
    alt_en: String,
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.form.get(k).cloned().unwrap_or_default()
    }
}

fn form_view(p: Page, id: Option<String>, form: Form, errors: FormErrors, saved: bool, photos: PhotoPart) -> Response {
    let layers = Layer::ALL.into_iter().map(|l| (l.code(), layer_label(&p, l))).collect();
    let wheelchair = Wheelchair::ALL.into_iter().map(|w| (w.code(), p.tk("places-wheelchair", w.code()))).collect();
    let langs = Lang::ALL.into_iter().map(|l| (l.code(), l.native_name().to_string())).collect();
    let alt_fields = vec![("sl", p.t("places-staff-alt-hint")), ("en", String::new())];
    render(&FormPage { p, id, form, errors, layers, wheelchair, langs, saved, photos, alt_fields })
}

/// A stored place as the form's fields.
fn form_of(pl: &Place) -> Form {
    let input = crate::geojson::input_of(pl);
    let mut f: Form = match serde_json::to_value(&input) {
        Ok(serde_json::Value::Object(m)) => m.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect(),
        _ => Form::new(),
    };
    if pl.geometry.shape == crate::geometry::Shape::Point {
        f.insert("lat".into(), format!("{:.6}", pl.geometry.lat));
        f.insert("lon".into(), format!("{:.6}", pl.geometry.lon));
    } else {
        f.insert("geometry".into(), pl.geometry.json.to_string());
    }
    f.insert("photos".into(), pl.photos.join("\n"));
    f.insert("attributes".into(), pl.attributes.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join("\n"));
    if let Some(c) = pl.price_cents {
        f.insert("price".into(), format!("{},{:02}", c / 100, c % 100));
    }
    f
}

/// The form as input; what cannot even be read is a field error.
fn input_of_form(f: &Form) -> (PlaceInput, Vec<FieldError>) {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut errors = vec![];
    let mut bad = |field: &str, code: &str| errors.push(FieldError { field: field.into(), code: code.into() });
    let geometry = match (get("geometry"), get("lat"), get("lon")) {
        (Some(g), _, _) => match serde_json::from_str::<serde_json::Value>(&g) {
            Ok(v) => Some(v),
            Err(_) => {
                bad("geometry", "place_geometry_invalid");
                None
            }
        },
        (None, Some(lat), Some(lon)) => match (lat.replace(',', ".").parse::<f64>(), lon.replace(',', ".").parse::<f64>()) {
            (Ok(lat), Ok(lon)) => Some(serde_json::json!({"type": "Point", "coordinates": [lon, lat]})),
            _ => {
                bad("lat", "coordinates_invalid");
                None
            }
        },
        _ => None,
    };
    let price_cents = match get("price") {
        Some(p) => {
            let c = kernel::i18n::parse_cents(&p);
            if c.is_none() {
                bad("price", "not_a_number");
            }
            c
        }
        None => None,
    };
    let mut attributes = BTreeMap::new();
    for line in f.get("attributes").map(String::as_str).unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('=') {
            Some((k, v)) => {
                attributes.insert(k.trim().to_string(), v.trim().to_string());
            }
            None => bad("attributes", "attribute_invalid"),
        }
    }
    let input = PlaceInput {
        id: None,
        layer: get("layer"),
        name_sl: get("name_sl"),
        name_en: get("name_en"),
        name_de: get("name_de"),
        name_it: get("name_it"),
        description_sl: get("description_sl"),
        description_en: get("description_en"),
        description_de: get("description_de"),
        description_it: get("description_it"),
        address: get("address"),
        opening_hours: get("opening_hours"),
        wheelchair: get("wheelchair"),
        accessibility_sl: get("accessibility_sl"),
        accessibility_en: get("accessibility_en"),
        accessibility_de: get("accessibility_de"),
        accessibility_it: get("accessibility_it"),
        photos: f
            .get("photos")
            .map(|s| s.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| crate::model::PhotoRef::Url(l.to_string())).collect())
            .unwrap_or_default(),
        price_cents,
        heritage_id: get("heritage_id"),
        heritage_level: get("heritage_level"),
        audio_url: get("audio_url"),
        website: get("website"),
        phone: get("phone"),
        attributes,
        geometry,
    };
    (input, errors)
}

/// Validate the form; errors carry the form's field names.
fn data_of_form(f: &Form) -> AppResult<crate::model::PlaceData> {
    let (input, mut errors) = input_of_form(f);
    match input.validate("", "geometry", None) {
        Ok(d) if errors.is_empty() => Ok(d),
        Ok(_) => Err(AppError::invalid(errors)),
        Err(e) => {
            // A missing geometry is a missing position for a point.
            let unread = errors.iter().any(|x| x.field == "geometry" || x.field == "lat");
            errors.extend(e.into_iter().filter(|x| !(unread && x.field == "geometry")).map(|mut x| {
                if x.field == "price_cents" {
                    x.field = "price".into();
                }
                x
            }));
            Err(AppError::invalid(errors))
        }
    }
}

async fn new_form(p: Page, actor: Actor, RawQuery(raw): RawQuery) -> AppResult<Response> {
    actor.check(Permission::ManagePlaces)?;
    let mut f = Form::new();
    if let Some(l) = crate::pages::MapQuery::parse(raw.as_deref())?.layers.first() {
        f.insert("layer".into(), l.code().into());
    }
    Ok(form_view(p, None, f, FormErrors::default(), false, PhotoPart::default()))
}

async fn create(p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManagePlaces)?;
    let result = match data_of_form(&f) {
        Ok(d) => service::create(&p.ctx, &actor, d).await,
        Err(e) => Err(e),
    };
    save_result(p, None, f, result).await
}

async fn save_result(p: Page, id: Option<String>, f: Form, result: AppResult<Place>) -> AppResult<Response> {
    match result {
        Ok(pl) => Ok(see_other(&format!("/staff/places/{}?saved=1", pl.id))),
        Err(e) if e.status.as_u16() == 422 => {
            let errors = FormErrors::from(&p, &e);
            let photos = match &id {
                Some(i) => PhotoPart::of(&service::get(&p.ctx, i).await?),
                None => PhotoPart::default(),
            };
            Ok((e.status, form_view(p, id, f, errors, false, photos)).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn edit_form(p: Page, actor: Actor, Path(id): Path<String>, RawQuery(raw): RawQuery) -> AppResult<Response> {
    actor.check(Permission::ManagePlaces)?;
    let pl = service::get(&p.ctx, &id).await?;
    let raw = raw.unwrap_or_default();
    let mut photos = PhotoPart::of(&pl);
    photos.notice = match () {
        _ if raw.contains("photo=added") => p.t("places-staff-photo-added"),
        _ if raw.contains("photo=deleted") => p.t("places-staff-photo-deleted"),
        _ => String::new(),
    };
    Ok(form_view(p, Some(pl.id.clone()), form_of(&pl), FormErrors::default(), raw.contains("saved=1"), photos))
}

async fn update(p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManagePlaces)?;
    let result = match data_of_form(&f) {
        Ok(d) => service::update(&p.ctx, &actor, &id, d).await,
        Err(e) => Err(e),
    };
    save_result(p, Some(id), f, result).await
}

/// Upload a photo (multipart): shown again with its errors when something is wrong, nothing stored.
async fn add_photo(p: Page, actor: Actor, jar: CookieJar, Path(id): Path<String>, m: Multipart) -> AppResult<Response> {
    actor.check(Permission::ManagePlaces)?;
    let (fields, mut files) = kernel::web::read_multipart(m, "photo").await?;
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if !kernel::csrf::token_matches(&p.ctx, &jar, field("_csrf").as_deref()) {
        return Err(AppError::forbidden("csrf_failed"));
    }
    match service::add_photo(&p.ctx, &actor, &id, files.pop(), (field("alt_sl"), field("alt_en"))).await {
        Ok(_) => Ok(see_other(&format!("/staff/places/{id}?photo=added#photos"))),
        Err(e) if e.status.as_u16() == 422 => {
            let pl = service::get(&p.ctx, &id).await?;
            let mut photos = PhotoPart::of(&pl);
            photos.errors = FormErrors::from(&p, &e);
            photos.form = fields.into_iter().filter(|(k, _)| k.starts_with("alt_")).collect();
            Ok((e.status, form_view(p, Some(pl.id.clone()), form_of(&pl), FormErrors::default(), false, photos)).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn delete_photo(actor: Actor, p: Page, Path((id, photo)): Path<(String, String)>, CsrfForm(_): CsrfForm<Form>) -> AppResult<Response> {
    service::delete_photo(&p.ctx, &actor, &id, &photo).await?;
    Ok(see_other(&format!("/staff/places/{id}?photo=deleted#photos")))
}

async fn delete(p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(_): CsrfForm<Form>) -> AppResult<Response> {
    service::delete(&p.ctx, &actor, &id).await?;
    Ok(see_other("/staff/places?deleted=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_becomes_a_point_place() {
        let f: Form = [("layer", "aed"), ("name_sl", "AED"), ("lat", "46,42"), ("lon", "15.87"), ("price", "3"), ("attributes", "network = eduroam")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let d = data_of_form(&f).unwrap();
        assert_eq!((d.geometry.lat, d.geometry.lon, d.price_cents), (46.42, 15.87, Some(300)));
        assert_eq!(d.attributes["network"], "eduroam");
        let mut bad = f.clone();
        bad.insert("lat".into(), "north".into());
        bad.insert("price".into(), "cheap".into());
        let e = data_of_form(&bad).unwrap_err();
        let fields: Vec<&str> = e.fields.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, vec!["lat", "price"]);
    }
}
