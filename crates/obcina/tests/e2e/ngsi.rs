//! The NGSI-LD broker over HTTP: user contexts fetched from a real server,
//! entity and attribute operations with their partial results, batches,
//! the temporal evolution with aggregations of known answers, subscriptions
//! notified to a real HTTP listener, tenants, and who may write.

use crate::harness::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const LD: &str = "application/ld+json";

/// A small HTTP server: serves one JSON-LD context and records every POST it gets.
struct Peer {
    url: String,
    received: Arc<Mutex<Vec<(axum::http::HeaderMap, Value)>>>,
}

impl Peer {
    async fn start() -> Peer {
        let received: Arc<Mutex<Vec<(axum::http::HeaderMap, Value)>>> = Arc::default();
        let store = received.clone();
        let app = axum::Router::new()
            .route(
                "/context.jsonld",
                axum::routing::get(|| async {
                    let ctx = json!({"@context": {"ex": "https://example.org/ns#", "Building": "ex:Building", "name": "ex:name", "height": "ex:height", "category": {"@id": "ex:category", "@type": "@vocab"}}});
                    ([("content-type", LD)], ctx.to_string())
                }),
            )
            .route(
                "/notify",
                axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                    let store = store.clone();
                    async move {
                        store.lock().unwrap().push((headers, serde_json::from_str(&body).unwrap_or(Value::Null)));
                        axum::http::StatusCode::OK
                    }
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Peer { url, received }
    }

    fn context(&self) -> String {
        format!("{}/context.jsonld", self.url)
    }

    fn link(&self) -> String {
        format!("<{}>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"", self.context())
    }

    async fn wait_for(&self, n: usize) -> Vec<Value> {
        for _ in 0..100 {
            let got: Vec<Value> = self.received.lock().unwrap().iter().map(|(_, v)| v.clone()).collect();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("fewer than {n} notifications arrived: {:?}", self.received.lock().unwrap());
    }
}

async fn send(c: &Client, method: Method, path: &str, ctype: &str, link: Option<&str>, body: Value) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut r = c.http.request(method, format!("{}{path}", c.base)).header("content-type", ctype).body(body.to_string());
    if let Some(l) = link {
        r = r.header("link", l);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.json().await.unwrap_or(Value::Null))
}

async fn get(c: &Client, path: &str, link: Option<&str>) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut r = c.http.get(format!("{}{path}", c.base));
    if let Some(l) = link {
        r = r.header("link", l);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.json().await.unwrap_or(Value::Null))
}

fn error_type(v: &Value) -> &str {
    v["type"].as_str().unwrap_or("").trim_start_matches("https://uri.etsi.org/ngsi-ld/errors/")
}

#[tokio::test]
async fn entities_keep_the_names_of_their_context() {
    let server = Server::start().await;
    let peer = Peer::start().await;
    let c = server.client();
    let entity = json!({
        "id": "urn:ngsi-ld:Building:t1", "type": "Building",
        "name": {"type": "Property", "value": "Mestna hiša"},
        "height": {"type": "Property", "value": 21, "unitCode": "MTR", "observedAt": "2026-11-01T10:00:00Z"},
        "category": {"type": "VocabProperty", "vocab": "office"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [15.8708, 46.4203]}},
        "@context": [peer.context(), "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"]
    });
    let (s, h, _) = send(&c, Method::POST, "/ngsi-ld/v1/entities", LD, None, entity.clone()).await;
    assert_eq!(s, 201);
    assert_eq!(h["location"], "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:t1");
    let (s, _, e) = send(&c, Method::POST, "/ngsi-ld/v1/entities", LD, None, entity.clone()).await;
    assert_eq!((s, error_type(&e)), (409, "AlreadyExists"));

    // With the same context: the short names; without it, the IRIs.
    let (s, _, e) = get(&c, "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:t1", Some(&peer.link())).await;
    assert_eq!(s, 200);
    assert_eq!(e["type"], "Building");
    assert_eq!(e["name"]["value"], "Mestna hiša");
    assert_eq!(e["category"]["vocab"], "office", "vocabulary values compacted too");
    let (_, _, plain) = get(&c, "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:t1", None).await;
    assert_eq!(plain["type"], "https://example.org/ns#Building");
    assert_eq!(plain["https://example.org/ns#name"]["value"], "Mestna hiša");
    assert_eq!(plain["location"]["value"]["type"], "Point", "core terms stay short");

