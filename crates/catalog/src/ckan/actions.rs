//! The read actions of the CKAN Action API.

use super::records::{self, ckan_time};
use super::{CkanError, CkanResult, Params};
use crate::Catalog;
use crate::publish::Reader;
use crate::search;
use crate::service::{self, Entry};
use kernel::{Actor, Ctx, Lang};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const ACTIONS: &[&str] = &[
    "help_show",
    "status_show",
    "package_list",
    "current_package_list_with_resources",
    "package_show",
    "package_search",
    "organization_list",
    "organization_show",
    "group_list",
    "group_show",
    "tag_list",
    "license_list",
    "resource_show",
    "datastore_search",
];

/// Partners see their datasets only when they ask (`include_private`), as in CKAN.
fn reader(actor: &Actor, p: &Params) -> CkanResult<Reader> {
    let private = p.bool("include_private", false)?;
    Ok(if private { Reader::of(actor) } else { Reader::Public })
}

pub async fn run(ctx: &Ctx, cat: &Catalog, actor: &Actor, action: &str, p: &Params) -> CkanResult<Value> {
    let base = ctx.config.public_url();
    let publisher = ctx.config.municipality.name(Lang::Sl).to_string();
    // Reads by id or name see partner datasets with a partner token, as CKAN shows private datasets to members.
    let member = Reader::of(actor);
    let entries = |r: Reader| service::visible(ctx, &cat.sources, r);
    match action {
        "help_show" => {
            let name = p.required("name")?;
            if !ACTIONS.contains(&name.as_str()) {
                return Err(CkanError::not_found(&format!("Action function not found: {name}")));
            }
            Ok(json!(format!("{name}: a read action of the CKAN Action API (GET, or POST with a JSON body). See docs/catalog.md.")))
        }
        "status_show" => Ok(json!({
            "site_title": format!("{publisher} – odprti podatki"),
            "site_description": ctx.config.municipality.name(Lang::En),
            "site_url": base,
            "ckan_version": "2.10.4",
            "api_version": 3,
            "locale_default": "sl",
            "extensions": ["datastore", "dcat"],
        })),
        "package_list" => {
            let all = entries(Reader::Public).await?;
            let (offset, limit) = (p.int("offset", 0)?, p.int("limit", usize::MAX)?);
            Ok(json!(all.iter().skip(offset).take(limit).map(|e| e.dataset.name.clone()).collect::<Vec<_>>()))
        }
        "current_package_list_with_resources" => {
            let mut all = entries(Reader::Public).await?;
            all.sort_by_key(|e| std::cmp::Reverse(e.modified));
            let (offset, limit) = (p.int("offset", 0)?, p.int("limit", 10)?.min(cat.config.rows_max));
            Ok(json!(all.iter().skip(offset).take(limit).map(|e| e.package(&base, &cat.config, &publisher).clone()).collect::<Vec<_>>()))
        }
        "package_show" => {
            let id = p.required("id")?;
            let e =
                entries(member).await?.into_iter().find(|e| e.dataset.name == id || e.id() == id).ok_or_else(|| CkanError::not_found("Dataset"))?;
            Ok(e.package(&base, &cat.config, &publisher).clone())
        }
        "package_search" => package_search(ctx, cat, actor, p, &base, &publisher).await,
        "organization_list" | "group_list" => {
            let all = entries(Reader::Public).await?;
            let orgs = action == "organization_list";
            let listed = groups(&all, orgs);
            let all_fields = p.bool("all_fields", false)?;
            let sort = p.str("sort").unwrap_or_else(|| "name asc".into());
            let mut items: Vec<(&String, &(String, usize))> = listed.iter().collect();
            if sort.starts_with("package_count") {
                items.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(b.0)));
            }
            if sort.ends_with("desc") && !sort.starts_with("package_count") {
                items.reverse();
            }
            let (offset, limit) = (p.int("offset", 0)?, p.int("limit", 1000)?);
            let created = all.iter().map(|e| e.created).min().unwrap_or_default();
            Ok(json!(
                items
                    .into_iter()
                    .skip(offset)
                    .take(limit)
                    .map(|(slug, (title, n))| match (all_fields, orgs) {
                        (false, _) => json!(slug),
                        (true, true) => records::organisation_dict(slug, title, Some(*n), created),
                        (true, false) => records::group_dict(&slug.to_uppercase(), Some(*n), created),
                    })
                    .collect::<Vec<_>>()
            ))
        }
        "organization_show" | "group_show" => {
            let id = p.required("id")?;
            let all = entries(Reader::Public).await?;
            let orgs = action == "organization_show";
            let listed = groups(&all, orgs);
            let kind = if orgs { "organization" } else { "group" };
            let (slug, (title, n)) = listed
                .iter()
                .find(|(slug, _)| {
                    let key = if orgs { slug.to_string() } else { slug.to_uppercase() };
                    **slug == id.to_lowercase() || crate::model::stable_id(kind, &key) == id
                })
                .ok_or_else(|| CkanError::not_found(if orgs { "Organization" } else { "Group" }))?;
            let created = all.iter().map(|e| e.created).min().unwrap_or_default();
            let mut v = if orgs {
                records::organisation_dict(slug, title, Some(*n), created)
            } else {
                records::group_dict(&slug.to_uppercase(), Some(*n), created)
            };
            if p.bool("include_datasets", false)? {
                let of: Vec<Value> = all
                    .iter()
                    .filter(|e| if orgs { e.dataset.organisation() == *slug } else { e.dataset.theme.to_lowercase() == *slug })
                    .take(1000)
                    .map(|e| e.package(&base, &cat.config, &publisher).clone())
                    .collect();
                v["packages"] = json!(of);
            }
            Ok(v)
        }
        "tag_list" => {
            let all = entries(Reader::Public).await?;
            let mut tags: Vec<String> = all.iter().flat_map(|e| e.dataset.keywords.clone()).collect();
            tags.sort();
            tags.dedup();
            Ok(json!(tags))
        }
        "license_list" => Ok(json!(
            crate::model::LICENCES
                .iter()
                .map(|l| {
                    let (id, url) = crate::model::licence_ckan(l.code);
                    json!({"id": id, "title": l.en, "url": url, "od_conformance": "approved", "status": "active"})
                })
                .collect::<Vec<_>>()
        )),
        "resource_show" => {
            let id = p.required("id")?;
            let (e, r, i) = find_resource(&entries(member).await?, &base, &id).ok_or_else(|| CkanError::not_found("Resource"))?;
            Ok(records::resource_dict(&r, &e, i, &base))
        }
        "datastore_search" => datastore_search(ctx, cat, member, p, &base).await,
        _ if ACTIONS.contains(&action) => Err(CkanError::internal()),
        _ => Err(CkanError::not_found(&format!("The action {action:?} is not known here (read actions only)"))),
    }
}

