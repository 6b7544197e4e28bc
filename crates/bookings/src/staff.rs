//! Staff pages of bookable resources (`ManageBookings`): the list, the form
//! to create one and to change its purpose, capacity, slots, price,
//! approval and rules, and deactivation. Every change is audited (service).

use crate::model::{ResourceInput, ResourceKind};
use crate::pages::{ResourceRow, field, resource_row};
use crate::service;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use kernel::csrf::CsrfForm;
use kernel::error::FieldError;
use kernel::layout::{FormErrors, Page};
use kernel::web::{no_store, render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission};
use std::collections::HashMap;

type Form = HashMap<String, String>;

#[derive(Template)]
#[template(path = "bookings_staff_resources.html")]
struct ListPage {
    p: Page,
    rows: Vec<ResourceRow>,
    done: Option<String>,
}

pub async fn list(State(ctx): State<Ctx>, p: Page, actor: Actor, Query(q): Query<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBookings)?;
    let rows = crate::store::resources(ctx.db.conn()).await?.iter().map(|r| resource_row(&p, r)).collect();
    let done = field(&q, "done").filter(|d| ["deactivated"].contains(&d.as_str())).map(|d| p.tk("bookings-done", &d));
    Ok(no_store(render(&ListPage { p, rows, done })))
}

#[derive(Template)]
#[template(path = "bookings_resource_form.html")]
struct FormPage {
    p: Page,
    id: Option<String>,
    form: Form,
    errors: FormErrors,
    kinds: Vec<(&'static str, String)>,
    langs: Vec<(&'static str, String)>,
    saved: bool,
    bookable: bool,
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.form.get(k).cloned().unwrap_or_default()
    }
    fn checked(&self, k: &str) -> bool {
        self.form.get(k).is_some_and(|v| v == "1")
    }
}

fn form_view(p: Page, id: Option<String>, form: Form, errors: FormErrors, saved: bool) -> Response {
    let kinds = ResourceKind::ALL.into_iter().map(|k| (k.code(), p.tk("bookings-kind", k.code()))).collect();
    let langs = Lang::ALL.into_iter().map(|l| (l.code(), l.native_name().to_string())).collect();
    let bookable = id.is_some() && form.get("bookable").is_some_and(|v| v == "1");
    no_store(render(&FormPage { p, id, form, errors, kinds, langs, saved, bookable }))
}

/// A stored resource as the form's fields (the price in euros).
fn form_of(input: &ResourceInput) -> Form {
    let mut f: Form = match serde_json::to_value(input) {
        Ok(serde_json::Value::Object(m)) => m
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                serde_json::Value::Number(n) => Some((k, n.to_string())),
                serde_json::Value::Bool(b) => b.then(|| (k, "1".to_string())),
                _ => None,
            })
            .collect(),
        _ => Form::new(),
    };
    if let Some(c) = f.remove("price_cents").and_then(|c| c.parse::<i64>().ok()) {
        f.insert("price".into(), format!("{},{:02}", c / 100, c % 100));
    }
    f
}

/// The form as input; numbers that cannot be read are field errors of their own.
fn input_of_form(f: &Form) -> (ResourceInput, Vec<FieldError>) {
    let mut errors = vec![];
    let text = |k: &str| field(f, k);
    let mut number = |k: &str| {
        let v = field(f, k)?;
        let n = v.parse::<i64>().ok();
        if n.is_none() {
            errors.push(FieldError { field: k.into(), code: "not_a_number".into() });
        }
        n
    };
    let capacity = number("capacity");
    let slot_minutes = number("slot_minutes");
    let lead_minutes = number("lead_minutes");
    let max_slots = number("max_slots");
    let cancel_minutes = number("cancel_minutes");
    let horizon_days = number("horizon_days");
    let price_cents = match field(f, "price") {
        None => None,
        Some(p) => {
            let c = kernel::i18n::parse_cents(&p);
            if c.is_none() {
                errors.push(FieldError { field: "price".into(), code: "resource_price".into() });
            }
            c
        }
    };
    let flag = |k: &str| Some(f.get(k).is_some_and(|v| v == "1"));
    let input = ResourceInput {
        kind: text("kind"),
        name_sl: text("name_sl"),
        name_en: text("name_en"),
        name_de: text("name_de"),
        name_it: text("name_it"),
        purpose_sl: text("purpose_sl"),
        purpose_en: text("purpose_en"),
        purpose_de: text("purpose_de"),
        purpose_it: text("purpose_it"),
        location: text("location"),
        capacity,
        slot_minutes,
        opens: text("opens"),
        closes: text("closes"),
        price_cents,
        needs_approval: flag("needs_approval"),
        bookable: flag("bookable"),
        natural: flag("natural"),
        legal: flag("legal"),
        lead_minutes,
        max_slots,
        cancel_minutes,
        horizon_days,
    };
    (input, errors)
}

