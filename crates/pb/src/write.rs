//! Writing an election as a `.pb` file: UTF-8 without a byte-order mark
//! (pabulib-checker opens files as plain `utf-8`), `\n` line ends, no blank
//! lines. Columns are written in the order they were read; ids, costs,
//! votes and points come from the parsed values, counts in META from the
//! election itself, so an edited election stays consistent.

use crate::election::Election;
use crate::number::{Num, exact_decimal, fixed};
use crate::table::write_row;

pub fn write(e: &Election) -> String {
    let mut out = String::new();
    write_row(&mut out, &["META"]);
    write_row(&mut out, &["key", "value"]);
    let mut meta = e.meta.clone();
    set(&mut meta, "num_projects", e.projects.len().to_string());
    set(&mut meta, "num_votes", e.voters.len().to_string());
    set(&mut meta, "budget", number(&e.budget));
    set(&mut meta, "vote_type", e.vote_type.as_str().to_string());
    for (key, value) in &meta {
        write_row(&mut out, &[key, value]);
    }

    write_row(&mut out, &["PROJECTS"]);
    write_row(&mut out, &e.project_columns);
    let cost_col = e.project_columns.iter().position(|c| c == "cost");
    for project in &e.projects {
        let mut fields = project.fields.clone();
        fields.resize(e.project_columns.len(), String::new());
        fields[0] = project.id.clone();
        if let Some(col) = cost_col {
            fields[col] = number(&project.cost);
        }
        write_row(&mut out, &fields);
    }

    write_row(&mut out, &["VOTES"]);
    write_row(&mut out, &e.vote_columns);
    let vote_col = e.vote_columns.iter().position(|c| c == "vote");
    let points_col = e.vote_columns.iter().position(|c| c == "points");
    for voter in &e.voters {
        let mut fields = voter.fields.clone();
        fields.resize(e.vote_columns.len(), String::new());
        fields[0] = voter.id.clone();
        if let Some(col) = vote_col {
            let ids: Vec<&str> = voter.ballot.projects.iter().map(|&p| e.projects[p].id.as_str()).collect();
            fields[col] = ids.join(",");
        }
        if let (Some(col), Some(points)) = (points_col, &voter.ballot.points) {
            fields[col] = points.iter().map(number).collect::<Vec<_>>().join(",");
        }
        write_row(&mut out, &fields);
    }
    out
}

fn set(meta: &mut Vec<(String, String)>, key: &str, value: String) {
    match meta.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 = value,
        None => meta.push((key.to_string(), value)),
    }
}

/// Values read from a file are decimals and come back unchanged; a value
/// computed in code without a finite decimal form is rounded to cents.
fn number(x: &Num) -> String {
    exact_decimal(x).unwrap_or_else(|| fixed(x, 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    const FILE: &str = "META\nkey;value\ndescription;\"Park; \"\"north\"\"\"\nnum_projects;9\nnum_votes;2\nbudget;1656699,670\n\
        vote_type;cumulative\nPROJECTS\nproject_id;cost;name;selected\nA/1;100.50;Trees;1\nB;7;None;0\n\
        VOTES\nvoter_id;vote;points;sex\n1;A/1,B;2,1;F\n2;B;3;\n";

    #[test]
    fn what_is_written_reads_back_the_same() {
        let e = parse(FILE).unwrap();
        let text = write(&e);
        assert!(!text.starts_with('\u{feff}'));
        assert!(text.contains("\nnum_projects;2\n"), "{text}");
        assert!(text.contains("\nbudget;1656699.67\n"), "{text}");
        assert!(text.contains("\nA/1;100.5;Trees;1\n"), "{text}");
        assert!(text.contains("\n1;A/1,B;2,1;F\n"), "{text}");
        assert!(text.contains("\ndescription;\"Park; \"\"north\"\"\"\n"), "{text}");
        let again = parse(&text).unwrap();
        assert_eq!(again.projects, {
            let mut p = e.projects.clone();
            p[0].fields[1] = "100.5".into();
            p
        });
        assert_eq!(again.voters, e.voters);
        assert_eq!(again.budget, e.budget);
        assert_eq!(write(&again), text);
    }
}
