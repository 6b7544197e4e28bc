//! The map: every layer is open GeoJSON with the demo places of Ptuj; the
//! nearest defibrillator is the known one, with distance and direction;
//! staff create, change, import (all or nothing, an error per feature) and
//! delete, audited; citizens and visitors are refused; an export imports
//! again unchanged.

use crate::harness::{Client, Server, enable_totp, privileged, unique_email};
use reqwest::Method;
use serde_json::{Value, json};

async fn geojson(c: &Client, path: &str) -> Value {
    let r = c.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ct, "application/geo+json", "{path}");
    assert_eq!(r.headers()["access-control-allow-origin"], "*", "open data: {path}");
    r.json().await.unwrap()
}

fn feature_ids(fc: &Value) -> Vec<String> {
    fc["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn every_layer_is_open_geojson_and_the_nearest_defibrillator_is_known() {
    let server = Server::start().await;
    let visitor = server.client();

    let (s, layers) = visitor.json(Method::GET, "/api/v1/places/layers", json!(null)).await;
    assert_eq!(s, 200);
    let layers = layers.as_array().unwrap().clone();
    assert_eq!(layers.len(), 11, "{layers:?}");
    for d in &layers {
        assert_eq!(d["licence"], "CC-BY-4.0");
        assert!(!d["title"]["de"].as_str().unwrap().starts_with("places-"), "titles are translated: {d}");
        let fc = geojson(&visitor, d["geojson_url"].as_str().unwrap()).await;
        assert_eq!(fc["type"], "FeatureCollection");
        let features = fc["features"].as_array().unwrap();
        assert!(!features.is_empty(), "every layer has demo places: {}", d["layer"]);
        for f in features {
            assert_eq!(f["properties"]["layer"], d["layer"]);
            assert!(f["properties"]["name_sl"].is_string(), "{f}");
            // RFC 7946: [lon, lat]; Ptuj is at about 15.87 E, 46.42 N.
            let first = match f["geometry"]["type"].as_str().unwrap() {
                "Point" => f["geometry"]["coordinates"].clone(),
                "LineString" => f["geometry"]["coordinates"][0].clone(),
                "Polygon" => f["geometry"]["coordinates"][0][0].clone(),
                other => panic!("{other}"),
            };
            let (lon, lat) = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
            assert!((15.8..15.95).contains(&lon) && (46.39..46.45).contains(&lat), "{f}");
        }
    }
    let wifi = geojson(&visitor, "/api/v1/places/layers/wifi.geojson").await;
    let networks: Vec<&str> =
        wifi["features"].as_array().unwrap().iter().map(|f| f["properties"]["attributes"]["network"].as_str().unwrap()).collect();
    assert_eq!(networks.iter().filter(|n| **n == "WiFi4EU").count(), 13, "the 13 points of seed §5.5 c)");
    assert_eq!(networks.iter().filter(|n| **n == "eduroam").count(), 10);
    let paths = geojson(&visitor, "/api/v1/places/layers/paths.geojson").await;
    assert!(paths["features"].as_array().unwrap().iter().all(|f| f["geometry"]["type"] == "LineString"));
    let heritage = geojson(&visitor, "/api/v1/places/layers/heritage.geojson").await;
    let castle = heritage["features"].as_array().unwrap().iter().find(|f| f["id"] == "heritage-grad").unwrap();
    assert_eq!(castle["properties"]["name_de"], "Burg Ptuj");
    assert_eq!(castle["properties"]["heritage_level"], "national");

    let r = visitor.get("/api/v1/places/layers/volcanoes.geojson").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(visitor.get("/api/v1/places/layers/aed.json").await.status(), 404);

    // Standing at the bus station's entrance: its AED, a few metres away.
    let (s, near) = visitor.json(Method::GET, "/api/v1/places/nearest?layer=aed&lat=46.42345&lon=15.87760", json!(null)).await;
    assert_eq!(s, 200, "{near}");
    assert_eq!(near.as_array().unwrap().len(), 1);
    assert_eq!(near[0]["feature"]["id"], "aed-avtobusna", "{near}");
    assert!(near[0]["distance_m"].as_i64().unwrap() < 40, "{near}");
    // On Mestni trg, a little east of the town hall: the AED is west of here, about 50 m.
    let (_, near) = visitor.json(Method::GET, "/api/v1/places/nearest?layer=aed&lat=46.41990&lon=15.87060&limit=3", json!(null)).await;
    assert_eq!(near[0]["feature"]["id"], "aed-mestna-hisa", "{near}");
    let d = near[0]["distance_m"].as_i64().unwrap();
    assert!((40..55).contains(&d), "{d}");
    assert_eq!(near[0]["direction"], "w", "{near}");
    let b = near[0]["bearing_deg"].as_i64().unwrap();
    assert!((260..=280).contains(&b), "{b}");
    let dists: Vec<i64> = near.as_array().unwrap().iter().map(|n| n["distance_m"].as_i64().unwrap()).collect();
    assert_eq!(dists.len(), 3);
    assert!(dists.windows(2).all(|w| w[0] <= w[1]), "nearest first: {dists:?}");

    let (s, p) = visitor.json(Method::GET, "/api/v1/places/nearest?layer=ufo&lat=95&lon=15.87&limit=50", json!(null)).await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["layer", "lat", "limit"]);
    let (s, _) = visitor.json(Method::GET, "/api/v1/places/nearest?layer=aed&lat=abc&lon=15.87", json!(null)).await;
    assert_eq!(s, 400);

    let (s, one) = visitor.json(Method::GET, "/api/v1/places/aed-grad", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(one["properties"]["opening_hours"], "Mo-Su 09:00-18:00");
    assert!(one["properties"]["open_now"].is_boolean());
    assert_eq!(visitor.get("/api/v1/places/no-such-place").await.status(), 404);
}

fn aed(name: &str, lon: f64, lat: f64) -> Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {"layer": "aed", "name_sl": name}})
}

