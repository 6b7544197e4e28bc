//! Demo resources of Ptuj (marked `demo = 1`): the great hall of the
//! Narodni dom (staff approve), the meeting room of the town hall, a sports
//! ground, the youth centre's room, two EV charging points, and the
//! refectory of the Dominican monastery, a municipal space not bookable
//! here (so the KPI is not trivially 100 %). A maintenance block on the
//! sports ground next week. Loaded once, into an empty bookings store.

use crate::model::{Resource, ResourceKind, Rules};
use crate::store::{self, Block, Holder};
use kernel::{Ctx, Lang, Timestamp};
use notify::model::Text;
use sea_orm::DbErr;

const HOUR: i64 = 60;
const DAY: i64 = 24 * HOUR;

fn t(sl: &str, en: &str, de: &str, it: &str) -> Text {
    Text::new(&[(Lang::Sl, sl), (Lang::En, en), (Lang::De, de), (Lang::It, it)])
}

#[allow(clippy::too_many_arguments)]
fn resource(
    id: &str,
    kind: ResourceKind,
    name: Text,
    purpose: Text,
    location: &str,
    capacity: i64,
    hours: (i64, i64),
    slot: i64,
    price: i64,
) -> Resource {
    Resource {
        id: id.into(),
        kind,
        name,
        purpose,
        location: location.into(),
        capacity,
        slot_minutes: slot,
        opens_minute: hours.0 * HOUR,
        closes_minute: hours.1 * HOUR,
        price_cents: price,
        needs_approval: false,
        bookable: true,
        rules: Rules { natural: true, legal: true, lead_minutes: DAY, max_slots: 4, cancel_minutes: DAY, horizon_days: 90 },
    }
}

