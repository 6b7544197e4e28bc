//! The digital-maturity questionnaire of public institutions and companies
//! (seed §2.6): seven questions scored 1 (lowest) to 5 (highest); the sum
//! places the organisation in one of five categories, from digital resister
//! (7–12) to digital disruptor (31–35). One answer per organisation and
//! year, so the results show progress year by year; they are published
//! anonymously and only once a year has enough answers that none can be
//! picked out.

use kernel::db::{col, exec, query_all};
use kernel::{Actor, AppError, AppResult, Ctx, Permission};
use sea_orm::{DbErr, QueryResult};
use serde::{Deserialize, Serialize};

/// The seven aspects the questionnaire asks about, in the seed's order.
pub const QUESTIONS: [&str; 7] = ["use", "attitude", "processes", "stakeholders", "talent", "integration", "architecture"];

/// Fewest answers in a year and kind before per-organisation results are shown.
pub const MIN_PUBLISHED: usize = 3;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A public institution or public company.
    Institution,
    Company,
}

impl OrgKind {
    pub fn code(self) -> &'static str {
        match self {
            OrgKind::Institution => "institution",
            OrgKind::Company => "company",
        }
    }
    pub fn parse(s: &str) -> Option<OrgKind> {
        [OrgKind::Institution, OrgKind::Company].into_iter().find(|k| k.code() == s)
    }
}

/// The categories of §2.6 by total score.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Resister,
    Explorer,
    Player,
    Transformer,
    Disruptor,
}

impl Category {
    pub const ALL: [Category; 5] = [Category::Resister, Category::Explorer, Category::Player, Category::Transformer, Category::Disruptor];

    /// 7–12, 13–18, 19–24, 25–30, 31–35.
    pub fn of(total: u32) -> Category {
        match total {
            ..=12 => Category::Resister,
            13..=18 => Category::Explorer,
            19..=24 => Category::Player,
            25..=30 => Category::Transformer,
            _ => Category::Disruptor,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Category::Resister => "resister",
            Category::Explorer => "explorer",
            Category::Player => "player",
            Category::Transformer => "transformer",
            Category::Disruptor => "disruptor",
        }
    }
}

/// One organisation's answers.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct MaturityInput {
    pub kind: OrgKind,
    /// The organisation's name (sealed; never published).
    #[schema(min_length = 1, max_length = 200)]
    pub organisation: String,
    /// Seven scores, 1–5, in the order of the questions.
    #[schema(min_items = 7, max_items = 7)]
    pub answers: Vec<u8>,
}

/// A stored answer as results use it: no name.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Scored {
    pub year: i32,
    pub kind: OrgKind,
    pub number: i64,
    pub answers: Vec<u8>,
    pub total: u32,
    pub category: Category,
}

