//! Reading a Pabulib `.pb` file: a META section of `key;value` rows, then
//! PROJECTS and VOTES, each a header row followed by data rows. It reads
//! what pabutools' `parse_pabulib` reads (fields trimmed, `None` meaning
//! empty, decimal commas in numbers) but refuses, with the line, what that
//! parser would silently get wrong: unknown or repeated projects in a vote,
//! points that do not match the vote, repeated ids.

use crate::election::{Ballot, Election, Limits, Project, VoteType, Voter};
use crate::number::{Num, int, parse_decimal};
use crate::table::{self, Row, TableError};
use std::collections::{HashMap, HashSet};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error(transparent)]
    Table(#[from] TableError),
    /// `line` is 0 when the problem belongs to the whole file.
    #[error("line {line}: {message}")]
    At { line: usize, message: String },
}

fn at(line: usize, message: impl Into<String>) -> ParseError {
    ParseError::At { line, message: message.into() }
}

/// A section's header and its data rows.
struct Block<'a> {
    header_line: usize,
    columns: Vec<String>,
    rows: Vec<&'a Row>,
}

const SECTIONS: [&str; 3] = ["META", "PROJECTS", "VOTES"];

/// The rows of each section, which must come in the order META, PROJECTS, VOTES.
fn split_sections(rows: &[Row]) -> Result<[Block<'_>; 3], ParseError> {
    let mut blocks: Vec<Block> = Vec::with_capacity(3);
    let mut rows_iter = rows.iter();
    while let Some(row) = rows_iter.next() {
        let first = row.fields[0].trim();
        if let Some(section) = SECTIONS.iter().position(|s| s.eq_ignore_ascii_case(first)) {
            if section < blocks.len() {
                return Err(at(row.line, format!("second {} section", SECTIONS[section])));
            }
            if section > blocks.len() {
                return Err(at(row.line, "sections must come in the order META, PROJECTS, VOTES"));
            }
            let header = rows_iter.next().ok_or_else(|| at(row.line, format!("{} has no header row", SECTIONS[section])))?;
            let columns = header.fields.iter().map(|f| f.trim().to_string()).collect();
            blocks.push(Block { header_line: header.line, columns, rows: Vec::new() });
            continue;
        }
        match blocks.last_mut() {
            None => return Err(at(row.line, "data before the META section")),
            Some(block) => block.rows.push(row),
        }
    }
    let missing = blocks.len();
    blocks.try_into().map_err(|_| at(0, format!("no {} section", SECTIONS[missing])))
}

pub fn parse(text: &str) -> Result<Election, ParseError> {
    let rows = table::read(text)?;
    let [meta_block, project_block, vote_block] = split_sections(&rows)?;
    let meta = read_meta(&meta_block.rows)?;
    let vote_type = meta_value(&meta, "vote_type")?;
    let vote_type = VoteType::parse(&vote_type.1).ok_or_else(|| at(vote_type.0, format!("unknown vote_type {:?}", vote_type.1)))?;
    let budget = meta_number(&meta, "budget")?.ok_or_else(|| at(0, "META has no budget"))?;
    let limits = Limits {
        min_length: meta_count(&meta, "min_length")?,
        max_length: meta_count(&meta, "max_length")?,
        min_sum_cost: meta_number(&meta, "min_sum_cost")?,
        max_sum_cost: meta_number(&meta, "max_sum_cost")?,
        min_points: meta_number(&meta, "min_points")?,
        max_points: meta_number(&meta, "max_points")?,
        min_sum_points: meta_number(&meta, "min_sum_points")?,
        max_sum_points: meta_number(&meta, "max_sum_points")?,
    };
    let score_threshold = meta_number(&meta, "min_project_score_threshold")?;

    let projects = read_projects(&project_block)?;
    let voters = read_votes(&vote_block, &projects, vote_type)?;

    Ok(Election {
        meta: meta.into_iter().map(|(_, k, v)| (k, v)).collect(),
        vote_type,
        budget,
        limits,
        score_threshold,
        project_columns: project_block.columns,
        projects,
        vote_columns: vote_block.columns,
        voters,
    })
}

/// `(line, key, value)` in file order.
type Meta = Vec<(usize, String, String)>;

fn read_meta(rows: &[&Row]) -> Result<Meta, ParseError> {
    let mut meta: Meta = Vec::new();
    for row in rows {
        let key = row.fields[0].trim().to_string();
        let Some(value) = row.fields.get(1) else {
            return Err(at(row.line, format!("META row {key:?} has no value")));
        };
        if meta.iter().any(|(_, k, _)| *k == key) {
            return Err(at(row.line, format!("META key {key:?} appears twice")));
        }
        meta.push((row.line, key, value.trim().to_string()));
    }
    Ok(meta)
}

fn meta_value(meta: &Meta, key: &str) -> Result<(usize, String), ParseError> {
    meta.iter().find(|(_, k, _)| k == key).map(|(l, _, v)| (*l, v.clone())).ok_or_else(|| at(0, format!("META has no {key}")))
}

