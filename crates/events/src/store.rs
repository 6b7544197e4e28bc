//! The SQL of events, for both backends. The only place that touches its tables.

use crate::model::{Access, Audience, FollowKind, Genre, OrganiserKind, Status, Text};
use kernel::Timestamp;
use kernel::db::{col, exec, opt_i64, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

/// An id that sorts by time: a UUIDv7 of the given moment.
pub fn id_at(at: Timestamp) -> String {
    let secs = (at.0.max(0) / 1000) as u64;
    let nanos = ((at.0.max(0) % 1000) * 1_000_000) as u32;
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos)).to_string()
}

fn json_err(e: serde_json::Error) -> DbErr {
    DbErr::Custom(e.to_string())
}

// ---- places and organisers ----

#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

fn place_from(r: &QueryResult) -> Result<Place, DbErr> {
    Ok(Place { id: col(r, "id")?, name: col(r, "name")?, lat: col(r, "lat")?, lon: col(r, "lon")? })
}

pub async fn places<C: ConnectionTrait>(c: &C) -> Result<Vec<Place>, DbErr> {
    query_all(c, "SELECT * FROM events_places ORDER BY name LIMIT 1000", []).await?.iter().map(place_from).collect()
}

pub async fn place<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Place>, DbErr> {
    query_opt(c, "SELECT * FROM events_places WHERE id = $1", [id.into()]).await?.map(|r| place_from(&r)).transpose()
}

/// The place of this name, made if there is none (names are unique).
pub async fn place_named<C: ConnectionTrait>(c: &C, name: &str, lat: f64, lon: f64, now: Timestamp, demo: bool) -> Result<Place, DbErr> {
    if let Some(r) = query_opt(c, "SELECT * FROM events_places WHERE name = $1", [name.into()]).await? {
        return place_from(&r);
    }
    let p = Place { id: id_at(now), name: name.to_string(), lat, lon };
    exec(
        c,
        "INSERT INTO events_places (id, name, lat, lon, created_at, demo) VALUES ($1, $2, $3, $4, $5, $6)",
        [p.id.clone().into(), p.name.clone().into(), lat.into(), lon.into(), now.0.into(), (demo as i64).into()],
    )
    .await?;
    Ok(p)
}

#[derive(Clone, Debug, PartialEq)]
pub struct Organiser {
    pub id: String,
    pub account_id: Option<String>,
    pub kind: OrganiserKind,
    pub name: String,
}

fn organiser_from(r: &QueryResult) -> Result<Organiser, DbErr> {
    Ok(Organiser {
        id: col(r, "id")?,
        account_id: col(r, "account_id")?,
        kind: OrganiserKind::parse(&col::<String>(r, "kind")?).unwrap_or(OrganiserKind::Person),
        name: col(r, "name")?,
    })
}

/// The organiser an account acts as under this kind and name, made on first use.
pub async fn organiser_for<C: ConnectionTrait>(
    c: &C,
    account: Option<&str>,
    kind: OrganiserKind,
    name: &str,
    now: Timestamp,
    demo: bool,
) -> Result<Organiser, DbErr> {
    let found = match account {
        Some(a) => {
            query_opt(
                c,
                "SELECT * FROM events_organisers WHERE account_id = $1 AND kind = $2 AND name = $3",
                [a.into(), kind.code().into(), name.into()],
            )
            .await?
        }
        None => {
            query_opt(c, "SELECT * FROM events_organisers WHERE account_id IS NULL AND kind = $1 AND name = $2", [kind.code().into(), name.into()])
                .await?
        }
    };
    if let Some(r) = found {
        return organiser_from(&r);
    }
    let o = Organiser { id: id_at(now), account_id: account.map(str::to_string), kind, name: name.to_string() };
    exec(
        c,
        "INSERT INTO events_organisers (id, account_id, kind, name, created_at, demo) VALUES ($1, $2, $3, $4, $5, $6)",
        [o.id.clone().into(), opt_str(o.account_id.clone()), kind.code().into(), o.name.clone().into(), now.0.into(), (demo as i64).into()],
    )
    .await?;
    Ok(o)
}

