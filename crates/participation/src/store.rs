//! The SQL of participation, for both backends. The only place that touches its tables.

use crate::model::{Answer, Area, Location, ProposalKind, ProposalStatus, SurveyDef, SurveyQuestion, Text};
use crate::stem;
use kernel::Timestamp;
use kernel::db::{col, exec, opt_i64, opt_str, query_all, query_opt};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use std::collections::BTreeMap;

fn json_err(e: serde_json::Error) -> DbErr {
    DbErr::Custom(e.to_string())
}

/// An id that sorts by time: a UUIDv7 of the given moment (demo data is dated in the past).
pub fn id_at(at: Timestamp) -> String {
    let secs = (at.0.max(0) / 1000) as u64;
    let nanos = ((at.0.max(0) % 1000) * 1_000_000) as u32;
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos)).to_string()
}

// ---- proposals ----

#[derive(Clone, Debug)]
pub struct Proposal {
    pub id: String,
    pub author_id: Option<String>,
    pub kind: ProposalKind,
    pub area: Area,
    pub title: String,
    pub body: String,
    pub place: Option<String>,
    pub location: Option<Location>,
    pub status: ProposalStatus,
    pub answers: i64,
    pub created_at: Timestamp,
    pub answered_at: Option<Timestamp>,
}

fn proposal_from(r: &QueryResult) -> Result<Proposal, DbErr> {
    let location = match (col::<Option<f64>>(r, "lat")?, col::<Option<f64>>(r, "lon")?) {
        (Some(lat), Some(lon)) => Some(Location { lat, lon }),
        _ => None,
    };
    Ok(Proposal {
        id: col(r, "id")?,
        author_id: col(r, "author_id")?,
        kind: ProposalKind::parse(&col::<String>(r, "kind")?).unwrap_or(ProposalKind::Proposal),
        area: Area::parse(&col::<String>(r, "area")?).unwrap_or(Area::Administration),
        title: col(r, "title")?,
        body: col(r, "body")?,
        place: col(r, "place")?,
        location,
        status: ProposalStatus::parse(&col::<String>(r, "status")?).unwrap_or(ProposalStatus::Submitted),
        answers: col(r, "answers")?,
        created_at: Timestamp(col(r, "created_at")?),
        answered_at: col::<Option<i64>>(r, "answered_at")?.map(Timestamp),
    })
}

