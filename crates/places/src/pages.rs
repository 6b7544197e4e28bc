//! Public pages of the map.

use axum::Router;
use kernel::Ctx;

pub fn router() -> Router<Ctx> {
    Router::new()
}
