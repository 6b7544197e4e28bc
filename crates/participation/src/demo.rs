//! Demo data of Ptuj (marked `demo = 1`): proposals with answers, an open
//! survey and a closed one with results, answered questions about parking,
//! waste collection, roads and kindergarten enrolment. Loaded once, into an
//! empty participation.

use crate::model::{Answer, Area, ProposalKind, ProposalStatus, QuestionKind, SurveyDef, SurveyQuestion, Text};
use crate::store::{self, Proposal, ProposalAnswer, Question, QuestionStatus};
use kernel::{Ctx, Lang, Timestamp};
use std::time::Duration;

const DAY: u64 = 86_400;

fn t(sl: &str, en: &str) -> Text {
    Text::new(&[(Lang::Sl, sl), (Lang::En, en)])
}

/// (kind, area, title, text, place, days ago, answer: (status, text, days after))
type DemoProposal = (ProposalKind, Area, &'static str, &'static str, Option<&'static str>, u64, Option<(ProposalStatus, &'static str, u64)>);

const PROPOSALS: &[DemoProposal] = &[
    (
        ProposalKind::Proposal,
        Area::Mobility,
        "Več kolesarskih stojal pri tržnici",
        "Ob tržnih dneh na Novem trgu ni prostora za kolesa, zato jih ljudje priklepajo na ograje. Predlagam vsaj dvajset novih stojal.",
        Some("Novi trg"),
        40,
        Some((ProposalStatus::UnderConsideration, "Hvala za predlog. Stojala bomo uvrstili v načrt ureditve Novega trga za prihodnje leto.", 9)),
    ),
    (
        ProposalKind::Initiative,
        Area::Environment,
        "Drevored ob Ormoški cesti",
        "Ormoška cesta je poleti vroča in brez sence. Pobuda za zasaditev drevoreda od krožišča do Rogoznice.",
        Some("Ormoška cesta"),
        75,
        Some((ProposalStatus::Answered, "Zasaditev je predvidena ob prenovi pločnikov; dela se začnejo jeseni, ko bo izbran izvajalec.", 14)),
    ),
    (
        ProposalKind::Proposal,
        Area::Administration,
        "Uradne ure tudi v soboto dopoldne",
        "Zaposleni težko pridemo na občino med tednom. Predlagam uradne ure vsako prvo soboto v mesecu.",
        None,
        20,
        Some((
            ProposalStatus::Rejected,
            "Sobotnih uradnih ur zaradi kadrovskih omejitev ne bomo uvedli; večino vlog pa je že mogoče oddati na tem portalu ob katerem koli času.",
            6,
        )),
    ),
    (
        ProposalKind::Proposal,
        Area::Health,
        "Defibrilator na Mestnem trgu",
        "Na Mestnem trgu je ob prireditvah veliko ljudi, najbližji javni defibrilator pa je daleč. Predlagam namestitev AED ob mestni hiši.",
        Some("Mestni trg"),
        5,
        None,
    ),
];

