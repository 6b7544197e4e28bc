//! The catalogue as a whole: the datasets of every source with the staff's
//! decisions applied, and the staff-registered ones; lineage; staff edits,
//! checked against `ManageCatalog` and audited.

use crate::model::{self, Access, Dataset, Origin, Period, Text};
use crate::publish::{self, Published, Reader};
use crate::search::Doc;
use crate::source::Sources;
use crate::store::{self, Kind, Meta};
use kernel::error::FieldError;
use kernel::{Actor, AppError, AppResult, Ctx, Permission, Timestamp};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// One dataset of the catalogue and when it (or its data) last changed.
/// Cheap to clone: the description is shared.
#[derive(Clone, Debug)]
pub struct Entry {
    pub dataset: Arc<Dataset>,
    /// The source that produces its rows.
    pub source: Option<usize>,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// The search document, made on first use; an entry of a dataset kept
    /// elsewhere lives between requests (`StaffCache`), so its document too.
    doc: Arc<OnceLock<Doc>>,
    /// The CKAN package record, likewise: a search answers with up to 1,000.
    package: Arc<OnceLock<serde_json::Value>>,
}

impl Entry {
    pub fn new(dataset: Dataset, source: Option<usize>, created: Timestamp, modified: Timestamp) -> Entry {
        Entry { dataset: Arc::new(dataset), source, created, modified, doc: Default::default(), package: Default::default() }
    }

    pub fn id(&self) -> String {
        model::stable_id("dataset", &self.dataset.name)
    }

    /// The search document.
    pub fn doc(&self) -> &Doc {
        self.doc.get_or_init(|| crate::ckan::records::doc(self))
    }

    /// The CKAN package record (`base`, `cfg` and `publisher` are the same
    /// for the whole process).
    pub fn package(&self, base: &str, cfg: &crate::config::CatalogConfig, publisher: &str) -> &serde_json::Value {
        self.package.get_or_init(|| crate::ckan::records::package(self, base, cfg, publisher))
    }
}

/// What staff wrote in `catalog_datasets`, parsed: their decisions about
/// the capabilities' datasets, and the datasets kept elsewhere as entries.
pub struct Staff {
    key: store::Fingerprint,
    overrides: HashMap<String, store::Record>,
    kept_elsewhere: Vec<Entry>,
}

/// The last `Staff` read, reused while the table is unchanged: with
/// thousands of datasets kept elsewhere, parsing every description on every
/// request was most of a search's time. The check is one small query, so
/// another process's change (PostgreSQL) is seen on the next request.
#[derive(Default)]
pub struct StaffCache(Mutex<Option<Arc<Staff>>>);

impl StaffCache {
    async fn get(&self, ctx: &Ctx) -> AppResult<Arc<Staff>> {
        // The key is read before the rows: a change in between makes the next request read again.
        let key = store::fingerprint(ctx.db.conn()).await?;
        if let Some(s) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref().filter(|s| s.key == key) {
            return Ok(s.clone());
        }
        let mut overrides = HashMap::new();
        let mut kept_elsewhere = vec![];
        for r in store::all(ctx.db.conn()).await? {
            match r.kind {
                Kind::Override => {
                    overrides.insert(r.name.clone(), r);
                }
                Kind::Staff => kept_elsewhere.push(Entry::new(staff_dataset(&r.name, &r.meta, r.created_at), None, r.created_at, r.updated_at)),
            }
        }
        let staff = Arc::new(Staff { key, overrides, kept_elsewhere });
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(staff.clone());
        Ok(staff)
    }
}