pub async fn organiser<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Organiser>, DbErr> {
    query_opt(c, "SELECT * FROM events_organisers WHERE id = $1", [id.into()]).await?.map(|r| organiser_from(&r)).transpose()
}

// ---- events ----

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: String,
    pub organiser: Organiser,
    pub place: Place,
    pub submitted_by: Option<String>,
    pub genre: Genre,
    pub audience: Audience,
    pub title: Text,
    pub description: Text,
    pub price_cents: Option<i64>,
    pub accessibility: Vec<Access>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub stream_url: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    pub sequence: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub published_at: Option<Timestamp>,
}

const SELECT: &str = "SELECT e.*, p.name AS place_name, p.lat AS place_lat, p.lon AS place_lon, \
     o.account_id AS organiser_account, o.kind AS organiser_kind, o.name AS organiser_name \
     FROM events e JOIN events_places p ON p.id = e.place_id JOIN events_organisers o ON o.id = e.organiser_id";

fn access_codes(a: &[Access]) -> String {
    let codes: Vec<&str> = a.iter().map(|x| x.code()).collect();
    format!(",{},", codes.join(","))
}

fn event_from(r: &QueryResult) -> Result<Event, DbErr> {
    let text = |name: &str| -> Result<Text, DbErr> { serde_json::from_str(&col::<String>(r, name)?).map_err(json_err) };
    Ok(Event {
        id: col(r, "id")?,
        organiser: Organiser {
            id: col(r, "organiser_id")?,
            account_id: col(r, "organiser_account")?,
            kind: OrganiserKind::parse(&col::<String>(r, "organiser_kind")?).unwrap_or(OrganiserKind::Person),
            name: col(r, "organiser_name")?,
        },
        place: Place { id: col(r, "place_id")?, name: col(r, "place_name")?, lat: col(r, "place_lat")?, lon: col(r, "place_lon")? },
        submitted_by: col(r, "submitted_by")?,
        genre: Genre::parse(&col::<String>(r, "genre")?).unwrap_or(Genre::Other),
        audience: Audience::parse(&col::<String>(r, "audience")?).unwrap_or(Audience::All),
        title: text("title")?,
        description: text("description")?,
        price_cents: col(r, "price_cents")?,
        accessibility: col::<String>(r, "accessibility")?.split(',').filter_map(Access::parse).collect(),
        starts_at: Timestamp(col(r, "starts_at")?),
        ends_at: Timestamp(col(r, "ends_at")?),
        stream_url: col(r, "stream_url")?,
        status: Status::parse(&col::<String>(r, "status")?).unwrap_or(Status::Submitted),
        reason: col(r, "reason")?,
        sequence: col(r, "sequence")?,
        created_at: Timestamp(col(r, "created_at")?),
        updated_at: Timestamp(col(r, "updated_at")?),
        published_at: col::<Option<i64>>(r, "published_at")?.map(Timestamp),
    })
}

/// The columns an organiser's change or a review writes, in this order.
const CHANGING: &str = "organiser_id, place_id, genre, audience, title, description, price_cents, accessibility, \
     starts_at, ends_at, stream_url, status, reason, sequence, updated_at, published_at";

fn changing(e: &Event) -> Result<Vec<Value>, DbErr> {
    let json = |t: &Text| serde_json::to_string(t).map_err(json_err);
    Ok(vec![
        e.organiser.id.clone().into(),
        e.place.id.clone().into(),
        e.genre.code().into(),
        e.audience.code().into(),
        json(&e.title)?.into(),
        json(&e.description)?.into(),
        opt_i64(e.price_cents),
        access_codes(&e.accessibility).into(),
        e.starts_at.0.into(),
        e.ends_at.0.into(),
        opt_str(e.stream_url.clone()),
        e.status.code().into(),
        opt_str(e.reason.clone()),
        e.sequence.into(),
        e.updated_at.0.into(),
        opt_i64(e.published_at.map(|t| t.0)),
    ])
}