fn meta_number(meta: &Meta, key: &str) -> Result<Option<Num>, ParseError> {
    match meta.iter().find(|(_, k, _)| k == key) {
        None => Ok(None),
        Some((_, _, v)) if is_none(v) => Ok(None),
        Some((line, _, v)) => parse_decimal(v).map(Some).ok_or_else(|| at(*line, format!("META {key} is not a number: {v:?}"))),
    }
}

fn meta_count(meta: &Meta, key: &str) -> Result<Option<u64>, ParseError> {
    match meta.iter().find(|(_, k, _)| k == key) {
        None => Ok(None),
        Some((_, _, v)) if is_none(v) => Ok(None),
        Some((line, _, v)) => v.parse().map(Some).map_err(|_| at(*line, format!("META {key} is not a whole number: {v:?}"))),
    }
}

/// Pabulib writes `None` (any case) for a missing value.
fn is_none(value: &str) -> bool {
    value.is_empty() || value.eq_ignore_ascii_case("none")
}

/// The trimmed fields of a data row, as many as the header has columns.
fn data_fields(row: &Row, columns: &[String], section: &str) -> Result<Vec<String>, ParseError> {
    if row.fields.len() > columns.len() {
        return Err(at(row.line, format!("{section} row has {} fields but the header has {} columns", row.fields.len(), columns.len())));
    }
    let mut fields: Vec<String> = row.fields.iter().map(|f| f.trim().to_string()).collect();
    fields.resize(columns.len(), String::new());
    Ok(fields)
}

fn column(columns: &[String], name: &str, header_line: usize, section: &str) -> Result<usize, ParseError> {
    columns.iter().position(|c| c == name).ok_or_else(|| at(header_line, format!("{section} header has no {name} column")))
}

/// A PROJECTS or VOTES row: its line, its id (first column) and all its fields.
struct Entry {
    line: usize,
    id: String,
    fields: Vec<String>,
}

/// The rows of a section whose first column is a unique, non-empty id.
fn entries(block: &Block, section: &str, id_column: &str, what: &str) -> Result<Vec<Entry>, ParseError> {
    if block.columns.first().map(String::as_str) != Some(id_column) {
        return Err(at(block.header_line, format!("{section} header must start with {id_column}")));
    }
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(block.rows.len());
    for row in &block.rows {
        let fields = data_fields(row, &block.columns, section)?;
        let id = fields[0].clone();
        if id.is_empty() {
            return Err(at(row.line, format!("{what} with an empty {id_column}")));
        }
        if !seen.insert(id.clone()) {
            return Err(at(row.line, format!("{what} {id:?} appears twice")));
        }
        entries.push(Entry { line: row.line, id, fields });
    }
    Ok(entries)
}

fn read_projects(block: &Block) -> Result<Vec<Project>, ParseError> {
    let cost_col = column(&block.columns, "cost", block.header_line, "PROJECTS")?;
    let mut projects = Vec::with_capacity(block.rows.len());
    for Entry { line, id, fields } in entries(block, "PROJECTS", "project_id", "project")? {
        let raw = &fields[cost_col];
        if is_none(raw) {
            return Err(at(line, format!("project {id:?} has no cost")));
        }
        let cost = parse_decimal(raw).ok_or_else(|| at(line, format!("project {id:?}: cost is not a number: {raw:?}")))?;
        if cost < int(0) {
            return Err(at(line, format!("project {id:?}: negative cost {raw}")));
        }
        projects.push(Project { id, cost, fields });
    }
    Ok(projects)
}

fn read_votes(block: &Block, projects: &[Project], vote_type: VoteType) -> Result<Vec<Voter>, ParseError> {
    let (header_line, columns) = (block.header_line, &block.columns);
    let vote_col = column(columns, "vote", header_line, "VOTES")?;
    let points_col = if vote_type.has_points() { Some(column(columns, "points", header_line, "VOTES")?) } else { None };
    let index: HashMap<&str, usize> = projects.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut voters = Vec::with_capacity(block.rows.len());
    for Entry { line, id, fields } in entries(block, "VOTES", "voter_id", "voter")? {
        let mut ballot = Ballot::default();
        for name in split_list(&fields[vote_col]) {
            let project = *index.get(name).ok_or_else(|| at(line, format!("voter {id:?} votes for unknown project {name:?}")))?;
            if ballot.projects.contains(&project) {
                return Err(at(line, format!("voter {id:?} lists project {name:?} twice")));
            }
            ballot.projects.push(project);
        }
        if let Some(col) = points_col {
            let points = split_list(&fields[col])
                .map(|p| parse_decimal(p).ok_or_else(|| at(line, format!("voter {id:?}: points are not numbers: {p:?}"))))
                .collect::<Result<Vec<_>, _>>()?;
            if points.len() != ballot.projects.len() {
                return Err(at(line, format!("voter {id:?} gives {} points for {} projects", points.len(), ballot.projects.len())));
            }
            if vote_type == VoteType::Cumulative && points.iter().any(|p| *p < int(0)) {
                return Err(at(line, format!("voter {id:?}: negative points on a cumulative ballot")));
            }
            ballot.points = Some(points);
        }
        voters.push(Voter { id, ballot, fields });
    }
    Ok(voters)
}

