//! The vocabulary of participation and its validation, without I/O:
//! proposals and their answers, surveys with their questions and answers,
//! survey results, and questions to the municipality.

use kernel::Lang;
// `text_field`: a text as its schema says (`LINE_PATTERN` or `TEXT_PATTERN`).
use kernel::error::{FieldError, check_text as text_field, field_error as err};
use serde::{Deserialize, Serialize};

pub use notify::model::Text;

/// Field errors as the API and the forms report them.
pub type Errors = Vec<FieldError>;

/// The schema of a one-line text: no control characters, no space at either end.
pub const LINE_PATTERN: &str = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$";
/// The same for a text of several lines (tabs and line breaks inside).
pub const TEXT_PATTERN: &str = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$";

/// The policy areas proposals belong to; each is answered by its department.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ParticipationArea)]
pub enum Area {
    Environment,
    Economy,
    Mobility,
    Health,
    Administration,
}

impl Area {
    pub const ALL: [Area; 5] = [Area::Environment, Area::Economy, Area::Mobility, Area::Health, Area::Administration];

    pub fn code(self) -> &'static str {
        match self {
            Area::Environment => "environment",
            Area::Economy => "economy",
            Area::Mobility => "mobility",
            Area::Health => "health",
            Area::Administration => "administration",
        }
    }

    pub fn parse(s: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// A proposal (an idea for the municipality) or an initiative (a call to act).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    Proposal,
    Initiative,
}

impl ProposalKind {
    pub const ALL: [ProposalKind; 2] = [ProposalKind::Proposal, ProposalKind::Initiative];

    pub fn code(self) -> &'static str {
        match self {
            ProposalKind::Proposal => "proposal",
            ProposalKind::Initiative => "initiative",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalKind> {
        ProposalKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Where a proposal stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Waiting for the department's answer.
    Submitted,
    Answered,
    /// Accepted for consideration.
    UnderConsideration,
    /// Rejected, with the reason in the answer.
    Rejected,
}

impl ProposalStatus {
    pub const ALL: [ProposalStatus; 4] =
        [ProposalStatus::Submitted, ProposalStatus::Answered, ProposalStatus::UnderConsideration, ProposalStatus::Rejected];

    pub fn code(self) -> &'static str {
        match self {
            ProposalStatus::Submitted => "submitted",
            ProposalStatus::Answered => "answered",
            ProposalStatus::UnderConsideration => "under_consideration",
            ProposalStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalStatus> {
        ProposalStatus::ALL.into_iter().find(|k| k.code() == s)
    }
}

pub const MAX_TITLE: usize = 150;
pub const MAX_TEXT: usize = 5000;
pub const MAX_PLACE: usize = 200;

/// A point on the map (WGS84).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ParticipationLocation)]
pub struct Location {
    #[schema(minimum = -90, maximum = 90, example = 46.4199)]
    pub lat: f64,
    #[schema(minimum = -180, maximum = 180, example = 15.8700)]
    pub lon: f64,
}

/// What a citizen submits.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    pub kind: ProposalKind,
    pub area: Area,
    #[schema(
        min_length = 5,
        max_length = 150,
        // The lengths are in the pattern too, so generators need not filter for them.
        pattern = r"^[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]{3,148}[^\s\x00-\x1f\x7f]$",
        example = "Več kolesarskih stojal pri tržnici"
    )]
    pub title: String,
    #[schema(
        min_length = 20,
        max_length = 5000,
        pattern = r"^[^\s\x00-\x1f\x7f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{18,4998}[^\s\x00-\x1f\x7f]$",
        example = "Ob tržnici na Novem trgu ni prostora za kolesa; predlagam vsaj deset stojal."
    )]
    pub text: String,
    /// Where it applies, in words (a street, a neighbourhood).
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$", example = "Novi trg")]
    pub place: Option<String>,
    pub location: Option<Location>,
}

impl ProposalInput {
    pub fn validate(self) -> Result<ProposalInput, Errors> {
        let mut e = vec![];
        let title = text_field(&mut e, "title", &self.title, 5, MAX_TITLE, false);
        let text = text_field(&mut e, "text", &self.text, 20, MAX_TEXT, true);
        let place = self.place.as_deref().map(|p| text_field(&mut e, "place", p, 1, MAX_PLACE, false));
        if let Some(l) = self.location
            && !(l.lat.is_finite() && l.lon.is_finite() && (-90.0..=90.0).contains(&l.lat) && (-180.0..=180.0).contains(&l.lon))
        {
            err(&mut e, "location", "out_of_range");
        }
        if e.is_empty() { Ok(ProposalInput { title, text, place, ..self }) } else { Err(e) }
    }
}

