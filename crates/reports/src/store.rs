//! The SQL of reports (both backends): the only code that touches the
//! tables `reports`, `report_updates`, `report_photos`, `report_places` and
//! `report_counter`.

use crate::model::Status;
use kernel::Timestamp;
use kernel::crypto::{EncryptedColumn, Keyring};
use kernel::db::{col, exec, for_update, opt_i64, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use std::collections::BTreeMap;

/// The reporter's sealed fields, for key rotation.
pub const ENCRYPTED_COLUMNS: &[EncryptedColumn] = &[
    EncryptedColumn { table: "reports", key_sql: "CAST(id AS TEXT)", column: "reporter_email_enc", context_prefix: "reports.reporter_email:" },
    EncryptedColumn { table: "reports", key_sql: "CAST(id AS TEXT)", column: "reporter_name_enc", context_prefix: "reports.reporter_name:" },
    EncryptedColumn { table: "reports", key_sql: "CAST(id AS TEXT)", column: "reporter_phone_enc", context_prefix: "reports.reporter_phone:" },
];

fn seal(keys: &Keyring, column: &str, id: i64, v: &Option<String>) -> Value {
    opt_str(v.as_ref().map(|v| keys.encrypt(&format!("reports.{column}:{id}"), v)))
}

/// A report without the reporter's personal fields.
#[derive(Clone, Debug)]
pub struct Report {
    pub id: i64,
    pub category: String,
    pub owner: String,
    pub area: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    pub description: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub account_id: Option<String>,
    pub reporter_index: String,
    pub reporter_lang: String,
    pub source: String,
    pub token: String,
    pub assigned_to: Option<String>,
    pub duplicate_of: Option<i64>,
    pub media_url: Option<String>,
    pub seq: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub demo: bool,
}

impl Report {
    pub fn point(&self) -> Option<crate::geo::Point> {
        crate::geo::Point::new(self.lon?, self.lat?)
    }
}

const COLUMNS: &str = "id, category, owner, area, status, reason, description, lat, lon, address, address_id, attributes, account_id, reporter_index, reporter_lang, source, token, assigned_to, duplicate_of, media_url, seq, created_at, updated_at, demo";

fn report_from(r: &QueryResult) -> Result<Report, DbErr> {
    let status: String = col(r, "status")?;
    let attributes: String = col(r, "attributes")?;
    Ok(Report {
        id: col(r, "id")?,
        category: col(r, "category")?,
        owner: col(r, "owner")?,
        area: col(r, "area")?,
        status: Status::from_code(&status).ok_or_else(|| DbErr::Custom(format!("unknown report status {status}")))?,
        reason: col(r, "reason")?,
        description: col(r, "description")?,
        lat: col(r, "lat")?,
        lon: col(r, "lon")?,
        address: col(r, "address")?,
        address_id: col(r, "address_id")?,
        attributes: serde_json::from_str(&attributes).unwrap_or_default(),
        account_id: col(r, "account_id")?,
        reporter_index: col(r, "reporter_index")?,
        reporter_lang: col(r, "reporter_lang")?,
        source: col(r, "source")?,
        token: col(r, "token")?,
        assigned_to: col(r, "assigned_to")?,
        duplicate_of: col(r, "duplicate_of")?,
        media_url: col(r, "media_url")?,
        seq: col(r, "seq")?,
        created_at: col(r, "created_at")?,
        updated_at: col(r, "updated_at")?,
        demo: col::<i64>(r, "demo")? != 0,
    })
}

/// The reporter's contact, unsealed (staff read it, audited).
#[derive(Clone, Debug, Default)]
pub struct Contact {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
}

pub struct NewReport<'a> {
    pub report: &'a Report,
    pub contact: &'a Contact,
}

/// The next report number.
pub async fn next_id<C: ConnectionTrait>(c: &C) -> Result<i64, DbErr> {
    let r = query_opt(c, "UPDATE report_counter SET n = n + 1 WHERE id = 1 RETURNING n", [])
        .await?
        .ok_or_else(|| DbErr::Custom("no report counter".into()))?;
    col(&r, "n")
}