/// `a,b,c`; empty entries (an empty vote, a trailing comma) are skipped.
fn split_list(field: &str) -> impl Iterator<Item = &str> {
    let field = if is_none(field) { "" } else { field };
    field.split(',').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "META\nkey;value\ndescription;test\nnum_projects;3\nnum_votes;3\nbudget;10,5\nvote_type;cumulative\n\
        max_sum_points;5\nmin_project_score_threshold;2\nPROJECTS\nproject_id;cost;name\nA/1;4;\"Park; north\"\nB;6.5;None\nC;1;c\n\
        VOTES\nvoter_id;vote;points;age\n1;A/1,B;3,2;30\n2;C;5;\n3;None;None;41\n";

    #[test]
    fn reads_meta_projects_and_votes() {
        let e = parse(SMALL).unwrap();
        assert_eq!(e.vote_type, VoteType::Cumulative);
        assert_eq!(e.budget, Num::new(21.into(), 2.into()));
        assert_eq!(e.limits.max_sum_points, Some(int(5)));
        assert_eq!(e.score_threshold, Some(int(2)));
        assert_eq!(e.meta("description"), Some("test"));
        let ids: Vec<_> = e.projects.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["A/1", "B", "C"]);
        assert_eq!(e.projects[0].fields[2], "Park; north");
        assert_eq!(e.projects[1].cost, Num::new(13.into(), 2.into()));
        assert_eq!(e.voters[0].ballot, Ballot { projects: vec![0, 1], points: Some(vec![int(3), int(2)]) });
        assert_eq!(e.voters[2].ballot, Ballot { projects: vec![], points: Some(vec![]) });
        assert_eq!(e.voters[2].fields[3], "41");
    }

    fn error_of(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn bad_input_is_refused_with_its_line() {
        let bad = |from: &str, to: &str| error_of(&SMALL.replace(from, to));
        assert_eq!(bad("1;A/1,B;3,2;30", "1;A/1,Z;3,2;30"), "line 17: voter \"1\" votes for unknown project \"Z\"");
        assert_eq!(bad("1;A/1,B;3,2;30", "1;A/1,A/1;3,2;30"), "line 17: voter \"1\" lists project \"A/1\" twice");
        assert_eq!(bad("1;A/1,B;3,2;30", "1;A/1,B;3;30"), "line 17: voter \"1\" gives 1 points for 2 projects");
        assert_eq!(bad("2;C;5;", "1;C;5;"), "line 18: voter \"1\" appears twice");
        assert_eq!(bad("B;6.5;None", "B;six;None"), "line 13: project \"B\": cost is not a number: \"six\"");
        assert_eq!(bad("C;1;c", "B;1;c"), "line 14: project \"B\" appears twice");
        assert_eq!(bad("budget;10,5", "budget;lots"), "line 6: META budget is not a number: \"lots\"");
        assert_eq!(bad("vote_type;cumulative", "vote_type;quadratic"), "line 7: unknown vote_type \"quadratic\"");
        assert_eq!(bad("budget;10,5\n", ""), "line 0: META has no budget");
        assert_eq!(bad("C;1;c", "C;1;c;extra"), "line 14: PROJECTS row has 4 fields but the header has 3 columns");
        assert_eq!(bad("voter_id;vote;points;age", "voter_id;vote;age"), "line 16: VOTES header has no points column");
        assert_eq!(bad("\"Park; north\"", "\"Park; north"), "line 12: quoted field is not closed");
        assert_eq!(error_of(&SMALL.replace("VOTES\n", "META\n")), "line 15: second META section");
        assert_eq!(error_of("x;y\nMETA\nkey;value\n"), "line 1: data before the META section");
        assert!(error_of(&SMALL[..SMALL.find("VOTES").unwrap()]).contains("no VOTES section"));
    }

    #[test]
    fn approval_votes_need_no_points_and_ids_stay_as_spelled() {
        let text = "\u{feff}META\r\nkey;value\r\nbudget;100\r\nvote_type;approval\r\nPROJECTS\r\nproject_id;cost\r\n007;50\r\n7;50\r\n\
            VOTES\r\nvoter_id;vote\r\nv1;007,7,\r\nv2;\r\n";
        let e = parse(text).unwrap();
        assert_eq!(e.projects[0].id, "007");
        assert_eq!(e.voters[0].ballot.projects, vec![0, 1]);
        assert!(e.voters[1].ballot.projects.is_empty());
        assert_eq!(e.voters[0].ballot.points, None);
    }
}