/// The status an answer gives a proposal.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStatus {
    Answered,
    /// Accepted for consideration.
    UnderConsideration,
    /// Rejected: the text gives the reason.
    Rejected,
}

impl From<AnswerStatus> for ProposalStatus {
    fn from(s: AnswerStatus) -> ProposalStatus {
        match s {
            AnswerStatus::Answered => ProposalStatus::Answered,
            AnswerStatus::UnderConsideration => ProposalStatus::UnderConsideration,
            AnswerStatus::Rejected => ProposalStatus::Rejected,
        }
    }
}

/// A staff answer to a proposal: the text is public; a rejection's text is its reason.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalAnswerInput {
    /// `answered`, `under_consideration` or `rejected`.
    pub status: AnswerStatus,
    #[schema(min_length = 1, max_length = 5000, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    pub text: String,
}

impl ProposalAnswerInput {
    pub fn validate(self) -> Result<ProposalAnswerInput, Errors> {
        let mut e = vec![];
        let code = if self.status == AnswerStatus::Rejected { "reason_required" } else { "required" };
        let text = text_field(&mut e, "text", &self.text, 1, MAX_TEXT, true);
        if let Some(f) = e.iter_mut().find(|f| f.field == "text" && f.code == "required") {
            f.code = code.into();
        }
        if e.is_empty() { Ok(ProposalAnswerInput { text, ..self }) } else { Err(e) }
    }
}

// ---- questions ----

/// A question to the municipality.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    #[schema(
        min_length = 5,
        max_length = 150,
        pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$",
        example = "Kje lahko parkiram med tržnim dnem?"
    )]
    pub title: String,
    #[schema(
        min_length = 10,
        max_length = 5000,
        pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$",
        example = "Ob sobotah je na Minoritskem trgu vse zasedeno."
    )]
    pub text: String,
}

impl QuestionInput {
    pub fn validate(self) -> Result<QuestionInput, Errors> {
        let mut e = vec![];
        let title = text_field(&mut e, "title", &self.title, 5, MAX_TITLE, false);
        let text = text_field(&mut e, "text", &self.text, 10, MAX_TEXT, true);
        if e.is_empty() { Ok(QuestionInput { title, text }) } else { Err(e) }
    }
}

/// The public answer; staff may also correct the title and text before they are
/// published (to take out personal details).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionAnswerInput {
    #[schema(min_length = 1, max_length = 5000, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    pub answer: String,
    #[schema(min_length = 5, max_length = 150, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    pub title: Option<String>,
    #[schema(min_length = 10, max_length = 5000, pattern = r"^[^\s\x00-\x1f\x7f]([^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")]
    pub text: Option<String>,
}

impl QuestionAnswerInput {
    pub fn validate(self) -> Result<QuestionAnswerInput, Errors> {
        let mut e = vec![];
        let answer = text_field(&mut e, "answer", &self.answer, 1, MAX_TEXT, true);
        let title = self.title.map(|t| text_field(&mut e, "title", &t, 5, MAX_TITLE, false));
        let text = self.text.map(|t| text_field(&mut e, "text", &t, 10, MAX_TEXT, true));
        if e.is_empty() { Ok(QuestionAnswerInput { answer, title, text }) } else { Err(e) }
    }
}

// ---- surveys ----

pub const MAX_QUESTIONS: usize = 30;
pub const MAX_OPTIONS: usize = 20;
pub const MAX_PROMPT: usize = 300;
pub const MAX_OPTION: usize = 150;
pub const MAX_DESCRIPTION: usize = 4000;
pub const MAX_FREE_TEXT: usize = 2000;

/// What kind of answer a survey question takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// One of the options.
    Single { options: Vec<Text> },
    /// Any number of the options.
    Multiple { options: Vec<Text> },
    /// A whole number from `min` to `max` (at most 11 steps), the ends labelled.
    Scale {
        min: i64,
        max: i64,
        #[serde(default)]
        min_label: Text,
        #[serde(default)]
        max_label: Text,
    },
    /// Free text.
    Text,
}