#[tokio::test]
async fn staff_edit_and_import_all_or_nothing_and_others_are_refused() {
    let server = Server::start().await;
    let visitor = server.client();
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    let staff = privileged(&server, "staff", &unique_email("turizem")).await;
    let body = json!({"layer": "aed", "name_sl": "AED Knjižnica", "name_en": "AED Library", "opening_hours": "Mo-Fr 08:00-19:00; Sa 08:00-13:00",
        "wheelchair": "yes", "geometry": {"type": "Point", "coordinates": [15.8750, 46.4190]}});

    let (s, _) = visitor.json(Method::POST, "/api/v1/places", body.clone()).await;
    assert_eq!(s, 401);
    let (s, p) = citizen.json(Method::POST, "/api/v1/places", body.clone()).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("missing_role")));
    let (s, _) = citizen.json(Method::POST, "/api/v1/places/import", json!({"type": "FeatureCollection", "features": []})).await;
    assert_eq!(s, 403);
    let (s, _) = citizen.json(Method::DELETE, "/api/v1/places/aed-grad", json!(null)).await;
    assert_eq!(s, 403);
    let (s, p) = staff.json(Method::POST, "/api/v1/places", body.clone()).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("second_factor_required")));
    enable_totp(&staff).await;

    let (s, p) = staff.json(Method::POST, "/api/v1/places", json!({"layer": "aed", "geometry": {"type": "Point", "coordinates": [15.87]}})).await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["name_sl", "geometry"]);
    let (s, created) = staff.json(Method::POST, "/api/v1/places", body.clone()).await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let mut changed = body.clone();
    changed["name_sl"] = json!("AED Knjižnica Ivana Potrča");
    let (s, after) = staff.json(Method::PUT, &format!("/api/v1/places/{id}"), changed).await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["properties"]["name_sl"], "AED Knjižnica Ivana Potrča");

    // One bad feature among good ones: nothing is imported, each problem is named.
    let before = geojson(&visitor, "/api/v1/places/export.geojson").await;
    let n_before = before["features"].as_array().unwrap().len();
    let bad = json!({"type": "FeatureCollection", "features": [
        aed("AED Novi 1", 15.871, 46.421),
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [200.0, 46.42]}, "properties": {"layer": "aed", "name_sl": "Zunaj sveta"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.87, 46.42]}, "properties": {"layer": "volcanoes", "name_sl": "Neznan sloj"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.87, 46.42]}, "properties": {"layer": "aed", "name_en": "No Slovenian name"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[15.87, 46.42]]}, "properties": {"layer": "paths", "name_sl": "Prekratka"}}
    ]});
    let (s, p) = staff.json(Method::POST, "/api/v1/places/import", bad).await;
    assert_eq!(s, 422, "{p}");
    let errors: Vec<(&str, &str)> =
        p["errors"].as_array().unwrap().iter().map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
    assert_eq!(
        errors,
        vec![
            ("features[1].geometry", "coordinates_invalid"),
            ("features[2].properties.layer", "place_layer_unknown"),
            ("features[3].properties.name_sl", "required"),
            ("features[4].geometry", "place_geometry_invalid"),
        ]
    );
    assert!(p["detail"].as_str().unwrap().contains("4 feature"), "{p}");
    let after_bad = geojson(&visitor, "/api/v1/places/export.geojson").await;
    assert_eq!(after_bad["features"].as_array().unwrap().len(), n_before, "nothing half-imported");

    // A good import adds; the whole export imports again as updates only.
    let good = json!({"type": "FeatureCollection", "features": [aed("AED Novi 1", 15.871, 46.421), aed("AED Novi 2", 15.872, 46.422)]});
    let (s, done) = staff.json(Method::POST, "/api/v1/places/import", good).await;
    assert_eq!((s, done.clone()), (200, json!({"created": 2, "updated": 0})));
    let export = geojson(&visitor, "/api/v1/places/export.geojson").await;
    let n = export["features"].as_array().unwrap().len();
    assert_eq!(n, n_before + 2);
    let (s, done) = staff.json(Method::POST, "/api/v1/places/import", export.clone()).await;
    assert_eq!((s, done), (200, json!({"created": 0, "updated": n})));
    let again = geojson(&visitor, "/api/v1/places/export.geojson").await;
    let strip = |fc: &Value| -> Vec<Value> {
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f["properties"].as_object_mut().unwrap().remove("updated_at");
                f
            })
            .collect()
    };
    assert_eq!(strip(&again), strip(&export), "export → import → export is unchanged");
    assert_eq!(feature_ids(&again), feature_ids(&export));

    let (s, _) = staff.json(Method::DELETE, &format!("/api/v1/places/{id}"), json!(null)).await;
    assert_eq!(s, 204);
    assert_eq!(visitor.get(&format!("/api/v1/places/{id}")).await.status(), 404);
    let (s, _) = staff.json(Method::DELETE, &format!("/api/v1/places/{id}"), json!(null)).await;
    assert_eq!(s, 404);

    for action in ["places.create", "places.update", "places.delete"] {
        let n = server.query_i64(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND subject = 'place:{id}'")).await;
        assert_eq!(n, vec![1], "{action} is audited");
    }
    let imports = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'places.import'").await;
    assert_eq!(imports, vec![2], "two imports succeeded");
    let denials = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied' AND subject LIKE '%/api/v1/places%'").await;
    assert!(denials[0] >= 3, "refusals are audited: {denials:?}");
}