pub async fn insert_proposal<C: ConnectionTrait>(c: &C, p: &Proposal, demo: bool) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO participation_proposals (id, author_id, kind, area, title, body, place, lat, lon, status, answers, created_at, answered_at, demo) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        [
            p.id.clone().into(),
            opt_str(p.author_id.clone()),
            p.kind.code().into(),
            p.area.code().into(),
            p.title.clone().into(),
            p.body.clone().into(),
            opt_str(p.place.clone()),
            Value::Double(p.location.map(|l| l.lat)),
            Value::Double(p.location.map(|l| l.lon)),
            p.status.code().into(),
            p.answers.into(),
            p.created_at.0.into(),
            opt_i64(p.answered_at.map(|t| t.0)),
            (demo as i64).into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn proposal<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Proposal>, DbErr> {
    query_opt(c, "SELECT * FROM participation_proposals WHERE id = $1", [id.into()]).await?.map(|r| proposal_from(&r)).transpose()
}

/// Locked for an answer (PostgreSQL: no two answers take the same number).
pub async fn proposal_for_update<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Proposal>, DbErr> {
    let sql = format!("SELECT * FROM participation_proposals WHERE id = $1{}", kernel::db::for_update(c));
    query_opt(c, &sql, [id.into()]).await?.map(|r| proposal_from(&r)).transpose()
}

/// Newest first; `before` is the last id of the previous page.
pub async fn proposals<C: ConnectionTrait>(
    c: &C,
    area: Option<Area>,
    status: Option<ProposalStatus>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<Proposal>, DbErr> {
    let mut sql = String::from("SELECT * FROM participation_proposals WHERE 1 = 1");
    let mut values: Vec<Value> = vec![];
    if let Some(a) = area {
        values.push(a.code().into());
        sql.push_str(&format!(" AND area = ${}", values.len()));
    }
    if let Some(s) = status {
        values.push(s.code().into());
        sql.push_str(&format!(" AND status = ${}", values.len()));
    }
    if let Some(b) = before {
        values.push(b.into());
        sql.push_str(&format!(" AND id < ${}", values.len()));
    }
    values.push(limit.into());
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", values.len()));
    query_all(c, &sql, values).await?.iter().map(proposal_from).collect()
}

/// Waiting for an answer, oldest first, in the given areas.
pub async fn waiting_proposals<C: ConnectionTrait>(c: &C, areas: &[Area]) -> Result<Vec<Proposal>, DbErr> {
    if areas.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=areas.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT * FROM participation_proposals WHERE status = 'submitted' AND area IN ({}) ORDER BY id LIMIT 200", marks.join(", "));
    query_all(c, &sql, areas.iter().map(|a| a.code().into()).collect::<Vec<Value>>()).await?.iter().map(proposal_from).collect()
}

pub async fn proposals_of<C: ConnectionTrait>(c: &C, author: &str) -> Result<Vec<Proposal>, DbErr> {
    query_all(c, "SELECT * FROM participation_proposals WHERE author_id = $1 ORDER BY id DESC LIMIT 200", [author.into()])
        .await?
        .iter()
        .map(proposal_from)
        .collect()
}

/// How many a person submitted since `since` (proposals and questions), for the daily limit.
pub async fn submitted_since<C: ConnectionTrait>(c: &C, author: &str, since: Timestamp) -> Result<i64, DbErr> {
    let r = query_opt(
        c,
        "SELECT (SELECT COUNT(*) FROM participation_proposals WHERE author_id = $1 AND created_at >= $2) + \
         (SELECT COUNT(*) FROM participation_questions WHERE author_id = $1 AND created_at >= $2) AS n",
        [author.into(), since.0.into()],
    )
    .await?;
    r.map(|r| col(&r, "n")).transpose().map(Option::unwrap_or_default)
}

#[derive(Clone, Debug)]
pub struct ProposalAnswer {
    pub n: i64,
    pub status: ProposalStatus,
    pub body: String,
    pub department: Option<String>,
    pub created_at: Timestamp,
}

/// Add answer number `n` and set the proposal's status.
pub async fn add_proposal_answer<C: ConnectionTrait>(c: &C, proposal_id: &str, a: &ProposalAnswer, answered_by: Option<&str>) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO participation_proposal_answers (proposal_id, n, status, body, department, answered_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            proposal_id.into(),
            a.n.into(),
            a.status.code().into(),
            a.body.clone().into(),
            opt_str(a.department.clone()),
            opt_str(answered_by.map(str::to_string)),
            a.created_at.0.into(),
        ],
    )
    .await?;
    exec(
        c,
        "UPDATE participation_proposals SET status = $2, answers = $3, answered_at = COALESCE(answered_at, $4) WHERE id = $1",
        [proposal_id.into(), a.status.code().into(), a.n.into(), a.created_at.0.into()],
    )
    .await
    .map(|_| ())
}

pub async fn proposal_answers<C: ConnectionTrait>(c: &C, proposal_id: &str) -> Result<Vec<ProposalAnswer>, DbErr> {
    let rows = query_all(c, "SELECT * FROM participation_proposal_answers WHERE proposal_id = $1 ORDER BY n", [proposal_id.into()]).await?;
    rows.iter()
        .map(|r| {
            Ok(ProposalAnswer {
                n: col(r, "n")?,
                status: ProposalStatus::parse(&col::<String>(r, "status")?).unwrap_or(ProposalStatus::Answered),
                body: col(r, "body")?,
                department: col(r, "department")?,
                created_at: Timestamp(col(r, "created_at")?),
            })
        })
        .collect()
}

/// (created_at, author) of every proposal, for the KPIs.
pub async fn proposal_dates<C: ConnectionTrait>(c: &C) -> Result<Vec<(Timestamp, Option<String>)>, DbErr> {
    let rows = query_all(c, "SELECT created_at, author_id FROM participation_proposals", []).await?;
    rows.iter().map(|r| Ok((Timestamp(col(r, "created_at")?), col(r, "author_id")?))).collect()
}

pub async fn has_demo<C: ConnectionTrait>(c: &C) -> Result<bool, DbErr> {
    let r = query_opt(
        c,
        "SELECT (SELECT COUNT(*) FROM participation_proposals) + (SELECT COUNT(*) FROM participation_surveys) + \
         (SELECT COUNT(*) FROM participation_questions) AS n",
        [],
    )
    .await?;
    Ok(r.map(|r| col::<i64>(&r, "n")).transpose()?.unwrap_or(0) > 0)
}

// ---- surveys ----