pub fn resources() -> Vec<Resource> {
    let mut hall = resource(
        "narodni-dom-dvorana",
        ResourceKind::Hall,
        t("Narodni dom – velika dvorana", "Narodni dom – great hall", "Narodni dom – großer Saal", "Narodni dom – sala grande"),
        t(
            "Koncerti, predstave, zbori in prireditve društev",
            "Concerts, performances, choirs and events of associations",
            "Konzerte, Aufführungen, Chöre und Veranstaltungen von Vereinen",
            "Concerti, spettacoli, cori ed eventi di associazioni",
        ),
        "Narodni dom, Ptuj",
        300,
        (8, 22),
        HOUR,
        4500,
    );
    hall.needs_approval = true;
    hall.rules = Rules { natural: true, legal: true, lead_minutes: 3 * DAY, max_slots: 6, cancel_minutes: 3 * DAY, horizon_days: 180 };
    let room = resource(
        "mestna-hisa-sejna-soba",
        ResourceKind::MeetingRoom,
        t("Mestna hiša – sejna soba", "Town hall – meeting room", "Rathaus – Sitzungssaal", "Municipio – sala riunioni"),
        t(
            "Sestanki društev, krajevnih skupnosti in podjetij",
            "Meetings of associations, local communities and companies",
            "Sitzungen von Vereinen, Ortsgemeinschaften und Unternehmen",
            "Riunioni di associazioni, comunità locali e imprese",
        ),
        "Mestni trg 1, Ptuj",
        30,
        (8, 20),
        HOUR,
        0,
    );
    let mut ground = resource(
        "sportni-park-igrisce",
        ResourceKind::SportsGround,
        t(
            "Športni park – igrišče z umetno travo",
            "Sports park – artificial turf pitch",
            "Sportpark – Kunstrasenplatz",
            "Parco sportivo – campo in erba sintetica",
        ),
        t("Nogomet in rekreacija", "Football and recreation", "Fußball und Freizeitsport", "Calcio e attività ricreative"),
        "Športni park Ptuj",
        22,
        (8, 22),
        HOUR,
        2000,
    );
    ground.rules = Rules { natural: true, legal: true, lead_minutes: 2 * HOUR, max_slots: 2, cancel_minutes: 12 * HOUR, horizon_days: 30 };
    let mut youth = resource(
        "mladinski-center-prostor",
        ResourceKind::YouthSpace,
        t(
            "Mladinski center – večnamenski prostor",
            "Youth centre – multipurpose room",
            "Jugendzentrum – Mehrzweckraum",
            "Centro giovani – sala polivalente",
        ),
        t(
            "Delavnice, vaje in druženje mladih (samo za fizične osebe)",
            "Workshops, rehearsals and meeting up for young people (natural persons only)",
            "Workshops, Proben und Treffen junger Menschen (nur natürliche Personen)",
            "Laboratori, prove e incontri per giovani (solo persone fisiche)",
        ),
        "Mladinski center Ptuj",
        40,
        (10, 20),
        HOUR,
        0,
    );
    youth.rules = Rules { natural: true, legal: false, lead_minutes: DAY, max_slots: 3, cancel_minutes: DAY, horizon_days: 60 };
    let ev = |n: u8| {
        let mut r = resource(
            &format!("polnilnica-mestni-trg-{n}"),
            ResourceKind::EvCharging,
            t(
                &format!("Polnilnica za električna vozila, točka {n}"),
                &format!("EV charging point {n}"),
                &format!("Ladestation für Elektrofahrzeuge, Punkt {n}"),
                &format!("Colonnina di ricarica, punto {n}"),
            ),
            t("Polnjenje do 22 kW", "Charging up to 22 kW", "Laden bis 22 kW", "Ricarica fino a 22 kW"),
            "Parkirišče ob Mestnem trgu, Ptuj",
            1,
            (0, 24),
            30,
            150,
        );
        r.rules = Rules { natural: true, legal: true, lead_minutes: 15, max_slots: 4, cancel_minutes: 0, horizon_days: 7 };
        r
    };
    let mut refectory = resource(
        "dominikanski-samostan-refektorij",
        ResourceKind::Hall,
        t(
            "Dominikanski samostan – refektorij",
            "Dominican monastery – refectory",
            "Dominikanerkloster – Refektorium",
            "Convento domenicano – refettorio",
        ),
        t(
            "Protokolarni dogodki; rezervacija po dogovoru z občino",
            "Official events; booked by arrangement with the municipality",
            "Protokollarische Anlässe; Reservierung nach Absprache mit der Gemeinde",
            "Eventi protocollari; prenotazione su accordo con il Comune",
        ),
        "Dominikanski samostan, Ptuj",
        120,
        (8, 22),
        HOUR,
        0,
    );
    refectory.bookable = false;
    vec![hall, room, ground, youth, ev(1), ev(2), refectory]
}

/// Load the demo resources into an empty store; false when there were some.
pub async fn load(ctx: &Ctx) -> Result<bool, DbErr> {
    if store::has_resources(ctx.db.conn()).await? {
        return Ok(false);
    }
    let txn = ctx.db.begin().await?;
    let now = ctx.now();
    let all = resources();
    for (i, r) in all.iter().enumerate() {
        // Created a millisecond apart: the list keeps this order.
        store::insert_resource(&txn, r, Timestamp(now.0 - (all.len() - i) as i64), true).await?;
    }
    // Maintenance of the pitch, 8:00 to 12:00 a week from today.
    let ground = &all[2];
    let date = crate::model::local_date(now) + chrono::Duration::days(7);
    let slots: Vec<Timestamp> = ground.day_slots(date).into_iter().take(4).collect();
    if let (Some(first), Some(last)) = (slots.first(), slots.last()) {
        let b = Block {
            id: store::new_id(),
            resource_id: ground.id.clone(),
            start: *first,
            end: Timestamp(last.0 + ground.slot_ms()),
            reason: "Vzdrževanje umetne trave".into(),
        };
        store::insert_block(&txn, &b, None, now).await?;
        store::take_slots(&txn, &ground.id, &slots, &Holder::Block(b.id.clone())).await?;
    }
    txn.commit().await?;
    Ok(true)
}
