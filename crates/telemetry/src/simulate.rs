//! A realistic stream for the demo fleet of Ptuj: daily and weekly
//! patterns, and the faults the rules are there to catch. Pure generation:
//! the `obcina simulate` command sends what this produces.
//!
//! Faults, on purpose:
//! - section 07 leaks 1,500 l/h (its inflow at night is far above its meters);
//!   meters 0042 and 0777 have a leak behind the meter (flow all night);
//! - meters 0100 and 0200 have stopped; meter 0300 drifts (its index runs 30 % fast);
//! - building 3 is heated at night and at weekends, building 5 above 24 °C;
//! - bins fill at their own rate; some must be emptied today;
//! - river gauge 03 (Drava) rises 8 cm an hour towards its flood level;
//! - luminaire 00013 burns by day, 00077 draws nothing when on, feeder RP-12 is silent;
//! - air station 2 is frozen on one value; weather station 2 re-stamps an old time.

use crate::demo::{DemoDevice, Lcg};
use chrono::{Datelike, Timelike};
use std::fmt::Write;

const MIN: i64 = 60_000;

struct State {
    counter: f64,
    fill: f64,
    fill_rate: f64,
    frozen_at: Option<i64>,
}

pub struct Simulator {
    devices: Vec<DemoDevice>,
    state: Vec<State>,
    noise: Lcg,
    /// The simulation's start: the river's rise and the faults begin here.
    start: i64,
}

/// Minutes between readings for each device type.
pub fn cadence_minutes(device_type: &str) -> i64 {
    match device_type {
        "Streetlight" | "WaterConsumptionObserved" => 15,
        "WasteContainer" => 60,
        "AirQualityObserved" | "WeatherObserved" | "IndoorEnvironmentObserved" | "VibrationObserved" => 10,
        _ => 5,
    }
}

fn local_hours(t: i64) -> (f64, u32) {
    let l = kernel::Timestamp(t).local();
    (l.hour() as f64 + l.minute() as f64 / 60.0, l.weekday().num_days_from_monday())
}

/// Darkness in Ptuj at this local hour and day of year (lights on).
fn dark(hour: f64, day_of_year: u32) -> bool {
    // Sunrise and sunset swing ±2 h around 6:00 and 18:00 over the year (local standard time is close enough).
    let swing = 2.0 * ((day_of_year as f64 - 172.0) / 365.0 * std::f64::consts::TAU).cos();
    hour < 6.0 + swing.max(-1.5) || hour > 18.0 - swing
}

fn bell(hour: f64, centre: f64, width: f64) -> f64 {
    (-((hour - centre) / width).powi(2)).exp()
}

impl Simulator {
    pub fn new(devices: Vec<DemoDevice>, start: i64) -> Simulator {
        let mut rng = Lcg::new(7);
        let state = devices
            .iter()
            .map(|_| State {
                counter: 1000.0 * rng.uniform(),
                fill: 100.0 * rng.uniform() * 0.6,
                fill_rate: 5.0 + 20.0 * rng.uniform(),
                frozen_at: None,
            })
            .collect();
        Simulator { devices, state, noise: Lcg::new(11), start }
    }

    pub fn devices(&self) -> &[DemoDevice] {
        &self.devices
    }

