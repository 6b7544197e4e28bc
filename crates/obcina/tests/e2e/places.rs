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

    // Described in the OpenAPI document, with operation ids unique in the whole document.
    let (_, doc) = visitor.json(Method::GET, "/api/openapi.json", json!(null)).await;
    for path in ["/api/v1/places/layers/{file}", "/api/v1/places/nearest", "/api/v1/places/import", "/api/v1/places/{id}"] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let mut ids = std::collections::BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if let Some(id) = op["operationId"].as_str() {
                assert!(ids.insert(id.to_string()), "operationId {id} of {method} {path} is used twice");
            }
        }
    }

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

/// A layer's GeoJSON is made once and kept: the same ETag (304 on
/// If-None-Match) and bytes until a place changes; gzip when asked for,
/// the same document. A staff edit shows on the next request.
#[tokio::test]
async fn a_layer_is_kept_until_a_place_changes_and_is_sent_compressed_or_not_modified() {
    use std::io::Read;
    let server = Server::start().await;
    let visitor = server.client();
    let url = format!("{}/api/v1/places/layers/aed.geojson", visitor.base);
    let get = |headers: &[(&str, &str)]| {
        let mut rq = visitor.http.get(&url);
        for (k, v) in headers {
            rq = rq.header(*k, *v);
        }
        rq.send()
    };
    let first = get(&[]).await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["vary"], "accept-encoding");
    assert!(first.headers().get("content-encoding").is_none(), "plain unless gzip is asked for");
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let plain = first.bytes().await.unwrap();
    let fc: Value = serde_json::from_slice(&plain).unwrap();
    let n = fc["features"].as_array().unwrap().len();
    assert!(n > 0);

    let zipped = get(&[("accept-encoding", "gzip")]).await.unwrap();
    assert_eq!((zipped.status().as_u16(), zipped.headers()["content-encoding"].to_str().unwrap()), (200, "gzip"));
    assert_eq!(zipped.headers()["content-type"], "application/geo+json");
    let z = zipped.bytes().await.unwrap();
    assert!(z.len() < plain.len(), "compressed: {} < {}", z.len(), plain.len());
    let mut unzipped = vec![];
    flate2::read::GzDecoder::new(&z[..]).read_to_end(&mut unzipped).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&unzipped).unwrap(), fc, "the same document");
    assert_eq!(get(&[("accept-encoding", "gzip;q=0, br")]).await.unwrap().headers().get("content-encoding"), None);

    let again = get(&[("if-none-match", &etag)]).await.unwrap();
    assert_eq!(again.status(), 304, "unchanged");
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(get(&[("if-none-match", "\"0-0\"")]).await.unwrap().status(), 200, "another validator gets the document");

    let staff = privileged(&server, "staff", &unique_email("zdravje")).await;
    enable_totp(&staff).await;
    let (s, created) = staff
        .json(
            Method::POST,
            "/api/v1/places",
            json!({"layer": "aed", "name_sl": "AED Nov", "geometry": {"type": "Point", "coordinates": [15.8751, 46.4191]}}),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let after = get(&[("if-none-match", &etag)]).await.unwrap();
    assert_eq!(after.status(), 200, "a new place makes the layer again");
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag);
    let fc: Value = after.json().await.unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len(), n + 1);
    assert!(feature_ids(&fc).contains(&created["id"].as_str().unwrap().to_string()));
}

