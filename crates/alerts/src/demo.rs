//! Demo data of Ptuj: a past flood exercise on the Drava (alert, update,
//! cancellation), so that the feed and the pages are never empty. Marked
//! as demo data and as CAP status Exercise.

use crate::AlertsConfig;
use crate::cap::{Category, Certainty, MsgType, ResponseType, Severity, Status, Urgency};
use crate::model::{Bilingual, Content, Envelope, Shape};
use crate::service;
use kernel::{AppResult, Ctx, Timestamp};

use std::time::Duration;

/// The Drava embankment in Ptuj with Budina on the right bank (lat, lon).
const RIVERSIDE: [(f64, f64); 6] =
    [(46.4192, 15.8530), (46.4183, 15.8760), (46.4168, 15.8905), (46.4098, 15.8920), (46.4080, 15.8700), (46.4125, 15.8515)];

/// Load the exercise once, into an empty table; returns the messages added.
pub async fn load(ctx: &Ctx, cfg: &AlertsConfig) -> AppResult<usize> {
    if !crate::store::is_empty(ctx.db.conn()).await? {
        return Ok(0);
    }
    // Forty days ago, 09:00 in Ptuj (whole minutes, local time).
    let day = ctx.now().minus(Duration::from_secs(40 * 86_400));
    let local = day.local().date().and_hms_opt(9, 0, 0).unwrap_or_default();
    let nine = crate::model::from_local(local).unwrap_or(day);
    let at = |h: u64, m: u64| nine.plus(Duration::from_secs(h * 3600 + m * 60));
    let content = Content {
        status: Status::Exercise,
        event: Bilingual::new("Poplava (vaja)", "Flood (exercise)"),
        category: vec![Category::Met, Category::Rescue],
        response_type: vec![ResponseType::Prepare, ResponseType::Avoid],
        urgency: Urgency::Expected,
        severity: Severity::Severe,
        certainty: Certainty::Likely,
        headline: Bilingual::new("VAJA: Drava pri Ptuju bo prestopila bregove", "EXERCISE: the Drava at Ptuj is expected to flood"),
        description: Bilingual::new(
            "Vaja Civilne zaščite Mestne občine Ptuj. Po napovedi bo pretok Drave pri Ptuju popoldne presegel 2.000 m³/s; voda lahko poplavi nabrežje in nižje ležeče dele Budine.",
            "Civil protection exercise of the City Municipality of Ptuj. The Drava at Ptuj is forecast to exceed 2,000 m³/s this afternoon; water may flood the embankment and the low-lying parts of Budina.",
        ),
        instruction: Bilingual::new(
            "Umaknite vozila in premičnine z nabrežja, ne hodite ob reki in spremljajte obvestila občine.",
            "Move vehicles and belongings away from the embankment, keep away from the river and follow the municipality's announcements.",
        ),
        web: None,
        onset: Some(at(3, 0)),
        expires: at(9, 0),
        area_desc: Bilingual::new("Nabrežje Drave v Ptuju in Budina", "The Drava embankment in Ptuj and Budina"),
        shape: Some(Shape::Polygon { ring: RIVERSIDE.iter().copied().chain([RIVERSIDE[0]]).collect() }),
    };
    let envelope = |suffix: &str, sent: Timestamp, msg_type: MsgType, note: Option<&str>| Envelope {
        identifier: format!("{}-{}-vaja-drava-{suffix}", cfg.identifier_prefix, nine.local().format("%Y%m%d")),
        sent,
        msg_type,
        references: vec![],
        note: note.map(str::to_string),
    };
    let first = service::insert_demo(ctx, cfg, content.clone(), envelope("1", at(0, 0), MsgType::Alert, None), None).await?;
    let rising = Content {
        urgency: Urgency::Immediate,
        certainty: Certainty::Observed,
        response_type: vec![ResponseType::Evacuate, ResponseType::Avoid],
        headline: Bilingual::new("VAJA: Drava prestopa bregove, umik iz Budine", "EXERCISE: the Drava is flooding, leave Budina"),
        instruction: Bilingual::new(
            "Prebivalci nižjih delov Budine naj se umaknejo v OŠ Breg, kjer je zbirno mesto. Ne vozite po poplavljenih cestah.",
            "Residents of the low-lying parts of Budina should go to the Breg primary school, the assembly point. Do not drive on flooded roads.",
        ),
        ..content
    };
    let second = service::insert_demo(ctx, cfg, rising.clone(), envelope("2", at(2, 30), MsgType::Update, None), Some(&first)).await?;
    let over = Content {
        headline: Bilingual::new("VAJA: nevarnost poplave je minila", "EXERCISE: the flood danger is over"),
        instruction: Bilingual::new(
            "Vaja je končana. Prebivalci Budine se lahko vrnejo domov.",
            "The exercise is over. Residents of Budina may return home.",
        ),
        ..rising
    };
    service::insert_demo(ctx, cfg, over, envelope("3", at(6, 0), MsgType::Cancel, Some("Vaja je končana. / The exercise is over.")), Some(&second))
        .await?;
    Ok(3)
}
