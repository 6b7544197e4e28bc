//! The demo fleet of Ptuj: the devices and assets a town of its size runs
//! (4,200 street lights on 60 feeders, 8,000 water meters in 12 network
//! sections, 300 bins, air and weather stations, river gauges, chargers,
//! heating substations of public buildings). Generated deterministically,
//! so the simulator knows the same fleet without asking the server.

use serde_json::{Value, json};

/// Centre of Ptuj (Mestni trg), WGS84.
pub const CENTRE: (f64, f64) = (15.8703, 46.4199);

pub struct DemoDevice {
    pub key: String,
    pub device_type: &'static str,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub department: &'static str,
    pub attrs: Value,
    /// Key of the asset it watches, if any.
    pub asset: Option<String>,
}

pub struct DemoAsset {
    pub key: String,
    pub kind: &'static str,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub department: &'static str,
    pub attrs: Value,
}

pub const LIGHTING: &str = "Javna razsvetljava";
pub const WATER: &str = "Komunalno podjetje Ptuj d.d.";
pub const WASTE: &str = "Javne službe Ptuj d.o.o.";
pub const ENVIRONMENT: &str = "Urad za okolje in prostor";
pub const ENERGY: &str = "LEA Spodnje Podravje";
pub const PROTECTION: &str = "Civilna zaščita";
pub const MOBILITY: &str = "Urad za promet";

/// Public buildings with a heating substation and an indoor sensor.
const BUILDINGS: &[(&str, f64, f64)] = &[
    ("Mestna hiša Ptuj", 15.8703, 46.4199),
    ("Osnovna šola Ljudski vrt", 15.8641, 46.4225),
    ("Osnovna šola Mladika", 15.8775, 46.4237),
    ("Osnovna šola Olge Meglič", 15.8618, 46.4262),
    ("Osnovna šola Breg", 15.8836, 46.4122),
    ("Knjižnica Ivana Potrča Ptuj", 15.8712, 46.4190),
    ("Mestno gledališče Ptuj", 15.8695, 46.4205),
    ("Športna dvorana Center", 15.8666, 46.4247),
];

const RIVERS: &[(&str, usize)] = &[("Drava", 8), ("Dravinja", 4), ("Grajena", 4), ("Pesnica", 2), ("Polskava", 2)];

/// A small deterministic generator (no randomness between runs).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn around(rng: &mut Lcg, (lon, lat): (f64, f64), spread: f64) -> (f64, f64) {
    let r = |x: f64| (x * 1e5).round() / 1e5;
    (r(lon + (rng.uniform() - 0.5) * spread * 1.45), r(lat + (rng.uniform() - 0.5) * spread))
}

pub fn assets() -> Vec<DemoAsset> {
    let mut rng = Lcg::new(1);
    let mut out = vec![];
    for (i, (name, lon, lat)) in BUILDINGS.iter().enumerate() {
        out.push(DemoAsset {
            key: format!("ptuj-building-{}", i + 1),
            kind: "building",
            name: name.to_string(),
            lon: *lon,
            lat: *lat,
            department: ENERGY,
            attrs: json!({"demo": true}),
        });
    }
    for s in 1..=12 {
        let (lon, lat) = around(&mut rng, CENTRE, 0.05);
        out.push(DemoAsset {
            key: format!("ptuj-dma-{s:02}"),
            kind: "water_section",
            name: format!("Vodovodni sektor {s:02}"),
            lon,
            lat,
            department: WATER,
            attrs: json!({"demo": true}),
        });
    }
    for f in 1..=60 {
        let (lon, lat) = around(&mut rng, CENTRE, 0.05);
        out.push(DemoAsset {
            key: format!("ptuj-feeder-{f:02}"),
            kind: "feeder",
            name: format!("Prižigališče RP-{f:02}"),
            lon,
            lat,
            department: LIGHTING,
            attrs: json!({"demo": true}),
        });
    }
    for (i, (name, lon, lat)) in [("Puhov most", 15.8577, 46.4143), ("Dravski most", 15.8740, 46.4170)].iter().enumerate() {
        out.push(DemoAsset {
            key: format!("ptuj-bridge-{}", i + 1),
            kind: "bridge",
            name: name.to_string(),
            lon: *lon,
            lat: *lat,
            department: MOBILITY,
            attrs: json!({"demo": true}),
        });
    }
    out
}