/// Organisations (or groups) of the entries: slug to (title, dataset count).
fn groups(all: &[Entry], orgs: bool) -> BTreeMap<String, (String, usize)> {
    let mut m: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for e in all {
        let (slug, title) = if orgs {
            (e.dataset.organisation(), e.dataset.owner.clone())
        } else {
            (e.dataset.theme.to_lowercase(), crate::model::term(crate::model::THEMES, e.dataset.theme).map(|t| t.sl.to_string()).unwrap_or_default())
        };
        m.entry(slug).or_insert((title, 0)).1 += 1;
    }
    m
}

fn find_resource(all: &[Entry], base: &str, id: &str) -> Option<(Entry, records::Resource, usize)> {
    for e in all {
        for (i, r) in records::resources(&e.dataset, base).into_iter().enumerate() {
            if r.id == id {
                return Some((e.clone(), r, i));
            }
        }
    }
    None
}

/// The hits of `q` and `fq` among documents, sorted.
pub fn hits<D: std::borrow::Borrow<search::Doc>>(docs: &[D], q: &str, fq: &str, sort: &str, now: i64) -> CkanResult<Vec<usize>> {
    let q = search::parse(q).map_err(|e| CkanError::search(e.0))?;
    let fq = search::parse(fq).map_err(|e| CkanError::search(e.0))?;
    let keys = search::parse_sort(sort).map_err(|e| CkanError::search(e.0))?;
    let mut hits: Vec<usize> =
        (0..docs.len()).filter(|&i| search::matches(&q, docs[i].borrow(), now) && search::matches(&fq, docs[i].borrow(), now)).collect();
    search::sort(&mut hits, docs, &keys);
    Ok(hits)
}