pub async fn insert<C: ConnectionTrait>(c: &C, keys: &Keyring, n: &NewReport<'_>) -> Result<(), DbErr> {
    let r = n.report;
    let attributes = serde_json::to_string(&r.attributes).unwrap_or_else(|_| "{}".into());
    exec(
        c,
        &format!("INSERT INTO reports ({COLUMNS}, reporter_email_enc, reporter_name_enc, reporter_phone_enc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"),
        [
            r.id.into(),
            r.category.clone().into(),
            r.owner.clone().into(),
            opt_str(r.area.clone()),
            r.status.code().into(),
            opt_str(r.reason.clone()),
            r.description.clone().into(),
            Value::Double(r.lat),
            Value::Double(r.lon),
            opt_str(r.address.clone()),
            opt_str(r.address_id.clone()),
            attributes.into(),
            opt_str(r.account_id.clone()),
            r.reporter_index.clone().into(),
            r.reporter_lang.clone().into(),
            r.source.clone().into(),
            r.token.clone().into(),
            opt_str(r.assigned_to.clone()),
            opt_i64(r.duplicate_of),
            opt_str(r.media_url.clone()),
            r.seq.into(),
            r.created_at.into(),
            r.updated_at.into(),
            i64::from(r.demo).into(),
            seal(keys, "reporter_email", r.id, &n.contact.email),
            seal(keys, "reporter_name", r.id, &n.contact.name),
            seal(keys, "reporter_phone", r.id, &n.contact.phone),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn get<C: ConnectionTrait>(c: &C, id: i64) -> Result<Option<Report>, DbErr> {
    query_opt(c, &format!("SELECT {COLUMNS} FROM reports WHERE id = $1"), [id.into()]).await?.map(|r| report_from(&r)).transpose()
}

/// The report, locked for a change (PostgreSQL; SQLite has one writer anyway).
pub async fn get_for_update<C: ConnectionTrait>(c: &C, id: i64) -> Result<Option<Report>, DbErr> {
    query_opt(c, &format!("SELECT {COLUMNS} FROM reports WHERE id = $1{}", for_update(c)), [id.into()]).await?.map(|r| report_from(&r)).transpose()
}

pub async fn by_token<C: ConnectionTrait>(c: &C, token: &str) -> Result<Option<Report>, DbErr> {
    query_opt(c, &format!("SELECT {COLUMNS} FROM reports WHERE token = $1"), [token.into()]).await?.map(|r| report_from(&r)).transpose()
}

pub async fn contact<C: ConnectionTrait>(c: &C, keys: &Keyring, id: i64) -> Result<Contact, DbErr> {
    let Some(r) = query_opt(c, "SELECT reporter_email_enc, reporter_name_enc, reporter_phone_enc FROM reports WHERE id = $1", [id.into()]).await?
    else {
        return Ok(Contact::default());
    };
    let open = |column: &str| -> Result<Option<String>, DbErr> {
        let sealed: Option<String> = col(&r, &format!("{column}_enc"))?;
        sealed.map(|s| keys.decrypt(&format!("reports.{column}:{id}"), &s).map_err(|e| DbErr::Custom(e.to_string()))).transpose()
    };
    Ok(Contact { email: open("reporter_email")?, name: open("reporter_name")?, phone: open("reporter_phone")? })
}

/// Which reports a list shows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub ids: Vec<i64>,
    pub statuses: Vec<Status>,
    pub categories: Vec<String>,
    pub owner: Option<String>,
    pub area: Option<String>,
    pub account_id: Option<String>,
    pub assigned_to: Option<String>,
    /// Created at or after / before (ms).
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    /// Only reports with a position.
    pub located: bool,
    /// Reports before this id (the cursor; lists are newest first).
    pub before: Option<i64>,
    /// Skip this many (Open311 `page`).
    pub offset: i64,
    pub limit: i64,
}

/// Builds `$n` placeholders and their values together.
#[derive(Default)]
struct Params(Vec<Value>);

impl Params {
    fn add(&mut self, v: impl Into<Value>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
    fn list<T: Into<Value> + Clone>(&mut self, items: &[T]) -> String {
        items.iter().map(|i| self.add(i.clone())).collect::<Vec<_>>().join(", ")
    }
}

pub async fn list<C: ConnectionTrait>(c: &C, f: &Filter) -> Result<Vec<Report>, DbErr> {
    let mut p = Params::default();
    let mut w = vec!["1 = 1".to_string()];
    if !f.ids.is_empty() {
        w.push(format!("id IN ({})", p.list(&f.ids)));
    }
    if !f.statuses.is_empty() {
        let codes: Vec<String> = f.statuses.iter().map(|s| s.code().to_string()).collect();
        w.push(format!("status IN ({})", p.list(&codes)));
    }
    if !f.categories.is_empty() {
        w.push(format!("category IN ({})", p.list(&f.categories)));
    }
    if let Some(o) = &f.owner {
        w.push(format!("owner = {}", p.add(o.clone())));
    }
    if let Some(a) = &f.area {
        w.push(format!("area = {}", p.add(a.clone())));
    }
    if let Some(a) = &f.account_id {
        w.push(format!("account_id = {}", p.add(a.clone())));
    }
    if let Some(a) = &f.assigned_to {
        w.push(format!("assigned_to = {}", p.add(a.clone())));
    }
    if let Some(t) = f.created_from {
        w.push(format!("created_at >= {}", p.add(t)));
    }
    if let Some(t) = f.created_to {
        w.push(format!("created_at < {}", p.add(t)));
    }
    if f.located {
        w.push("lat IS NOT NULL AND lon IS NOT NULL".into());
    }
    if let Some(b) = f.before {
        w.push(format!("id < {}", p.add(b)));
    }
    let limit = p.add(f.limit.clamp(1, 100_000));
    let offset = p.add(f.offset.max(0));
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE {} ORDER BY id DESC LIMIT {limit} OFFSET {offset}", w.join(" AND "));
    query_all(c, &sql, p.0).await?.iter().map(report_from).collect()
}

/// Reports of a category in a box around a point, created since `since`: duplicate candidates.
pub async fn near<C: ConnectionTrait>(
    c: &C,
    category: &str,
    p: crate::geo::Point,
    radius_m: f64,
    since: i64,
    exclude: i64,
) -> Result<Vec<Report>, DbErr> {
    let (dlat, dlon) = p.degrees_for(radius_m);
    let rows = query_all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM reports WHERE category = $1 AND lat BETWEEN $2 AND $3 AND lon BETWEEN $4 AND $5 AND created_at >= $6 AND id <> $7 AND status <> 'duplicate' ORDER BY id DESC LIMIT 50"
        ),
        [category.into(), (p.lat - dlat).into(), (p.lat + dlat).into(), (p.lon - dlon).into(), (p.lon + dlon).into(), since.into(), exclude.into()],
    )
    .await?;
    let mut out: Vec<Report> = rows.iter().map(report_from).collect::<Result<_, _>>()?;
    out.retain(|r| r.point().is_some_and(|q| q.distance_m(p) <= radius_m));
    Ok(out)
}

/// Set status, reason, assignment and duplicate link; bump the change number.
pub async fn save_state<C: ConnectionTrait>(c: &C, r: &Report) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE reports SET status = $1, reason = $2, assigned_to = $3, duplicate_of = $4, owner = $5, seq = $6, updated_at = $7 WHERE id = $8",
        [
            r.status.code().into(),
            opt_str(r.reason.clone()),
            opt_str(r.assigned_to.clone()),
            opt_i64(r.duplicate_of),
            r.owner.clone().into(),
            r.seq.into(),
            r.updated_at.into(),
            r.id.into(),
        ],
    )
    .await
    .map(|_| ())
}