/// `$from, $from+1, …` for `n` values.
fn marks(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub async fn insert_event<C: ConnectionTrait>(c: &C, e: &Event, demo: bool) -> Result<(), DbErr> {
    let mut values: Vec<Value> = vec![e.id.clone().into(), opt_str(e.submitted_by.clone()), e.created_at.0.into(), (demo as i64).into()];
    values.extend(changing(e)?);
    let sql = format!("INSERT INTO events (id, submitted_by, created_at, demo, {CHANGING}) VALUES ({})", marks(1, values.len()));
    exec(c, &sql, values).await.map(|_| ())
}

/// Save a change (the organiser's, or a review's) with the new status.
pub async fn update_event<C: ConnectionTrait>(c: &C, e: &Event) -> Result<(), DbErr> {
    let mut values: Vec<Value> = vec![e.id.clone().into()];
    values.extend(changing(e)?);
    let sets: Vec<String> = CHANGING.split(',').enumerate().map(|(i, col)| format!("{} = ${}", col.trim(), i + 2)).collect();
    exec(c, &format!("UPDATE events SET {} WHERE id = $1", sets.join(", ")), values).await.map(|_| ())
}

pub async fn event<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Event>, DbErr> {
    query_opt(c, &format!("{SELECT} WHERE e.id = $1"), [id.into()]).await?.map(|r| event_from(&r)).transpose()
}

/// Locked for a change of status (PostgreSQL: two reviewers do not race).
pub async fn event_for_update<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Event>, DbErr> {
    // FOR UPDATE cannot lock the joined rows' nullable side; lock the event row first.
    query_opt(c, &format!("SELECT id FROM events WHERE id = $1{}", kernel::db::for_update(c)), [id.into()]).await?;
    event(c, id).await
}

/// What the public lists ask for: published events that end after `from`
/// and start before `to`, narrowed by the filters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub from: Timestamp,
    pub to: Option<Timestamp>,
    pub genre: Option<Genre>,
    pub place: Option<String>,
    pub organiser: Option<String>,
    pub audience: Option<Audience>,
    /// Some(true): free only; Some(false): paid only.
    pub free: Option<bool>,
    pub access: Vec<Access>,
}

/// Published events by start time, at most `limit`.
pub async fn published<C: ConnectionTrait>(c: &C, f: &Filter, limit: i64) -> Result<Vec<Event>, DbErr> {
    let mut sql = format!("{SELECT} WHERE e.status = 'published' AND e.ends_at > $1");
    let mut values: Vec<Value> = vec![f.from.0.into()];
    let mut add = |sql: &mut String, clause: &str, v: Value| {
        values.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", values.len())));
    };
    if let Some(to) = f.to {
        add(&mut sql, " AND e.starts_at < ?", to.0.into());
    }
    if let Some(g) = f.genre {
        add(&mut sql, " AND e.genre = ?", g.code().into());
    }
    if let Some(p) = &f.place {
        add(&mut sql, " AND e.place_id = ?", p.clone().into());
    }
    if let Some(o) = &f.organiser {
        add(&mut sql, " AND e.organiser_id = ?", o.clone().into());
    }
    if let Some(a) = f.audience {
        add(&mut sql, " AND e.audience = ?", a.code().into());
    }
    for a in &f.access {
        add(&mut sql, " AND e.accessibility LIKE ?", format!("%,{},%", a.code()).into());
    }
    match f.free {
        Some(true) => sql.push_str(" AND e.price_cents IS NULL"),
        Some(false) => sql.push_str(" AND e.price_cents IS NOT NULL"),
        None => {}
    }
    add(&mut sql, " ORDER BY e.starts_at, e.id LIMIT ?", limit.into());
    query_all(c, &sql, values).await?.iter().map(event_from).collect()
}

