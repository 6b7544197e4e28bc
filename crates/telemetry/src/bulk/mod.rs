//! Batch statements of the ingestion path with values bound directly (no
//! JSON round trip): multi-row `VALUES` on SQLite, arrays through `unnest`
//! on PostgreSQL. They run on the pool under the kernel's connection, so on
//! SQLite they share its single connection and writes stay serialised.

pub mod postgres;
pub mod sqlite;

use sea_orm::{DbErr, RuntimeErr};
use std::sync::Arc;

pub(crate) fn db_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e)))
}

/// Split rows into statements of `max` rows and the rest into powers of two,
/// so that a handful of statement texts (prepared once, cached by sqlx)
/// serve every batch size.
pub fn chunks<T>(rows: &[T], max: usize) -> Vec<&[T]> {
    let mut out = vec![];
    let mut rest = rows;
    let mut size = max;
    while !rest.is_empty() {
        while size > rest.len() {
            size /= 2;
        }
        let (now, later) = rest.split_at(size);
        out.push(now);
        rest = later;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_use_few_distinct_sizes() {
        let rows: Vec<u32> = (0..2_347).collect();
        let parts = chunks(&rows, 512);
        let sizes: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        assert_eq!(sizes, vec![512, 512, 512, 512, 256, 32, 8, 2, 1]);
        assert_eq!(parts.concat(), rows, "every row once, in order");
        assert!(chunks::<u32>(&[], 512).is_empty());
    }
}