    // Queries in the same vocabulary: type, q on a value and a sub-member, geo, keyValues.
    let link = peer.link();
    let q = |s: &'static str| format!("/ngsi-ld/v1/entities?type=Building&{s}");
    let (_, _, found) = get(&c, &q("q=height>20;height.unitCode==%22MTR%22&options=keyValues"), Some(&link)).await;
    assert_eq!(
        found,
        json!([{"id": "urn:ngsi-ld:Building:t1", "type": "Building", "name": "Mestna hiša", "height": 21, "category": "office", "location": {"type": "Point", "coordinates": [15.8708, 46.4203]}}])
    );
    let (_, _, none) = get(&c, &q("q=height>30"), Some(&link)).await;
    assert_eq!(none, json!([]));
    let (_, _, near) = get(&c, &q("georel=near;maxDistance==100&geometry=Point&coordinates=[15.8700,46.4200]"), Some(&link)).await;
    assert_eq!(near.as_array().map(Vec::len), Some(1));
    let (_, _, far) = get(&c, &q("georel=near;maxDistance==10&geometry=Point&coordinates=[15.8700,46.4200]"), Some(&link)).await;
    assert_eq!(far, json!([]));
    let (_, _, other_vocab) = get(&c, "/ngsi-ld/v1/entities?type=Building&id=urn:ngsi-ld:Building:t1", None).await;
    assert_eq!(other_vocab, json!([]), "Building without the context is another type");
    let (_, _, ld) = c
        .http
        .get(format!("{}/ngsi-ld/v1/entities/urn:ngsi-ld:Building:t1", c.base))
        .header("accept", LD)
        .header("link", &link)
        .send()
        .await
        .map(|r| (0, (), r))
        .unwrap();
    let ld: Value = ld.json().await.unwrap();
    assert_eq!(ld["@context"], json!(peer.context()), "JSON-LD carries the request's context");

    // Refusals: not JSON, wrong media types, a missing context, a bad id.
    let r = c.http.post(format!("{}/ngsi-ld/v1/entities", c.base)).header("content-type", "application/json").body("{nope").send().await.unwrap();
    assert_eq!((r.status().as_u16(), error_type(&r.json().await.unwrap())), (400, "InvalidRequest"));
    let (s, _, _) = send(&c, Method::POST, "/ngsi-ld/v1/entities", "text/plain", None, json!({})).await;
    assert_eq!(s, 415);
    let r = c.http.get(format!("{}/ngsi-ld/v1/entities/urn:ngsi-ld:Building:t1", c.base)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 406);
    let (s, _, e) = send(&c, Method::POST, "/ngsi-ld/v1/entities", LD, None, json!({"id": "urn:ngsi-ld:X:1", "type": "X"})).await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "JSON-LD without @context");
    let (s, _, e) = send(
        &c,
        Method::POST,
        "/ngsi-ld/v1/entities",
        LD,
        None,
        json!({"id": "urn:ngsi-ld:X:1", "type": "X", "@context": "http://127.0.0.1:9/missing.jsonld"}),
    )
    .await;
    assert_eq!((s, error_type(&e)), (503, "LdContextNotAvailable"));
    let (s, _, e) = get(&c, "/ngsi-ld/v1/entities/not-a-uri", None).await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"));
    let (s, _, e) = get(&c, "/ngsi-ld/v1/entities", None).await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "a query needs a filter");
}

