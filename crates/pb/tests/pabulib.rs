//! Every Pabulib file in the shared data set (this test reads
//! ../shared/data/pabulib, outside the repository): the rule the file names
//! reproduces its official `selected` column, the file is consistent with
//! itself, and writing it out reads back the same election.

use std::path::PathBuf;

fn files() -> Option<Vec<PathBuf>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pabulib");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED: no Pabulib data at {}", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "pb")).collect();
    files.sort();
    assert!(!files.is_empty(), "no .pb file in {}", dir.display());
    Some(files)
}

fn ids(e: &pb::Election, funded: &[usize]) -> Vec<String> {
    let mut ids: Vec<String> = funded.iter().map(|&p| e.projects[p].id.clone()).collect();
    ids.sort();
    ids
}

#[test]
fn the_files_rule_reproduces_the_official_outcome() {
    let Some(files) = files() else { return };
    let mut compared = 0;
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let text = std::fs::read_to_string(path).expect("readable file");
        let e = pb::parse(&text).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(pb::check(&e), Vec::<String>::new(), "{name}");
        let Some(selected) = e.selected() else {
            eprintln!("{name}: no selected column, nothing to compare");
            continue;
        };
        let rule = pb::Rule::of_file(&e).unwrap_or_else(|err| panic!("{name}: {err}"));
        let outcome = pb::count(&e, &rule);
        assert_eq!(ids(&e, &outcome.funded), ids(&e, &selected), "{name} ({rule:?})");
        assert!(outcome.spent <= e.budget, "{name}");
        compared += 1;
    }
    eprintln!("{compared} of {} files have a selected column; all match", files.len());
}

#[test]
fn written_files_read_back_the_same() {
    let Some(files) = files() else { return };
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let e = pb::parse(&std::fs::read_to_string(path).expect("readable file")).expect("valid file");
        let text = pb::write(&e);
        let again = pb::parse(&text).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(again, e, "{name}");
        for rule in ["greedy", "mes"] {
            let rule = pb::Rule::named(rule, None, &e).expect("known rule");
            assert_eq!(pb::count(&again, &rule), pb::count(&e, &rule), "{name}");
        }
    }
}