impl QuestionKind {
    pub fn code(&self) -> &'static str {
        match self {
            QuestionKind::Single { .. } => "single",
            QuestionKind::Multiple { .. } => "multiple",
            QuestionKind::Scale { .. } => "scale",
            QuestionKind::Text => "text",
        }
    }
    pub fn options(&self) -> &[Text] {
        match self {
            QuestionKind::Single { options } | QuestionKind::Multiple { options } => options,
            _ => &[],
        }
    }
}

/// One question of a survey.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestion {
    /// Per language code; `sl` is required.
    pub prompt: Text,
    #[serde(default)]
    pub required: bool,
    pub kind: QuestionKind,
}

/// A survey as staff publish it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyDef {
    pub title: Text,
    pub description: Text,
    pub opens_at: kernel::Timestamp,
    pub closes_at: kernel::Timestamp,
    /// The results become public once the survey closes.
    pub public_results: bool,
    pub questions: Vec<SurveyQuestion>,
}

/// A text in the portal's languages, `sl` required when `required`.
fn check_text(e: &mut Errors, field: &str, t: &Text, required: bool, max: usize) -> Text {
    let mut out = std::collections::BTreeMap::new();
    for (lang, s) in &t.0 {
        if Lang::from_code(lang).is_none_or(|l| l.code() != lang) {
            err(e, field, "unknown_language");
            continue;
        }
        let s = s.trim();
        if s.chars().count() > max {
            err(e, format!("{field}_{lang}"), "too_long");
        } else if s.chars().any(|c| c.is_control() && c != '\n') {
            err(e, format!("{field}_{lang}"), "invalid_characters");
        } else if !s.is_empty() {
            out.insert(lang.clone(), s.to_string());
        }
    }
    if required && !out.contains_key("sl") {
        err(e, format!("{field}_sl"), "required");
    }
    Text(out)
}

impl SurveyDef {
    /// Field names: `title_sl`, `description_en`, `closes_at`, `q3_prompt_sl`, `q3_options`, …
    pub fn validate(self) -> Result<SurveyDef, Errors> {
        let mut e = vec![];
        let title = check_text(&mut e, "title", &self.title, true, MAX_TITLE);
        let description = check_text(&mut e, "description", &self.description, false, MAX_DESCRIPTION);
        if self.closes_at <= self.opens_at {
            err(&mut e, "closes_at", "closes_before_opening");
        }
        if self.questions.is_empty() {
            err(&mut e, "questions", "required");
        }
        if self.questions.len() > MAX_QUESTIONS {
            err(&mut e, "questions", "too_many");
        }
        let mut questions = vec![];
        for (i, q) in self.questions.into_iter().enumerate().take(MAX_QUESTIONS) {
            let f = format!("q{i}");
            let prompt = check_text(&mut e, &format!("{f}_prompt"), &q.prompt, true, MAX_PROMPT);
            let kind = match q.kind {
                QuestionKind::Single { options } => QuestionKind::Single { options: check_options(&mut e, &f, options) },
                QuestionKind::Multiple { options } => QuestionKind::Multiple { options: check_options(&mut e, &f, options) },
                QuestionKind::Scale { min, max, min_label, max_label } => {
                    if !(-10..=10).contains(&min) || !(-10..=10).contains(&max) || max <= min || max - min > 10 {
                        err(&mut e, format!("{f}_scale"), "scale_range");
                    }
                    let min_label = check_text(&mut e, &format!("{f}_min_label"), &min_label, false, MAX_OPTION);
                    let max_label = check_text(&mut e, &format!("{f}_max_label"), &max_label, false, MAX_OPTION);
                    QuestionKind::Scale { min, max, min_label, max_label }
                }
                QuestionKind::Text => QuestionKind::Text,
            };
            questions.push(SurveyQuestion { prompt, required: q.required, kind });
        }
        let def = SurveyDef { title, description, questions, ..self };
        if e.is_empty() { Ok(def) } else { Err(e) }
    }

    /// Whether answers are taken at `now`.
    pub fn state(&self, now: kernel::Timestamp) -> SurveyState {
        if now < self.opens_at {
            SurveyState::Upcoming
        } else if now < self.closes_at {
            SurveyState::Open
        } else {
            SurveyState::Closed
        }
    }

