//! One participatory-budgeting election: its META values, projects and
//! ballots. Columns the counting does not need are kept as text so that an
//! election read from a file can be written back without losing anything.

use crate::number::Num;

/// How voters expressed themselves (the META `vote_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteType {
    Approval,
    /// Approval with at most one project; counted like approval.
    ChooseOne,
    Cumulative,
    Scoring,
    Ordinal,
}

impl VoteType {
    pub fn parse(text: &str) -> Option<VoteType> {
        Some(match text {
            "approval" => VoteType::Approval,
            "choose-1" => VoteType::ChooseOne,
            "cumulative" => VoteType::Cumulative,
            "scoring" => VoteType::Scoring,
            "ordinal" => VoteType::Ordinal,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::ChooseOne => "choose-1",
            VoteType::Cumulative => "cumulative",
            VoteType::Scoring => "scoring",
            VoteType::Ordinal => "ordinal",
        }
    }

    /// Ballots that give each project a number of points (`points` column).
    pub fn has_points(self) -> bool {
        matches!(self, VoteType::Cumulative | VoteType::Scoring)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Exactly as the file spells it (surrounding spaces removed).
    pub id: String,
    pub cost: Num,
    /// Every column of the PROJECTS row, `project_id` and `cost` included,
    /// in the order of `Election::project_columns`.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ballot {
    /// Indices into `Election::projects`, in the order of the `vote` column
    /// (for ordinal ballots: most preferred first).
    pub projects: Vec<usize>,
    /// Points per entry of `projects`, for cumulative and scoring ballots.
    pub points: Option<Vec<Num>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Voter {
    pub id: String,
    pub ballot: Ballot,
    /// Every column of the VOTES row, in the order of `Election::vote_columns`.
    pub fields: Vec<String>,
}

/// The limits META may set on a ballot; `None` where the file says nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Limits {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_sum_cost: Option<Num>,
    pub max_sum_cost: Option<Num>,
    pub min_points: Option<Num>,
    pub max_points: Option<Num>,
    pub min_sum_points: Option<Num>,
    pub max_sum_points: Option<Num>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Election {
    /// META rows in file order (`budget` and `vote_type` included).
    pub meta: Vec<(String, String)>,
    pub vote_type: VoteType,
    pub budget: Num,
    pub limits: Limits,
    /// `min_project_score_threshold`, when META sets it.
    pub score_threshold: Option<Num>,
    pub project_columns: Vec<String>,
    pub projects: Vec<Project>,
    pub vote_columns: Vec<String>,
    pub voters: Vec<Voter>,
}

impl Election {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn project_index(&self, id: &str) -> Option<usize> {
        self.projects.iter().position(|p| p.id == id)
    }

    /// A project's value in a PROJECTS column such as `selected`.
    pub fn project_field(&self, project: usize, column: &str) -> Option<&str> {
        let col = self.project_columns.iter().position(|c| c == column)?;
        self.projects[project].fields.get(col).map(String::as_str)
    }

    /// The official outcome (`selected` = 1), if the file has that column.
    pub fn selected(&self) -> Option<Vec<usize>> {
        self.project_columns
            .iter()
            .any(|c| c == "selected")
            .then(|| (0..self.projects.len()).filter(|&p| self.project_field(p, "selected") == Some("1")).collect())
    }
}