/// Every dataset, sorted by name.
pub async fn entries(ctx: &Ctx, sources: &Sources) -> AppResult<Vec<Entry>> {
    let staff = sources.staff.get(ctx).await?;
    let mut out = vec![];
    for (i, mut d) in sources.datasets(ctx) {
        let span = match sources.get(i) {
            Some(s) => s.span(ctx, &d.name).await?,
            None => Default::default(),
        };
        let mut modified = span.last.unwrap_or(d.issued);
        // The period covered, from the data, unless the source declares it.
        let day = |t: Timestamp| t.to_datetime().format("%Y-%m-%d").to_string();
        if d.temporal.start.is_none() && d.temporal.end.is_none() && span.first.is_some() {
            d.temporal = Period { start: span.first.map(day), end: span.last.map(day) };
        }
        if let Some(r) = staff.overrides.get(&d.name) {
            apply_override(&mut d, &r.meta);
            modified = modified.max(r.updated_at);
        }
        let created = d.issued;
        out.push(Entry::new(d, Some(i), created, modified.max(created)));
    }
    let capabilities: HashSet<String> = out.iter().map(|e| e.dataset.name.clone()).collect();
    out.extend(staff.kept_elsewhere.iter().filter(|e| !capabilities.contains(&e.dataset.name)).cloned());
    out.sort_by(|a, b| a.dataset.name.cmp(&b.dataset.name));
    Ok(out)
}

/// The datasets a reader may see.
pub async fn visible(ctx: &Ctx, sources: &Sources, reader: Reader) -> AppResult<Vec<Entry>> {
    Ok(entries(ctx, sources).await?.into_iter().filter(|e| reader.sees(e.dataset.access)).collect())
}

/// One dataset a reader may see, by name or id.
pub async fn find(ctx: &Ctx, sources: &Sources, reader: Reader, name_or_id: &str) -> AppResult<Option<Entry>> {
    Ok(visible(ctx, sources, reader).await?.into_iter().find(|e| e.dataset.name == name_or_id || e.id() == name_or_id))
}

/// The published rows of a dataset, generated now.
pub async fn published(ctx: &Ctx, sources: &Sources, e: &Entry, reader: Reader) -> AppResult<Option<Published>> {
    let Some(source) = e.source.and_then(|i| sources.get(i)) else { return Ok(None) };
    if !reader.sees(e.dataset.access) {
        return Ok(None);
    }
    // A large dataset is only ever streamed (downloads), never held whole.
    if e.dataset.large {
        return Ok(None);
    }
    let rows = source.rows(ctx, &e.dataset.name).await?;
    Ok(publish::publish(&e.dataset, reader, rows))
}

/// What staff decide about a capability's dataset.
pub fn apply_override(d: &mut Dataset, m: &Meta) {
    if let Some(a) = Access::parse(&m.access) {
        d.access = a;
    }
    if let Some(l) = model::term(model::LICENCES, &m.licence) {
        d.licence = l.code;
    }
    if !m.keywords.is_empty() {
        d.keywords = m.keywords.clone();
    }
    if !m.contact_email.is_empty() {
        d.contact_email = m.contact_email.clone();
    }
    if m.usable != Period::default() {
        d.usable = m.usable.clone();
    }
    d.consumers = m.consumers.clone();
    for r in &m.related {
        if !d.related.contains(r) {
            d.related.push(r.clone());
        }
    }
    for r in &m.derived_from {
        if !d.derived_from.contains(r) {
            d.derived_from.push(r.clone());
        }
    }
}

/// A dataset kept elsewhere, as staff described it.
pub fn staff_dataset(name: &str, m: &Meta, created: Timestamp) -> Dataset {
    let code = |list: &'static [model::Term], c: &str, default: &'static str| model::term(list, c).map(|t| t.code).unwrap_or(default);
    Dataset {
        name: name.to_string(),
        title: Text { sl: m.title_sl.clone(), en: m.title_en.clone() },
        description: Text { sl: m.description_sl.clone(), en: m.description_en.clone() },
        theme: code(model::THEMES, &m.theme, "GOVE"),
        keywords: m.keywords.clone(),
        owner: m.owner.clone(),
        contact_email: m.contact_email.clone(),
        frequency: code(model::FREQUENCIES, &m.frequency, "UNKNOWN"),
        temporal: m.temporal.clone(),
        usable: m.usable.clone(),
        access: Access::parse(&m.access).unwrap_or(Access::Internal),
        licence: code(model::LICENCES, &m.licence, model::DEFAULT_LICENCE),
        spatial: m.spatial.clone(),
        related: m.related.clone(),
        derived_from: m.derived_from.clone(),
        consumers: m.consumers.clone(),
        hvd: model::term(model::HVD_CATEGORIES, &m.hvd).map(|t| t.code),
        // Data kept elsewhere has no columns here; the flag is what staff say.
        columns: if m.personal_data {
            vec![model::Column::new("personal", model::ColumnType::String, "Osebni podatki", "Personal data").personal()]
        } else {
            vec![]
        },
        apis: vec![],
        external: m.files.clone(),
        origin: Origin::Staff,
        issued: created,
        large: false,
    }
}

