//! Pages.

pub fn router() -> axum::Router<kernel::Ctx> {
    axum::Router::new()
}