    /// Append, as line-format lines with millisecond times, the readings of
    /// every device due at `t` (a multiple of five minutes); returns how many
    /// readings were written.
    pub fn tick(&mut self, t: i64, out: &mut String) -> usize {
        let (hour, weekday) = local_hours(t);
        let doy = kernel::Timestamp(t).local().ordinal();
        let weekend = weekday >= 5;
        let since_start_h = (t - self.start) as f64 / 3_600_000.0;
        let mut n = 0;
        for i in 0..self.devices.len() {
            let d = &self.devices[i];
            let every = cadence_minutes(d.device_type);
            if t.rem_euclid(every * MIN) != 0 {
                continue;
            }
            let step_h = every as f64 / 60.0;
            let noise = self.noise.uniform() - 0.5;
            let st = &mut self.state[i];
            let key = d.key.as_str();
            let num = |s: &str| s.rsplit('-').next().and_then(|x| x.parse::<u32>().ok()).unwrap_or(0);
            let mut fields: Vec<(&str, f64)> = vec![];
            let mut ts = t;
            match d.device_type {
                "Streetlight" => {
                    if d.attrs["feeder"] == "RP-12" && since_start_h > 22.0 {
                        continue; // the feeder's gateway went offline two hours before "now"
                    }
                    let on = dark(hour, doy) || num(key) == 13;
                    let level = if !on {
                        0.0
                    } else if !(5.0..23.0).contains(&hour) && num(key) != 13 {
                        40.0
                    } else {
                        100.0
                    };
                    let rated = d.attrs["ratedPower"].as_f64().unwrap_or(60.0);
                    let power = if num(key) == 77 { 0.0 } else { rated * level / 100.0 * (1.0 + noise * 0.04) };
                    st.counter += power * step_h / 1000.0;
                    fields = vec![("illuminanceLevel", level), ("activePower", power), ("energyConsumed", st.counter)];
                }
                "WaterConsumptionObserved" => {
                    let n = num(key);
                    let inflow = d.attrs["role"] == "inflow";
                    let flow = if inflow {
                        let meters = d.attrs["meters"].as_f64().unwrap_or(666.0);
                        let household = meters * (2.0 + 18.0 * (bell(hour, 7.0, 1.5) + bell(hour, 19.5, 2.0)));
                        let leak = if d.attrs["section"] == "07" { 1500.0 } else { 0.0 };
                        (household + leak) * (1.0 + noise * 0.05)
                    } else if n == 100 || n == 200 {
                        0.0
                    } else {
                        let base = 2.0 + 18.0 * (bell(hour, 7.0, 1.5) + bell(hour, 19.5, 2.0));
                        let behind_meter_leak = if n == 42 || n == 777 { 25.0 } else { 0.0 };
                        (base * (1.0 + noise)).max(0.0) + behind_meter_leak
                    };
                    let drift = if n == 300 && !inflow { 1.3 } else { 1.0 };
                    if !(n == 100 || n == 200) || inflow {
                        st.counter += flow * step_h / 1000.0 * drift;
                    }
                    fields = vec![("flow", flow), ("consumption", st.counter)];
                }
                "WasteContainer" => {
                    st.fill += st.fill_rate * step_h / 24.0 * (1.0 + noise * 0.2);
                    // Emptied on the morning round when above 85 %.
                    if st.fill > 85.0 && (7.0..8.0).contains(&hour) {
                        st.fill = 2.0;
                    }
                    st.fill = st.fill.min(100.0);
                    fields = vec![("fillingLevel", st.fill), ("temperature", 6.0 + 4.0 * bell(hour, 14.0, 4.0))];
                }
                "AirQualityObserved" => {
                    let traffic = bell(hour, 7.5, 1.5) + bell(hour, 16.5, 2.0);
                    let mut pm10 = 18.0 + 22.0 * traffic + 4.0 * noise;
                    if key == "ptuj-aq-2" {
                        pm10 = 27.0; // frozen sensor
                    }
                    fields = vec![
                        ("NO2", 12.0 + 35.0 * traffic + 3.0 * noise),
                        ("PM10", pm10),
                        ("PM2_5", pm10 * 0.7),
                        ("O3", 20.0 + 40.0 * bell(hour, 15.0, 3.0)),
                        ("airQualityIndex", (pm10 * 1.2).round()),
                    ];
                }
                "WeatherObserved" => {
                    let temp = 4.0 + 6.0 * bell(hour, 14.0, 4.5) + noise;
                    if key == "ptuj-wx-2" {
                        ts = *st.frozen_at.get_or_insert(t); // re-stamps the first time it knew
                    }
                    let uv = if dark(hour, doy) { 0.0 } else { (2.0 * bell(hour, 12.5, 2.5) * 10.0).round() / 10.0 };
                    fields = vec![
                        ("temperature", temp),
                        ("relativeHumidity", 85.0 - 20.0 * bell(hour, 14.0, 4.0)),
                        ("atmosphericPressure", 1016.0 + noise),
                        ("windSpeed", (2.5 + 2.0 * noise).max(0.0)),
                        ("precipitation", 0.0),
                        ("uVIndexMax", uv),
                    ];
                }
                "FloodMonitoring" => {
                    let flood = d.attrs["floodLevel"].as_f64().unwrap_or(300.0);
                    let base = flood * 0.4;
                    let level = if key == "ptuj-river-03" { base + 8.0 * since_start_h.max(0.0) } else { base + 3.0 * noise };
                    fields = vec![("currentLevel", level.min(flood * 1.2)), ("flow", level * 2.0)];
                }
                "EVChargingStation" => {
                    let busy = self.noise.uniform() < 0.3 * (bell(hour, 9.0, 3.0) + bell(hour, 17.0, 3.0));
                    let power = if busy { 11.0 + 10.0 * noise } else { 0.0 };
                    st.counter += power * step_h;
                    fields =
                        vec![("activePower", power.max(0.0)), ("energyConsumed", st.counter), ("availableCapacity", if busy { 1.0 } else { 2.0 })];
                }
                "HeatingSubstation" => {
                    let b = num(key);
                    let occupied = !weekend && (6.0..18.0).contains(&hour);
                    let heating = occupied || b == 3;
                    let power = if heating { 180.0 + 40.0 * noise } else { 25.0 };
                    st.counter += power * step_h;
                    fields = vec![
                        ("supplyTemperature", if heating { 75.0 } else { 45.0 }),
                        ("returnTemperature", if heating { 55.0 } else { 38.0 }),
                        ("thermalPower", power),
                        ("heatEnergy", st.counter),
                    ];
                }
                "IndoorEnvironmentObserved" => {
                    let b = num(key);
                    let occupied = !weekend && (6.0..18.0).contains(&hour);
                    let temp = match b {
                        3 => 22.0,
                        5 if occupied => 25.5,
                        _ if occupied => 21.0,
                        _ => 17.0,
                    } + noise * 0.4;
                    let co2 = if occupied { 600.0 + 500.0 * bell(hour, 11.0, 2.5) } else { 420.0 };
                    fields = vec![
                        ("temperature", temp),
                        ("relativeHumidity", 40.0 + 5.0 * noise),
                        ("co2", co2),
                        ("setpoint", if occupied { 21.0 } else { 17.0 }),
                    ];
                }
                "TrafficFlowObserved" => {
                    let flow = 40.0 + 400.0 * (bell(hour, 7.5, 1.5) + bell(hour, 16.0, 2.0)) * if weekend { 0.5 } else { 1.0 };
                    fields = vec![
                        ("intensity", (flow * (1.0 + noise * 0.1)).round()),
                        ("averageVehicleSpeed", 45.0 - 10.0 * bell(hour, 16.0, 2.0) + 3.0 * noise),
                        ("occupancy", (flow / 10.0).min(100.0)),
                    ];
                }
                "SolarPlant" => {
                    let peak = d.attrs["peakPower"].as_f64().unwrap_or(50.0);
                    let p = if dark(hour, doy) { 0.0 } else { peak * 0.6 * bell(hour, 12.5, 2.8) };
                    st.counter += p * step_h;
                    fields = vec![("activePower", p), ("energyProduced", st.counter)];
                }
                "VibrationObserved" => {
                    fields = vec![("peakParticleVelocity", (0.4 + 0.3 * noise).abs()), ("dominantFrequency", 12.0 + noise)];
                }
                _ => {}
            }
            if fields.is_empty() {
                continue;
            }
            out.push_str(key);
            for (j, (q, v)) in fields.iter().enumerate() {
                let _ = write!(out, "{}{q}={:.3}", if j == 0 { ' ' } else { ',' }, v);
            }
            let _ = writeln!(out, " {ts}");
            n += fields.len();
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Precision, from_lines};

    fn run(hours: i64) -> (Simulator, String) {
        // 2026-11-24 00:00 UTC, a Tuesday.
        let start = 1_795_478_400_000;
        let mut sim = Simulator::new(crate::demo::devices(), start);
        let mut out = String::new();
        let mut t = start;
        while t < start + hours * 3_600_000 {
            sim.tick(t, &mut out);
            t += 5 * MIN;
        }
        (sim, out)
    }

    #[test]
    fn every_line_is_valid_and_within_the_types_ranges() {
        let (_, out) = run(2);
        let types = crate::types::builtin();
        let by_key: std::collections::HashMap<String, &str> = crate::demo::devices().into_iter().map(|d| (d.key, d.device_type)).collect();
        let readings = from_lines(&out, Precision::Ms);
        assert!(readings.len() > 60_000, "{} readings in two hours", readings.len());
        for r in readings {
            let c = r.expect("every line parses");
            let t = types.iter().find(|t| t.id == by_key[&*c.device]).unwrap();
            let q = t.quantity(&c.quantity).unwrap_or_else(|| panic!("{} has {}", t.id, c.quantity));
            let crate::model::Value::Number(v) = c.value else { panic!() };
            assert!(v >= q.min && v <= q.max, "{}.{} = {v}", c.device, c.quantity);
        }
    }

    #[test]
    fn the_faults_are_in_the_stream() {
        let (_, out) = run(24);
        let lines: Vec<&str> = out.lines().collect();
        let of = |key: &str| lines.iter().filter(|l| l.starts_with(&format!("{key} "))).copied().collect::<Vec<_>>();
        // The rising river: the last reading is far above the first.
        let level = |l: &str| l.split("currentLevel=").nth(1).unwrap().split(',').next().unwrap().parse::<f64>().unwrap();
        let river = of("ptuj-river-03");
        assert!(level(river.last().unwrap()) - level(river[0]) > 150.0);
        // The silent feeder sends nothing in the last two hours.
        assert!(of("ptuj-lum-00012").len() < 96, "RP-12 stopped");
        // The frozen weather station repeats one time stamp.
        let stamps: std::collections::HashSet<&str> = of("ptuj-wx-2").iter().map(|l| l.rsplit(' ').next().unwrap()).collect();
        assert_eq!(stamps.len(), 1);
    }
}