/// Lineage of one dataset: what it links to and what links to it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lineage {
    pub related: Vec<String>,
    /// Datasets that name this one as related.
    pub related_by: Vec<String>,
    pub derived_from: Vec<String>,
    /// Datasets derived from this one (this dataset feeds them).
    pub feeds: Vec<String>,
}

pub fn lineage(all: &[Entry], name: &str) -> Lineage {
    let Some(me) = all.iter().find(|e| e.dataset.name == name) else { return Lineage::default() };
    let named = |f: &dyn Fn(&Dataset) -> bool| all.iter().filter(|e| f(&e.dataset)).map(|e| e.dataset.name.clone()).collect::<Vec<_>>();
    Lineage {
        related: me.dataset.related.clone(),
        related_by: named(&|d| d.related.iter().any(|r| r == name) && !me.dataset.related.contains(&d.name)),
        derived_from: me.dataset.derived_from.clone(),
        feeds: named(&|d| d.derived_from.iter().any(|r| r == name)),
    }
}

fn list(s: &str) -> Vec<String> {
    s.split([',', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// The staff form, as submitted (lists comma- or line-separated).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Form {
    pub name: String,
    pub title_sl: String,
    pub title_en: String,
    pub description_sl: String,
    pub description_en: String,
    pub theme: String,
    pub keywords: String,
    pub owner: String,
    pub contact_email: String,
    pub frequency: String,
    pub temporal_start: String,
    pub temporal_end: String,
    pub usable_start: String,
    pub usable_end: String,
    pub access: String,
    pub licence: String,
    pub spatial: String,
    pub related: String,
    pub derived_from: String,
    pub consumers: String,
    pub hvd: String,
    pub personal_data: Option<String>,
    /// One file a line: `title | url | format`.
    pub files: String,
}

fn date(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn valid_date(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
}

/// Check the form; `full` for a dataset kept elsewhere (every field), else the staff's decisions only.
pub fn check(f: &Form, full: bool) -> Result<Meta, Vec<FieldError>> {
    let mut errors = vec![];
    let mut err = |field: &str, code: &str| errors.push(FieldError { field: field.into(), code: code.into() });
    let m = Meta {
        title_sl: f.title_sl.trim().into(),
        title_en: f.title_en.trim().into(),
        description_sl: f.description_sl.trim().into(),
        description_en: f.description_en.trim().into(),
        theme: f.theme.trim().into(),
        keywords: list(&f.keywords),
        owner: f.owner.trim().into(),
        contact_email: f.contact_email.trim().into(),
        frequency: f.frequency.trim().into(),
        temporal: Period { start: date(&f.temporal_start), end: date(&f.temporal_end) },
        usable: Period { start: date(&f.usable_start), end: date(&f.usable_end) },
        access: f.access.trim().into(),
        licence: if f.licence.trim().is_empty() { model::DEFAULT_LICENCE.into() } else { f.licence.trim().into() },
        spatial: f.spatial.trim().into(),
        related: list(&f.related),
        derived_from: list(&f.derived_from),
        consumers: list(&f.consumers),
        hvd: f.hvd.trim().into(),
        personal_data: f.personal_data.is_some(),
        files: f
            .files
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let p: Vec<&str> = l.split('|').map(str::trim).collect();
                model::ExternalFile {
                    title: p.first().copied().unwrap_or_default().into(),
                    url: p.get(1).copied().unwrap_or_default().into(),
                    format: p.get(2).copied().unwrap_or_default().to_uppercase(),
                }
            })
            .collect(),
    };
    if Access::parse(&m.access).is_none() {
        err("access", "invalid_choice");
    }
    if model::term(model::LICENCES, &m.licence).is_none() {
        err("licence", "invalid_choice");
    }
    if !m.contact_email.is_empty() && !m.contact_email.contains('@') {
        err("contact_email", "email_invalid");
    }
    if !valid_date(&m.usable.start) || !valid_date(&m.usable.end) {
        err("usable_start", "invalid_date");
    }
    for n in m.related.iter().chain(&m.derived_from) {
        if !model::valid_name(n) {
            err("related", "invalid_links");
            break;
        }
    }
    if full {
        if !model::valid_name(&f.name) {
            err("name", "invalid_name");
        }
        if m.title_sl.is_empty() {
            err("title_sl", "required");
        }
        if m.description_sl.is_empty() {
            err("description_sl", "required");
        }
        if m.owner.is_empty() {
            err("owner", "required");
        }
        if model::term(model::THEMES, &m.theme).is_none() {
            err("theme", "invalid_choice");
        }
        if model::term(model::FREQUENCIES, &m.frequency).is_none() {
            err("frequency", "invalid_choice");
        }
        if !m.hvd.is_empty() && model::term(model::HVD_CATEGORIES, &m.hvd).is_none() {
            err("hvd", "invalid_choice");
        }
        if !valid_date(&m.temporal.start) || !valid_date(&m.temporal.end) {
            err("temporal_start", "invalid_date");
        }
        if m.files.iter().any(|x| !(x.url.starts_with("https://") || x.url.starts_with("http://")) || x.title.is_empty()) {
            err("files", "invalid_files");
        }
        if m.personal_data && m.access == "open" {
            err("access", "personal_not_open");
        }
    }
    if errors.is_empty() { Ok(m) } else { Err(errors) }
}

/// Save staff's description of a dataset: a capability's one (decisions
/// only) or one kept elsewhere (new or changed). Audited.
pub async fn save(ctx: &Ctx, sources: &Sources, actor: &Actor, name: &str, form: &Form) -> AppResult<()> {
    let user = actor.check(Permission::ManageCatalog)?;
    let capability = sources.datasets(ctx).into_iter().any(|(_, d)| d.name == name);
    let meta = check(form, !capability).map_err(AppError::invalid)?;
    let kind = if capability { Kind::Override } else { Kind::Staff };
    let txn = ctx.db.begin().await?;
    let existed = store::get(&txn, name).await?.is_some();
    store::save(&txn, name, kind, &meta, Some(&user.account_id), ctx.now(), false).await?;
    let detail = serde_json::json!({"kind": kind.code(), "access": meta.access, "licence": meta.licence, "new": !existed && !capability});
    ctx.audit(
        &txn,
        kernel::audit::AuditEntry {
            actor: &format!("account:{}", user.account_id),
            action: "catalog.save",
            subject: &format!("dataset:{name}"),
            outcome: "ok",
            detail,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Remove a dataset kept elsewhere, or staff's decisions about a capability's one. Audited.
pub async fn remove(ctx: &Ctx, actor: &Actor, name: &str) -> AppResult<()> {
    let user = actor.check(Permission::ManageCatalog)?;
    let txn = ctx.db.begin().await?;
    if !store::delete(&txn, name).await? {
        return Err(AppError::not_found());
    }
    let entry = kernel::audit::AuditEntry {
        actor: &format!("account:{}", user.account_id),
        action: "catalog.remove",
        subject: &format!("dataset:{name}"),
        outcome: "ok",
        detail: serde_json::json!({}),
    };
    ctx.audit(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// The staff form filled from a dataset.
pub fn form_of(d: &Dataset) -> Form {
    let join = |v: &[String]| v.join(", ");
    Form {
        name: d.name.clone(),
        title_sl: d.title.sl.clone(),
        title_en: d.title.en.clone(),
        description_sl: d.description.sl.clone(),
        description_en: d.description.en.clone(),
        theme: d.theme.into(),
        keywords: join(&d.keywords),
        owner: d.owner.clone(),
        contact_email: d.contact_email.clone(),
        frequency: d.frequency.into(),
        temporal_start: d.temporal.start.clone().unwrap_or_default(),
        temporal_end: d.temporal.end.clone().unwrap_or_default(),
        usable_start: d.usable.start.clone().unwrap_or_default(),
        usable_end: d.usable.end.clone().unwrap_or_default(),
        access: d.access.code().into(),
        licence: d.licence.into(),
        spatial: d.spatial.clone(),
        related: join(&d.related),
        derived_from: join(&d.derived_from),
        consumers: join(&d.consumers),
        hvd: d.hvd.unwrap_or_default().into(),
        personal_data: d.personal_data().then(|| "on".into()),
        files: d.external.iter().map(|f| format!("{} | {} | {}", f.title, f.url, f.format)).collect::<Vec<_>>().join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, related: &[&str], derived_from: &[&str]) -> Entry {
        let m = Meta {
            related: related.iter().map(|s| s.to_string()).collect(),
            derived_from: derived_from.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        Entry::new(staff_dataset(name, &m, Timestamp(0)), None, Timestamp(0), Timestamp(0))
    }

    #[test]
    fn lineage_is_shown_both_ways() {
        let all =
            [entry("sensor-devices", &[], &[]), entry("air-quality", &["weather"], &["sensor-devices"]), entry("weather", &[], &["sensor-devices"])];
        let devices = lineage(&all, "sensor-devices");
        assert_eq!(devices.feeds, ["air-quality", "weather"]);
        assert!(devices.derived_from.is_empty());
        let weather = lineage(&all, "weather");
        assert_eq!(weather.related_by, ["air-quality"]);
        assert_eq!(weather.derived_from, ["sensor-devices"]);
        assert_eq!(lineage(&all, "air-quality").related, ["weather"]);
        assert_eq!(lineage(&all, "nothing"), Lineage::default());
    }

    #[test]
    fn staff_decisions_change_only_what_staff_decide() {
        let mut d =
            staff_dataset("x", &Meta { access: "open".into(), title_sl: "X".into(), related: vec!["a".into()], ..Default::default() }, Timestamp(0));
        let decisions = Meta {
            access: "internal".into(),
            licence: "CC0".into(),
            title_sl: "Changed".into(),
            related: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        apply_override(&mut d, &decisions);
        assert_eq!((d.access, d.licence, d.title.sl.as_str()), (Access::Internal, "CC0", "X"));
        assert_eq!(d.related, ["a", "b"], "links are added once");
    }

    #[test]
    fn a_dataset_kept_elsewhere_needs_its_description_and_may_not_open_personal_data() {
        let mut f = Form { name: "municipal-property".into(), access: "open".into(), ..Default::default() };
        let codes = |r: Result<Meta, Vec<FieldError>>| r.unwrap_err().into_iter().map(|e| e.field).collect::<Vec<_>>();
        let missing = codes(check(&f, true));
        assert!(missing.contains(&"title_sl".to_string()) && missing.contains(&"theme".to_string()), "{missing:?}");
        f.title_sl = "Občinsko premoženje".into();
        f.description_sl = "Nepremičnine v lasti občine".into();
        f.owner = "Urad za premoženje".into();
        f.theme = "GOVE".into();
        f.frequency = "ANNUAL".into();
        f.files = "Seznam | https://example.si/premozenje.xlsx | xlsx".into();
        let m = check(&f, true).unwrap();
        assert_eq!(m.files[0].format, "XLSX");
        assert_eq!(m.licence, "CC_BY_4_0");
        f.personal_data = Some("on".into());
        assert_eq!(codes(check(&f, true)), ["access"]);
        // Decisions about a capability's dataset need no description.
        assert!(check(&Form { access: "internal".into(), ..Default::default() }, false).is_ok());
    }
}