async fn page(c: &Client, path: &str, lang: &str) -> (u16, String) {
    let r = c.http.get(format!("{}{path}", c.base)).header("accept-language", lang).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_map_list_and_nearest_defibrillator_pages_in_four_languages() {
    let server = Server::start().await;
    let visitor = server.client();
    let r = visitor.get("/map").await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("img-src 'self' data: https://tile.openstreetmap.org"), "{csp}");
    let html = r.text().await.unwrap();
    assert!(html.contains("Zemljevid občine"), "Slovenian by default");
    assert_eq!(html.matches(r#"type="checkbox" class="check" id="layer-"#).count(), 11, "a switch for every layer");
    assert!(html.contains(r#"id="layer-aed" name="layer" value="aed" checked"#));
    assert!(!html.contains(r#"value="food" checked"#), "the tourist guide's layers are off by default");
    for (lang, title) in [("en", "Municipal map"), ("de", "Gemeindekarte"), ("it", "Mappa del comune")] {
        let (s, html) = page(&visitor, "/map?layer=wifi", lang).await;
        assert_eq!(s, 200);
        assert!(html.contains(title) && html.contains(&format!(r#"<html lang="{lang}""#)), "{lang}");
        assert!(html.contains(r#"value="wifi" checked"#) && !html.contains(r#"value="aed" checked"#));
    }

    // The accessible list, nearest first from the bus station.
    let (s, html) = page(&visitor, "/map/list?layer=aed&lat=46.42345&lon=15.87760", "sl").await;
    assert_eq!(s, 200);
    assert!(html.contains("8 krajev, najbližji prvi"), "{html}");
    let first = html.find("AED Avtobusna postaja").unwrap();
    let second = html.find("AED Športna dvorana Center").unwrap();
    assert!(first < second, "sorted by distance");
    let (_, html) = page(&visitor, "/map/list?layer=heritage&layer=sights", "de").await;
    assert!(
        html.contains("Burg Ptuj") && html.contains("Regionalmuseum auf der Burg Ptuj") && !html.contains("AED Town") && !html.contains("AED Mestna")
    );

    // Nearest defibrillator: by position, by a typed place, and not found.
    let (s, html) = page(&visitor, "/map/aed?lat=46.41990&lon=15.87060", "en").await;
    assert_eq!(s, 200);
    let nearest = &html[html.find("data-nearest").unwrap()..];
    assert!(nearest.contains("AED Town Hall") && nearest.contains("Distance: 50 m") && nearest.contains("Walk towards: west (2"), "{nearest}");
    assert!(nearest.contains(r#"href="geo:46.419900,15.869950"#), "{nearest}");
    assert!(nearest.contains("engine=fossgis_osrm_foot"));
    let (_, html) = page(&visitor, "/map/aed?q=avtobusna", "sl").await;
    assert!(html[html.find("data-nearest").unwrap()..].contains("AED Avtobusna postaja"), "typed place, no accents");
    let (_, html) = page(&visitor, "/map/aed?q=Champs-Elysees", "it").await;
    assert!(html.contains("Non abbiamo trovato questo luogo") && !html.contains("data-nearest"));
    let (_, html) = page(&visitor, "/map/aed", "de").await;
    assert!(html.contains("data-find-aed") && html.contains("zuerst 112"));

    let (s, html) = page(&visitor, "/places/heritage-grad", "de").await;
    assert_eq!(s, 200);
    assert!(html.contains("Burg Ptuj") && html.contains("EŠD 572 · Denkmal von nationaler Bedeutung"), "{html}");
    let (_, html) = page(&visitor, "/places/sight-muzej-grad", "en").await;
    assert!(html.contains("€8.00"), "price shown");
    assert!(html.contains(r#"<dd lang="sl">Dvigalo"#) || html.contains(r#"<dd lang="en">Lift"#), "a fallback text says its language");
    let (s, _) = page(&visitor, "/places/nope", "sl").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn staff_pages_edit_import_and_delete_and_citizens_are_refused() {
    let server = Server::start().await;
    let visitor = server.client();
    let r = visitor.get("/staff/places").await;
    assert_eq!(r.status(), 303, "visitors sign in first");
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcanka")).await;
    let (s, html) = citizen.get_text("/staff/places").await;
    assert_eq!(s, 403, "{html}");
    let staff = privileged(&server, "staff", &unique_email("prostor")).await;
    enable_totp(&staff).await;
    let (s, html) = page(&staff, "/staff/places", "sl").await;
    assert_eq!(s, 200);
    assert!(html.contains("AED Mestna hiša") && html.contains("Uvoz GeoJSON"));

    // A form with gaps comes back with each error; then it is saved.
    let r =
        staff.submit("/staff/places/new", "/staff/places/new", &[("layer", "wifi"), ("lat", "sever"), ("lon", "15.87"), ("price", "poceni")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="name_sl-error""#) && html.contains(r#"id="lat-error""#) && html.contains(r#"id="price-error""#), "{html}");
    let r = staff
        .submit(
            "/staff/places/new",
            "/staff/places/new",
            &[
                ("layer", "wifi"),
                ("name_sl", "Wi-Fi Vrazov trg 2"),
                ("name_de", "WLAN Vrazov trg 2"),
                ("lat", "46,4197"),
                ("lon", "15,8759"),
                ("opening_hours", "24/7"),
                ("attributes", "network = WiFi4EU"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/staff/places/") && to.ends_with("?saved=1"), "{to}");
    let (s, html) = staff.get_text(&to).await;
    assert_eq!(s, 200);
    assert!(html.contains("Shranjeno.") && html.contains(r#"value="Wi-Fi Vrazov trg 2""#));
    let id = to.trim_start_matches("/staff/places/").trim_end_matches("?saved=1").to_string();
    let (_, html) = page(&visitor, &format!("/places/{id}"), "de").await;
    assert!(html.contains("WLAN Vrazov trg 2") && html.contains("ganztägig geöffnet"), "{html}");

    // The import form: per-feature errors, nothing imported; then a good one.
    let bad = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [15.87, 246.42]}, "properties": {"layer": "aed", "name_sl": "Zunaj"}},
        aed("AED V redu", 15.871, 46.421)
    ]})
    .to_string();
    let r = staff.submit("/staff/places", "/staff/places/import", &[("geojson", &bad)]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("<code>features[0].geometry</code>"), "{html}");
    assert!(!html.contains("AED V redu</a>"), "nothing imported");
    let r = staff.submit("/staff/places", "/staff/places/import", &[("geojson", "not json")]).await;
    assert_eq!(r.status(), 422);
    let good = json!({"type": "FeatureCollection", "features": [aed("AED V redu", 15.871, 46.421)]}).to_string();
    let r = staff.submit("/staff/places", "/staff/places/import", &[("geojson", &good)]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Uvoženo: 1 novih, 0 posodobljenih.") && html.contains("AED V redu"), "{html}");

    let r = citizen.submit("/", &format!("/staff/places/{id}/delete"), &[]).await;
    assert_eq!(r.status(), 403, "citizens cannot delete");
    let r = staff.submit(&format!("/staff/places/{id}"), &format!("/staff/places/{id}/delete"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(visitor.get(&format!("/places/{id}")).await.status(), 404);
    let audited = server.query_i64(&format!("SELECT COUNT(*) FROM audit_log WHERE subject = 'place:{id}'")).await;
    assert_eq!(audited, vec![2], "created and deleted, audited");
}

/// Post the photo form of a place's staff page, as a browser would.
async fn upload_photo(c: &Client, place: &str, fields: &[(&str, &str)], photo: Option<(&str, &[u8])>) -> reqwest::Response {
    let (_, html) = c.get_text(&format!("/staff/places/{place}")).await;
    let token = crate::harness::csrf_token(&html);
    let mut all = vec![("_csrf", token.as_str())];
    all.extend_from_slice(fields);
    let files: Vec<(&str, &str, &[u8])> = photo.into_iter().map(|(name, bytes)| ("photo", name, bytes)).collect();
    let (ct, body) = crate::harness::multipart(&all, &files);
    c.http.post(format!("{}/staff/places/{place}/photos", c.base)).header("content-type", ct).body(body).send().await.unwrap()
}

async fn photo_count(server: &Server, place: &str) -> i64 {
    server.query_i64(&format!("SELECT COUNT(*) FROM place_photos WHERE place_id = '{place}'")).await[0]
}

#[tokio::test]
async fn staff_upload_photos_shown_with_alt_text_in_geojson_and_removed() {
    const PLACE: &str = "aed-mestna-hisa";
    let server = Server::start().await;
    let visitor = server.client();
    let staff = privileged(&server, "staff", &unique_email("fotografija")).await;
    enable_totp(&staff).await;
    let camera = kernel::photos::sample_jpeg_with_gps(2400, 1200, 15.8700, 46.4199);

    // Uploaded on the staff page with its alternative text in two languages.
    let alt = [("alt_sl", "Defibrilator v omarici ob vhodu"), ("alt_en", "Defibrillator in a cabinet by the entrance")];
    let r = upload_photo(&staff, PLACE, &alt, Some(("aed.jpg", &camera))).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/staff/places/{PLACE}?photo=added#photos").as_str());
    let (_, html) = page(&staff, &format!("/staff/places/{PLACE}?photo=added"), "sl").await;
    assert!(html.contains("Fotografija je dodana.") && html.contains("Defibrilator v omarici ob vhodu"), "{html}");

    // The public page: the visitor's language, else Slovenian, and says which.
    let (_, html) = page(&visitor, &format!("/places/{PLACE}"), "en").await;
    assert!(html.contains(r#"alt="Defibrillator in a cabinet by the entrance" lang="en""#), "{html}");
    let (_, html) = page(&visitor, &format!("/places/{PLACE}"), "de").await;
    assert!(html.contains(r#"alt="Defibrilator v omarici ob vhodu" lang="sl""#), "{html}");
    let (_, html) = page(&visitor, "/map/list?layer=aed", "en").await;
    assert!(html.contains(r#"class="thumb""#) && html.contains(r#"alt="Defibrillator in a cabinet by the entrance""#), "{html}");

    // In the open dataset, with its address and text; the file has no metadata and is smaller.
    let fc = geojson(&visitor, "/api/v1/places/layers/aed.geojson").await;
    let f = fc["features"].as_array().unwrap().iter().find(|f| f["id"] == PLACE).unwrap();
    let photo = &f["properties"]["photos"][0];
    assert_eq!(photo["alt"], json!({"sl": alt[0].1, "en": alt[1].1}), "{f}");
    let url = photo["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("/places/photos/") && url.ends_with(".jpg"), "{url}");
    let r = visitor.get(&url).await;
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (200, "image/jpeg"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(kernel::photos::gps_position(&bytes), None, "position removed");
    assert!(!bytes.windows(9).any(|w| w == b"SecretCam"), "camera removed");
    assert_eq!(image_size(&bytes), (1600, 800));

    // An export imports again without losing or doubling the photo.
    let export = geojson(&visitor, "/api/v1/places/export.geojson").await;
    let (s, done) = staff.json(Method::POST, "/api/v1/places/import", export).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(photo_count(&server, PLACE).await, 1);
    let fc = geojson(&visitor, "/api/v1/places/layers/aed.geojson").await;
    let f = fc["features"].as_array().unwrap().iter().find(|f| f["id"] == PLACE).unwrap();
    assert_eq!(f["properties"]["photos"].as_array().unwrap().len(), 1, "{f}");

    // Bad input: a clear error on the form, nothing stored.
    let r = upload_photo(&staff, PLACE, &alt, Some(("a.gif", b"GIF89a not a photo"))).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="photo-error""#) && html.contains("Fotografija mora biti v obliki JPEG ali PNG."), "{html}");
    let r = upload_photo(&staff, PLACE, &[("alt_sl", " "), ("alt_en", "Only English")], Some(("aed.jpg", &camera))).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="alt_sl-error""#) && html.contains(r#"value="Only English""#), "{html}");
    let r = upload_photo(&staff, PLACE, &alt, None).await;
    assert_eq!(r.status(), 422);
    assert_eq!(photo_count(&server, PLACE).await, 1);

    // The API: problem+json naming every field; others are refused.
    let api = format!("{}/api/v1/places/{PLACE}/photos", staff.base);
    let (ct, body) = crate::harness::multipart(&[("alt_en", "No Slovenian")], &[("photo", "x.png", b"\x89PNG\r\n\x1a\nbroken")]);
    let r = staff.http.post(&api).header("content-type", ct).body(body).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    let mut fields: Vec<(&str, &str)> =
        p["errors"].as_array().unwrap().iter().map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
    fields.sort();
    assert_eq!(fields, vec![("alt_sl", "required"), ("photo", "photo_unreadable")], "{p}");
    let (ct, body) = crate::harness::multipart(&alt, &[("photo", "aed.jpg", &camera)]);
    let r = visitor.http.post(&api).header("content-type", ct.clone()).body(body.clone()).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let citizen = server.client();
    citizen.citizen(&server, &unique_email("obcan")).await;
    let r = citizen.http.post(&api).header("content-type", ct.clone()).body(body.clone()).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(photo_count(&server, PLACE).await, 1);
    let r = staff.http.post(&api).header("content-type", ct).body(body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let second: Value = r.json().await.unwrap();
    let second_id = second["id"].as_str().unwrap();
    assert_eq!(citizen.json(Method::DELETE, &format!("/api/v1/places/{PLACE}/photos/{second_id}"), json!(null)).await.0, 403);
    assert_eq!(staff.json(Method::DELETE, &format!("/api/v1/places/aed-grad/photos/{second_id}"), json!(null)).await.0, 404, "another place's");
    assert_eq!(staff.json(Method::DELETE, &format!("/api/v1/places/{PLACE}/photos/{second_id}"), json!(null)).await.0, 204);

    // Removed on the staff page: gone from the page, the dataset and the site.
    let first_id = url.trim_start_matches("/places/photos/").trim_end_matches(".jpg").to_string();
    let r = staff.submit(&format!("/staff/places/{PLACE}"), &format!("/staff/places/{PLACE}/photos/{first_id}/delete"), &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(photo_count(&server, PLACE).await, 0);
    assert_eq!(visitor.get(&url).await.status(), 404);
    let fc = geojson(&visitor, "/api/v1/places/layers/aed.geojson").await;
    let f = fc["features"].as_array().unwrap().iter().find(|f| f["id"] == PLACE).unwrap();
    assert_eq!(f["properties"]["photos"], json!([]), "{f}");
    let (_, html) = page(&visitor, &format!("/places/{PLACE}"), "en").await;
    assert!(!html.contains("Defibrillator in a cabinet"), "{html}");

    let audited = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action IN ('places.photo_add', 'places.photo_delete')").await;
    assert_eq!(audited, vec![4]);
}

/// Width and height of a JPEG, from its SOF0 marker.
fn image_size(jpeg: &[u8]) -> (u32, u32) {
    let at = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline JPEG");
    let h = u32::from(jpeg[at + 5]) << 8 | u32::from(jpeg[at + 6]);
    let w = u32::from(jpeg[at + 7]) << 8 | u32::from(jpeg[at + 8]);
    (w, h)
}