async fn package_search(ctx: &Ctx, cat: &Catalog, actor: &Actor, p: &Params, base: &str, publisher: &str) -> CkanResult<Value> {
    let all = service::visible(ctx, &cat.sources, reader(actor, p)?).await?;
    let docs: Vec<&search::Doc> = all.iter().map(|e| e.doc()).collect();
    let sort = p.str("sort").unwrap_or_default();
    let found = hits(&docs, &p.str("q").unwrap_or_default(), &p.str("fq").unwrap_or_default(), &sort, ctx.now().0)?;
    let rows = p.int("rows", 10)?.min(cat.config.rows_max);
    let start = p.int("start", 0)?;
    let results: Vec<Value> = found.iter().skip(start).take(rows).map(|&i| all[i].package(base, &cat.config, publisher).clone()).collect();
    let mut facets = serde_json::Map::new();
    let mut search_facets = serde_json::Map::new();
    let limit = match p.int("facet.limit", 50) {
        Ok(0) => usize::MAX,
        Ok(n) => n,
        Err(e) => return Err(e),
    };
    if p.bool("facet", true)? {
        for field in p.list("facet.field")? {
            let mut display: BTreeMap<String, String> = BTreeMap::new();
            let counts = search::facet(&found, |i| {
                records::facet_values(&all[i], &field, Lang::Sl)
                    .into_iter()
                    .map(|(name, shown)| {
                        display.entry(name.clone()).or_insert(shown);
                        name
                    })
                    .collect()
            });
            let counts: Vec<(String, usize)> = counts.into_iter().take(limit).collect();
            facets.insert(field.clone(), json!(counts.iter().map(|(k, n)| (k.clone(), json!(n))).collect::<serde_json::Map<String, Value>>()));
            let items: Vec<Value> = counts
                .iter()
                .map(|(name, n)| json!({"name": name, "display_name": display.get(name).cloned().unwrap_or_else(|| name.clone()), "count": n}))
                .collect();
            search_facets.insert(field.clone(), json!({"title": field, "items": items}));
        }
    }
    Ok(json!({
        "count": found.len(),
        "results": results,
        "sort": if sort.is_empty() { "score desc, metadata_modified desc".to_string() } else { sort },
        "facets": facets,
        "search_facets": search_facets,
    }))
}

