//! The participatory budget as a service (admin.pb): a cycle a year with its
//! areas and budgets, project ideas from citizens and their feasibility
//! review, ballots of verified residents (approval, cumulative, ranked) and
//! paper ballots entered by staff, counted by the `pb` crate with the rule
//! the city chose, public results with every number, council overrides, and
//! Pabulib export and import.

pub mod api;
pub mod count;
pub mod demo;
pub mod model;
pub mod pages;
pub mod personal;
pub mod service;
pub mod store;

use kernel::Lang;
use kernel::db::Migration;

pub const MESSAGES: &[(Lang, &str)] = &[(Lang::Sl, include_str!("../locales/sl.ftl")), (Lang::En, include_str!("../locales/en.ftl"))];

pub const MIGRATIONS: &[Migration] = &[Migration { id: "budget-0001", sql: include_str!("../migrations/0001_budget.sql"), postgres: None }];

/// Pages and API of the participatory budget.
pub fn router() -> axum::Router<kernel::Ctx> {
    pages::router().merge(api::router())
}