#[derive(Clone, Debug)]
pub struct Survey {
    pub id: String,
    pub def: SurveyDef,
    pub created_at: Timestamp,
    pub responses: i64,
}

fn survey_from(r: &QueryResult) -> Result<Survey, DbErr> {
    let text = |name: &str| -> Result<Text, DbErr> { serde_json::from_str(&col::<String>(r, name)?).map_err(json_err) };
    let questions: Vec<SurveyQuestion> = serde_json::from_str(&col::<String>(r, "questions")?).map_err(json_err)?;
    Ok(Survey {
        id: col(r, "id")?,
        def: SurveyDef {
            title: text("title")?,
            description: text("description")?,
            opens_at: Timestamp(col(r, "opens_at")?),
            closes_at: Timestamp(col(r, "closes_at")?),
            public_results: col::<i64>(r, "public_results")? != 0,
            questions,
        },
        created_at: Timestamp(col(r, "created_at")?),
        responses: col(r, "responses")?,
    })
}

const SURVEY_COLUMNS: &str = "s.*, (SELECT COUNT(*) FROM participation_responses r WHERE r.survey_id = s.id) AS responses";

pub async fn insert_survey<C: ConnectionTrait>(c: &C, id: &str, d: &SurveyDef, by: Option<&str>, now: Timestamp, demo: bool) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO participation_surveys (id, title, description, questions, opens_at, closes_at, public_results, created_by, created_at, demo) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            id.into(),
            serde_json::to_string(&d.title).map_err(json_err)?.into(),
            serde_json::to_string(&d.description).map_err(json_err)?.into(),
            serde_json::to_string(&d.questions).map_err(json_err)?.into(),
            d.opens_at.0.into(),
            d.closes_at.0.into(),
            (d.public_results as i64).into(),
            opt_str(by.map(str::to_string)),
            now.0.into(),
            (demo as i64).into(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn survey<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Survey>, DbErr> {
    let sql = format!("SELECT {SURVEY_COLUMNS} FROM participation_surveys s WHERE s.id = $1");
    query_opt(c, &sql, [id.into()]).await?.map(|r| survey_from(&r)).transpose()
}

/// Every survey, the latest closing first.
pub async fn surveys<C: ConnectionTrait>(c: &C, limit: i64) -> Result<Vec<Survey>, DbErr> {
    let sql = format!("SELECT {SURVEY_COLUMNS} FROM participation_surveys s ORDER BY s.closes_at DESC, s.id DESC LIMIT $1");
    query_all(c, &sql, [limit.into()]).await?.iter().map(survey_from).collect()
}

/// Store a response; false when this respondent answered already (the UNIQUE constraint decides).
pub async fn insert_response<C: ConnectionTrait>(
    c: &C,
    survey_id: &str,
    respondent: &str,
    answers: &[Option<Answer>],
    now: Timestamp,
) -> Result<Option<String>, DbErr> {
    let id = uuid::Uuid::new_v4().to_string();
    let n = exec(
        c,
        "INSERT INTO participation_responses (id, survey_id, respondent, answers, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (survey_id, respondent) DO NOTHING",
        [id.clone().into(), survey_id.into(), respondent.into(), serde_json::to_string(answers).map_err(json_err)?.into(), now.0.into()],
    )
    .await?;
    Ok((n > 0).then_some(id))
}

pub async fn has_responded<C: ConnectionTrait>(c: &C, survey_id: &str, respondent: &str) -> Result<bool, DbErr> {
    Ok(query_opt(c, "SELECT id FROM participation_responses WHERE survey_id = $1 AND respondent = $2", [survey_id.into(), respondent.into()])
        .await?
        .is_some())
}

/// One respondent's response to a survey: when, and the answers.
pub async fn response_of<C: ConnectionTrait>(c: &C, survey_id: &str, respondent: &str) -> Result<Option<(Timestamp, Vec<Option<Answer>>)>, DbErr> {
    let Some(r) = query_opt(
        c,
        "SELECT created_at, answers FROM participation_responses WHERE survey_id = $1 AND respondent = $2",
        [survey_id.into(), respondent.into()],
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some((Timestamp(col(&r, "created_at")?), serde_json::from_str(&col::<String>(&r, "answers")?).map_err(json_err)?)))
}

/// Every response of a survey, oldest first: (random id, time, answers).
pub async fn responses<C: ConnectionTrait>(c: &C, survey_id: &str) -> Result<Vec<(String, Timestamp, Vec<Option<Answer>>)>, DbErr> {
    let rows =
        query_all(c, "SELECT id, created_at, answers FROM participation_responses WHERE survey_id = $1 ORDER BY created_at, id", [survey_id.into()])
            .await?;
    rows.iter()
        .map(|r| Ok((col(r, "id")?, Timestamp(col(r, "created_at")?), serde_json::from_str(&col::<String>(r, "answers")?).map_err(json_err)?)))
        .collect()
}

/// Times of all responses, for the KPIs.
pub async fn response_dates<C: ConnectionTrait>(c: &C) -> Result<Vec<Timestamp>, DbErr> {
    let rows = query_all(c, "SELECT created_at FROM participation_responses", []).await?;
    rows.iter().map(|r| Ok(Timestamp(col(r, "created_at")?))).collect()
}

// ---- questions ----

#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatus {
    /// Waiting for an answer; only its author and staff see it.
    Open,
    /// Answered and public.
    Answered,
}

