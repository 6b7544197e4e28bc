//! `obcina pb …`: count a participatory budget from a Pabulib `.pb` file.

use anyhow::Context;
use clap::Subcommand;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PbCommand {
    /// Print the funded project ids, one per line, as the file spells them.
    Count {
        /// Pabulib .pb file.
        #[arg(long)]
        file: PathBuf,
        /// greedy, greedy-noskip, greedy-threshold, mes (Method of Equal
        /// Shares, cost utilities, no completion) or file (the rule META names).
        #[arg(long, default_value = "greedy")]
        rule: String,
        /// Greedy rules: minimum score (e.g. 50) or share of ballots (e.g. 10%);
        /// greedy-threshold defaults to META min_project_score_threshold.
        #[arg(long)]
        threshold: Option<String>,
    },
    /// Read a file and report what does not add up; exit 1 if anything.
    Check {
        #[arg(long)]
        file: PathBuf,
    },
    /// Read a file and write it out again as clean UTF-8 Pabulib.
    Export {
        #[arg(long)]
        file: PathBuf,
        /// Output file; standard output if absent.
        #[arg(long)]
        to: Option<PathBuf>,
    },
}

pub fn run(command: PbCommand) -> anyhow::Result<ExitCode> {
    match command {
        PbCommand::Count { file, rule, threshold } => {
            let e = read(&file)?;
            let rule = pb::Rule::named(&rule, threshold.as_deref(), &e)?;
            let mut out = std::io::stdout().lock();
            for p in pb::count(&e, &rule).funded {
                // A reader that stopped early (`| head`) is not an error.
                if let Err(err) = writeln!(out, "{}", e.projects[p].id) {
                    if err.kind() == std::io::ErrorKind::BrokenPipe {
                        break;
                    }
                    return Err(err.into());
                }
            }
        }
        PbCommand::Check { file } => {
            let e = read(&file)?;
            let spent = |rule: &str| pb::Rule::named(rule, None, &e).map(|r| pb::count(&e, &r));
            println!(
                "{}: {} election, {} projects, {} ballots, budget {}",
                file.display(),
                e.vote_type.as_str(),
                e.projects.len(),
                e.voters.len(),
                pb::number::show(&e.budget, 2)
            );
            for rule in ["greedy", "mes"] {
                let outcome = spent(rule)?;
                println!("{rule}: {} projects funded, {} spent", outcome.funded.len(), pb::number::show(&outcome.spent, 2));
            }
            let problems = pb::check(&e);
            for problem in &problems {
                println!("warning: {problem}");
            }
            if !problems.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
        PbCommand::Export { file, to } => {
            let text = pb::write(&read(&file)?);
            match to {
                Some(to) => std::fs::write(&to, text).with_context(|| format!("writing {}", to.display()))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path) -> anyhow::Result<pb::Election> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    pb::parse(&text).with_context(|| path.display().to_string())
}