#[tokio::test]
async fn attribute_changes_say_what_they_did_not_do() {
    let server = Server::start().await;
    let c = server.client();
    let json_ct = "application/json";
    let e = json!({"id": "urn:ngsi-ld:Room:r1", "type": "Room", "temperature": {"type": "Property", "value": 20}, "capacity": 30});
    assert_eq!(send(&c, Method::POST, "/ngsi-ld/v1/entities", json_ct, None, e).await.0, 201);
    let path = "/ngsi-ld/v1/entities/urn:ngsi-ld:Room:r1";

    // Updating attributes adds those the entity lacks (as the ETSI suite expects).
    let (s, _, _) = send(
        &c,
        Method::PATCH,
        &format!("{path}/attrs"),
        json_ct,
        None,
        json!({"temperature": {"type": "Property", "value": 22}, "humidity": {"type": "Property", "value": 41}}),
    )
    .await;
    assert_eq!(s, 204);
    let (s, _, out) =
        send(&c, Method::POST, &format!("{path}/attrs?options=noOverwrite"), json_ct, None, json!({"temperature": 99, "humidity": 40, "windows": 2}))
            .await;
    assert_eq!((s, out["updated"].clone()), (207, json!(["https://uri.etsi.org/ngsi-ld/default-context/windows"])), "names as IRIs");
    assert_eq!(out["notUpdated"].as_array().map(Vec::len), Some(2), "{out}");
    let (s, _, _) = send(&c, Method::PATCH, &format!("{path}/attrs/temperature"), json_ct, None, json!({"value": 23, "unitCode": "CEL"})).await;
    assert_eq!(s, 204);
    let (_, _, now) = get(&c, path, None).await;
    assert_eq!(now["temperature"], json!({"type": "Property", "value": 23, "unitCode": "CEL"}));
    assert_eq!(now["humidity"]["value"], 41);
    assert_eq!(send(&c, Method::PATCH, &format!("{path}/attrs/nothing"), json_ct, None, json!({"value": 1})).await.0, 404);

    // Merge: null deletes, new attributes arrive, existing ones merge.
    let (s, _, _) =
        send(&c, Method::PATCH, path, json_ct, None, json!({"humidity": "urn:ngsi-ld:null", "windows": 4, "temperature": {"value": 24}})).await;
    assert_eq!(s, 204);
    let (_, _, now) = get(&c, &format!("{path}?options=concise"), None).await;
    assert!(now.get("humidity").is_none(), "{now}");
    assert_eq!(now["windows"], 4);
    assert_eq!(now["temperature"], json!({"value": 24, "unitCode": "CEL"}), "merge keeps the unit");
    let (_, _, sys) = get(&c, &format!("{path}?options=sysAttrs"), None).await;
    assert!(sys["createdAt"].as_str().unwrap() < sys["modifiedAt"].as_str().unwrap(), "{sys}");

    assert_eq!(c.http.delete(format!("{}{path}/attrs/windows", c.base)).send().await.unwrap().status(), 204);
    assert_eq!(c.http.delete(format!("{}{path}/attrs/windows", c.base)).send().await.unwrap().status(), 404);
    // Replace the whole entity: what it had is gone.
    let (s, _, _) = send(&c, Method::PUT, path, json_ct, None, json!({"type": "Room", "capacity": 12})).await;
    assert_eq!(s, 204);
    let (_, _, now) = get(&c, &format!("{path}?options=keyValues"), None).await;
    assert_eq!(now, json!({"id": "urn:ngsi-ld:Room:r1", "type": "Room", "capacity": 12}));
    assert_eq!(c.http.delete(format!("{}{path}", c.base)).send().await.unwrap().status(), 204);
    assert_eq!(get(&c, path, None).await.0, 404);
}

#[tokio::test]
async fn batches_succeed_and_fail_entity_by_entity() {
    let server = Server::start().await;
    let c = server.client();
    let j = "application/json";
    let e = |id: &str, v: i64| json!({"id": id, "type": "Bin", "fillingLevel": v});
    let (s, _, out) = send(
        &c,
        Method::POST,
        "/ngsi-ld/v1/entityOperations/create",
        j,
        None,
        json!([e("urn:b:1", 10), e("urn:b:2", 20), e("urn:b:1", 30), {"id": "bad", "type": "Bin"}]),
    )
    .await;
    assert_eq!(s, 207);
    assert_eq!(out["success"], json!(["urn:b:1", "urn:b:2"]));
    assert_eq!(out["errors"].as_array().map(Vec::len), Some(2));
    assert_eq!(out["errors"][0]["entityId"], "urn:b:1");
    assert_eq!(error_type(&out["errors"][0]["error"]), "AlreadyExists");

    let (s, _, out) = send(&c, Method::POST, "/ngsi-ld/v1/entityOperations/upsert", j, None, json!([e("urn:b:2", 25), e("urn:b:3", 5)])).await;
    assert_eq!((s, out), (201, json!(["urn:b:3"])));
    let (s, _, _) = send(&c, Method::POST, "/ngsi-ld/v1/entityOperations/upsert?options=update", j, None, json!([e("urn:b:3", 6)])).await;
    assert_eq!(s, 204);
    let (s, _, _) = send(&c, Method::POST, "/ngsi-ld/v1/entityOperations/update", j, None, json!([e("urn:b:1", 11)])).await;
    assert_eq!(s, 204);
    let (s, _, out) = send(&c, Method::POST, "/ngsi-ld/v1/entityOperations/update", j, None, json!([e("urn:b:9", 1)])).await;
    assert_eq!((s, error_type(&out["errors"][0]["error"])), (207, "ResourceNotFound"));

    let query = json!({"type": "Query", "entities": [{"type": "Bin"}], "q": "fillingLevel>8"});
    let r = c.http.post(format!("{}/ngsi-ld/v1/entityOperations/query?options=keyValues&count=true", c.base)).json(&query).send().await.unwrap();
    assert_eq!(r.headers()["ngsild-results-count"], "2");
    let found: Value = r.json().await.unwrap();
    assert_eq!(found, json!([{"id": "urn:b:1", "type": "Bin", "fillingLevel": 11}, {"id": "urn:b:2", "type": "Bin", "fillingLevel": 25}]));
    let (_, _, page) = get(&c, "/ngsi-ld/v1/entities?type=Bin&limit=1&offset=1&options=keyValues", None).await;
    assert_eq!(page[0]["id"], "urn:b:2");
    let (s, _, e) = get(&c, "/ngsi-ld/v1/entities?type=Bin&limit=5000", None).await;
    assert_eq!((s, error_type(&e)), (403, "TooManyResults"));

    let (s, _, out) = send(&c, Method::POST, "/ngsi-ld/v1/entityOperations/delete", j, None, json!(["urn:b:1", "urn:b:404"])).await;
    assert_eq!((s, out["success"].clone(), error_type(&out["errors"][0]["error"])), (207, json!(["urn:b:1"]), "ResourceNotFound"));
    let (s, _, e) = send(&c, Method::POST, "/ngsi-ld/v1/entityOperations/create", j, None, json!([])).await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"));
}