/// (title, text, answer, days ago asked, hours to the answer)
const QUESTIONS: &[(&str, &str, &str, u64, u64)] = &[
    (
        "Parkiranje v starem mestnem jedru ob sobotah",
        "Ali je treba parkiranje na Minoritskem trgu plačati tudi ob sobotah?",
        "Parkiranje v modri coni je ob sobotah plačljivo od 7. do 12. ure, potem je brezplačno. Ob nedeljah in praznikih se ne plača.",
        60,
        20,
    ),
    (
        "Kje lahko parkiram med Kurentovanjem?",
        "Med Kurentovanjem je center zaprt. Kje so parkirišča za obiskovalce?",
        "Med prireditvijo so na voljo parkirišča pri Ptujskem jezeru in na sejmišču; od tam vozi brezplačni avtobus vsakih 15 minut.",
        45,
        30,
    ),
    (
        "Odvoz kosovnih odpadkov",
        "Kako naročim odvoz kosovnih odpadkov in koliko stane?",
        "Enkrat na leto je odvoz kosovnih odpadkov brezplačen. Naročite ga pri izvajalcu javne službe; odpadke pustite pred hišo na dan odvoza.",
        90,
        48,
    ),
    (
        "Zakaj smeti niso bile odpeljane?",
        "V naši ulici smetnjaki za mešane odpadke niso bili izpraznjeni po urniku.",
        "Odvoz je zamujal zaradi okvare vozila; zamujeni odvoz je bil opravljen naslednji dan. Urnik odvoza odpadkov je objavljen na spletni strani izvajalca.",
        12,
        8,
    ),
    (
        "Luknje na cesti v Rogoznici",
        "Na Rogozniški cesti so po zimi velike luknje. Kdaj jih bodo popravili?",
        "Popravilo udarnih jam na občinskih cestah poteka spomladi; Rogozniška cesta je na seznamu za april.",
        30,
        72,
    ),
    (
        "Vpis otroka v vrtec",
        "Do kdaj je treba oddati vlogo za vpis otroka v vrtec za novo šolsko leto?",
        "Redni vpis v Vrtec Ptuj poteka do konca marca; vloge, oddane pozneje, se upoštevajo glede na prosta mesta.",
        100,
        24,
    ),
];

fn open_survey(now: Timestamp) -> SurveyDef {
    SurveyDef {
        title: t("Promet v starem mestnem jedru", "Traffic in the old town"),
        description: t(
            "Pomagajte nam načrtovati promet in parkiranje v starem mestnem jedru Ptuja. Anketa traja pet minut.",
            "Help us plan traffic and parking in Ptuj's old town. The survey takes five minutes.",
        ),
        opens_at: now.minus(Duration::from_secs(3 * DAY)),
        closes_at: now.plus(Duration::from_secs(30 * DAY)),
        public_results: true,
        questions: vec![
            SurveyQuestion {
                prompt: t("Kako najpogosteje pridete v staro mestno jedro?", "How do you usually come to the old town?"),
                required: true,
                kind: QuestionKind::Single {
                    options: vec![t("Peš", "On foot"), t("S kolesom", "By bicycle"), t("Z avtomobilom", "By car"), t("Z avtobusom", "By bus")],
                },
            },
            SurveyQuestion {
                prompt: t("Kaj bi izboljšalo vaš obisk?", "What would make your visit better?"),
                required: false,
                kind: QuestionKind::Multiple {
                    options: vec![
                        t("Več kolesarskih stojal", "More bicycle stands"),
                        t("Več klopi in sence", "More benches and shade"),
                        t("Cenejše parkiranje", "Cheaper parking"),
                        t("Manj avtomobilov", "Fewer cars"),
                    ],
                },
            },
            SurveyQuestion {
                prompt: t("Kako ste zadovoljni s parkiranjem?", "How satisfied are you with parking?"),
                required: true,
                kind: QuestionKind::Scale {
                    min: 1,
                    max: 5,
                    min_label: t("Zelo nezadovoljen", "Very dissatisfied"),
                    max_label: t("Zelo zadovoljen", "Very satisfied"),
                },
            },
            SurveyQuestion { prompt: t("Vaši predlogi", "Your suggestions"), required: false, kind: QuestionKind::Text },
        ],
    }
}

fn closed_survey(now: Timestamp) -> SurveyDef {
    SurveyDef {
        title: t("Knjižnica Ivana Potrča: odpiralni čas", "Ivan Potrč Library: opening hours"),
        description: t("Kdaj bi najraje obiskali knjižnico?", "When would you rather visit the library?"),
        opens_at: now.minus(Duration::from_secs(60 * DAY)),
        closes_at: now.minus(Duration::from_secs(30 * DAY)),
        public_results: true,
        questions: vec![
            SurveyQuestion {
                prompt: t("Kdaj bi najraje obiskali knjižnico?", "When would you rather visit?"),
                required: true,
                kind: QuestionKind::Single {
                    options: vec![
                        t("Dopoldne", "In the morning"),
                        t("Popoldne", "In the afternoon"),
                        t("Zvečer", "In the evening"),
                        t("Ob sobotah", "On Saturdays"),
                    ],
                },
            },
            SurveyQuestion {
                prompt: t("Kako ocenjujete sedanji odpiralni čas?", "How do you rate the present opening hours?"),
                required: true,
                kind: QuestionKind::Scale { min: 1, max: 5, min_label: t("Slabo", "Poor"), max_label: t("Odlično", "Excellent") },
            },
            SurveyQuestion { prompt: t("Kaj še pogrešate?", "What else do you miss?"), required: false, kind: QuestionKind::Text },
        ],
    }
}