fn normalized(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn validate(input: &MaturityInput) -> Result<(), Vec<kernel::error::FieldError>> {
    let mut errors = vec![];
    let mut bad = |field: String, code: &str| errors.push(kernel::error::FieldError { field, code: code.into() });
    let name = input.organisation.trim();
    if name.is_empty() {
        bad("organisation".into(), "required");
    } else if name.chars().count() > 200 {
        bad("organisation".into(), "too_long");
    }
    for (i, q) in QUESTIONS.iter().enumerate() {
        match input.answers.get(i) {
            None => bad(format!("q_{q}"), "required"),
            Some(v) if !(1..=5).contains(v) => bad(format!("q_{q}"), "out_of_range"),
            Some(_) => {}
        }
    }
    if input.answers.len() > QUESTIONS.len() {
        bad("answers".into(), "too_many");
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn scored_from(r: &QueryResult) -> Result<Scored, DbErr> {
    let answers: Vec<u8> = serde_json::from_str(&col::<String>(r, "answers")?).map_err(|e| DbErr::Custom(e.to_string()))?;
    let total = answers.iter().map(|&a| u32::from(a)).sum();
    Ok(Scored {
        year: col::<i64>(r, "year")? as i32,
        kind: OrgKind::parse(&col::<String>(r, "kind")?).unwrap_or(OrgKind::Institution),
        number: col(r, "number")?,
        category: Category::of(total),
        answers,
        total,
    })
}

/// A signed-in person answers for their organisation; a second answer for the
/// same organisation in the same year is refused (409).
pub async fn answer(ctx: &Ctx, actor: &Actor, input: MaturityInput) -> AppResult<Scored> {
    let user = actor.check(Permission::ManageOwnAccount)?;
    validate(&input).map_err(AppError::invalid)?;
    let year = crate::service::this_year(ctx.now());
    let index = ctx.keys.blind_index("maturity.organisation", &format!("{year}:{}", normalized(&input.organisation)));
    let id = uuid::Uuid::now_v7().to_string();
    let total: u32 = input.answers.iter().map(|&a| u32::from(a)).sum();
    let txn = ctx.db.begin().await?;
    let numbers = query_all(
        &txn,
        "SELECT COALESCE(MAX(number), 0) AS n FROM maturity_responses WHERE year = $1 AND kind = $2",
        [i64::from(year).into(), input.kind.code().into()],
    )
    .await?;
    let number = numbers.first().map(|r| col::<i64>(r, "n")).transpose()?.unwrap_or(0) + 1;
    let sealed = ctx.keys.encrypt(&format!("maturity_responses.org_name_enc:{id}"), input.organisation.trim());
    let answers = serde_json::to_string(&input.answers).map_err(|e| AppError::from(DbErr::Custom(e.to_string())))?;
    // The unique index refuses a second answer for the organisation and
    // year (also two racing ones): nothing inserted is the 409.
    let inserted = exec(
        &txn,
        "INSERT INTO maturity_responses (id, year, kind, org_index, org_name_enc, number, answers, total, account_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (year, org_index) DO NOTHING",
        [
            id.clone().into(),
            i64::from(year).into(),
            input.kind.code().into(),
            index.into(),
            sealed.into(),
            number.into(),
            answers.into(),
            i64::from(total).into(),
            user.account_id.clone().into(),
            ctx.now().0.into(),
        ],
    )
    .await?;
    if inserted == 0 {
        return Err(AppError::new(axum::http::StatusCode::CONFLICT, "maturity_answered"));
    }
    txn.commit().await?;
    Ok(Scored { year, kind: input.kind, number, answers: input.answers, total, category: Category::of(total) })
}

/// Every answer, by year and label number.
pub async fn all(ctx: &Ctx) -> Result<Vec<Scored>, DbErr> {
    let rows = query_all(ctx.db.conn(), "SELECT year, kind, number, answers FROM maturity_responses ORDER BY year, kind, number", []).await?;
    rows.iter().map(scored_from).collect()
}

/// A year's results as published: counts per category and the mean of each
/// question for everyone; per organisation only with enough answers.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct YearResults {
    pub year: i32,
    pub answers: usize,
    pub mean_total: Option<f64>,
    /// Answers per category, in the order of the categories.
    pub per_category: Vec<(Category, usize)>,
    /// Mean score of each question, in the order of the questions.
    pub per_question: Vec<f64>,
    /// Anonymous per-organisation totals; empty below the publication threshold.
    pub organisations: Vec<Scored>,
}

pub fn results(all: &[Scored], year: i32) -> YearResults {
    let mine: Vec<&Scored> = all.iter().filter(|s| s.year == year).collect();
    let n = mine.len();
    let mean = |f: &dyn Fn(&Scored) -> f64| (n > 0).then(|| mine.iter().map(|s| f(s)).sum::<f64>() / n as f64);
    let per_question = (0..QUESTIONS.len()).map(|q| mean(&|s: &Scored| f64::from(s.answers[q])).unwrap_or(0.0)).collect();
    let kinds_ok = [OrgKind::Institution, OrgKind::Company].iter().all(|k| {
        let c = mine.iter().filter(|s| s.kind == *k).count();
        c == 0 || c >= MIN_PUBLISHED
    });
    YearResults {
        year,
        answers: n,
        mean_total: mean(&|s: &Scored| f64::from(s.total)),
        per_category: Category::ALL.iter().map(|c| (*c, mine.iter().filter(|s| s.category == *c).count())).collect(),
        per_question,
        organisations: if kinds_ok && n >= MIN_PUBLISHED { mine.into_iter().cloned().collect() } else { vec![] },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(year: i32, kind: OrgKind, number: i64, answers: [u8; 7]) -> Scored {
        let total = answers.iter().map(|&a| u32::from(a)).sum();
        Scored { year, kind, number, answers: answers.to_vec(), total, category: Category::of(total) }
    }

    #[test]
    fn categories_follow_the_seeds_bands() {
        let bands = [
            (7, Category::Resister),
            (12, Category::Resister),
            (13, Category::Explorer),
            (18, Category::Explorer),
            (19, Category::Player),
            (24, Category::Player),
            (25, Category::Transformer),
            (30, Category::Transformer),
            (31, Category::Disruptor),
            (35, Category::Disruptor),
        ];
        for (total, c) in bands {
            assert_eq!(Category::of(total), c, "{total}");
        }
    }

    #[test]
    fn answers_are_seven_scores_of_one_to_five() {
        let ok =
            MaturityInput { kind: OrgKind::Institution, organisation: "Knjižnica Ivana Potrča Ptuj".into(), answers: vec![3, 3, 2, 4, 3, 2, 3] };
        assert!(validate(&ok).is_ok());
        let short = MaturityInput { answers: vec![3, 3], ..ok.clone() };
        let e = validate(&short).unwrap_err();
        assert_eq!(
            e.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
            ["q_processes", "q_stakeholders", "q_talent", "q_integration", "q_architecture"]
        );
        let wild = MaturityInput { answers: vec![0, 6, 3, 3, 3, 3, 3], organisation: " ".into(), ..ok };
        let e = validate(&wild).unwrap_err();
        assert_eq!(
            e.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect::<Vec<_>>(),
            [("organisation", "required"), ("q_use", "out_of_range"), ("q_attitude", "out_of_range")]
        );
    }

    #[test]
    fn results_are_anonymous_and_per_organisation_only_from_three_answers() {
        let two = vec![s(2026, OrgKind::Institution, 1, [2, 2, 2, 2, 2, 2, 2]), s(2026, OrgKind::Institution, 2, [4, 4, 4, 4, 4, 4, 4])];
        let r = results(&two, 2026);
        assert_eq!((r.answers, r.mean_total), (2, Some(21.0)));
        assert!(r.organisations.is_empty(), "two answers could be told apart");
        assert_eq!(r.per_category[1], (Category::Explorer, 1));
        assert_eq!(r.per_category[3], (Category::Transformer, 1));
        assert_eq!(r.per_question, vec![3.0; 7]);
        let mut three = two.clone();
        three.push(s(2026, OrgKind::Institution, 3, [5, 5, 5, 5, 5, 5, 5]));
        three.push(s(2025, OrgKind::Institution, 1, [1, 1, 1, 1, 1, 1, 1]));
        let r = results(&three, 2026);
        assert_eq!(r.organisations.len(), 3);
        assert_eq!(results(&three, 2025).answers, 1, "each year on its own");
        // One company beside three institutions: it would be recognisable.
        three.push(s(2026, OrgKind::Company, 1, [3, 3, 3, 3, 3, 3, 3]));
        assert!(results(&three, 2026).organisations.is_empty());
    }
}