#[tokio::test]
async fn the_temporal_evolution_aggregates_to_known_answers() {
    let server = Server::start().await;
    let c = server.client();
    let instances = |vals: &[(i64, &str)]| -> Value { vals.iter().map(|(v, t)| json!({"type": "Property", "value": v, "observedAt": t})).collect() };
    let body = json!({
        "id": "urn:ngsi-ld:River:drava", "type": "River",
        "level": instances(&[(100, "2026-11-01T00:10:00Z"), (120, "2026-11-01T00:50:00Z"), (200, "2026-11-01T01:20:00Z"), (220, "2026-11-01T01:40:00Z")]),
    });
    let (s, _, _) = send(&c, Method::POST, "/ngsi-ld/v1/temporal/entities", "application/json", None, body).await;
    assert_eq!(s, 201);
    let base = "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:River:drava?timerel=between&timeAt=2026-11-01T00:00:00Z&endTimeAt=2026-11-01T02:00:00Z";
    let (s, _, all) = get(&c, base, None).await;
    assert_eq!(s, 200);
    assert_eq!(all["level"].as_array().map(Vec::len), Some(4));
    assert!(all["level"][0]["instanceId"].is_string());
    let (_, _, last) = get(&c, &format!("{base}&lastN=2&options=temporalValues"), None).await;
    assert_eq!(last["level"]["values"], json!([[200, "2026-11-01T01:20:00Z"], [220, "2026-11-01T01:40:00Z"]]));
    let (_, _, agg) = get(&c, &format!("{base}&options=aggregatedValues&aggrMethods=avg,max,totalCount&aggrPeriodDuration=PT1H"), None).await;
    let first = |m: &str| agg["level"][m].as_array().unwrap().iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    assert_eq!(first("avg"), vec![json!(110.0), json!(210.0)]);
    assert_eq!(first("max"), vec![json!(120.0), json!(220.0)]);
    assert_eq!(first("totalCount"), vec![json!(2), json!(2)]);
    assert_eq!(agg["level"]["avg"][1][1], "2026-11-01T01:10:00Z", "periods start at the first value");
    let (s, _, e) = get(&c, &format!("{base}&options=aggregatedValues"), None).await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "aggregation needs methods");

    // The core API's changes become the evolution too.
    let e = json!({"id": "urn:ngsi-ld:Pump:p1", "type": "Pump", "flow": {"type": "Property", "value": 3, "observedAt": "2026-11-01T00:00:00Z"}});
    send(&c, Method::POST, "/ngsi-ld/v1/entities", "application/json", None, e).await;
    send(
        &c,
        Method::PATCH,
        "/ngsi-ld/v1/entities/urn:ngsi-ld:Pump:p1/attrs/flow",
        "application/json",
        None,
        json!({"value": 5, "observedAt": "2026-11-01T00:05:00Z"}),
    )
    .await;
    let (_, _, evo) = get(&c, "/ngsi-ld/v1/temporal/entities?type=Pump&options=temporalValues", None).await;
    assert_eq!(evo[0]["flow"]["values"], json!([[3, "2026-11-01T00:00:00Z"], [5, "2026-11-01T00:05:00Z"]]));
}