#[derive(Clone, Debug)]
pub struct Question {
    pub id: String,
    pub author_id: Option<String>,
    pub title: String,
    pub body: String,
    pub status: QuestionStatus,
    pub answer: Option<String>,
    pub created_at: Timestamp,
    pub answered_at: Option<Timestamp>,
}

fn question_from(r: &QueryResult) -> Result<Question, DbErr> {
    Ok(Question {
        id: col(r, "id")?,
        author_id: col(r, "author_id")?,
        title: col(r, "title")?,
        body: col(r, "body")?,
        status: if col::<String>(r, "status")? == "answered" { QuestionStatus::Answered } else { QuestionStatus::Open },
        answer: col(r, "answer")?,
        created_at: Timestamp(col(r, "created_at")?),
        answered_at: col::<Option<i64>>(r, "answered_at")?.map(Timestamp),
    })
}

pub async fn insert_question<C: ConnectionTrait>(c: &C, q: &Question, demo: bool) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO participation_questions (id, author_id, title, body, status, answer, created_at, answered_at, demo) VALUES ($1, $2, $3, $4, 'open', NULL, $5, NULL, $6)",
        [q.id.clone().into(), opt_str(q.author_id.clone()), q.title.clone().into(), q.body.clone().into(), q.created_at.0.into(), (demo as i64).into()],
    )
    .await
    .map(|_| ())
}

pub async fn question<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Question>, DbErr> {
    query_opt(c, "SELECT * FROM participation_questions WHERE id = $1", [id.into()]).await?.map(|r| question_from(&r)).transpose()
}

pub async fn question_for_update<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<Question>, DbErr> {
    let sql = format!("SELECT * FROM participation_questions WHERE id = $1{}", kernel::db::for_update(c));
    query_opt(c, &sql, [id.into()]).await?.map(|r| question_from(&r)).transpose()
}

/// Publish the answer (with the title and text as published) and index the question.
pub async fn answer_question<C: ConnectionTrait>(c: &C, q: &Question, answer: &str, by: Option<&str>, now: Timestamp) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE participation_questions SET status = 'answered', title = $2, body = $3, answer = $4, answered_by = $5, \
         answered_at = COALESCE(answered_at, $6) WHERE id = $1",
        [q.id.clone().into(), q.title.clone().into(), q.body.clone().into(), answer.into(), opt_str(by.map(str::to_string)), now.0.into()],
    )
    .await?;
    index_question(c, &q.id, &q.title, &[&q.body, answer]).await
}

/// Title words weigh this much more than words of the text and answer.
pub const TITLE_WEIGHT: i64 = 3;
pub const TEXT_WEIGHT: i64 = 1;

/// The stems of a question with the weight of the best field each is in.
pub fn index_terms(title: &str, texts: &[&str]) -> BTreeMap<String, i64> {
    let mut terms: BTreeMap<String, i64> = BTreeMap::new();
    for t in stem::terms(title) {
        terms.insert(t, TITLE_WEIGHT);
    }
    for text in texts {
        for t in stem::terms(text) {
            terms.entry(t).or_insert(TEXT_WEIGHT);
        }
    }
    terms
}

