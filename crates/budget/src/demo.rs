//! Demo data: a participatory budget of Ptuj for 2026 with five city
//! districts (četrtne skupnosti), their project ideas, ballots and published
//! results; and the 2027 cycle open for voting (an approval ballot of one to
//! three projects, no ballots yet), so a visitor can vote in the demo.
//! Marked `demo` everywhere it is shown; the figures are invented.

use crate::model::{BallotKind, BallotRules, Phase, Review, RuleName};
use crate::store::{self, Area, Ballot, Channel, Cycle, Dates, Project};
use kernel::{AppResult, Ctx};

/// (district, budget in euros, eligible voters, projects: (title, description, location, cost in euros, feasible, reason))
type DemoProject = (&'static str, &'static str, &'static str, i64, bool, Option<&'static str>);
const AREAS: &[(&str, i64, i64, &[DemoProject])] = &[
    (
        "Četrtna skupnost Center",
        40_000,
        3_900,
        &[
            ("Klopi in senca na Mestnem trgu", "Deset klopi in pet dreves v koritih za poletno senco.", "Mestni trg", 18_000, true, None),
            (
                "Pitniki vode v starem mestnem jedru",
                "Trije pitniki vode ob poteh turistov in domačinov.",
                "Slovenski trg, Prešernova ulica",
                12_500,
                true,
                None,
            ),
            ("Kolesarnice ob knjižnici", "Pokrite kolesarnice za 40 koles.", "Knjižnica Ivana Potrča", 22_000, true, None),
            (
                "Podzemna garaža pod gradom",
                "Garaža za 300 vozil.",
                "Grajski hrib",
                4_500_000,
                false,
                Some("Presega proračun in ni v pristojnosti participativnega proračuna."),
            ),
        ],
    ),
    (
        "Četrtna skupnost Breg - Turnišče",
        50_000,
        4_600,
        &[
            ("Otroško igrišče ob Dravi", "Nova igrala za otroke do 12 let.", "Nabrežje Drave", 28_000, true, None),
            ("Razsvetljava pešpoti ob Dravi", "LED svetilke na 600 m poti.", "Pot ob Dravi", 24_000, true, None),
            ("Zunanji fitnes", "Šest naprav za vadbo na prostem.", "Park Turnišče", 15_000, true, None),
        ],
    ),
    (
        "Četrtna skupnost Ljudski vrt",
        45_000,
        4_100,
        &[
            ("Skupnostni vrt", "Dvajset gredic za prebivalce blokov.", "Ob Osnovni šoli Ljudski vrt", 9_000, true, None),
            ("Prenova košarkarskega igrišča", "Nova podlaga in koši.", "Igrišče Ljudski vrt", 26_000, true, None),
            ("Pasji park", "Ograjen prostor za pse s klopmi.", "Zelenica ob Rimski ploščadi", 14_000, true, None),
        ],
    ),
    (
        "Četrtna skupnost Jezero",
        40_000,
        3_200,
        &[
            ("Počivališče ob Ptujskem jezeru", "Klopi, mize in koši ob sprehajalni poti.", "Ptujsko jezero", 16_000, true, None),
            ("Brvi čez jarek", "Dve leseni brvi.", "Jezero, zahodni del", 21_000, true, None),
            ("Čolnarna", "Prostor za čolne in veslače.", "Ptujsko jezero", 35_000, true, None),
        ],
    ),
    (
        "Četrtna skupnost Rogoznica",
        40_000,
        3_500,
        &[
            ("Varna pot v šolo", "Označeni prehodi in utripajoče luči.", "Rogoznica, Mladinska ulica", 19_000, true, None),
            ("Igrišče za balinanje", "Dve stezi za balinanje s senčnico.", "Športni park Rogoznica", 12_000, true, None),
            ("Drevored", "Trideset novih dreves ob cesti.", "Rogoziška cesta", 17_500, true, None),
        ],
    ),
];