#[tokio::test]
async fn long_evolutions_come_in_time_ranges_and_the_scope_has_one_too() {
    let server = Server::start().await;
    let c = server.client();
    // 40 instances, more than one response carries (30 by default).
    let minute = |m: i64| format!("2026-11-01T00:{m:02}:00Z");
    let level: Vec<Value> = (0..40).map(|m| json!({"type": "Property", "value": m, "observedAt": minute(m)})).collect();
    let body = json!({"id": "urn:ngsi-ld:River:d2", "type": "River", "scope": "/Ptuj/Drava", "level": level});
    let (s, _, _) = send(&c, Method::POST, "/ngsi-ld/v1/temporal/entities", "application/json", None, body).await;
    assert_eq!(s, 201);
    let base = "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:River:d2?attrs=level&timerel=after&timeAt=2026-11-01T00:00:00Z";
    let (s, h, page) = get(&c, base, None).await;
    assert_eq!(s, 206);
    assert_eq!(page["level"].as_array().map(Vec::len), Some(30));
    assert_eq!(h["content-range"], "date-time 2026-11-01T00:00:00Z-2026-11-01T00:29:00Z/*");
    let (s, h, newest) = get(&c, &format!("{base}&lastN=35&options=temporalValues"), None).await;
    assert_eq!(s, 206);
    assert_eq!(newest["level"]["values"][0], json!([10, minute(10)]), "lastN keeps the newest");
    assert_eq!(h["content-range"], "date-time 2026-11-01T00:39:00Z-2026-11-01T00:10:00Z/35");
    let (s, h, _) = get(&c, &format!("{base}&lastN=5"), None).await;
    assert_eq!((s, h.get("content-range")), (200, None), "what fits is not paged");

    // Sent again at the same time, an observation replaces the one it repeats.
    let again = json!({"id": "urn:ngsi-ld:River:d2", "type": "River", "level": [{"type": "Property", "value": 99, "observedAt": minute(0)}]});
    let (s, _, _) = send(&c, Method::POST, "/ngsi-ld/v1/temporal/entities", "application/json", None, again).await;
    assert_eq!(s, 204);
    let (_, _, first) = get(&c, &format!("{base}&options=temporalValues&timerel=before&timeAt={}", minute(1)), None).await;
    assert_eq!(first["level"]["values"], json!([[99, minute(0)]]));

    // The scope's evolution: set at creation, removed through the core API.
    let (s, _, _) = send(&c, Method::DELETE, "/ngsi-ld/v1/entities/urn:ngsi-ld:River:d2/attrs/scope", "application/json", None, Value::Null).await;
    assert_eq!(s, 204);
    let (_, _, scopes) = get(&c, "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:River:d2?pick=scope", None).await;
    assert_eq!(scopes["scope"].as_array().map(Vec::len), Some(1));
    assert_eq!(scopes["scope"][0]["value"], "/Ptuj/Drava");
    assert!(scopes.get("id").is_none(), "pick leaves out what it does not name");
    let (_, _, gone) = get(&c, "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:River:d2?pick=scope&timeproperty=deletedAt", None).await;
    assert_eq!(gone["scope"][0]["value"], json!([]));
    assert!(gone["scope"][0]["deletedAt"].is_string());

    // scopeQ over a time range: the scope held then, and the instances of while it held.
    let moved = json!({"id": "urn:ngsi-ld:Bin:b1", "type": "Bin",
        "scope": [{"type": "Property", "value": "/Old", "observedAt": minute(0)}, {"type": "Property", "value": "/New", "observedAt": minute(30)}],
        "fill": [{"type": "Property", "value": 10, "observedAt": minute(15)}, {"type": "Property", "value": 20, "observedAt": minute(45)}]});
    let (s, _, _) = send(&c, Method::POST, "/ngsi-ld/v1/temporal/entities", "application/json", None, moved).await;
    assert_eq!(s, 201);
    let window = format!("timerel=between&timeAt={}&endTimeAt={}&options=temporalValues", minute(10), minute(50));
    let (_, _, old) = get(&c, &format!("/ngsi-ld/v1/temporal/entities?type=Bin&scopeQ=/Old&{window}"), None).await;
    assert_eq!(old[0]["fill"]["values"], json!([[10, minute(15)]]));
    let (_, _, new) = get(&c, &format!("/ngsi-ld/v1/temporal/entities?type=Bin&scopeQ=/New&{window}"), None).await;
    assert_eq!(new[0]["fill"]["values"], json!([[20, minute(45)]]));
    let (_, _, none) = get(&c, &format!("/ngsi-ld/v1/temporal/entities?type=Bin&scopeQ=/Other&{window}"), None).await;
    assert_eq!(none, json!([]));

    // Bad paths and names are refused, not looked up.
    for path in ["/ngsi-ld/v1/temporal/entities/not-a-uri/attrs/level", "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:River:d2/attrs/%252e%252e"] {
        let (s, _, e) = send(&c, Method::DELETE, path, "application/json", None, Value::Null).await;
        assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "{path}");
    }
    let (s, _, e) = get(&c, "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:River:d2?attrs=flow", None).await;
    assert_eq!((s, error_type(&e)), (404, "ResourceNotFound"), "no evolution of what was asked for");
    let (s, _, e) = get(&c, "/ngsi-ld/v1/temporal/entities?id=urn:ngsi-ld:River:d2", None).await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "ids alone are too wide");
}