/// The closed survey's demo answers: (choice, rating, remark).
const CLOSED_ANSWERS: &[(usize, i64, Option<&str>)] = &[
    (2, 3, Some("Daljši odpiralni čas ob petkih.")),
    (1, 4, None),
    (2, 2, Some("Odprto tudi ob nedeljah dopoldne.")),
    (3, 3, None),
    (1, 4, Some("Več prostora za učenje.")),
    (2, 3, None),
    (0, 5, None),
    (3, 2, Some("Sobotni odpiralni čas do 17. ure.")),
    (2, 3, None),
    (1, 4, None),
    (2, 2, None),
    (3, 3, Some("Knjigomat pred vhodom.")),
];

/// Load the demo once (nothing happens when participation holds anything).
pub async fn load(ctx: &Ctx) -> anyhow::Result<bool> {
    if store::has_demo(ctx.db.conn()).await? {
        return Ok(false);
    }
    let now = ctx.now();
    let ago = |days: u64| now.minus(Duration::from_secs(days * DAY));
    let config = crate::service::config(ctx).map_err(|e| anyhow::anyhow!("{}", e.code))?;
    let txn = ctx.db.begin().await?;
    for (kind, area, title, text, place, days, answer) in PROPOSALS {
        let created = ago(*days);
        let mut p = Proposal {
            id: store::id_at(created),
            author_id: None,
            kind: *kind,
            area: *area,
            title: title.to_string(),
            body: text.to_string(),
            place: place.map(str::to_string),
            location: None,
            status: ProposalStatus::Submitted,
            answers: 0,
            created_at: created,
            answered_at: None,
        };
        store::insert_proposal(&txn, &p, true).await?;
        if let Some((status, body, after)) = answer {
            let a = ProposalAnswer {
                n: 1,
                status: *status,
                body: body.to_string(),
                department: config.department_of(*area).map(str::to_string),
                created_at: created.plus(Duration::from_secs(after * DAY)),
            };
            store::add_proposal_answer(&txn, &p.id, &a, None).await?;
            p.answers = 1;
        }
    }
    for (title, text, answer, days, hours) in QUESTIONS {
        let created = ago(*days);
        let q = Question {
            id: store::id_at(created),
            author_id: None,
            title: title.to_string(),
            body: text.to_string(),
            status: QuestionStatus::Open,
            answer: None,
            created_at: created,
            answered_at: None,
        };
        store::insert_question(&txn, &q, true).await?;
        store::answer_question(&txn, &q, answer, None, created.plus(Duration::from_secs(hours * 3600))).await?;
    }
    let open = open_survey(now);
    store::insert_survey(&txn, &store::id_at(open.opens_at), &open, None, open.opens_at, true).await?;
    let closed = closed_survey(now);
    let closed_id = store::id_at(closed.opens_at);
    store::insert_survey(&txn, &closed_id, &closed, None, closed.opens_at, true).await?;
    for (i, (choice, rating, remark)) in CLOSED_ANSWERS.iter().enumerate() {
        let answers = vec![Some(Answer::Choice(*choice)), Some(Answer::Value(*rating)), remark.map(|r| Answer::Text(r.to_string()))];
        let who = crate::service::respondent(ctx, &closed_id, &format!("demo-{i}"));
        store::insert_response(&txn, &closed_id, &who, &answers, closed.opens_at.plus(Duration::from_secs(i as u64 * DAY))).await?;
    }
    txn.commit().await?;
    Ok(true)
}
