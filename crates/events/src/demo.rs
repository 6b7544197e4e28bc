//! Demo events of Ptuj (marked `demo = 1`), dated from the day the demo
//! loads: Kurentovanje, Art Stays and Dnevi poezije in vina on their next
//! dates, a concert in the Minoritski samostan, a youth workshop, and an
//! exhibition that runs now with a live guided tour. Loaded once, into no events.

use crate::model::{Access, Audience, Genre, OrganiserKind, Status, Text};
use crate::store::{self, Event};
use chrono::{Datelike, NaiveDate};
use kernel::{Ctx, Lang, Timestamp};

struct Demo {
    title: [&'static str; 4],
    description: [&'static str; 4],
    genre: Genre,
    audience: Audience,
    place: (&'static str, f64, f64),
    organiser: &'static str,
    price_cents: Option<i64>,
    access: &'static [Access],
    when: When,
    stream: Option<&'static str>,
}

/// When a demo event takes place.
enum When {
    /// The next (month, day) from today at this hour, for so many days.
    Yearly(u32, u32, u32, i64),
    /// In so many days from today at this hour, for so many hours.
    InDays(i64, u32, i64),
    /// Started so many days ago, ends in so many days.
    Running(i64, i64),
}

const MESTNI_TRG: (&str, f64, f64) = ("Mestni trg, Ptuj", 46.4199, 15.8700);
const MINORITI: (&str, f64, f64) = ("Minoritski samostan Ptuj", 46.4192, 15.8727);
const GRAD: (&str, f64, f64) = ("Ptujski grad", 46.4221, 15.8694);
const DOMINIKANCI: (&str, f64, f64) = ("Dominikanski samostan Ptuj", 46.4213, 15.8734);
const CID: (&str, f64, f64) = ("Center interesnih dejavnosti Ptuj", 46.4195, 15.8689);

const DEMO: &[Demo] = &[
    Demo {
        title: ["Kurentovanje", "Kurentovanje carnival", "Kurentovanje – Karneval", "Kurentovanje – carnevale"],
        description: [
            "Največji pustni karneval v Sloveniji: kurenti, povorke in koncerti po ulicah starega mestnega jedra.",
            "Slovenia's largest carnival: kurents, parades and concerts in the streets of the old town.",
            "Sloweniens größter Karneval: Kurenten, Umzüge und Konzerte in den Gassen der Altstadt.",
            "Il più grande carnevale della Slovenia: kurenti, sfilate e concerti nelle vie del centro storico.",
        ],
        genre: Genre::Tradition,
        audience: Audience::All,
        place: MESTNI_TRG,
        organiser: "Zavod za turizem Ptuj",
        price_cents: None,
        access: &[Access::Wheelchair],
        when: When::Yearly(2, 6, 10, 11),
        stream: Some("https://stream.example.si/kurentovanje"),
    },
    Demo {
        title: [
            "Art Stays – festival sodobne umetnosti",
            "Art Stays – festival of contemporary art",
            "Art Stays – Festival für zeitgenössische Kunst",
            "",
        ],
        description: [
            "Mednarodni festival sodobne umetnosti z razstavami in performansi po mestu.",
            "An international festival of contemporary art with exhibitions and performances around the town.",
            "Ein internationales Festival zeitgenössischer Kunst mit Ausstellungen und Performances in der ganzen Stadt.",
            "",
        ],
        genre: Genre::Exhibition,
        audience: Audience::Adults,
        place: DOMINIKANCI,
        organiser: "Zavod Art Stays",
        price_cents: None,
        access: &[Access::Wheelchair, Access::AudioDescription],
        when: When::Yearly(7, 3, 18, 14),
        stream: None,
    },
    Demo {
        title: ["Festival Arsana", "Arsana festival", "Festival Arsana", "Festival Arsana"],
        description: [
            "Poletni festival glasbe sveta, plesa in ulične umetnosti na poletnem odru Minoritskega samostana in po starem mestnem jedru.",
            "A summer festival of world music, dance and street art on the summer stage of the Minorite monastery and around the old town.",
            "Ein Sommerfestival für Weltmusik, Tanz und Straßenkunst auf der Sommerbühne des Minoritenklosters und in der Altstadt.",
            "Un festival estivo di world music, danza e arte di strada sul palco estivo del convento dei Minoriti e nel centro storico.",
        ],
        genre: Genre::Music,
        audience: Audience::All,
        place: MINORITI,
        organiser: "Društvo Arsana",
        price_cents: Some(1200),
        access: &[Access::Wheelchair],
        when: When::Yearly(8, 10, 20, 8),
        stream: None,
    },
    Demo {
        title: ["Dnevi poezije in vina", "Days of Poetry and Wine", "Tage der Poesie und des Weines", "Giorni della poesia e del vino"],
        description: [
            "Mednarodni festival poezije: branja domačih in tujih pesnikov ob vinih ptujske vinorodne dežele.",
            "An international poetry festival: readings by Slovenian and foreign poets with wines of the Ptuj wine country.",
            "Ein internationales Lyrikfestival: Lesungen slowenischer und ausländischer Dichter mit Weinen der Region Ptuj.",
            "Un festival internazionale di poesia: letture di poeti sloveni e stranieri con i vini della regione di Ptuj.",
        ],
        genre: Genre::Literature,
        audience: Audience::Adults,
        place: MESTNI_TRG,
        organiser: "Beletrina – Dnevi poezije in vina",
        price_cents: Some(1500),
        access: &[Access::Wheelchair, Access::HearingLoop],
        when: When::Yearly(8, 24, 19, 5),
        stream: None,
    },
    Demo {
        title: [
            "Koncert godalnega kvarteta v Minoritskem samostanu",
            "String quartet concert in the Minorite monastery",
            "Streichquartett im Minoritenkloster",
            "",
        ],
        description: [
            "Haydn, Smetana in Šostakovič v poletni dvorani Minoritskega samostana.",
            "Haydn, Smetana and Shostakovich in the summer refectory of the Minorite monastery.",
            "Haydn, Smetana und Schostakowitsch im Sommerrefektorium des Minoritenklosters.",
            "",
        ],
        genre: Genre::Music,
        audience: Audience::All,
        place: MINORITI,
        organiser: "Glasbena šola Ptuj",
        price_cents: Some(1200),
        access: &[Access::Wheelchair, Access::HearingLoop],
        when: When::InDays(3, 19, 2),
        stream: Some("https://stream.example.si/minoriti"),
    },
    Demo {
        title: ["Delavnica robotike za mlade", "Robotics workshop for young people", "", "Laboratorio di robotica per giovani"],
        description: [
            "Sestavite in sprogramirajte svojega robota. Za mlade od 12 do 18 let, prijava ni potrebna.",
            "Build and program your own robot. For ages 12 to 18, no registration needed.",
            "",
            "Costruite e programmate il vostro robot. Dai 12 ai 18 anni, senza iscrizione.",
        ],
        genre: Genre::Workshop,
        audience: Audience::Youth,
        place: CID,
        organiser: "Center interesnih dejavnosti Ptuj",
        price_cents: None,
        access: &[Access::Wheelchair],
        when: When::InDays(5, 16, 3),
        stream: None,
    },
    Demo {
        title: [
            "Razstava: Kurenti skozi čas",
            "Exhibition: Kurents through time",
            "Ausstellung: Kurenten im Wandel der Zeit",
            "Mostra: i kurenti nel tempo",
        ],
        description: [
            "Maske, kožuhi in zvonci kurentov od 19. stoletja do danes; vsak dan ob 11. uri vodstvo v živo na spletu.",
            "Kurent masks, sheepskins and bells from the 19th century to today; a live guided tour online every day at 11.",
            "Masken, Schafspelze und Glocken der Kurenten vom 19. Jahrhundert bis heute; täglich um 11 Uhr Live-Führung im Netz.",
            "Maschere, pellicce e campanacci dei kurenti dall'Ottocento a oggi; ogni giorno alle 11 visita guidata in diretta.",
        ],
        genre: Genre::Exhibition,
        audience: Audience::All,
        place: GRAD,
        organiser: "Pokrajinski muzej Ptuj-Ormož",
        price_cents: Some(600),
        access: &[Access::Wheelchair, Access::AudioDescription, Access::SignLanguage],
        when: When::Running(10, 40),
        stream: Some("https://stream.example.si/muzej"),
    },
];

fn text(t: &[&str; 4]) -> Text {
    Text::new(&[(Lang::Sl, t[0]), (Lang::En, t[1]), (Lang::De, t[2]), (Lang::It, t[3])])
}

fn at(d: NaiveDate, hour: u32) -> Timestamp {
    Timestamp::from_local(d.and_hms_opt(hour, 0, 0).unwrap_or_default()).unwrap_or_default()
}

const HOUR: i64 = 3_600_000;

fn times(w: &When, now: Timestamp) -> (Timestamp, Timestamp) {
    let today = now.local().date();
    match *w {
        When::Yearly(month, day, hour, days) => {
            let this = NaiveDate::from_ymd_opt(today.year(), month, day).unwrap_or(today);
            let d = if this > today { this } else { NaiveDate::from_ymd_opt(today.year() + 1, month, day).unwrap_or(today) };
            let start = at(d, hour);
            (start, Timestamp(start.0 + days * 24 * HOUR - 8 * HOUR))
        }
        When::InDays(days, hour, hours) => {
            let start = at(today + chrono::Duration::days(days), hour);
            (start, Timestamp(start.0 + hours * HOUR))
        }
        When::Running(ago, ahead) => (at(today - chrono::Duration::days(ago), 9), at(today + chrono::Duration::days(ahead), 18)),
    }
}

/// Load the demo events once; true when loaded.
pub async fn load(ctx: &Ctx) -> anyhow::Result<bool> {
    if store::has_events(ctx.db.conn()).await? {
        return Ok(false);
    }
    let now = ctx.now();
    let txn = ctx.db.begin().await?;
    for (i, d) in DEMO.iter().enumerate() {
        let stamp = Timestamp(now.0 + i as i64);
        let place = store::place_named(&txn, d.place.0, d.place.1, d.place.2, stamp, true).await?;
        let organiser = store::organiser_for(&txn, None, OrganiserKind::LegalEntity, d.organiser, stamp, true).await?;
        let (starts_at, ends_at) = times(&d.when, now);
        let e = Event {
            id: store::id_at(stamp),
            organiser,
            place,
            submitted_by: None,
            genre: d.genre,
            audience: d.audience,
            title: text(&d.title),
            description: text(&d.description),
            price_cents: d.price_cents,
            accessibility: d.access.to_vec(),
            starts_at,
            ends_at,
            stream_url: d.stream.map(str::to_string),
            status: Status::Published,
            reason: None,
            sequence: 0,
            created_at: now,
            updated_at: now,
            published_at: Some(now),
        };
        store::insert_event(&txn, &e, true).await?;
    }
    txn.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_dates_are_ahead_or_running() {
        let now = Timestamp(1_782_900_000_000); // 2026-07-01
        for d in DEMO {
            let (s, e) = times(&d.when, now);
            assert!(s < e && e > now, "{:?}", d.title);
            assert!(!d.title[0].is_empty() && !d.title[1].is_empty() && !d.description[1].is_empty());
        }
        let (s, _) = times(&When::Yearly(2, 6, 10, 11), now);
        assert_eq!(s.local().date(), NaiveDate::from_ymd_opt(2027, 2, 6).unwrap());
        let (s, e) = times(&When::Running(10, 40), now);
        assert!(crate::model::is_live(s, e, now));
    }
}