#[tokio::test]
async fn device_aggregations_come_from_the_rollups() {
    let server = Server::start().await;
    let c = server.client();
    let issued = server.cli(&["token", "issue", "--name", "Gateway", "--scope", "telemetry:write"], None);
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_string();
    let hour = (chrono::Utc::now().timestamp() / 3600 - 2) * 3600;
    let at = |min: i64| chrono::DateTime::from_timestamp(hour + min * 60, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let readings: Vec<Value> = [(5, 20.0), (25, 40.0), (65, 60.0)]
        .iter()
        .map(|(m, v)| json!({"device": "ptuj-lum-00003", "quantity": "illuminanceLevel", "value": v, "time": at(*m)}))
        .collect();
    let r =
        c.http.post(format!("{}/api/v1/telemetry/readings", c.base)).bearer_auth(&token).json(&json!({"readings": readings})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let path = format!(
        "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Streetlight:ptuj-lum-00003?attrs=illuminanceLevel&timerel=between&timeAt={}&endTimeAt={}&options=aggregatedValues&aggrMethods=avg,totalCount&aggrPeriodDuration=PT1H",
        at(0),
        at(120)
    );
    let (s, _, agg) = get(&c, &path, None).await;
    assert_eq!(s, 200, "{agg}");
    let avg: Vec<Value> = agg["illuminanceLevel"]["avg"].as_array().unwrap().iter().map(|r| r[0].clone()).collect();
    assert_eq!(avg, vec![json!(30.0), json!(60.0)]);
    let (_, _, raw) = get(&c, &format!("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Streetlight:ptuj-lum-00003?attrs=illuminanceLevel&timerel=after&timeAt={}&options=temporalValues", at(0)), None).await;
    assert_eq!(raw["illuminanceLevel"]["values"].as_array().map(Vec::len), Some(3), "{raw}");
    // Devices are the platform's: read-only here.
    let (s, _, e) = send(
        &c,
        Method::PATCH,
        "/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:ptuj-lum-00003/attrs",
        "application/json",
        None,
        json!({"illuminanceLevel": 1}),
    )
    .await;
    assert_eq!((s, error_type(&e)), (422, "OperationNotSupported"));
}

#[tokio::test]
async fn subscriptions_notify_a_real_endpoint_and_count_what_they_sent() {
    let server = Server::start().await;
    let peer = Peer::start().await;
    let c = server.client();
    let j = "application/json";
    let sub = json!({
        "id": "urn:ngsi-ld:Subscription:s1", "type": "Subscription",
        "entities": [{"type": "Room"}], "watchedAttributes": ["temperature"], "q": "temperature>25",
        "notification": {"attributes": ["temperature"], "format": "keyValues", "endpoint": {"uri": format!("{}/notify", peer.url), "accept": "application/json"}}
    });
    let (s, h, _) = send(&c, Method::POST, "/ngsi-ld/v1/subscriptions", j, None, sub.clone()).await;
    assert_eq!((s, h["location"].to_str().unwrap()), (201, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:s1"));
    assert_eq!(send(&c, Method::POST, "/ngsi-ld/v1/subscriptions", j, None, sub).await.0, 409);
    let dead = json!({"type": "Subscription", "entities": [{"type": "Room"}], "notification": {"endpoint": {"uri": "http://127.0.0.1:9/nobody"}}});
    let (_, h, _) = send(&c, Method::POST, "/ngsi-ld/v1/subscriptions", j, None, dead).await;
    let dead_path = h["location"].to_str().unwrap().to_string();

    send(&c, Method::POST, "/ngsi-ld/v1/entities", j, None, json!({"id": "urn:ngsi-ld:Room:cold", "type": "Room", "temperature": 18})).await;
    send(
        &c,
        Method::POST,
        "/ngsi-ld/v1/entities",
        j,
        None,
        json!({"id": "urn:ngsi-ld:Room:hot", "type": "Room", "temperature": 28, "name": "Sejna soba"}),
    )
    .await;
    send(&c, Method::PATCH, "/ngsi-ld/v1/entities/urn:ngsi-ld:Room:cold/attrs", j, None, json!({"temperature": 19})).await;
    let got = peer.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got_later = peer.wait_for(1).await;
    assert_eq!(got.len(), got_later.len(), "only the hot room matches: {got_later:?}");
    let n = &got[0];
    assert_eq!(n["type"], "Notification");
    assert_eq!(n["subscriptionId"], "urn:ngsi-ld:Subscription:s1");
    assert_eq!(n["data"], json!([{"id": "urn:ngsi-ld:Room:hot", "type": "Room", "temperature": 28}]));
    let link = peer.received.lock().unwrap()[0].0["link"].to_str().unwrap().to_string();
    assert!(link.contains("ngsi-ld-core-context"));

    let (_, _, s1) = get(&c, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:s1", None).await;
    assert_eq!((s1["notification"]["timesSent"].clone(), s1["notification"]["status"].clone()), (json!(1), json!("ok")));
    let (_, _, d) = get(&c, &dead_path, None).await;
    assert_eq!(d["notification"]["status"], "failed", "{d}");
    assert!(d["notification"]["timesFailed"].as_i64().unwrap() >= 1);

    // Paused subscriptions stay quiet; deleted ones are gone.
    assert_eq!(send(&c, Method::PATCH, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:s1", j, None, json!({"isActive": false})).await.0, 204);
    send(&c, Method::PATCH, "/ngsi-ld/v1/entities/urn:ngsi-ld:Room:hot/attrs", j, None, json!({"temperature": 30})).await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(peer.received.lock().unwrap().len(), 1);
    let (_, _, list) = get(&c, "/ngsi-ld/v1/subscriptions", None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(c.http.delete(format!("{}/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:s1", c.base)).send().await.unwrap().status(), 204);
    assert_eq!(get(&c, "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:s1", None).await.0, 404);
    let (s, _, e) = send(
        &c,
        Method::POST,
        "/ngsi-ld/v1/subscriptions",
        j,
        None,
        json!({"type": "Subscription", "notification": {"endpoint": {"uri": "http://x"}}}),
    )
    .await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "neither entities nor watchedAttributes");
}

#[tokio::test]
async fn tenants_are_apart_and_writers_need_a_token_from_outside() {
    let server = Server::start().await;
    let c = server.client();
    let j = "application/json";
    let r = c
        .http
        .post(format!("{}/ngsi-ld/v1/entities", c.base))
        .header("content-type", j)
        .header("NGSILD-Tenant", "hajdina")
        .body(json!({"id": "urn:t:1", "type": "T"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = c.http.get(format!("{}/ngsi-ld/v1/entities/urn:t:1", c.base)).header("NGSILD-Tenant", "hajdina").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(get(&c, "/ngsi-ld/v1/entities/urn:t:1", None).await.0, 404, "not in the default tenant");
    let r = c.http.get(format!("{}/ngsi-ld/v1/entities?type=T", c.base)).header("NGSILD-Tenant", "nobody").send().await.unwrap();
    assert_eq!((r.status().as_u16(), error_type(&r.json().await.unwrap()).to_string()), (404, "NonexistentTenant".to_string()));

    // Behind a proxy the loopback exception does not apply.
    let proxied = |token: Option<&str>| {
        let mut r = c.http.post(format!("{}/ngsi-ld/v1/entities", c.base)).header("content-type", j).header("x-forwarded-for", "203.0.113.9");
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.body(json!({"id": format!("urn:p:{}", token.is_some()), "type": "T"}).to_string())
    };
    let r = proxied(None).send().await.unwrap();
    assert_eq!((r.status().as_u16(), error_type(&r.json().await.unwrap()).to_string()), (401, "Unauthorized".to_string()));
    let reader = String::from_utf8(server.cli(&["token", "issue", "--name", "Reader", "--scope", "telemetry:read"], None).stdout).unwrap();
    assert_eq!(proxied(Some(reader.trim())).send().await.unwrap().status(), 403);
    let writer = String::from_utf8(server.cli(&["token", "issue", "--name", "Writer", "--scope", "ngsi-ld:write"], None).stdout).unwrap();
    assert_eq!(proxied(Some(writer.trim())).send().await.unwrap().status(), 201);
    // Reading stays open, but personal data (water meters) is not in it.
    let r = c
        .http
        .get(format!("{}/ngsi-ld/v1/entities?type=WaterConsumptionObserved", c.base))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!([]));
}

#[tokio::test]
async fn a_token_only_broker_refuses_anonymous_writes_even_locally() {
    let server = Server::start_with_config("[ngsi]\nwrite_access = \"token\"\n").await;
    let c = server.client();
    let (s, _, e) = send(&c, Method::POST, "/ngsi-ld/v1/entities", "application/json", None, json!({"id": "urn:x:1", "type": "T"})).await;
    assert_eq!((s, error_type(&e)), (401, "Unauthorized"));
    let (s, _, _) = send(
        &c,
        Method::POST,
        "/ngsi-ld/v1/subscriptions",
        "application/json",
        None,
        json!({"type": "Subscription", "entities": [{"type": "T"}], "notification": {"endpoint": {"uri": "http://127.0.0.1:9/"}}}),
    )
    .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn queries_order_project_and_refuse_what_is_too_wide() {
    let server = Server::start().await;
    let c = server.client();
    let j = "application/json";
    for (id, name, loc) in [("urn:v:1", "b", [15.90, 46.43]), ("urn:v:2", "A", [15.87, 46.42]), ("urn:v:3", "á", [15.88, 46.42])] {
        let e = json!({"id": id, "type": "Car", "name": name, "location": {"type": "Point", "coordinates": loc}, "scope": "/Ptuj/Center"});
        assert_eq!(send(&c, Method::POST, "/ngsi-ld/v1/entities", j, None, e).await.0, 201);
    }
    let ids = |v: &Value| v.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let (_, _, by_name) = get(&c, "/ngsi-ld/v1/entities?type=Car&orderBy=name", None).await;
    assert_eq!(ids(&by_name), ["urn:v:2", "urn:v:1", "urn:v:3"], "code points: A < b < á");
    let (_, _, folded) = get(&c, "/ngsi-ld/v1/entities?type=Car&orderBy=name&collation=und", None).await;
    assert_eq!(ids(&folded), ["urn:v:2", "urn:v:3", "urn:v:1"], "root collation: á with a");
    let (_, _, desc) = get(&c, "/ngsi-ld/v1/entities?type=Car&orderBy=name;desc", None).await;
    assert_eq!(ids(&desc), ["urn:v:3", "urn:v:1", "urn:v:2"]);
    let (_, _, near) = get(&c, "/ngsi-ld/v1/entities?type=Car&orderBy=location;dist-asc&orderFrom=[15.90,46.43]", None).await;
    assert_eq!(ids(&near), ["urn:v:1", "urn:v:3", "urn:v:2"], "nearest first");
    let (s, _, e) = get(&c, "/ngsi-ld/v1/entities?type=Car&orderBy=location;dist-asc", None).await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "distance needs orderFrom");
    let (_, _, picked) = get(&c, "/ngsi-ld/v1/entities?type=Car&pick=id,name&options=keyValues&orderBy=id", None).await;
    assert_eq!(picked[0], json!({"id": "urn:v:1", "name": "b"}));
    for bad in [
        "pick=id,locatedAt{name}",
        "pick=name&attrs=name",
        "attrs=id",
        "q=modifiedAt>%222020-01-01T00:00:00Z%22",
        "idPattern=urn**",
        "georel=near;maxDistance==0&geometry=Point&coordinates=[1,2]",
    ] {
        let path = if bad.starts_with("q=") { format!("/ngsi-ld/v1/entities?{bad}") } else { format!("/ngsi-ld/v1/entities?type=Car&{bad}") };
        let (s, _, e) = get(&c, &path, None).await;
        assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "{bad}");
    }
    let (s, _, e) = get(&c, "/ngsi-ld/v1/entities?id=urn:v:1", None).await;
    assert_eq!((s, error_type(&e)), (400, "BadRequestData"), "ids alone are too wide");
    // A type in the query gates attribute operations; scope is changed and deleted on the entity.
    let (s, _, _) = send(&c, Method::PATCH, "/ngsi-ld/v1/entities/urn:v:1/attrs?type=Bus", j, None, json!({"name": "c"})).await;
    assert_eq!(s, 404);
    let (s, _, _) =
        send(&c, Method::PATCH, "/ngsi-ld/v1/entities/urn:v:1/attrs?type=Car", j, None, json!({"name": "urn:ngsi-ld:null", "scope": "/Ptuj/North"}))
            .await;
    assert_eq!(s, 204);
    let (_, _, e) = get(&c, "/ngsi-ld/v1/entities/urn:v:1", None).await;
    assert!(e.get("name").is_none() && e["scope"] == "/Ptuj/North", "{e}");
    assert_eq!(c.http.delete(format!("{}/ngsi-ld/v1/entities/urn:v:1/attrs/scope", c.base)).send().await.unwrap().status(), 204);
    let (_, _, e) = get(&c, "/ngsi-ld/v1/entities/urn:v:1", None).await;
    assert!(e.get("scope").is_none(), "{e}");
}