/// Replace a question's entries in the inverted index.
pub async fn index_question<C: ConnectionTrait>(c: &C, id: &str, title: &str, texts: &[&str]) -> Result<(), DbErr> {
    exec(c, "DELETE FROM participation_terms WHERE question_id = $1", [id.into()]).await?;
    let terms: Vec<(String, i64)> = index_terms(title, texts).into_iter().collect();
    for chunk in terms.chunks(200) {
        let mut sql = String::from("INSERT INTO participation_terms (question_id, term, folded, weight) VALUES ");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (i, (term, weight)) in chunk.iter().enumerate() {
            let b = i * 4;
            sql.push_str(&format!("{}(${}, ${}, ${}, ${})", if i == 0 { "" } else { ", " }, b + 1, b + 2, b + 3, b + 4));
            values.extend([id.into(), term.clone().into(), stem::fold(term).into(), (*weight).into()]);
        }
        exec(c, &sql, values).await?;
    }
    Ok(())
}

/// Answered questions matching a query, best first: for each query term the
/// best weight it has in the question (title 3, text or answer 1), summed.
/// A term typed with č/š/ž matches only that spelling; one typed without
/// also matches the spelling with them.
pub async fn search<C: ConnectionTrait>(c: &C, query: &str, limit: i64) -> Result<Vec<(Question, i64)>, DbErr> {
    let terms: Vec<String> = stem::terms(query).into_iter().take(20).collect();
    if terms.is_empty() {
        return Ok(vec![]);
    }
    let mut values: Vec<Value> = vec![];
    let mut conds = vec![];
    for t in &terms {
        values.push(if stem::has_diacritics(t) { t.clone() } else { stem::fold(t) }.into());
        conds.push(if stem::has_diacritics(t) { format!("term = ${}", values.len()) } else { format!("folded = ${}", values.len()) });
    }
    values.push(limit.into());
    let sql = format!(
        "SELECT q.*, m.score FROM (\
           SELECT question_id, CAST(SUM(w) AS BIGINT) AS score FROM (\
             SELECT question_id, folded, MAX(weight) AS w FROM participation_terms WHERE {} GROUP BY question_id, folded\
           ) t GROUP BY question_id\
         ) m JOIN participation_questions q ON q.id = m.question_id WHERE q.status = 'answered' \
         ORDER BY m.score DESC, q.answered_at DESC, q.id LIMIT ${}",
        conds.join(" OR "),
        values.len()
    );
    let rows = query_all(c, &sql, values).await?;
    rows.iter().map(|r| Ok((question_from(r)?, col::<i64>(r, "score")?))).collect()
}

/// Answered questions, the latest answer first.
pub async fn answered_questions<C: ConnectionTrait>(c: &C, limit: i64) -> Result<Vec<Question>, DbErr> {
    query_all(c, "SELECT * FROM participation_questions WHERE status = 'answered' ORDER BY answered_at DESC, id LIMIT $1", [limit.into()])
        .await?
        .iter()
        .map(question_from)
        .collect()
}

/// Waiting for an answer, oldest first.
pub async fn open_questions<C: ConnectionTrait>(c: &C, limit: i64) -> Result<Vec<Question>, DbErr> {
    query_all(c, "SELECT * FROM participation_questions WHERE status = 'open' ORDER BY created_at, id LIMIT $1", [limit.into()])
        .await?
        .iter()
        .map(question_from)
        .collect()
}

pub async fn questions_of<C: ConnectionTrait>(c: &C, author: &str) -> Result<Vec<Question>, DbErr> {
    query_all(c, "SELECT * FROM participation_questions WHERE author_id = $1 ORDER BY created_at DESC LIMIT 200", [author.into()])
        .await?
        .iter()
        .map(question_from)
        .collect()
}