/// The 2027 cycle, in its voting phase: (district, budget in euros, eligible voters, projects: (title, description, location, cost in euros)).
type VotingProject = (&'static str, &'static str, &'static str, i64);
const AREAS_2027: &[(&str, i64, i64, &[VotingProject])] = &[
    (
        "Četrtna skupnost Center",
        45_000,
        3_900,
        &[
            ("Zelena streha nad tržnico", "Ozelenjena streha nad pokrito tržnico z zbiralnikom deževnice.", "Tržnica Ptuj", 21_000),
            ("Kolesarski servisni stebrički", "Štirje stebrički z orodjem in tlačilko za kolesa.", "Mestni trg, Slovenski trg", 6_000),
            ("Klopi ob Dravski promenadi", "Dvajset klopi z nasloni in mizami.", "Dravska promenada", 14_000),
            ("Tipne talne oznake v starem mestu", "Vodilne talne oznake za slepe in slabovidne.", "Staro mestno jedro", 18_500),
            ("Knjigobežnice", "Tri omarice za izmenjavo knjig.", "Knjižnica, Mestni trg, Minoritski trg", 3_500),
        ],
    ),
    (
        "Četrtna skupnost Breg - Turnišče",
        50_000,
        4_600,
        &[
            ("Senčnice na otroškem igrišču", "Platnene senčnice nad igrali.", "Nabrežje Drave", 12_000),
            ("Prostor za piknik", "Mize, klopi in ognjišče ob Dravi.", "Park Turnišče", 16_000),
            ("Pumptrack za kolesa in rolke", "Asfaltirana valovita proga za vse starosti.", "Breg, ob športnem parku", 38_000),
            ("Javni pitnik ob sprehajalni poti", "Pitnik s pipo za pse.", "Pot ob Dravi", 5_500),
        ],
    ),
];

/// Load the demo cycles when there is no cycle at all. Returns whether it did.
pub async fn load_if_empty(ctx: &Ctx) -> AppResult<bool> {
    if store::any_cycle(ctx.db.conn()).await? {
        return Ok(false);
    }
    load_2026(ctx).await?;
    load_2027(ctx).await?;
    Ok(true)
}

async fn load_2026(ctx: &Ctx) -> AppResult<()> {
    let now = ctx.now();
    let cycle = Cycle {
        id: uuid::Uuid::now_v7().to_string(),
        year: 2026,
        title: "Participativni proračun Mestne občine Ptuj 2026".into(),
        description:
            "Prebivalci Ptuja so predlagali in izbrali projekte za svoje četrtne skupnosti. (Demo podatki: projekti in glasovi so izmišljeni.)".into(),
        phase: Phase::Results,
        dates: Dates {
            submission_from: Some("2026-02-01".into()),
            submission_to: Some("2026-03-15".into()),
            review_to: Some("2026-04-30".into()),
            voting_from: Some("2026-05-11".into()),
            voting_to: Some("2026-05-24".into()),
            results_on: Some("2026-06-05".into()),
        },
        ballot: BallotRules { kind: BallotKind::Approval, min_projects: 1, max_projects: 2, total_points: 10, max_points_per_project: 5 },
        rule: RuleName::Greedy,
        threshold: None,
        min_age: 15,
        resident_postcodes: vec!["2250".into()],
        demo: true,
    };
    let txn = ctx.db.begin().await?;
    store::insert_cycle(&txn, &cycle, now).await?;
    let mut seed: u64 = 2026;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for (name, budget, eligible, projects) in AREAS {
        let area = Area {
            id: uuid::Uuid::now_v7().to_string(),
            cycle_id: cycle.id.clone(),
            name: (*name).into(),
            budget_cents: budget * 100,
            eligible_voters: Some(*eligible),
            position: 0,
        };
        store::insert_area(&txn, &area).await?;
        let mut numbers = vec![];
        for (title, description, location, cost, feasible, reason) in projects.iter() {
            let p = Project {
                id: uuid::Uuid::now_v7().to_string(),
                cycle_id: cycle.id.clone(),
                area_id: area.id.clone(),
                number: 0,
                title: (*title).into(),
                description: (*description).into(),
                location: Some((*location).into()),
                estimated_cents: cost * 100,
                cost_cents: None,
                review: if *feasible { Review::Feasible } else { Review::NotFeasible },
                review_reason: reason.map(str::to_string),
                reviewed_at: Some(now),
                submitted_by: None,
                submitted_at: now,
            };
            let n = store::insert_project(&txn, &p).await?;
            if *feasible {
                numbers.push(n);
            }
        }
        // Some 5–8 % of the eligible vote, a fifth of them on paper.
        let voters = (*eligible as usize) * (5 + next() % 4) / 100;
        let mut ballots = vec![];
        for i in 0..voters {
            // Earlier projects of a district are a little more popular.
            let first = numbers[next() % numbers.len()].min(numbers[next() % numbers.len()]);
            let mut vote = vec![first];
            if next() % 2 == 0 {
                let second = numbers[next() % numbers.len()];
                if second != first {
                    vote.push(second);
                }
            }
            let channel = if i % 5 == 0 { Channel::Paper } else { Channel::Online };
            ballots.push(Ballot { id: uuid::Uuid::new_v4().to_string(), area_id: area.id.clone(), channel, vote, points: None });
        }
        store::insert_ballots(&txn, &cycle.id, &ballots).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn load_2027(ctx: &Ctx) -> AppResult<()> {
    let now = ctx.now();
    let cycle = Cycle {
        id: uuid::Uuid::now_v7().to_string(),
        year: 2027,
        title: "Participativni proračun Mestne občine Ptuj 2027".into(),
        description: "Glasovanje je odprto: izberite od enega do treh projektov v svoji četrtni skupnosti. \
                      (Demo podatki: projekti so izmišljeni, glasove lahko oddate za preizkus.)"
            .into(),
        phase: Phase::Voting,
        dates: Dates {
            submission_from: Some("2026-09-01".into()),
            submission_to: Some("2026-10-15".into()),
            review_to: Some("2026-11-15".into()),
            voting_from: Some("2026-11-23".into()),
            voting_to: Some("2027-01-31".into()),
            results_on: Some("2027-02-15".into()),
        },
        ballot: BallotRules { kind: BallotKind::Approval, min_projects: 1, max_projects: 3, total_points: 10, max_points_per_project: 5 },
        rule: RuleName::Greedy,
        threshold: None,
        min_age: 15,
        resident_postcodes: vec!["2250".into()],
        demo: true,
    };
    let txn = ctx.db.begin().await?;
    store::insert_cycle(&txn, &cycle, now).await?;
    for (name, budget, eligible, projects) in AREAS_2027 {
        let area = Area {
            id: uuid::Uuid::now_v7().to_string(),
            cycle_id: cycle.id.clone(),
            name: (*name).into(),
            budget_cents: budget * 100,
            eligible_voters: Some(*eligible),
            position: 0,
        };
        store::insert_area(&txn, &area).await?;
        for (title, description, location, cost) in projects.iter() {
            let p = Project {
                id: uuid::Uuid::now_v7().to_string(),
                cycle_id: cycle.id.clone(),
                area_id: area.id.clone(),
                number: 0,
                title: (*title).into(),
                description: (*description).into(),
                location: Some((*location).into()),
                estimated_cents: cost * 100,
                cost_cents: None,
                review: Review::Feasible,
                review_reason: None,
                reviewed_at: Some(now),
                submitted_by: None,
                submitted_at: now,
            };
            store::insert_project(&txn, &p).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
