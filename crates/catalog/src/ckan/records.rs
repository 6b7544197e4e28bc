//! CKAN's dictionaries for our datasets: packages (with resources, tags,
//! groups, extras and the organisation, as `package_show` and every
//! `package_search` result give them), organisations and groups.

use crate::config::CatalogConfig;
use crate::model::{self, Dataset, Format};
use crate::search::Doc;
use crate::service::Entry;
use kernel::{Lang, Timestamp};
use serde_json::{Value, json};

/// CKAN's time format: ISO 8601 with microseconds and no zone (UTC).
pub fn ckan_time(t: Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// A resource of a dataset.
#[derive(Clone, Debug)]
pub struct Resource {
    pub id: String,
    pub name: String,
    pub description: String,
    pub format: String,
    pub mimetype: Option<String>,
    pub url: String,
    /// Generated from our rows (so `datastore_search` serves it).
    pub tabular: Option<Format>,
    /// `datastore_search` serves it (tabular and not too large to hold in memory).
    pub datastore: bool,
    pub kind: &'static str,
}

/// The formats of a dataset's resources, in the order `resources` lists
/// them, without making the resources (ids are hashes): facets and the
/// search document ask for them on every hit.
pub fn formats(d: &Dataset) -> Vec<String> {
    let files = d.formats().into_iter().map(|f| f.name().to_string());
    files.chain(d.apis.iter().map(|_| "API".to_string())).chain(d.external.iter().map(|f| f.format.clone())).collect()
}

pub fn resources(d: &Dataset, base: &str) -> Vec<Resource> {
    let mut out = vec![];
    for f in d.formats() {
        let (sl, en) = match f {
            Format::Csv => ("Podatki v CSV (UTF-8) s shemo Frictionless", "Data as CSV (UTF-8) with a Frictionless Table Schema"),
            Format::Json => ("Podatki v JSON", "Data as JSON"),
            Format::GeoJson => ("Podatki z lego v GeoJSON", "Located data as GeoJSON"),
        };
        out.push(Resource {
            id: model::stable_id("resource", &format!("{}.{}", d.name, f.extension())),
            name: format!("{} ({})", d.title.sl, f.name()),
            description: format!("{sl}. {en}."),
            format: f.name().into(),
            mimetype: Some(f.media_type().into()),
            url: format!("{base}/data/{}.{}", d.name, f.extension()),
            tabular: Some(f),
            datastore: !d.large,
            kind: "file",
        });
    }
    for (i, a) in d.apis.iter().enumerate() {
        let url = if a.url.starts_with("http") { a.url.clone() } else { format!("{base}{}", a.url) };
        out.push(Resource {
            id: model::stable_id("resource", &format!("{}.api.{i}", d.name)),
            name: a.title.sl.clone(),
            description: format!("{} (API)", a.title.en),
            format: "API".into(),
            mimetype: None,
            url,
            tabular: None,
            datastore: false,
            kind: "api",
        });
    }
    for (i, f) in d.external.iter().enumerate() {
        out.push(Resource {
            id: model::stable_id("resource", &format!("{}.file.{i}", d.name)),
            name: f.title.clone(),
            description: String::new(),
            format: f.format.clone(),
            mimetype: None,
            url: f.url.clone(),
            tabular: None,
            datastore: false,
            kind: "file",
        });
    }
    out
}

pub fn resource_dict(r: &Resource, e: &Entry, position: usize, base: &str) -> Value {
    let mut v = json!({
        "id": r.id,
        "package_id": e.id(),
        "name": r.name,
        "description": r.description,
        "format": r.format,
        "mimetype": r.mimetype,
        "url": r.url,
        "url_type": Value::Null,
        "resource_type": r.kind,
        "position": position,
        "state": "active",
        "created": ckan_time(e.created),
        "last_modified": ckan_time(e.modified),
        "metadata_modified": ckan_time(e.modified),
        "datastore_active": r.datastore,
        "size": Value::Null,
        "hash": "",
    });
    if r.tabular == Some(Format::Csv) {
        v["schema"] = json!(format!("{base}/data/{}.schema.json", e.dataset.name));
    }
    v
}

pub fn organisation_dict(slug: &str, title: &str, count: Option<usize>, created: Timestamp) -> Value {
    let mut v = json!({
        "id": model::stable_id("organization", slug),
        "name": slug,
        "title": title,
        "display_name": title,
        "description": "",
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(created),
    });
    if let Some(n) = count {
        v["package_count"] = json!(n);
    }
    v
}

pub fn group_dict(theme: &str, count: Option<usize>, created: Timestamp) -> Value {
    let t = model::term(model::THEMES, theme);
    let title = t.map(|t| t.sl).unwrap_or(theme);
    let mut v = json!({
        "id": model::stable_id("group", theme),
        "name": theme.to_lowercase(),
        "title": title,
        "display_name": title,
        "description": t.map(|t| t.en).unwrap_or_default(),
        "type": "group",
        "is_organization": false,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(created),
        "uri": format!("{}{theme}", model::THEME_BASE),
    });
    if let Some(n) = count {
        v["package_count"] = json!(n);
    }
    v
}

fn extra(key: &str, value: impl Into<String>) -> Value {
    json!({"key": key, "value": value.into()})
}

/// The full `package_show` record.
pub fn package(e: &Entry, base: &str, cfg: &CatalogConfig, publisher: &str) -> Value {
    let d = &e.dataset;
    let (licence_id, licence_url) = model::licence_ckan(d.licence);
    let licence_title = model::term(model::LICENCES, d.licence).map(|t| t.en).unwrap_or_default();
    let res: Vec<Value> = resources(d, base).iter().enumerate().map(|(i, r)| resource_dict(r, e, i, base)).collect();
    let tags: Vec<Value> = d
        .keywords
        .iter()
        .map(|k| json!({"id": model::stable_id("tag", k), "name": k, "display_name": k, "state": "active", "vocabulary_id": Value::Null}))
        .collect();
    let mut extras = vec![
        extra("uri", format!("{base}/dataset/{}", d.name)),
        extra("title_en", d.title.en.clone()),
        extra("notes_en", d.description.en.clone()),
        extra("theme", format!("{}{}", model::THEME_BASE, d.theme)),
        extra("frequency", format!("{}{}", model::FREQUENCY_BASE, d.frequency)),
        extra("access_level", d.access.code()),
        extra("access_rights", d.access.iri()),
        extra("personal_data", d.personal_data().to_string()),
        extra("publisher_name", publisher),
        extra("contact_email", d.contact_email.clone()),
        extra("language", "http://publications.europa.eu/resource/authority/language/SLV"),
        extra("spatial", cfg.geojson()),
        extra("spatial_text", if d.spatial.is_empty() { publisher.to_string() } else { d.spatial.clone() }),
    ];
    let mut opt = |key: &str, v: &Option<String>| {
        if let Some(v) = v {
            extras.push(extra(key, v.clone()));
        }
    };
    opt("temporal_start", &d.temporal.start);
    opt("temporal_end", &d.temporal.end);
    opt("usable_start", &d.usable.start);
    opt("usable_end", &d.usable.end);
    for (key, list) in [("related", &d.related), ("derived_from", &d.derived_from), ("consumers", &d.consumers)] {
        if !list.is_empty() {
            extras.push(extra(key, list.join(", ")));
        }
    }
    if let Some(h) = d.hvd {
        extras.push(extra("hvd_category", format!("{}{h}", model::HVD_BASE)));
        extras.push(extra("applicable_legislation", model::HVD_LEGISLATION));
    }
    let org = organisation_dict(&d.organisation(), &d.owner, None, e.created);
    json!({
        "id": e.id(),
        "name": d.name,
        "title": d.title.sl,
        "notes": d.description.sl,
        "type": "dataset",
        "state": "active",
        "private": d.access != model::Access::Open,
        "isopen": d.access == model::Access::Open,
        "license_id": licence_id,
        "license_title": licence_title,
        "license_url": licence_url,
        "author": publisher,
        "author_email": Value::Null,
        "maintainer": d.owner,
        "maintainer_email": d.contact_email,
        "url": format!("{base}/data/{}", d.name),
        "version": Value::Null,
        "metadata_created": ckan_time(e.created),
        "metadata_modified": ckan_time(e.modified),
        "creator_user_id": Value::Null,
        "owner_org": org["id"],
        "organization": org,
        "groups": [group_dict(d.theme, None, e.created)],
        "tags": tags,
        "num_tags": d.keywords.len(),
        "extras": extras,
        "resources": res,
        "num_resources": res.len(),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    })
}

/// The search document of an entry.
pub fn doc(e: &Entry) -> Doc {
    let d = &e.dataset;
    let mut doc = Doc { modified: e.modified.0, created: e.created.0, ..Default::default() };
    doc.add("id", e.id());
    doc.add("name", d.name.clone());
    doc.add("title", d.title.sl.clone());
    doc.add("title", d.title.en.clone());
    doc.add("notes", d.description.sl.clone());
    doc.add("notes", d.description.en.clone());
    for k in &d.keywords {
        doc.add("tags", k.clone());
    }
    doc.add("organization", d.organisation());
    doc.add("owner_org", model::stable_id("organization", &d.organisation()));
    doc.add("groups", d.theme.to_lowercase());
    doc.add("theme", d.theme);
    for f in formats(d) {
        doc.add("res_format", f);
    }
    doc.add("license_id", model::licence_ckan(d.licence).0);
    doc.add("capacity", if d.access == model::Access::Open { "public" } else { "private" });
    doc.add("access_level", d.access.code());
    doc.add("type", "dataset");
    doc.add("dataset_type", "dataset");
    doc.add("state", "active");
    if let Some(h) = d.hvd {
        doc.add("hvd_category", h);
    }
    doc.text =
        [d.name.as_str(), &d.title.sl, &d.title.en, &d.description.sl, &d.description.en, &d.keywords.join(" "), &d.owner].join(" ").to_lowercase();
    doc
}

/// Facet values of an entry, as CKAN names them (display names beside).
pub fn facet_values(e: &Entry, field: &str, lang: Lang) -> Vec<(String, String)> {
    let d = &e.dataset;
    match field {
        "organization" => vec![(d.organisation(), d.owner.clone())],
        "groups" => vec![(d.theme.to_lowercase(), model::term(model::THEMES, d.theme).map(|t| t.label(lang).to_string()).unwrap_or_default())],
        "tags" => d.keywords.iter().map(|k| (k.clone(), k.clone())).collect(),
        "res_format" => formats(d).into_iter().map(|f| (f.clone(), f)).collect(),
        "license_id" => {
            let (id, _) = model::licence_ckan(d.licence);
            vec![(id.to_string(), model::term(model::LICENCES, d.licence).map(|t| t.label(lang).to_string()).unwrap_or_default())]
        }
        "hvd_category" => d
            .hvd
            .map(|h| (h.to_string(), model::term(model::HVD_CATEGORIES, h).map(|t| t.label(lang).to_string()).unwrap_or_default()))
            .into_iter()
            .collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Access, Api, ExternalFile, Text};

    #[test]
    fn formats_are_those_of_the_resources_in_their_order() {
        let mut d = crate::publish::tests::dataset(Access::Open);
        d.apis.push(Api { title: Text::new("API", "API"), url: "/api/v1/reports".into(), conforms_to: None });
        d.external.push(ExternalFile { title: "Tabela".into(), url: "https://example.si/t.xlsx".into(), format: "XLSX".into() });
        let of_resources: Vec<String> = resources(&d, "https://portal.example.si").into_iter().map(|r| r.format).collect();
        assert_eq!(formats(&d), of_resources);
        assert!(
            of_resources.contains(&"API".to_string()) && of_resources.contains(&"XLSX".to_string()) && of_resources.len() >= 3,
            "{of_resources:?}"
        );
    }
}