    /// Check a response against the questions; one stored answer (or none) per question.
    pub fn check_response(&self, answers: &[AnswerInput]) -> Result<Vec<Option<Answer>>, Errors> {
        let mut e = vec![];
        let mut out: Vec<Option<Answer>> = vec![None; self.questions.len()];
        for a in answers {
            let i = a.question as usize;
            let f = format!("q{i}");
            let Some(q) = self.questions.get(i) else {
                err(&mut e, f, "unknown_question");
                continue;
            };
            if out[i].is_some() {
                err(&mut e, f, "duplicate");
                continue;
            }
            let given = [a.choice.is_some(), a.choices.is_some(), a.value.is_some(), a.text.is_some()].iter().filter(|x| **x).count();
            if given > 1 {
                err(&mut e, f, "one_kind_of_answer");
                continue;
            }
            let answer = match (&q.kind, a) {
                (QuestionKind::Single { options }, AnswerInput { choice: Some(c), .. }) => {
                    if (*c as usize) < options.len() {
                        Some(Answer::Choice(*c as usize))
                    } else {
                        err(&mut e, f, "invalid_choice");
                        None
                    }
                }
                (QuestionKind::Multiple { options }, AnswerInput { choices: Some(cs), .. }) => {
                    let mut cs: Vec<usize> = cs.iter().map(|c| *c as usize).collect();
                    cs.sort_unstable();
                    cs.dedup();
                    if cs.iter().any(|c| *c >= options.len()) {
                        err(&mut e, f, "invalid_choice");
                        None
                    } else if cs.is_empty() {
                        None
                    } else {
                        Some(Answer::Choices(cs))
                    }
                }
                (QuestionKind::Scale { min, max, .. }, AnswerInput { value: Some(v), .. }) => {
                    if (*min..=*max).contains(v) {
                        Some(Answer::Value(*v))
                    } else {
                        err(&mut e, f, "out_of_range");
                        None
                    }
                }
                (QuestionKind::Text, AnswerInput { text: Some(t), .. }) => {
                    let t = t.trim().replace("\r\n", "\n");
                    if t.chars().count() > MAX_FREE_TEXT {
                        err(&mut e, f, "too_long");
                        None
                    } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                        err(&mut e, f, "invalid_characters");
                        None
                    } else if t.is_empty() {
                        None
                    } else {
                        Some(Answer::Text(t))
                    }
                }
                (_, AnswerInput { choice: None, choices: None, value: None, text: None, .. }) => None,
                _ => {
                    err(&mut e, f, "wrong_kind_of_answer");
                    None
                }
            };
            out[i] = answer;
        }
        for (i, q) in self.questions.iter().enumerate() {
            if q.required && out[i].is_none() && !e.iter().any(|x| x.field == format!("q{i}")) {
                err(&mut e, format!("q{i}"), "required");
            }
        }
        if out.iter().all(Option::is_none) && e.is_empty() {
            err(&mut e, "answers", "empty_response");
        }
        if e.is_empty() { Ok(out) } else { Err(e) }
    }
}

fn check_options(e: &mut Errors, f: &str, options: Vec<Text>) -> Vec<Text> {
    if options.len() < 2 {
        err(e, format!("{f}_options"), "too_few_options");
    }
    if options.len() > MAX_OPTIONS {
        err(e, format!("{f}_options"), "too_many_options");
    }
    options.iter().take(MAX_OPTIONS).map(|o| check_text(e, &format!("{f}_options"), o, true, MAX_OPTION)).collect()
}

/// Whether a survey takes answers.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurveyState {
    Upcoming,
    Open,
    Closed,
}

impl SurveyState {
    pub fn code(self) -> &'static str {
        match self {
            SurveyState::Upcoming => "upcoming",
            SurveyState::Open => "open",
            SurveyState::Closed => "closed",
        }
    }
}

/// One answer as a respondent gives it: the field that fits the question's kind.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// Index of the question (0 is the first).
    #[schema(minimum = 0, maximum = 29)]
    pub question: u32,
    /// For `single`: the index of the chosen option.
    #[schema(minimum = 0, maximum = 19)]
    pub choice: Option<u32>,
    /// For `multiple`: the indexes of the chosen options.
    #[schema(max_items = 20)]
    pub choices: Option<Vec<u32>>,
    /// For `scale`: the value.
    #[schema(minimum = -10, maximum = 10)]
    pub value: Option<i64>,
    /// For `text`.
    #[schema(max_length = 2000)]
    pub text: Option<String>,
}

/// One stored answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Choice(usize),
    Choices(Vec<usize>),
    Value(i64),
    Text(String),
}

// ---- results ----

