//! Participatory budgeting: reading and writing Pabulib `.pb` files and
//! counting their votes with exact rational arithmetic. A pure library: the
//! caller reads and writes the files, nothing here touches a database.
//!
//! ```text
//! let election = pb::parse(&text)?;
//! let rule = pb::Rule::named("mes", None, &election)?;
//! let outcome = pb::count(&election, &rule);
//! ```

pub mod check;
pub mod election;
pub mod greedy;
pub mod mes;
pub mod number;
pub mod parse;
pub mod rule;
pub mod table;
pub mod tally;
pub mod write;

#[cfg(test)]
mod testing;

pub use check::check;
pub use election::{Ballot, Election, Project, VoteType, Voter};
pub use mes::equal_shares_rounds;
pub use parse::{ParseError, parse};
pub use rule::{Outcome, Rule, RuleError, count};
pub use write::write;
