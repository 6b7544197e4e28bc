//! Pages of indicators: the public progress board (by pillar and area),
//! an indicator's page with its history, the yearly evaluation report, the
//! CSV of every value, and the staff page to record, import and recompute.

use crate::chart;
use crate::model::{Area, Indicator, Kind, Value};
use crate::service::{self, Indicators, Line, ValueInput};
use crate::store;
use askama::Template;
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::csrf::CsrfForm;
use kernel::layout::{FormErrors, Page};
use kernel::web::{no_store, render, see_other};
use kernel::{Actor, AppError, AppResult, Ctx, Lang, Permission};
use std::collections::HashMap;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/indicators", get(board))
        .route("/indicators.csv", get(values_csv))
        .route("/indicators/report/{year}", get(report))
        .route("/indicators/i/{code}", get(detail))
        .route("/staff/indicators", get(staff).post(staff_record))
        .route("/staff/indicators/import", post(staff_import))
        .route("/staff/indicators/recompute", post(staff_recompute))
}

/// A figure as the page shows it.
fn show(p: &Page, i: &Indicator, v: f64) -> String {
    i.unit.show(v, p.lang, &p.t("indicators-yes"), &p.t("indicators-no"))
}

fn baseline(p: &Page, i: &Indicator) -> String {
    match (i.baseline, i.baseline_note.as_deref()) {
        (Some(b), _) => format!("{} ({})", show(p, i, b), i.baseline_year.unwrap_or(2022)),
        (None, Some(note)) => p.tk("indicators-note", &note.replace(' ', "-")),
        (None, None) => String::new(),
    }
}

fn target(p: &Page, i: &Indicator) -> String {
    match (i.target, i.target_note.as_deref()) {
        (Some(t), _) => show(p, i, t),
        (None, Some(note)) => p.tk("indicators-note", &note.replace(' ', "-")),
        (None, None) => "–".into(),
    }
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub measure: String,
    pub baseline: String,
    pub latest: String,
    pub period: String,
    pub provenance: String,
    pub target: String,
    pub progress: Option<u32>,
    pub spark: String,
    pub computed: bool,
}

fn row(p: &Page, ind: &Indicators, l: &Line) -> Row {
    let i = l.indicator;
    let name = i.name(p.lang).to_string();
    let points: Vec<(String, f64)> = l.history.iter().map(|v| (v.period.clone(), v.value)).collect();
    let label = format!(
        "{name}: {}",
        points
            .iter()
            .map(|(per, v)| format!("{per} {}", show(p, i, *v)))
            .chain(i.target.map(|t| format!("{} {}", p.t("indicators-target"), show(p, i, t))))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Row {
        code: i.code.clone(),
        measure: i.measure_name(p.lang).unwrap_or_default().to_string(),
        baseline: baseline(p, i),
        latest: l.latest.map(|v| show(p, i, v.value)).unwrap_or_else(|| "–".into()),
        period: l.latest.map(|v| v.period.clone()).unwrap_or_default(),
        provenance: l.latest.map(|v| p.tk("indicators-provenance", v.provenance.code())).unwrap_or_default(),
        target: target(p, i),
        progress: l.progress.map(|x| (x * 100.0).round() as u32),
        spark: chart::sparkline(&points, i.target, &label),
        computed: ind.computed(&i.code),
        name,
    }
}

pub struct AreaGroup {
    pub code: &'static str,
    pub name: String,
    pub rows: Vec<Row>,
}

pub struct PillarGroup {
    pub number: u8,
    pub name: String,
    pub areas: Vec<AreaGroup>,
}

pub struct IsoRow {
    pub code: String,
    pub theme: String,
    pub name: String,
    pub latest: String,
    pub related: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "indicators_board.html")]
