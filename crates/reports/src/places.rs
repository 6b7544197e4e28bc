//! The local gazetteer: a typed street, address or place name becomes a
//! position without the map and without any network geocoder.

use crate::model::{normalize_place, street_part};
use crate::store::Place;

/// What a typed name matched.
#[derive(Debug)]
pub enum Found<'a> {
    One(&'a Place),
    /// Several fit equally well: the reporter picks one.
    Several(Vec<&'a Place>),
    None,
}

/// Best matches first: the whole name, then the street without its number,
/// then names starting with what was typed, then names containing it.
pub fn geocode<'a>(places: &'a [Place], typed: &str) -> Found<'a> {
    let whole = normalize_place(typed);
    let street = street_part(typed);
    if whole.is_empty() {
        return Found::None;
    }
    for wanted in [&whole, &street] {
        let exact: Vec<&Place> = places.iter().filter(|p| p.name_norm == *wanted).collect();
        if exact.len() == 1 {
            return Found::One(exact[0]);
        }
        if exact.len() > 1 {
            return Found::Several(exact);
        }
    }
    if street.chars().count() < 3 {
        return Found::None;
    }
    // "presernova" finds "presernova ulica"; "grad" finds "ptujski grad".
    let starts: Vec<&Place> = places.iter().filter(|p| p.name_norm.starts_with(&street)).collect();
    let found = if starts.is_empty() {
        places.iter().filter(|p| p.name_norm.split(' ').any(|w| w.starts_with(&street)) || p.name_norm.contains(&street)).collect()
    } else {
        starts
    };
    match found.len() {
        0 => Found::None,
        1 => Found::One(found[0]),
        _ => Found::Several(found.into_iter().take(10).collect()),
    }
}

/// DEMO gazetteer of Ptuj: streets and places with approximate positions
/// (centre of the street or the place), [name, kind, lat, lon].
pub const DEMO_PLACES: &[(&str, &str, f64, f64)] = &[
    ("Mestni trg", "street", 46.41992, 15.87003),
    ("Slovenski trg", "street", 46.42040, 15.87210),
    ("Minoritski trg", "street", 46.41905, 15.87440),
    ("Vinarski trg", "street", 46.41950, 15.86890),
    ("Zadružni trg", "street", 46.41820, 15.87690),
    ("Cvetkov trg", "street", 46.42070, 15.87080),
    ("Prešernova ulica", "street", 46.42080, 15.86940),
    ("Murkova ulica", "street", 46.41930, 15.87350),
    ("Krempljeva ulica", "street", 46.41960, 15.87220),
    ("Lackova ulica", "street", 46.41880, 15.87050),
    ("Miklošičeva ulica", "street", 46.42110, 15.87280),
    ("Dravska ulica", "street", 46.41840, 15.87060),
    ("Jadranska ulica", "street", 46.40760, 15.87610),
    ("Vošnjakova ulica", "street", 46.42180, 15.87330),
    ("Trstenjakova ulica", "street", 46.42280, 15.87060),
    ("Rajšpova ulica", "street", 46.42250, 15.86500),
    ("Volkmerjeva cesta", "street", 46.42390, 15.86740),
    ("Potrčeva cesta", "street", 46.42460, 15.87010),
    ("Ormoška cesta", "street", 46.42310, 15.88300),
    ("Ljutomerska cesta", "street", 46.42800, 15.87950),
    ("Rogozniška cesta", "street", 46.43050, 15.86480),
    ("Mariborska cesta", "street", 46.42620, 15.85420),
    ("Zagrebška cesta", "street", 46.40900, 15.88000),
    ("Žnidaričevo nabrežje", "street", 46.41790, 15.86790),
    ("Ulica 5. prekomorske", "street", 46.42900, 15.87200),
    ("Arbajterjeva ulica", "street", 46.42640, 15.87490),
    ("Puhova ulica", "street", 46.42420, 15.88560),
    ("Ptujski grad", "place", 46.42170, 15.86900),
    ("Mestna hiša Ptuj", "place", 46.41985, 15.87000),
    ("Dominikanski samostan", "place", 46.42150, 15.87460),
    ("Mestni park", "place", 46.42330, 15.87700),
    ("Avtobusna postaja Ptuj", "place", 46.42330, 15.87740),
    ("Železniška postaja Ptuj", "place", 46.42250, 15.87900),
    ("Terme Ptuj", "place", 46.41150, 15.85850),
    ("Ptujsko jezero", "place", 46.41100, 15.84500),
    ("Dravski most", "place", 46.41700, 15.87250),
    ("Breg", "place", 46.41250, 15.87350),
    ("Budina", "place", 46.41050, 15.88650),
    ("Rogoznica", "place", 46.43200, 15.86200),
    ("Spuhlja", "place", 46.40500, 15.90800),
];

/// The demo gazetteer as rows.
pub fn demo_places() -> Vec<Place> {
    DEMO_PLACES
        .iter()
        .enumerate()
        .map(|(i, (name, kind, lat, lon))| Place {
            id: format!("ptuj-{:03}", i + 1),
            name: name.to_string(),
            kind: kind.to_string(),
            lat: *lat,
            lon: *lon,
            name_norm: normalize_place(name),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_names_find_their_place() {
        let places = demo_places();
        let one = |s: &str| match geocode(&places, s) {
            Found::One(p) => p.name.clone(),
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(one("Mestni trg 1"), "Mestni trg");
        assert_eq!(one("presernova ulica 12, 2250 Ptuj"), "Prešernova ulica");
        assert_eq!(one("PREŠERNOVA"), "Prešernova ulica");
        assert_eq!(one("grad"), "Ptujski grad");
        assert_eq!(one("Znidaricevo nabrezje"), "Žnidaričevo nabrežje");
        assert!(matches!(geocode(&places, "trg"), Found::Several(_)));
        assert!(matches!(geocode(&places, "Champs-Élysées"), Found::None));
        assert!(matches!(geocode(&places, ""), Found::None));
    }
}