/// How many chose an option, and their share of those who answered the question.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub label: String,
    pub count: i64,
    /// 0 to 1.
    pub share: f64,
}

/// The results of one question.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuestionResult {
    pub index: usize,
    pub prompt: String,
    /// `single`, `multiple`, `scale` or `text`.
    pub kind: String,
    /// Responses that answered this question.
    pub answered: i64,
    /// Per option (choices) or per value (scale), in order.
    pub counts: Vec<Count>,
    /// The mean value (scale).
    pub mean: Option<f64>,
    /// The free texts, oldest first (text).
    pub texts: Vec<String>,
}

/// The results of a survey from all its responses.
pub fn results(def: &SurveyDef, responses: &[Vec<Option<Answer>>], lang: Lang) -> Vec<QuestionResult> {
    def.questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let given: Vec<&Answer> = responses.iter().filter_map(|r| r.get(i).and_then(Option::as_ref)).collect();
            let answered = given.len() as i64;
            let share = |n: i64| if answered > 0 { n as f64 / answered as f64 } else { 0.0 };
            let mut counts = vec![];
            let mut mean = None;
            let mut texts = vec![];
            match &q.kind {
                QuestionKind::Single { options } | QuestionKind::Multiple { options } => {
                    for (k, o) in options.iter().enumerate() {
                        let n = given
                            .iter()
                            .filter(|a| match a {
                                Answer::Choice(c) => *c == k,
                                Answer::Choices(cs) => cs.contains(&k),
                                _ => false,
                            })
                            .count() as i64;
                        counts.push(Count { label: o.get(lang).to_string(), count: n, share: share(n) });
                    }
                }
                QuestionKind::Scale { min, max, .. } => {
                    let values: Vec<i64> = given.iter().filter_map(|a| if let Answer::Value(v) = a { Some(*v) } else { None }).collect();
                    for v in *min..=*max {
                        let n = values.iter().filter(|x| **x == v).count() as i64;
                        counts.push(Count { label: v.to_string(), count: n, share: share(n) });
                    }
                    if !values.is_empty() {
                        mean = Some(values.iter().sum::<i64>() as f64 / values.len() as f64);
                    }
                }
                QuestionKind::Text => {
                    texts = given.iter().filter_map(|a| if let Answer::Text(t) = a { Some(t.clone()) } else { None }).collect();
                }
            }
            QuestionResult { index: i, prompt: q.prompt.get(lang).to_string(), kind: q.kind.code().into(), answered, counts, mean, texts }
        })
        .collect()
}

pub use kernel::csv::cell as csv_cell;