struct BoardPage {
    p: Page,
    pillars: Vec<PillarGroup>,
    iso: Vec<IsoRow>,
    with_value: usize,
    total: usize,
    reached: usize,
    pillar_options: Vec<(u8, String, bool)>,
    area_options: Vec<(&'static str, String, bool)>,
    year: i32,
}

#[derive(serde::Deserialize, Default)]
struct BoardQuery {
    pillar: Option<String>,
    area: Option<String>,
}

fn pillars(p: &Page, ind: &Indicators, lines: &[Line], only_pillar: Option<u8>, only_area: Option<Area>) -> Vec<PillarGroup> {
    (1..=5u8)
        .filter(|n| only_pillar.is_none_or(|x| x == *n))
        .map(|n| PillarGroup {
            number: n,
            name: p.t(&format!("indicators-pillar-{n}")),
            areas: Area::ALL
                .into_iter()
                .filter(|a| a.pillar() == n && only_area.is_none_or(|x| x == *a))
                .map(|a| AreaGroup {
                    code: a.code(),
                    name: p.tk("indicators-area", a.code()),
                    rows: lines
                        .iter()
                        .filter(|l| l.indicator.kind == Kind::Strategy && l.indicator.area == Some(a))
                        .map(|l| row(p, ind, l))
                        .collect(),
                })
                .filter(|g| !g.rows.is_empty())
                .collect(),
        })
        .filter(|g| !g.areas.is_empty())
        .collect()
}

async fn board(State(ctx): State<Ctx>, p: Page, Extension(ind): Extension<Indicators>, Query(q): Query<BoardQuery>) -> AppResult<Response> {
    let values = store::all(ctx.db.conn()).await?;
    let lines = service::lines(&ind, &values);
    let filter_pillar = q.pillar.as_deref().and_then(|s| s.parse().ok()).filter(|n| (1..=5).contains(n));
    let area = q.area.as_deref().and_then(Area::parse);
    let strategy: Vec<&Line> = lines.iter().filter(|l| l.indicator.kind == Kind::Strategy).collect();
    let iso = lines
        .iter()
        .filter(|l| l.indicator.kind == Kind::Iso)
        .map(|l| {
            let i = l.indicator;
            let theme =
                i.theme.and_then(|t| ind.registry.theme(t)).map(|t| if p.lang == Lang::Sl { t.sl.clone() } else { t.en.clone() }).unwrap_or_default();
            IsoRow {
                code: i.code.clone(),
                theme,
                name: i.name(p.lang).to_string(),
                latest: l.latest.map(|v| format!("{} ({})", show(&p, i, v.value), v.period)).unwrap_or_else(|| "–".into()),
                related: i.related.iter().filter_map(|c| ind.registry.get(c)).map(|r| (r.code.clone(), r.name(p.lang).to_string())).collect(),
            }
        })
        .collect();
    let area_options = Area::ALL.into_iter().map(|a| (a.code(), p.tk("indicators-area", a.code()), Some(a) == area)).collect();
    let pillar_options = (1..=5u8).map(|n| (n, p.t(&format!("indicators-pillar-{n}")), Some(n) == filter_pillar)).collect();
    let page = BoardPage {
        pillars: pillars(&p, &ind, &lines, filter_pillar, area),
        iso,
        with_value: strategy.iter().filter(|l| l.latest.is_some()).count(),
        total: strategy.len(),
        reached: strategy.iter().filter(|l| l.progress.is_some_and(|x| x >= 1.0)).count(),
        pillar_options,
        area_options,
        year: service::this_year(ctx.now()),
        p,
    };
    Ok(render(&page))
}

pub struct HistoryRow {
    pub period: String,
    pub value: String,
    pub provenance: String,
    pub note: String,
    pub counts: bool,
}

#[derive(Template)]
#[template(path = "indicators_detail.html")]
struct DetailPage {
    p: Page,
    i: Indicator,
    name: String,
    measure: String,
    area: String,
    pillar: String,
    theme: String,
    baseline: String,
    target: String,
    related: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    spark: String,
}

async fn detail(State(ctx): State<Ctx>, p: Page, Extension(ind): Extension<Indicators>, Path(code): Path<String>) -> AppResult<Response> {
    let i = ind.registry.get(&code).ok_or_else(AppError::not_found)?.clone();
    let values = store::of(ctx.db.conn(), &code).await?;
    let counting: Vec<&Value> = service::effective(&values);
    let history = values
        .iter()
        .rev()
        .map(|v| HistoryRow {
            period: v.period.clone(),
            value: show(&p, &i, v.value),
            provenance: p.tk("indicators-provenance", v.provenance.code()),
            note: v.note.clone().unwrap_or_default(),
            counts: counting.iter().any(|c| std::ptr::eq(*c, v)),
        })
        .collect();
    let points: Vec<(String, f64)> = counting.iter().map(|v| (v.period.clone(), v.value)).collect();
    let name = i.name(p.lang).to_string();
    let page = DetailPage {
        spark: chart::sparkline(&points, i.target, &name),
        measure: i.measure_name(p.lang).unwrap_or_default().to_string(),
        area: i.area.map(|a| p.tk("indicators-area", a.code())).unwrap_or_default(),
        pillar: i.pillar.map(|n| p.t(&format!("indicators-pillar-{n}"))).unwrap_or_default(),
        theme: i.theme.and_then(|t| ind.registry.theme(t)).map(|t| if p.lang == Lang::Sl { t.sl.clone() } else { t.en.clone() }).unwrap_or_default(),
        baseline: baseline(&p, &i),
        target: target(&p, &i),
        related: i.related.iter().filter_map(|c| ind.registry.get(c)).map(|r| (r.code.clone(), r.name(p.lang).to_string())).collect(),
        history,
        name,
        i,
        p,
    };
    Ok(render(&page))
}

/// Every value that counts, as an open dataset: who recorded it stays out.
async fn values_csv(State(ctx): State<Ctx>, Extension(ind): Extension<Indicators>) -> AppResult<Response> {
    let values = store::all(ctx.db.conn()).await?;
    let mut out = String::from("\u{feff}");
    out.push_str(&kernel::csv::row(&["code", "kind", "name_sl", "name_en", "unit", "period", "value", "provenance", "baseline", "target_2027"]));
    for l in service::lines(&ind, &values) {
        let i = l.indicator;
        let kind = if i.kind == Kind::Strategy { "strategy" } else { "iso" };
        for v in &l.history {
            out.push_str(&kernel::csv::row(&[
                i.code.as_str(),
                kind,
                &i.name_sl,
                &i.name_en,
                i.unit.code(),
                &v.period,
                &v.value.to_string(),
                v.provenance.code(),
                &i.baseline.map(|b| b.to_string()).unwrap_or_default(),
                &i.target.map(|t| t.to_string()).unwrap_or_default(),
            ]));
        }
    }
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"indicators.csv\"")], out)
        .into_response())
}