async fn datastore_search(ctx: &Ctx, cat: &Catalog, reader: Reader, p: &Params, base: &str) -> CkanResult<Value> {
    let id = p.required("resource_id")?;
    let all = service::visible(ctx, &cat.sources, reader).await?;
    let (e, r, _) = find_resource(&all, base, &id).ok_or_else(|| CkanError::not_found("Resource"))?;
    if !r.datastore {
        return Err(CkanError::not_found("Resource has no DataStore table"));
    }
    let published = service::published(ctx, &cat.sources, &e, reader).await?.ok_or_else(|| CkanError::not_found("Resource"))?;
    let limit = p.int("limit", 100)?.min(32_000);
    let offset = p.int("offset", 0)?;
    let names: Vec<&str> = published.columns.iter().map(|c| c.name.as_str()).collect();
    let wanted = p.list("fields")?;
    for w in &wanted {
        if !names.contains(&w.as_str()) && w != "_id" {
            return Err(CkanError::validation("fields", &format!("field \"{w}\" not in table")));
        }
    }
    let filters: serde_json::Map<String, Value> = match p.0.get("filters") {
        None | Some(Value::Null) => Default::default(),
        Some(Value::Object(o)) => o.clone(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(o)) => o,
            _ => return Err(CkanError::validation("filters", "Must be a dict")),
        },
        Some(_) => return Err(CkanError::validation("filters", "Must be a dict")),
    };
    for k in filters.keys() {
        if !names.contains(&k.as_str()) {
            return Err(CkanError::validation("filters", &format!("field \"{k}\" not in table")));
        }
    }
    let text = p.str("q").unwrap_or_default().to_lowercase();
    let cell = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut rows: Vec<(usize, &Vec<Value>)> = published
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            filters.iter().all(|(k, want)| {
                let Some(i) = names.iter().position(|n| n == k) else { return false };
                match want {
                    Value::Array(a) => a.iter().any(|w| cell(w) == cell(&r[i])),
                    w => cell(w) == cell(&r[i]),
                }
            }) && (text.is_empty() || r.iter().any(|v| cell(v).to_lowercase().contains(&text)))
        })
        .collect();
    if let Some(s) = p.str("sort").filter(|s| !s.is_empty()) {
        let mut w = s.split_whitespace();
        let field = w.next().unwrap_or_default().trim_matches('"');
        let desc = w.next().is_some_and(|o| o.eq_ignore_ascii_case("desc"));
        let Some(i) = names.iter().position(|n| *n == field) else {
            return Err(CkanError::validation("sort", &format!("field \"{field}\" not in table")));
        };
        rows.sort_by(|a, b| {
            let o = match (a.1[i].as_f64(), b.1[i].as_f64()) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                _ => cell(&a.1[i]).cmp(&cell(&b.1[i])),
            };
            if desc { o.reverse() } else { o }
        });
    }
    let total = rows.len();
    let shown: Vec<&str> = if wanted.is_empty() { names.clone() } else { wanted.iter().map(String::as_str).filter(|w| *w != "_id").collect() };
    let records: Vec<Value> = rows
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(n, r)| {
            let mut m = serde_json::Map::new();
            m.insert("_id".into(), json!(n + 1));
            for (i, name) in names.iter().enumerate() {
                if shown.contains(name) {
                    m.insert(name.to_string(), r[i].clone());
                }
            }
            Value::Object(m)
        })
        .collect();
    let mut fields = vec![json!({"id": "_id", "type": "int"})];
    fields.extend(
        published
            .columns
            .iter()
            .filter(|c| shown.contains(&c.name.as_str()))
            .map(|c| json!({"id": c.name, "type": c.kind.datastore(), "info": {"label": c.title.sl, "notes": c.title.en}})),
    );
    let link = |o: usize| format!("/api/3/action/datastore_search?resource_id={id}&limit={limit}&offset={o}");
    Ok(json!({
        "resource_id": id,
        "fields": fields,
        "records": records,
        "total": total,
        "limit": limit,
        "offset": offset,
        "last_modified": ckan_time(e.modified),
        "_links": {"start": link(0), "next": link(offset + limit)},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Doc;

    fn docs(n: usize) -> Vec<Doc> {
        (0..n)
            .map(|i| {
                let mut d = Doc { modified: 1_700_000_000_000 + (i as i64 % 7) * 86_400_000, ..Default::default() };
                d.add("name", format!("ds-{i:03}"));
                d.add("organization", if i % 2 == 0 { "mop" } else { "jsp" });
                d
            })
            .collect()
    }

    /// The CKAN harvester's paging: a fixed sort, pages of `rows` until a short one; every hit once.
    #[test]
    fn paging_visits_every_hit_once_in_any_sort() {
        let d = docs(23);
        for sort in ["id asc", "metadata_modified desc", "name desc", ""] {
            let all = hits(&d, "", "organization:mop OR organization:jsp", sort, 0).unwrap();
            assert_eq!(all.len(), 23);
            let mut seen = vec![];
            let rows = 5;
            let mut start = 0;
            loop {
                let page: Vec<usize> = all.iter().skip(start).take(rows).copied().collect();
                seen.extend(page.iter().copied());
                if page.len() < rows {
                    break;
                }
                start += rows;
            }
            let mut sorted = seen.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), 23, "{sort}: {seen:?}");
            assert_eq!(seen.len(), 23, "{sort}");
        }
        assert_eq!(hits(&d, "", "organization:mop", "", 0).unwrap().len(), 12);
        assert_eq!(hits(&d, "", "metadata_modified:[bad TO *]", "", 0).unwrap_err().kind, "Search Query Error");
        assert_eq!(hits(&d, "", "", "colour asc", 0).unwrap_err().kind, "Search Query Error");
    }
}