/// One entry of a report's history.
#[derive(Clone, Debug)]
pub struct Update {
    pub id: String,
    pub report_id: i64,
    pub seq: i64,
    pub at: i64,
    /// `created`, `status`, `assigned`, `merged`, `rerouted`.
    pub kind: String,
    pub status: Status,
    /// The public answer (or, for internal kinds, a note).
    pub text: Option<String>,
    pub public: bool,
    pub actor: String,
}

fn update_from(r: &QueryResult) -> Result<Update, DbErr> {
    let status: String = col(r, "status")?;
    Ok(Update {
        id: col(r, "id")?,
        report_id: col(r, "report_id")?,
        seq: col(r, "seq")?,
        at: col(r, "at")?,
        kind: col(r, "kind")?,
        status: Status::from_code(&status).ok_or_else(|| DbErr::Custom(format!("unknown status {status}")))?,
        text: col(r, "text")?,
        public: col::<i64>(r, "public")? != 0,
        actor: col(r, "actor")?,
    })
}

pub async fn insert_update<C: ConnectionTrait>(c: &C, u: &Update) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO report_updates (id, report_id, seq, at, kind, status, text, public, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            u.id.clone().into(),
            u.report_id.into(),
            u.seq.into(),
            u.at.into(),
            u.kind.clone().into(),
            u.status.code().into(),
            opt_str(u.text.clone()),
            i64::from(u.public).into(),
            u.actor.clone().into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn updates_of<C: ConnectionTrait>(c: &C, report_id: i64, public_only: bool) -> Result<Vec<Update>, DbErr> {
    let sql = if public_only {
        "SELECT * FROM report_updates WHERE report_id = $1 AND public = 1 ORDER BY seq"
    } else {
        "SELECT * FROM report_updates WHERE report_id = $1 ORDER BY seq"
    };
    query_all(c, sql, [report_id.into()]).await?.iter().map(update_from).collect()
}

/// Public changes of status in a time range, oldest first (Open311 service request updates).
pub async fn updates_between<C: ConnectionTrait>(c: &C, from: i64, to: i64, limit: i64) -> Result<Vec<Update>, DbErr> {
    query_all(
        c,
        "SELECT * FROM report_updates WHERE at >= $1 AND at <= $2 AND public = 1 AND kind IN ('created', 'status', 'merged') ORDER BY at, id LIMIT $3",
        [from.into(), to.into(), limit.into()],
    )
    .await?
    .iter()
    .map(update_from)
    .collect()
}

#[derive(Clone, Debug)]
pub struct Photo {
    pub id: String,
    pub report_id: i64,
    pub position: i64,
    pub file_key: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    /// Whether the stored file keeps the photo's GPS position.
    pub located: bool,
}

fn photo_from(r: &QueryResult) -> Result<Photo, DbErr> {
    Ok(Photo {
        id: col(r, "id")?,
        report_id: col(r, "report_id")?,
        position: col(r, "position")?,
        file_key: col(r, "file_key")?,
        width: col(r, "width")?,
        height: col(r, "height")?,
        bytes: col(r, "bytes")?,
        located: col::<i64>(r, "located")? != 0,
    })
}

pub async fn insert_photo<C: ConnectionTrait>(c: &C, p: &Photo, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO report_photos (id, report_id, position, file_key, width, height, bytes, located, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            p.id.clone().into(),
            p.report_id.into(),
            p.position.into(),
            p.file_key.clone().into(),
            p.width.into(),
            p.height.into(),
            p.bytes.into(),
            i64::from(p.located).into(),
            now.0.into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn photos_of<C: ConnectionTrait>(c: &C, report_id: i64) -> Result<Vec<Photo>, DbErr> {
    query_all(c, "SELECT * FROM report_photos WHERE report_id = $1 ORDER BY position", [report_id.into()]).await?.iter().map(photo_from).collect()
}

/// The first photo of each of these reports.
pub async fn first_photos<C: ConnectionTrait>(c: &C, ids: &[i64]) -> Result<BTreeMap<i64, String>, DbErr> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut p = Params::default();
    let list = p.list(ids);
    let rows = query_all(c, &format!("SELECT report_id, id FROM report_photos WHERE report_id IN ({list}) AND position = 0"), p.0).await?;
    rows.iter().map(|r| Ok((col(r, "report_id")?, col(r, "id")?))).collect()
}

pub async fn photo<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Photo>, DbErr> {
    query_opt(c, "SELECT * FROM report_photos WHERE id = $1", [id.into()]).await?.map(|r| photo_from(&r)).transpose()
}

/// A gazetteer entry: a street or a named place.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Place {
    pub id: String,
    pub name: String,
    /// `street` or `place`.
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    #[serde(skip)]
    pub name_norm: String,
}

fn place_from(r: &QueryResult) -> Result<Place, DbErr> {
    Ok(Place {
        id: col(r, "id")?,
        name: col(r, "name")?,
        kind: col(r, "kind")?,
        lat: col(r, "lat")?,
        lon: col(r, "lon")?,
        name_norm: col(r, "name_norm")?,
    })
}

pub async fn insert_place<C: ConnectionTrait>(c: &C, p: &Place, demo: bool) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO report_places (id, name, kind, lat, lon, name_norm, demo) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            p.id.clone().into(),
            p.name.clone().into(),
            p.kind.clone().into(),
            p.lat.into(),
            p.lon.into(),
            p.name_norm.clone().into(),
            i64::from(demo).into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn places<C: ConnectionTrait>(c: &C) -> Result<Vec<Place>, DbErr> {
    query_all(c, "SELECT * FROM report_places ORDER BY name", []).await?.iter().map(place_from).collect()
}

pub async fn place<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Place>, DbErr> {
    query_opt(c, "SELECT * FROM report_places WHERE id = $1", [id.into()]).await?.map(|r| place_from(&r)).transpose()
}

pub async fn count_reports<C: ConnectionTrait>(c: &C) -> Result<i64, DbErr> {
    let r = query_opt(c, "SELECT COUNT(*) AS n FROM reports", []).await?;
    r.map(|r| col(&r, "n")).transpose().map(|n| n.unwrap_or(0))
}

/// Reports and distinct reporters created in [from, to).
pub async fn counts_between<C: ConnectionTrait>(c: &C, from: i64, to: i64) -> Result<(i64, i64), DbErr> {
    let r = query_opt(
        c,
        "SELECT COUNT(*) AS n, COUNT(DISTINCT reporter_index) AS reporters FROM reports WHERE created_at >= $1 AND created_at < $2 AND status <> 'duplicate'",
        [from.into(), to.into()],
    )
    .await?;
    match r {
        Some(r) => Ok((col(&r, "n")?, col(&r, "reporters")?)),
        None => Ok((0, 0)),
    }
}

/// Reports this reporter made since `since` (rate limit for visitors and keys).
pub async fn recent_by_reporter<C: ConnectionTrait>(c: &C, reporter_index: &str, since: i64) -> Result<i64, DbErr> {
    let r = query_opt(c, "SELECT COUNT(*) AS n FROM reports WHERE reporter_index = $1 AND created_at >= $2", [reporter_index.into(), since.into()])
        .await?;
    r.map(|r| col(&r, "n")).transpose().map(|n| n.unwrap_or(0))
}