pub fn devices() -> Vec<DemoDevice> {
    let mut rng = Lcg::new(2);
    let mut out = vec![];
    let mut add = |key: String,
                   device_type: &'static str,
                   name: String,
                   (lon, lat): (f64, f64),
                   department: &'static str,
                   attrs: Value,
                   asset: Option<String>| {
        let mut attrs = attrs;
        attrs["demo"] = json!(true);
        out.push(DemoDevice { key, device_type, name, lon, lat, department, attrs, asset });
    };
    let feeders: Vec<(f64, f64)> = assets().iter().filter(|a| a.kind == "feeder").map(|a| (a.lon, a.lat)).collect();
    for n in 1..=4200 {
        let f = (n - 1) % 60;
        let at = around(&mut rng, feeders[f], 0.008);
        let rated = [40, 60, 80, 120][n % 4];
        add(
            format!("ptuj-lum-{n:05}"),
            "Streetlight",
            format!("Svetilka {n}"),
            at,
            LIGHTING,
            json!({"feeder": format!("RP-{:02}", f + 1), "ratedPower": rated}),
            Some(format!("ptuj-feeder-{:02}", f + 1)),
        );
    }
    let sections: Vec<(f64, f64)> = assets().iter().filter(|a| a.kind == "water_section").map(|a| (a.lon, a.lat)).collect();
    for n in 1..=8000 {
        let s = (n - 1) % 12;
        let at = around(&mut rng, sections[s], 0.01);
        add(
            format!("ptuj-wm-{n:04}"),
            "WaterConsumptionObserved",
            format!("Vodomer {n}"),
            at,
            WATER,
            json!({"section": format!("{:02}", s + 1)}),
            Some(format!("ptuj-dma-{:02}", s + 1)),
        );
    }
    // Each network section's inflow, for minimum-night-flow leak detection.
    for (i, at) in sections.iter().enumerate() {
        add(
            format!("ptuj-dma-inflow-{:02}", i + 1),
            "WaterConsumptionObserved",
            format!("Dotok v sektor {:02}", i + 1),
            *at,
            WATER,
            json!({"section": format!("{:02}", i + 1), "role": "inflow", "meters": 8000 / 12 + usize::from(i < 8000 % 12)}),
            Some(format!("ptuj-dma-{:02}", i + 1)),
        );
    }
    for n in 1..=300 {
        let at = around(&mut rng, CENTRE, 0.04);
        add(format!("ptuj-bin-{n:03}"), "WasteContainer", format!("Zabojnik {n}"), at, WASTE, json!({"capacityLitres": 1100}), None);
    }
    for (i, place) in ["Ptuj – center", "Ptuj – Rabelčja vas", "Ptuj – Spuhlja"].iter().enumerate() {
        add(
            format!("ptuj-aq-{}", i + 1),
            "AirQualityObserved",
            format!("Kakovost zraka {place}"),
            around(&mut rng, CENTRE, 0.03),
            ENVIRONMENT,
            json!({}),
            None,
        );
    }
    for (i, place) in ["Ptuj – Terme", "Ptuj – Budina"].iter().enumerate() {
        add(
            format!("ptuj-wx-{}", i + 1),
            "WeatherObserved",
            format!("Vremenska postaja {place}"),
            around(&mut rng, CENTRE, 0.03),
            ENVIRONMENT,
            json!({}),
            None,
        );
    }
    let mut g = 0;
    for (river, n) in RIVERS {
        for i in 1..=*n {
            g += 1;
            let flood = if *river == "Drava" { 450 } else { 250 };
            add(
                format!("ptuj-river-{g:02}"),
                "FloodMonitoring",
                format!("Vodostaj {river} {i}"),
                around(&mut rng, CENTRE, 0.08),
                PROTECTION,
                json!({"river": river, "floodLevel": flood, "alertLevel": flood * 8 / 10}),
                None,
            );
        }
    }
    for n in 1..=12 {
        add(
            format!("ptuj-ev-{n:02}"),
            "EVChargingStation",
            format!("Polnilnica {n}"),
            around(&mut rng, CENTRE, 0.03),
            MOBILITY,
            json!({"sockets": 2}),
            None,
        );
    }
    for (i, (name, lon, lat)) in BUILDINGS.iter().enumerate() {
        let asset = Some(format!("ptuj-building-{}", i + 1));
        add(format!("ptuj-hs-{}", i + 1), "HeatingSubstation", format!("Toplotna postaja {name}"), (*lon, *lat), ENERGY, json!({}), asset.clone());
        add(format!("ptuj-in-{}", i + 1), "IndoorEnvironmentObserved", format!("Notranje okolje {name}"), (*lon, *lat), ENERGY, json!({}), asset);
    }
    for n in 1..=6 {
        add(
            format!("ptuj-traffic-{n}"),
            "TrafficFlowObserved",
            format!("Števec prometa {n}"),
            around(&mut rng, CENTRE, 0.03),
            MOBILITY,
            json!({}),
            None,
        );
    }
    for (i, b) in [1usize, 2, 3].iter().enumerate() {
        let (name, lon, lat) = BUILDINGS[*b];
        add(
            format!("ptuj-pv-{}", i + 1),
            "SolarPlant",
            format!("Sončna elektrarna {name}"),
            (lon, lat),
            ENERGY,
            json!({"peakPower": 50}),
            Some(format!("ptuj-building-{}", b + 1)),
        );
    }
    for i in 1..=2 {
        add(
            format!("ptuj-vib-{i}"),
            "VibrationObserved",
            format!("Tresljaji most {i}"),
            around(&mut rng, CENTRE, 0.02),
            MOBILITY,
            json!({}),
            Some(format!("ptuj-bridge-{i}")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fleet_is_the_size_the_issue_names_and_stable() {
        let d = devices();
        let count = |t: &str| d.iter().filter(|x| x.device_type == t).count();
        assert_eq!(count("Streetlight"), 4200);
        assert_eq!(count("WaterConsumptionObserved"), 8000 + 12, "household meters and one inflow per section");
        assert_eq!(count("WasteContainer"), 300);
        assert_eq!(count("FloodMonitoring"), 20);
        assert_eq!(count("EVChargingStation"), 12);
        let keys: std::collections::HashSet<&str> = d.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(keys.len(), d.len(), "keys are unique");
        assert_eq!(devices()[123].lon, d[123].lon, "deterministic");
        let types = crate::types::builtin();
        assert!(d.iter().all(|x| types.iter().any(|t| t.id == x.device_type)));
        let asset_keys: std::collections::HashSet<String> = assets().into_iter().map(|a| a.key).collect();
        assert!(d.iter().filter_map(|x| x.asset.as_ref()).all(|a| asset_keys.contains(a)));
        assert!(d.iter().all(|x| (15.7..16.0).contains(&x.lon) && (46.3..46.5).contains(&x.lat)), "all in Ptuj");
    }
}