// ---- the yearly evaluation report ----

pub struct ReportRow {
    pub code: String,
    pub name: String,
    pub baseline: String,
    pub value: String,
    pub previous: String,
    pub target: String,
    pub progress: Option<u32>,
}

pub struct ReportArea {
    pub name: String,
    pub rows: Vec<ReportRow>,
}

pub struct ReportPillar {
    pub name: String,
    pub areas: Vec<ReportArea>,
}

#[derive(Template)]
#[template(path = "indicators_report.html")]
struct ReportPage {
    p: Page,
    year: i32,
    pillars: Vec<ReportPillar>,
    measured: usize,
    total: usize,
    halfway: usize,
    reached: usize,
}

/// The report's content for a year: for each KPI the value of that year
/// (or the latest before it) and of the year before.
pub struct Report {
    pub year: i32,
    pub pillars: Vec<ReportPillar>,
    pub measured: usize,
    pub total: usize,
    pub halfway: usize,
    pub reached: usize,
}

pub fn report_of(p: &Page, ind: &Indicators, values: &[Value], year: i32) -> Report {
    let up_to = |i: &Indicator, y: i32| -> Option<Value> {
        let mine: Vec<&Value> = values.iter().filter(|v| v.code == i.code && v.period[..4].parse::<i32>().is_ok_and(|vy| vy <= y)).collect();
        service::effective(mine).last().map(|v| (*v).clone())
    };
    let (mut measured, mut total, mut halfway, mut reached) = (0, 0, 0, 0);
    let pillars = (1..=5u8)
        .map(|n| ReportPillar {
            name: p.t(&format!("indicators-pillar-{n}")),
            areas: Area::ALL
                .into_iter()
                .filter(|a| a.pillar() == n)
                .map(|a| ReportArea {
                    name: p.tk("indicators-area", a.code()),
                    rows: ind
                        .registry
                        .indicators
                        .iter()
                        .filter(|i| i.kind == Kind::Strategy && i.area == Some(a))
                        .map(|i| {
                            total += 1;
                            let now = up_to(i, year);
                            let before = up_to(i, year - 1);
                            let progress = now.as_ref().and_then(|v| i.progress(v.value));
                            measured += usize::from(now.is_some());
                            halfway += usize::from(progress.is_some_and(|x| x >= 0.5));
                            reached += usize::from(progress.is_some_and(|x| x >= 1.0));
                            ReportRow {
                                code: i.code.clone(),
                                name: i.name(p.lang).to_string(),
                                baseline: baseline(p, i),
                                value: now.map(|v| format!("{} ({})", show(p, i, v.value), v.period)).unwrap_or_else(|| "–".into()),
                                previous: before.map(|v| format!("{} ({})", show(p, i, v.value), v.period)).unwrap_or_else(|| "–".into()),
                                target: target(p, i),
                                progress: progress.map(|x| (x * 100.0).round() as u32),
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Report { year, pillars, measured, total, halfway, reached }
}

fn year_of(s: &str) -> AppResult<i32> {
    s.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(AppError::not_found)
}

async fn report(State(ctx): State<Ctx>, p: Page, Extension(ind): Extension<Indicators>, Path(year): Path<String>) -> AppResult<Response> {
    if let Some(y) = year.strip_suffix(".pdf") {
        let year = year_of(y)?;
        let values = store::all(ctx.db.conn()).await?;
        let r = report_of(&p, &ind, &values, year);
        let pdf = crate::pdf::report(&p, &r);
        let name = format!("attachment; filename=\"kazalniki-{year}.pdf\"");
        return Ok(([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, name)], pdf).into_response());
    }
    let year = year_of(&year)?;
    let values = store::all(ctx.db.conn()).await?;
    let r = report_of(&p, &ind, &values, year);
    Ok(render(&ReportPage { year, pillars: r.pillars, measured: r.measured, total: r.total, halfway: r.halfway, reached: r.reached, p }))
}

// ---- staff ----

#[derive(Template)]
#[template(path = "indicators_staff.html")]
struct StaffPage {
    p: Page,
    options: Vec<(String, String)>,
    selected_code: String,
    errors: FormErrors,
    form: HashMap<String, String>,
    /// Why the pasted file was refused, and each wrong line.
    import_error: Option<String>,
    import_lines: Vec<String>,
    import_text: String,
    flash: Option<String>,
    year: i32,
}

#[derive(serde::Deserialize, Default)]
struct Flash {
    saved: Option<String>,
    imported: Option<usize>,
    computed: Option<usize>,
}

/// What the staff page shows besides its forms.
#[derive(Default)]
struct Shown {
    errors: FormErrors,
    form: HashMap<String, String>,
    import_error: Option<String>,
    import_lines: Vec<String>,
    import_text: String,
    flash: Option<String>,
}

fn staff_view(p: Page, ctx: &Ctx, ind: &Indicators, s: Shown) -> Response {
    let options = ind.registry.indicators.iter().map(|i| (i.code.clone(), format!("{} — {}", i.code, i.name(p.lang)))).collect();
    no_store(render(&StaffPage {
        options,
        selected_code: s.form.get("code").cloned().unwrap_or_default(),
        errors: s.errors,
        form: s.form,
        import_error: s.import_error,
        import_lines: s.import_lines,
        import_text: s.import_text,
        flash: s.flash,
        year: service::this_year(ctx.now()),
        p,
    }))
}

async fn staff(State(ctx): State<Ctx>, p: Page, actor: Actor, Extension(ind): Extension<Indicators>, Query(f): Query<Flash>) -> AppResult<Response> {
    actor.check(Permission::ManageData)?;
    let flash = match (f.saved, f.imported, f.computed) {
        (Some(code), _, _) => Some(p.t1("indicators-saved", "code", code)),
        (_, Some(n), _) => Some(p.tn("indicators-imported", "count", n as i64)),
        (_, _, Some(n)) => Some(p.tn("indicators-computed", "count", n as i64)),
        _ => None,
    };
    Ok(staff_view(p, &ctx, &ind, Shown { flash, ..Shown::default() }))
}

async fn staff_record(
    State(ctx): State<Ctx>,
    p: Page,
    actor: Actor,
    Extension(ind): Extension<Indicators>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    actor.check(Permission::ManageData)?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let code = get("code");
    let value = get("value").replace(',', ".");
    let result = match value.parse::<f64>() {
        Ok(v) => {
            service::record(&ctx, &actor, &ind, &code, ValueInput { period: get("period"), value: v, note: Some(get("note")) }).await.map(|_| ())
        }
        Err(_) if value.is_empty() => Err(AppError::field("value", "required")),
        Err(_) => Err(AppError::field("value", "not_a_number")),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/staff/indicators?saved={}", kernel::layout::urlencode(&code)))),
        Err(e) if e.fixable() => {
            let errors = FormErrors::from(&p, &e);
            let mut r = staff_view(p, &ctx, &ind, Shown { errors, form: f, ..Shown::default() });
            *r.status_mut() = e.status;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn staff_import(
    State(ctx): State<Ctx>,
    p: Page,
    actor: Actor,
    Extension(ind): Extension<Indicators>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    actor.check(Permission::ManageData)?;
    let text = f.get("csv").cloned().unwrap_or_default();
    match service::import(&ctx, &actor, &ind, &text).await {
        Ok(n) => Ok(see_other(&format!("/staff/indicators?imported={n}"))),
        Err(e) if e.fixable() => {
            let import_error = FormErrors::from(&p, &e).all().first().map(|(_, m)| m.clone());
            let import_lines = e.detail.as_deref().map(|d| d.split("; ").map(str::to_string).collect()).unwrap_or_default();
            let mut r = staff_view(p, &ctx, &ind, Shown { import_error, import_lines, import_text: text, ..Shown::default() });
            *r.status_mut() = e.status;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn staff_recompute(
    State(ctx): State<Ctx>,
    actor: Actor,
    Extension(ind): Extension<Indicators>,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let n = service::recompute(&ctx, &actor, &ind).await?;
    Ok(see_other(&format!("/staff/indicators?computed={n}")))
}
