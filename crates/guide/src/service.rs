//! The guide's rules: which places a visitor's filters keep, and a walking
//! route through the ticked sights (places' opening hours on the date become
//! the solver's time windows). Everything is public: no actor, no writes.

use crate::model::{Filters, RouteQuery};
use kernel::error::FieldError;
use kernel::{AppError, AppResult, Ctx};
use places::Layer;
use places::model::Wheelchair;
use places::store::Place;

/// Sights of the guide: the tourist sights and the monuments.
pub const SIGHT_LAYERS: [Layer; 2] = [Layer::Sights, Layer::Heritage];

/// Where routes start and end (`[map.walk_start]`, Ptuj's tourist
/// information centre by default).
pub fn origin(ctx: &Ctx) -> &kernel::config::WalkStart {
    &ctx.config.map.walk_start
}

/// Minutes a visit takes: `attributes.visit_min`, else 20 for a monument
/// (a look from outside) and 45 for a sight.
pub fn visit_min(p: &Place) -> u32 {
    p.attributes.get("visit_min").and_then(|v| v.trim().parse().ok()).filter(|m| (1..=600).contains(m)).unwrap_or(match p.layer {
        Layer::Heritage => 20,
        _ => 45,
    })
}

fn listed(p: &Place, key: &str, want: &str) -> bool {
    p.attributes.get(key).is_some_and(|v| v.split(',').any(|x| x.trim() == want))
}

/// The price a budget compares: a sight or monument without one is free; a
/// bed or a meal without one is unknown.
fn price(p: &Place) -> Option<i64> {
    match (p.price_cents, p.layer) {
        (Some(c), _) => Some(c),
        (None, Layer::Sights | Layer::Heritage) => Some(0),
        (None, _) => None,
    }
}

pub fn keeps(f: &Filters, p: &Place) -> bool {
    f.interest.is_none_or(|i| listed(p, "interests", i))
        && f.age.is_none_or(|a| listed(p, "ages", a))
        && f.budget.is_none_or(|b| price(p).is_some_and(|c| b.allows(c)))
        && f.access.is_none_or(|a| match p.wheelchair {
            Some(Wheelchair::Yes) => true,
            Some(Wheelchair::Limited) => a == "limited",
            _ => false,
        })
        && f.hours.is_none_or(|h| !matches!(p.layer, Layer::Sights | Layer::Heritage) || f64::from(visit_min(p)) <= h * 60.0)
}

/// The guide's three lists, filtered, each sorted by name in `lang`.
pub async fn lists(ctx: &Ctx, f: &Filters, lang: kernel::Lang) -> AppResult<[Vec<Place>; 3]> {
    let all = places::service::list(ctx, &[Layer::Sights, Layer::Heritage, Layer::Accommodation, Layer::Food]).await?;
    let pick = |layers: &[Layer]| {
        let mut v: Vec<Place> = all.iter().filter(|p| layers.contains(&p.layer) && keeps(f, p)).cloned().collect();
        v.sort_by_key(|p| kernel::i18n::fold(p.names.get(lang)));
        v
    };
    Ok([pick(&SIGHT_LAYERS), pick(&[Layer::Accommodation]), pick(&[Layer::Food])])
}

/// A planned route with the places it names.
pub struct Planned {
    pub query: RouteQuery,
    pub route: tour::Route,
    /// The ticked sights, in the order asked.
    pub places: Vec<Place>,
}

impl Planned {
    pub fn place(&self, id: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.id == id)
    }
}

/// When a place is open on a date, as the solver's windows; a place
/// without hours (a monument in the street) is always open.
pub fn windows(p: &Place, date: chrono::NaiveDate) -> Vec<tour::Window> {
    match &p.hours {
        None => vec![tour::Window::ALL_DAY],
        Some(h) => h.day(date).iter().map(|i| tour::Window { open: u32::from(i.from) * 60, close: u32::from(i.to) * 60 }).collect(),
    }
}

/// The best walking route from the start through the ticked sights and back.
/// An id that is not a sight is a 422 naming the field `sight`.
pub async fn plan(ctx: &Ctx, query: RouteQuery) -> AppResult<Planned> {
    let all = places::service::list(ctx, &SIGHT_LAYERS).await?;
    let mut chosen = vec![];
    for id in &query.sights {
        match all.iter().find(|p| &p.id == id) {
            Some(p) => chosen.push(p.clone()),
            None => {
                return Err(AppError::invalid(vec![FieldError { field: "sight".into(), code: "guide_sight_unknown".into() }])
                    .with_detail(format!("no sight {id}")));
            }
        }
    }
    let wishes: Vec<tour::Wish> = chosen
        .iter()
        .map(|p| tour::Wish {
            id: p.id.clone(),
            at: tour::Point { lat: p.geometry.lat, lon: p.geometry.lon },
            stay: visit_min(p) * 60,
            windows: windows(p, query.date),
            score: 1,
        })
        .collect();
    let start = origin(ctx);
    let home = tour::Point { lat: start.lat, lon: start.lon };
    let walk = tour::Walk { start: home, end: home, depart: query.start, back_by: query.back_by(), pace: query.pace.pace() };
    let route = tour::plan(&walk, &wishes);
    Ok(Planned { query, route, places: chosen })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Budget;

    fn demo(id: &str) -> Place {
        let input = places::demo::places().into_iter().find(|p| p.id.as_deref() == Some(id)).unwrap();
        let data = input.validate("", "geometry", None).unwrap();
        Place { id: id.into(), data, created_at: kernel::Timestamp(0), updated_at: kernel::Timestamp(0), demo: true, uploads: vec![] }
    }

    #[test]
    fn filters_read_the_attributes_prices_and_access() {
        let museum = demo("sight-muzej-grad");
        let orpheus = demo("heritage-orfej");
        let hotel = demo("stay-mitra");
        let f = |q: &str| Filters::parse(Some(q)).unwrap();
        assert!(keeps(&f("interest=history&age=children"), &museum));
        assert!(!keeps(&f("interest=wine"), &museum));
        assert!(keeps(&f("budget=free"), &orpheus), "a monument without a price is free");
        assert!(!keeps(&f("budget=free"), &museum));
        assert!(keeps(&Filters { budget: Some(Budget::UpTo(8)), ..Default::default() }, &museum));
        assert!(!keeps(&f("budget=50"), &hotel), "95 € a night");
        assert!(!keeps(&f("access=yes"), &museum) && keeps(&f("access=limited"), &museum));
        assert!(!keeps(&f("hours=0.5"), &museum) && keeps(&f("hours=1"), &museum), "a visit of an hour");
        assert!(keeps(&f("hours=0.5"), &hotel), "time is for sights");
    }

    #[test]
    fn opening_hours_become_windows_of_the_day() {
        let tower = demo("sight-stolp");
        let monday = chrono::NaiveDate::from_ymd_opt(2027, 6, 14).unwrap();
        assert!(windows(&tower, monday).is_empty(), "closed on Mondays");
        assert_eq!(windows(&tower, monday.succ_opt().unwrap()), [tour::Window { open: 10 * 3600, close: 18 * 3600 }]);
        assert_eq!(windows(&demo("heritage-orfej"), monday), [tour::Window::ALL_DAY]);
        assert_eq!((visit_min(&tower), visit_min(&demo("sight-muzej-grad"))), (20, 60));
    }
}
