//! DEMO data of Ptuj for reports: the street and place gazetteer, a
//! handful of reports in various statuses with answers, and a demo Open311
//! API key (documented in docs/open311.md). Every row is marked `demo = 1`;
//! the reports and reporters are invented.

use crate::Reports;
use crate::model::Status;
use crate::store::{self, Contact, Report, Update};
use kernel::{AppResult, Ctx};

/// The demo Open311 API key (scope `open311:write`). Revoke it on a real installation.
pub const DEMO_API_KEY: &str = "obc_demo_open311_ptuj";

struct DemoReport {
    category: &'static str,
    description: &'static str,
    place: &'static str,
    days_ago: i64,
    /// Later statuses with their public answers.
    steps: &'static [(Status, &'static str)],
    reason: Option<&'static str>,
    email: &'static str,
}

const REPORTS: &[DemoReport] = &[
    DemoReport {
        category: "street_light",
        description: "Svetilka pred hišo ne sveti že tri noči.",
        place: "Prešernova ulica",
        days_ago: 12,
        steps: &[
            (Status::InProgress, "Ekipa javne razsvetljave bo svetilko pregledala ta teden."),
            (Status::Fixed, "Sijalka je zamenjana. Hvala za prijavo."),
        ],
        reason: None,
        email: "ana.demo@example.si",
    },
    DemoReport {
        category: "pothole",
        description: "Globoka luknja na cestišču ob prehodu za pešce.",
        place: "Ormoška cesta",
        days_ago: 6,
        steps: &[(Status::InProgress, "Sanacija je naročena, izvedena bo v desetih dneh.")],
        reason: None,
        email: "marko.demo@example.si",
    },
    DemoReport {
        category: "waste",
        description: "Ekološki otok je prepoln, odpadki so okrog zabojnikov.",
        place: "Zadružni trg",
        days_ago: 3,
        steps: &[],
        reason: None,
        email: "petra.demo@example.si",
    },
    DemoReport {
        category: "green",
        description: "Odlomljena veja visi nad sprehajalno potjo ob jezeru.",
        place: "Ptujsko jezero",
        days_ago: 2,
        steps: &[(Status::Investigating, "Arborist si bo drevo ogledal.")],
        reason: None,
        email: "jure.demo@example.si",
    },
    DemoReport {
        category: "building",
        description: "Razbito steklo na vratih avtobusne čakalnice.",
        place: "Avtobusna postaja Ptuj",
        days_ago: 20,
        steps: &[(Status::NotResponsible, "Čakalnica je last prevoznika; prijavo smo mu posredovali.")],
        reason: Some("Objekt ni v lasti občine."),
        email: "maja.demo@example.si",
    },
    DemoReport {
        category: "water",
        description: "Iz jaška na pločniku teče voda.",
        place: "Volkmerjeva cesta",
        days_ago: 1,
        steps: &[],
        reason: None,
        email: "tina.demo@example.si",
    },
];

/// Load the gazetteer, the demo reports and the demo key once (when there is no report and no place yet).
pub async fn load_if_empty(ctx: &Ctx, r: &Reports) -> AppResult<usize> {
    let c = ctx.db.conn();
    if store::count_reports(c).await? > 0 || !store::places(c).await?.is_empty() {
        return Ok(0);
    }
    let now = ctx.now().0;
    let places = crate::places::demo_places();
    let txn = ctx.db.begin().await?;
    for p in &places {
        store::insert_place(&txn, p, true).await?;
    }
    for d in REPORTS {
        let Some(category) = r.config.category(d.category) else { continue };
        let Some(place) = places.iter().find(|p| p.name == d.place) else { continue };
        let id = store::next_id(&txn).await?;
        let created = now - d.days_ago * 86_400_000;
        let point = crate::geo::Point::new(place.lon, place.lat);
        let mut report = Report {
            id,
            category: category.code.clone(),
            owner: r.config.route(category, point),
            area: point.and_then(|p| r.config.area_of(p)).map(str::to_string),
            status: Status::Received,
            reason: None,
            description: d.description.to_string(),
            lat: Some(place.lat),
            lon: Some(place.lon),
            address: Some(place.name.clone()),
            address_id: Some(place.id.clone()),
            attributes: Default::default(),
            account_id: None,
            reporter_index: ctx.keys.blind_index("reports.reporter", &format!("email:{}", d.email)),
            reporter_lang: "sl".into(),
            source: "web".into(),
            token: uuid::Uuid::new_v4().to_string(),
            assigned_to: None,
            duplicate_of: None,
            media_url: None,
            seq: 1,
            created_at: created,
            updated_at: created,
            demo: true,
        };
        if category.attributes.iter().any(|a| a.code == "state") {
            report.attributes.insert("state".into(), "off".into());
        }
        let contact = Contact { email: Some(d.email.into()), name: None, phone: None };
        let mut history = vec![(created, "created", Status::Received, None)];
        for (i, (status, answer)) in d.steps.iter().enumerate() {
            let at = created + (i as i64 + 1) * 20 * 3_600_000;
            history.push((at.min(now), "status", *status, Some(answer.to_string())));
        }
        let (last_at, _, last_status, _) = history.last().cloned().unwrap_or((created, "created", Status::Received, None));
        report.status = last_status;
        report.reason = d.reason.map(str::to_string);
        report.seq = history.len() as i64;
        report.updated_at = last_at;
        store::insert(&txn, &ctx.keys, &store::NewReport { report: &report, contact: &contact }).await?;
        for (seq, (at, kind, status, text)) in history.into_iter().enumerate() {
            let u = Update {
                id: uuid::Uuid::now_v7().to_string(),
                report_id: id,
                seq: seq as i64 + 1,
                at,
                kind: kind.into(),
                status,
                text,
                public: true,
                actor: if kind == "created" { "anonymous".into() } else { "demo".into() },
            };
            store::insert_update(&txn, &u).await?;
        }
    }
    let hash = kernel::crypto::sha256_hex(DEMO_API_KEY);
    if identity::store::api_token_by_hash(&txn, &hash).await?.is_none() {
        let token = identity::store::ApiToken {
            id: uuid::Uuid::now_v7().to_string(),
            name: "DEMO Open311 (georeport clients)".into(),
            scopes: vec!["open311:write".into()],
            created_by: "demo".into(),
            created_at: now,
            expires_at: None,
            revoked_at: None,
        };
        identity::store::insert_api_token(&txn, &token, &hash).await?;
    }
    txn.commit().await?;
    Ok(REPORTS.len())
}