/// Waiting for review, oldest first.
pub async fn in_review<C: ConnectionTrait>(c: &C) -> Result<Vec<Event>, DbErr> {
    query_all(c, &format!("{SELECT} WHERE e.status IN ('submitted', 'resubmitted') ORDER BY e.updated_at LIMIT 500"), [])
        .await?
        .iter()
        .map(event_from)
        .collect()
}

/// What one account submitted, newest first.
pub async fn submitted_by<C: ConnectionTrait>(c: &C, account: &str) -> Result<Vec<Event>, DbErr> {
    query_all(c, &format!("{SELECT} WHERE e.submitted_by = $1 ORDER BY e.created_at DESC LIMIT 500"), [account.into()])
        .await?
        .iter()
        .map(event_from)
        .collect()
}

pub async fn has_events<C: ConnectionTrait>(c: &C) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT id FROM events LIMIT 1", []).await?.is_some())
}

// ---- follows and the personal feed ----

pub async fn follows<C: ConnectionTrait>(c: &C, account: &str) -> Result<Vec<(FollowKind, String)>, DbErr> {
    let rows = query_all(c, "SELECT kind, target FROM events_follows WHERE account_id = $1 ORDER BY kind, target", [account.into()]).await?;
    rows.iter()
        .filter_map(|r| match (col::<String>(r, "kind"), col::<String>(r, "target")) {
            (Ok(k), Ok(t)) => FollowKind::parse(&k).map(|k| Ok((k, t))),
            (Err(e), _) | (_, Err(e)) => Some(Err(e)),
        })
        .collect()
}

pub async fn follow<C: ConnectionTrait>(c: &C, account: &str, kind: FollowKind, target: &str, now: Timestamp) -> Result<(), DbErr> {
    let exists = query_opt(
        c,
        "SELECT kind FROM events_follows WHERE account_id = $1 AND kind = $2 AND target = $3",
        [account.into(), kind.code().into(), target.into()],
    )
    .await?;
    if exists.is_none() {
        exec(
            c,
            "INSERT INTO events_follows (account_id, kind, target, created_at) VALUES ($1, $2, $3, $4)",
            [account.into(), kind.code().into(), target.into(), now.0.into()],
        )
        .await?;
    }
    Ok(())
}

pub async fn unfollow<C: ConnectionTrait>(c: &C, account: &str, kind: FollowKind, target: &str) -> Result<(), DbErr> {
    exec(c, "DELETE FROM events_follows WHERE account_id = $1 AND kind = $2 AND target = $3", [account.into(), kind.code().into(), target.into()])
        .await
        .map(|_| ())
}

/// The generation of an account's feed token, if it has one.
pub async fn feed_generation<C: ConnectionTrait>(c: &C, account: &str) -> Result<Option<i64>, DbErr> {
    query_opt(c, "SELECT generation FROM events_feeds WHERE account_id = $1", [account.into()]).await?.map(|r| col(&r, "generation")).transpose()
}

pub async fn set_feed<C: ConnectionTrait>(c: &C, account: &str, generation: i64, token_index: &str, now: Timestamp) -> Result<(), DbErr> {
    exec(c, "DELETE FROM events_feeds WHERE account_id = $1", [account.into()]).await?;
    exec(
        c,
        "INSERT INTO events_feeds (account_id, generation, token_index, created_at) VALUES ($1, $2, $3, $4)",
        [account.into(), generation.into(), token_index.into(), now.0.into()],
    )
    .await
    .map(|_| ())
}

pub async fn feed_account<C: ConnectionTrait>(c: &C, token_index: &str) -> Result<Option<String>, DbErr> {
    query_opt(c, "SELECT account_id FROM events_feeds WHERE token_index = $1", [token_index.into()]).await?.map(|r| col(&r, "account_id")).transpose()
}