/// (created_at, answered_at) of every question, for the KPIs.
pub async fn question_times<C: ConnectionTrait>(c: &C) -> Result<Vec<(Timestamp, Option<Timestamp>)>, DbErr> {
    let rows = query_all(c, "SELECT created_at, answered_at FROM participation_questions", []).await?;
    rows.iter().map(|r| Ok((Timestamp(col(r, "created_at")?), col::<Option<i64>>(r, "answered_at")?.map(Timestamp)))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (tempfile::TempDir, kernel::db::Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = kernel::db::Db::open_sqlite(dir.path()).await.unwrap();
        // The accounts table the foreign keys point to, as identity makes it.
        db.conn().execute_unprepared("CREATE TABLE accounts (id TEXT PRIMARY KEY)").await.unwrap();
        db.migrate(&crate::MIGRATIONS.iter().collect::<Vec<_>>(), Timestamp(0)).await.unwrap();
        (dir, db)
    }

    async fn answered(c: &impl ConnectionTrait, n: i64, title: &str, body: &str, answer: &str) -> String {
        let q = Question {
            id: id_at(Timestamp(n * 1000)),
            author_id: None,
            title: title.into(),
            body: body.into(),
            status: QuestionStatus::Open,
            answer: None,
            created_at: Timestamp(n * 1000),
            answered_at: None,
        };
        insert_question(c, &q, false).await.unwrap();
        answer_question(c, &q, answer, None, Timestamp(n * 1000 + 500)).await.unwrap();
        q.id
    }

    /// A small corpus with known answers: a query in one word form finds a
    /// question written in another, title matches rank first, unanswered
    /// questions are never found.
    #[tokio::test]
    async fn search_finds_other_word_forms_and_ranks_titles_first() {
        let (_dir, db) = db().await;
        let c = db.conn();
        let parking =
            answered(c, 1, "Parkiranje na Minoritskem trgu", "Ali je parkiranje ob sobotah plačljivo?", "Ob sobotah do 12. ure se plača.").await;
        let roads = answered(c, 2, "Luknje na Ormoški cesti", "Kdaj bodo popravili cesto?", "Sanacija bo spomladi.").await;
        let waste = answered(c, 3, "Odvoz kosovnih odpadkov", "Kako naročim odvoz?", "Enkrat letno brezplačno, ob cesti pred hišo.").await;
        let kinder = answered(c, 4, "Vpis v vrtec za šolsko leto", "Do kdaj je vpis otrok v vrtce?", "Vpis v vrtec poteka do konca marca.").await;
        let garage =
            answered(c, 5, "Garažna hiša", "Koliko parkirišč ima garažna hiša?", "Garažna hiša ima 300 parkirnih mest in parkirišča za kolesa.")
                .await;
        let open = Question {
            id: id_at(Timestamp(6000)),
            author_id: None,
            title: "Cesta v Rogoznici".into(),
            body: "Nihče ne odgovori o cestah.".into(),
            status: QuestionStatus::Open,
            answer: None,
            created_at: Timestamp(6000),
            answered_at: None,
        };
        insert_question(c, &open, false).await.unwrap();
        index_question(c, &open.id, &open.title, &[&open.body]).await.unwrap();

        let ids = |v: Vec<(Question, i64)>| v.into_iter().map(|(q, _)| q.id).collect::<Vec<_>>();
        // "ceste" finds "Ormoški cesti" (title) before "ob cesti" (an answer), never the open question.
        assert_eq!(ids(search(c, "ceste", 10).await.unwrap()), vec![roads.clone(), waste.clone()]);
        // "vrtca" finds "vrtec" and "vrtce".
        assert_eq!(ids(search(c, "vpis otroka v vrtca", 10).await.unwrap())[0], kinder);
        // Without č/š/ž: "parkirisca" meets "parkirišč".
        assert_eq!(ids(search(c, "parkirisca", 10).await.unwrap()), vec![garage.clone()]);
        // With them only that spelling: "parkirišču" too.
        assert_eq!(ids(search(c, "parkirišču", 10).await.unwrap()), vec![garage]);
        // Two matched terms outrank one.
        let hits = search(c, "parkiranje sobota", 10).await.unwrap();
        assert_eq!(hits[0].0.id, parking);
        assert_eq!(hits[0].1, TITLE_WEIGHT + TEXT_WEIGHT);
        assert_eq!(ids(search(c, "odvoz odpadkov", 10).await.unwrap()), vec![waste]);
        assert!(search(c, "in ali je", 10).await.unwrap().is_empty(), "function words only");
        assert!(search(c, "helikopter", 10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn one_response_per_respondent() {
        let (_dir, db) = db().await;
        let c = db.conn();
        let def = SurveyDef {
            title: Text::new(&[(kernel::Lang::Sl, "Anketa")]),
            description: Text::default(),
            opens_at: Timestamp(0),
            closes_at: Timestamp(10),
            public_results: false,
            questions: vec![],
        };
        insert_survey(c, "s1", &def, None, Timestamp(0), false).await.unwrap();
        assert!(insert_response(c, "s1", "h1", &[], Timestamp(1)).await.unwrap().is_some());
        assert!(insert_response(c, "s1", "h1", &[], Timestamp(2)).await.unwrap().is_none());
        assert!(insert_response(c, "s1", "h2", &[], Timestamp(2)).await.unwrap().is_some());
        assert_eq!(survey(c, "s1").await.unwrap().unwrap().responses, 2);
    }
}