/// Every response as one CSV row (UTF-8 with a byte-order mark, so that
/// spreadsheets read č, š, ž): a random response id, the day, then one column
/// per question (option labels in Slovenian; several joined by `; `).
pub fn csv(def: &SurveyDef, responses: &[(String, kernel::Timestamp, Vec<Option<Answer>>)]) -> String {
    let mut out = String::from("\u{feff}");
    let mut header = vec!["response".to_string(), "date".to_string()];
    header.extend(def.questions.iter().enumerate().map(|(i, q)| csv_cell(&format!("{}. {}", i + 1, q.prompt.get(Lang::Sl)))));
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for (id, at, answers) in responses {
        let mut row = vec![csv_cell(id), at.local().format("%Y-%m-%d").to_string()];
        for (i, q) in def.questions.iter().enumerate() {
            let label = |k: usize| q.kind.options().get(k).map(|o| o.get(Lang::Sl).to_string()).unwrap_or_default();
            let cell = match answers.get(i).and_then(Option::as_ref) {
                None => String::new(),
                Some(Answer::Choice(k)) => label(*k),
                Some(Answer::Choices(ks)) => ks.iter().map(|k| label(*k)).collect::<Vec<_>>().join("; "),
                Some(Answer::Value(v)) => v.to_string(),
                Some(Answer::Text(t)) => t.clone(),
            };
            row.push(csv_cell(&cell));
        }
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The median of durations in milliseconds.
pub fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::Timestamp;

    fn t(s: &str) -> Text {
        Text::new(&[(Lang::Sl, s)])
    }

    fn survey() -> SurveyDef {
        SurveyDef {
            title: Text::new(&[(Lang::Sl, "Promet v starem mestnem jedru"), (Lang::En, "Traffic in the old town")]),
            description: Text::default(),
            opens_at: Timestamp(1_000),
            closes_at: Timestamp(2_000),
            public_results: true,
            questions: vec![
                SurveyQuestion {
                    prompt: t("Kako pridete v center?"),
                    required: true,
                    kind: QuestionKind::Single { options: vec![t("Peš"), t("Z avtom"), t("S kolesom")] },
                },
                SurveyQuestion {
                    prompt: t("Kaj pogrešate?"),
                    required: false,
                    kind: QuestionKind::Multiple { options: vec![t("Klopi"), t("Stojala"), t("Senco")] },
                },
                SurveyQuestion {
                    prompt: t("Kako ste zadovoljni?"),
                    required: true,
                    kind: QuestionKind::Scale { min: 1, max: 5, min_label: t("Nič"), max_label: t("Zelo") },
                },
                SurveyQuestion { prompt: t("Predlogi"), required: false, kind: QuestionKind::Text },
            ],
        }
    }

    fn a(question: u32) -> AnswerInput {
        AnswerInput { question, ..Default::default() }
    }

    #[test]
    fn a_survey_definition_is_checked() {
        assert!(survey().validate().is_ok());
        let mut bad = survey();
        bad.title = Text::new(&[(Lang::En, "Only English")]);
        bad.closes_at = Timestamp(500);
        bad.questions[0].kind = QuestionKind::Single { options: vec![t("Ena")] };
        bad.questions[2].kind = QuestionKind::Scale { min: 5, max: 1, min_label: Text::default(), max_label: Text::default() };
        bad.questions[3].prompt = Text::default();
        let e = bad.validate().unwrap_err();
        let has = |f: &str, c: &str| e.iter().any(|x| x.field == f && x.code == c);
        assert!(has("title_sl", "required"), "{e:?}");
        assert!(has("closes_at", "closes_before_opening"));
        assert!(has("q0_options", "too_few_options"));
        assert!(has("q2_scale", "scale_range"));
        assert!(has("q3_prompt_sl", "required"));
        let mut unknown = survey();
        unknown.title.0.insert("xx".into(), "?".into());
        assert!(unknown.validate().unwrap_err().iter().any(|x| x.code == "unknown_language"));
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let s = survey();
        let ok = s
            .check_response(&[
                AnswerInput { choice: Some(2), ..a(0) },
                AnswerInput { choices: Some(vec![2, 0, 2]), ..a(1) },
                AnswerInput { value: Some(4), ..a(2) },
                AnswerInput { text: Some("  Več zelenja. ".into()), ..a(3) },
            ])
            .unwrap();
        assert_eq!(
            ok,
            vec![Some(Answer::Choice(2)), Some(Answer::Choices(vec![0, 2])), Some(Answer::Value(4)), Some(Answer::Text("Več zelenja.".into()))]
        );
        let e = s
            .check_response(&[
                AnswerInput { choice: Some(3), ..a(0) },
                AnswerInput { value: Some(9), ..a(2) },
                AnswerInput { choice: Some(0), ..a(3) },
                AnswerInput { choice: Some(0), ..a(7) },
            ])
            .unwrap_err();
        let has = |f: &str, c: &str| e.iter().any(|x| x.field == f && x.code == c);
        assert!(
            has("q0", "invalid_choice") && has("q2", "out_of_range") && has("q3", "wrong_kind_of_answer") && has("q7", "unknown_question"),
            "{e:?}"
        );
        let e = s.check_response(&[AnswerInput { text: Some("x".into()), ..a(3) }]).unwrap_err();
        assert!(e.iter().any(|x| x.field == "q0" && x.code == "required") && e.iter().any(|x| x.field == "q2" && x.code == "required"));
        let e = s.check_response(&[AnswerInput { choice: Some(0), ..a(0) }, AnswerInput { choice: Some(1), ..a(0) }]).unwrap_err();
        assert!(e.iter().any(|x| x.code == "duplicate"));
        assert_eq!(s.state(Timestamp(999)), SurveyState::Upcoming);
        assert_eq!(s.state(Timestamp(1_000)), SurveyState::Open);
        assert_eq!(s.state(Timestamp(2_000)), SurveyState::Closed, "the close time is the first moment it is closed");
    }

    #[test]
    fn results_count_shares_and_the_mean() {
        let s = survey();
        let r = |c: usize, cs: Vec<usize>, v: i64, text: Option<&str>| {
            vec![
                Some(Answer::Choice(c)),
                (!cs.is_empty()).then_some(Answer::Choices(cs)),
                Some(Answer::Value(v)),
                text.map(|t| Answer::Text(t.into())),
            ]
        };
        let responses =
            vec![r(0, vec![0, 1], 5, Some("Več klopi")), r(0, vec![], 4, None), r(2, vec![1], 2, Some("Kolesarska steza")), r(1, vec![], 5, None)];
        let res = results(&s, &responses, Lang::Sl);
        assert_eq!(res[0].answered, 4);
        assert_eq!(res[0].counts.iter().map(|c| c.count).collect::<Vec<_>>(), vec![2, 1, 1]);
        assert!((res[0].counts[0].share - 0.5).abs() < 1e-9);
        assert_eq!(res[1].answered, 2, "only those who answered count");
        assert_eq!(res[1].counts.iter().map(|c| c.count).collect::<Vec<_>>(), vec![1, 2, 0]);
        assert!((res[1].counts[1].share - 1.0).abs() < 1e-9, "shares of a multiple choice may add up to more than 1");
        assert_eq!(
            res[2].counts.iter().map(|c| (c.label.as_str(), c.count)).collect::<Vec<_>>(),
            vec![("1", 0), ("2", 1), ("3", 0), ("4", 1), ("5", 2)]
        );
        assert_eq!(res[2].mean, Some(4.0));
        assert_eq!(res[3].texts, vec!["Več klopi", "Kolesarska steza"]);
        assert_eq!(results(&s, &[], Lang::Sl)[2].mean, None);
    }

    #[test]
    fn csv_has_one_row_per_response_and_no_formulas() {
        let s = survey();
        let rows = vec![
            (
                "r-1".to_string(),
                Timestamp(1_500),
                vec![
                    Some(Answer::Choice(1)),
                    Some(Answer::Choices(vec![0, 2])),
                    Some(Answer::Value(3)),
                    Some(Answer::Text("=HYPERLINK(\"x\")".into())),
                ],
            ),
            (
                "r-2".to_string(),
                Timestamp(1_600),
                vec![Some(Answer::Choice(0)), None, Some(Answer::Value(5)), Some(Answer::Text("Da, \"prosim\"\nhvala".into()))],
            ),
        ];
        let out = csv(&s, &rows);
        assert!(out.starts_with('\u{feff}'));
        let lines: Vec<&str> = out.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], "response,date,1. Kako pridete v center?,2. Kaj pogrešate?,3. Kako ste zadovoljni?,4. Predlogi");
        assert_eq!(lines[1], "r-1,1970-01-01,Z avtom,Klopi; Senco,3,\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(lines[2], "r-2,1970-01-01,Peš,,5,\"Da, \"\"prosim\"\"\nhvala\"");
    }

    #[test]
    fn proposals_and_questions_are_checked() {
        let p = ProposalInput {
            kind: ProposalKind::Initiative,
            area: Area::Mobility,
            title: "Kolesarska steza ob Dravi".into(),
            text: "Predlagam kolesarsko stezo od mostu do Rance.".into(),
            place: None,
            location: Some(Location { lat: 46.42, lon: 15.87 }),
        };
        let ok = p.clone().validate().unwrap();
        assert_eq!(ok.title.as_str(), "Kolesarska steza ob Dravi");
        let e = ProposalInput {
            title: "x".into(),
            text: String::new(),
            place: Some(" Breg".into()),
            location: Some(Location { lat: 91.0, lon: 0.0 }),
            ..p.clone()
        }
        .validate()
        .unwrap_err();
        let codes = e.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect::<Vec<_>>();
        assert_eq!(codes, vec![("title", "too_short"), ("text", "required"), ("place", "surrounding_space"), ("location", "out_of_range")]);
        assert!(
            ProposalInput { text: "Dve vrstici:\r\nena in\tdruga.".into(), ..p.clone() }.validate().is_ok(),
            "line breaks and tabs inside a text"
        );
        assert!(ProposalInput { title: "Naslov\nz dvema".into(), ..p }.validate().is_err(), "a title is one line");
        let e = ProposalAnswerInput { status: AnswerStatus::Rejected, text: " ".into() }.validate().unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("text", "reason_required"));
        assert!(QuestionInput { title: "Vpis v vrtec".into(), text: "Kdaj je vpis v vrtec?".into() }.validate().is_ok());
        assert!(QuestionInput { title: "Vpis\u{0}".into(), text: "Kdaj je vpis v vrtec?".into() }.validate().is_err());
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(median(vec![]), None);
    }
}