/// Validate the form; errors carry the form's field names, one per field.
fn checked_input(f: &Form) -> AppResult<ResourceInput> {
    let (input, mut errors) = input_of_form(f);
    if let Err(e) = input.validate() {
        for mut x in e {
            if x.field == "price_cents" {
                x.field = "price".into();
            }
            // A number that could not be read is not "required" as well.
            if !errors.iter().any(|y| y.field == x.field) {
                errors.push(x);
            }
        }
    }
    if errors.is_empty() { Ok(input) } else { Err(AppError::invalid(errors)) }
}

pub async fn new_form(p: Page, actor: Actor) -> AppResult<Response> {
    actor.check(Permission::ManageBookings)?;
    // Sensible starting values: a room open 8–20 in hours, bookable by anyone a day ahead.
    let defaults = [
        ("slot_minutes", "60"),
        ("opens", "08:00"),
        ("closes", "20:00"),
        ("price", "0,00"),
        ("natural", "1"),
        ("legal", "1"),
        ("bookable", "1"),
        ("lead_minutes", "1440"),
        ("max_slots", "4"),
        ("cancel_minutes", "1440"),
        ("horizon_days", "90"),
    ];
    let form = defaults.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Ok(form_view(p, None, form, FormErrors::default(), false))
}

fn saved_or_form(p: Page, id: Option<String>, f: Form, result: AppResult<crate::model::Resource>) -> AppResult<Response> {
    match result {
        Ok(r) => Ok(see_other(&format!("/staff/bookings/resources/{}?saved=1", kernel::layout::urlencode(&r.id)))),
        Err(e) if e.status.as_u16() == 422 => {
            let errors = FormErrors::from(&p, &e);
            Ok((e.status, form_view(p, id, f, errors, false)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn create(State(ctx): State<Ctx>, p: Page, actor: Actor, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBookings)?;
    let result = match checked_input(&f) {
        Ok(input) => service::create_resource(&ctx, &actor, &input).await,
        Err(e) => Err(e),
    };
    saved_or_form(p, None, f, result)
}

pub async fn edit_form(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, Query(q): Query<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBookings)?;
    let r = service::resource(&ctx, &id).await?;
    Ok(form_view(p, Some(r.id.clone()), form_of(&ResourceInput::of(&r)), FormErrors::default(), q.contains_key("saved")))
}

pub async fn update(State(ctx): State<Ctx>, p: Page, actor: Actor, Path(id): Path<String>, CsrfForm(f): CsrfForm<Form>) -> AppResult<Response> {
    actor.check(Permission::ManageBookings)?;
    let result = match checked_input(&f) {
        Ok(input) => service::update_resource(&ctx, &actor, &id, &input).await,
        Err(e) => Err(e),
    };
    saved_or_form(p, Some(id), f, result)
}

pub async fn deactivate(State(ctx): State<Ctx>, actor: Actor, Path(id): Path<String>, CsrfForm(_): CsrfForm<Form>) -> AppResult<Response> {
    service::deactivate_resource(&ctx, &actor, &id).await?;
    Ok(see_other("/staff/bookings/resources?done=deactivated"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn a_form_becomes_input_and_a_resource_a_form() {
        let f = form(&[
            ("kind", "hall"),
            ("name_sl", "Dvorana"),
            ("location", "Ptuj"),
            ("capacity", "80"),
            ("slot_minutes", "60"),
            ("opens", "08:00"),
            ("closes", "22:00"),
            ("price", "12,50"),
            ("legal", "1"),
            ("lead_minutes", "2880"),
            ("max_slots", "3"),
        ]);
        let input = checked_input(&f).unwrap();
        let r = input.validate().unwrap();
        assert_eq!((r.price_cents, r.rules.natural, r.rules.legal, r.bookable, r.needs_approval), (1250, false, true, false, false));
        let back = form_of(&ResourceInput::of(&r));
        assert_eq!((back["price"].as_str(), back.get("natural"), back["legal"].as_str()), ("12,50", None, "1"));
    }

    #[test]
    fn unreadable_numbers_are_named_once() {
        let f = form(&[("kind", "hall"), ("name_sl", "D"), ("location", "P"), ("capacity", "many"), ("price", "free"), ("natural", "1")]);
        let e = checked_input(&f).unwrap_err();
        let got: Vec<(&str, &str)> = e.fields.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("capacity", "not_a_number"),
                ("price", "resource_price"),
                ("slot_minutes", "required"),
                ("lead_minutes", "required"),
                ("max_slots", "required"),
                ("opens", "required"),
                ("closes", "required")
            ]
        );
    }
}
