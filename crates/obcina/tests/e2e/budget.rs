//! The participatory budget end to end: staff open a cycle, citizens propose,
//! staff review, verified residents vote (approval and cumulative), one
//! ballot per identity even under concurrent requests, the age and residence
//! limits, paper ballots, counting, results that match `obcina pb count` on
//! the exported Pabulib file, and an audited council override shown publicly.

use crate::harness::{BIN, Client, Server, enable_totp, privileged, unique_email};
use reqwest::Method;
use serde_json::{Value, json};

/// A valid EMŠO for someone born on `dd.mm.yyyy` (region 50).
fn emso(day: u32, month: u32, year: u32, serial: u32) -> String {
    for s in serial.. {
        let body = format!("{day:02}{month:02}{:03}50{:03}", year % 1000, s % 1000);
        let w = [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
        let total: u32 = body.chars().zip(w).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
        let k = (11 - total % 11) % 11;
        if k == 10 {
            continue;
        }
        return format!("{body}{}", k % 10);
    }
    unreachable!()
}

async fn voter(server: &Server, tag: &str, emso: Option<&str>, address: &str) -> Client {
    let c = server.client();
    c.citizen(server, &unique_email(tag)).await;
    let (s, body) = c.json(Method::PUT, "/api/v1/me/profile", json!({"name": tag, "address": address, "emso": emso.unwrap_or("")})).await;
    assert_eq!(s, 200, "{body}");
    c
}

async fn staff(server: &Server) -> Client {
    let s = privileged(server, "staff", &unique_email("pp")).await;
    enable_totp(&s).await;
    s
}

async fn ok(c: &Client, method: Method, path: &str, body: Value, want: u16) -> Value {
    let (s, v) = c.json(method, path, body).await;
    assert_eq!(s, want, "{path}: {v}");
    v
}

async fn advance_to(staff: &Client, cycle: &str, phase: &str) {
    for _ in 0..6 {
        let v = ok(staff, Method::POST, &format!("/api/v1/budget/cycles/{cycle}/advance"), json!({}), 200).await;
        if v["phase"] == phase {
            return;
        }
    }
    panic!("never reached {phase}");
}

fn cycle_body(year: i64, kind: &str, rule: &str) -> Value {
    json!({
        "year": year, "title": format!("Participativni proračun {year}"), "description": "Test",
        "dates": {"submission_from": format!("{year}-02-01"), "submission_to": format!("{year}-03-01"), "voting_from": format!("{year}-05-01"), "voting_to": format!("{year}-05-20")},
        "ballot": {"kind": kind, "min_projects": 1, "max_projects": 2, "total_points": 10, "max_points_per_project": 7},
        "rule": rule, "min_age": 16, "resident_postcodes": "2250"
    })
}

/// What `obcina pb count` funds in an exported file.
fn pb_count(text: &str, rule: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("area.pb");
    std::fs::write(&file, text).unwrap();
    let out = std::process::Command::new(BIN).args(["pb", "count", "--file", file.to_str().unwrap(), "--rule", rule]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut ids: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
    ids.sort();
    ids
}

fn funded_by_rule(area: &Value) -> Vec<String> {
    let mut ids: Vec<String> = area["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["computed_funded"] == true)
        .map(|p| format!("{:03}", p["number"].as_i64().unwrap()))
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn submit_review_vote_count_and_override() {
    let server = Server::start().await;
    // The demo holds 2026 (results) and 2027, open for voting: one to three projects.
    let cycles = ok(&server.client(), Method::GET, "/api/v1/budget/cycles", json!(null), 200).await;
    let demo = cycles.as_array().unwrap().iter().find(|c| c["year"] == 2027).expect("the demo cycle 2027");
    assert_eq!((demo["phase"].as_str(), demo["demo"].as_bool()), (Some("voting"), Some(true)));
    assert_eq!(
        (demo["ballot"]["kind"].as_str(), demo["ballot"]["min_projects"].as_i64(), demo["ballot"]["max_projects"].as_i64()),
        (Some("approval"), Some(1), Some(3))
    );
    let staff = staff(&server).await;
    let cycle = ok(&staff, Method::POST, "/api/v1/budget/cycles", cycle_body(2030, "approval", "greedy"), 201).await;
    let id = cycle["id"].as_str().unwrap().to_string();
    assert_eq!(cycle["phase"], "draft");
    // A year has one cycle; a draft is not public.
    ok(&staff, Method::POST, "/api/v1/budget/cycles", cycle_body(2030, "approval", "greedy"), 422).await;
    assert_eq!(server.client().get(&format!("/api/v1/budget/cycles/{id}")).await.status(), 404);
    let area = ok(
        &staff,
        Method::POST,
        &format!("/api/v1/budget/cycles/{id}/areas"),
        json!({"name": "Center", "budget_cents": 100_000, "eligible_voters": 40}),
        201,
    )
    .await;
    let area = area["id"].as_str().unwrap().to_string();
    advance_to(&staff, &id, "submission").await;

    // Citizens propose.
    let proposer = voter(&server, "predlagatelj", Some(&emso(1, 1, 1980, 1)), "Slovenski trg 1, 2250 Ptuj").await;
    let mut numbers = vec![];
    for (title, cost) in [("Klopi", 60_000), ("Pitnik", 45_000), ("Drevesa", 30_000), ("Garaža", 9_000_000)] {
        let body = json!({"area_id": area, "title": title, "description": "Opis projekta", "estimated_cents": cost});
        let p = ok(&proposer, Method::POST, &format!("/api/v1/budget/cycles/{id}/projects"), body, 201).await;
        numbers.push((p["id"].as_str().unwrap().to_string(), p["number"].as_i64().unwrap()));
    }
    assert_eq!(numbers.iter().map(|n| n.1).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let bad = json!({"area_id": "nope", "title": "X", "description": "Y", "estimated_cents": 100});
    ok(&proposer, Method::POST, &format!("/api/v1/budget/cycles/{id}/projects"), bad, 422).await;

    // Staff review: a corrected cost and a refusal need a public reason.
    advance_to(&staff, &id, "review").await;
    let review = |i: usize| format!("/api/v1/budget/projects/{}/review", numbers[i].0);
    ok(&staff, Method::POST, &review(0), json!({"feasible": true}), 200).await;
    ok(&staff, Method::POST, &review(1), json!({"feasible": true, "cost_cents": 50_000}), 422).await;
    let p = ok(&staff, Method::POST, &review(1), json!({"feasible": true, "cost_cents": 50_000, "reason": "Dražja izvedba"}), 200).await;
    assert_eq!((p["cost_cents"].as_i64(), p["estimated_cents"].as_i64(), p["cost_corrected"].as_bool()), (Some(50_000), Some(45_000), Some(true)));
    ok(&staff, Method::POST, &review(2), json!({"feasible": true}), 200).await;
    ok(&staff, Method::POST, &review(3), json!({"feasible": false}), 422).await;
    ok(&staff, Method::POST, &review(3), json!({"feasible": false, "reason": "Presega proračun"}), 200).await;
    assert_eq!(server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'budget.project.review'").await, [4]);
    advance_to(&staff, &id, "voting").await;
    let public = server.client();
    let (s, html) = public.get_text(&format!("/budget/projects/{}", numbers[1].0)).await;
    assert!(s == 200 && html.contains("Dražja izvedba"), "{html}");

    // Voting: approval ballots of one or two projects.
    let ballot = format!("/api/v1/budget/cycles/{id}/ballot");
    let a = voter(&server, "ana", Some(&emso(3, 4, 1990, 2)), "Prešernova 5, 2250 Ptuj").await;
    let status = ok(&a, Method::GET, &ballot, json!(null), 200).await;
    assert_eq!((status["can_vote"].as_bool(), status["voted"].as_bool()), (Some(true), Some(false)));
    let e = ok(&a, Method::POST, &ballot, json!({"area_id": area, "projects": [1, 2, 3]}), 422).await;
    assert_eq!(e["errors"][0]["code"], "ballot_too_many");
    ok(&a, Method::POST, &ballot, json!({"area_id": area, "projects": [4]}), 422).await;
    ok(&a, Method::POST, &ballot, json!({"area_id": area, "projects": [1, 3]}), 204).await;
    let e = ok(&a, Method::POST, &ballot, json!({"area_id": area, "projects": [2]}), 409).await;
    assert_eq!(e["code"], "already_voted");

    // One ballot per identity, however many requests race.
    let b = voter(&server, "bojan", Some(&emso(7, 8, 1975, 3)), "Ormoška 2, 2250 Ptuj").await;
    let url = format!("{}{ballot}", server.url);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (http, url, body) = (b.http.clone(), url.clone(), json!({"area_id": area, "projects": [2]}));
        set.spawn(async move { http.post(&url).json(&body).send().await.unwrap().status().as_u16() });
    }
    let statuses: Vec<u16> = set.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 204).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 204 || *s == 409), "{statuses:?}");
    assert_eq!(server.query_i64(&format!("SELECT COUNT(*) FROM budget_ballots WHERE cycle_id = '{id}'")).await, [2]);

    // The limits: age from the EMŠO, an EMŠO at all, residence by postcode.
    let young = voter(&server, "mlad", Some(&emso(1, 9, 2015, 4)), "Vičava 1, 2250 Ptuj").await;
    assert_eq!(ok(&young, Method::POST, &ballot, json!({"area_id": area, "projects": [1]}), 403).await["code"], "too_young");
    let (s, html) = young.get_text(&format!("/budget/{id}/vote")).await;
    assert!(s == 200 && html.contains("tarostne meje"), "{html}");
    let anon = voter(&server, "brez", None, "Vičava 1, 2250 Ptuj").await;
    assert_eq!(ok(&anon, Method::POST, &ballot, json!({"area_id": area, "projects": [1]}), 403).await["code"], "no_emso");
    // The form sent without an EMŠO says what is missing and where to add it, with no ballot to fill.
    let r = anon.submit(&format!("/budget/{id}/vote?area={area}"), &format!("/budget/{id}/vote"), &[("area", &area), ("project", "1")]).await;
    assert_eq!(r.status(), 403);
    let html = r.text().await.unwrap();
    assert!(html.contains("v profil vpišite svoj EMŠO") && html.contains(r#"<a href="/account">"#) && !html.contains(r#"name="project""#), "{html}");
    let away = voter(&server, "maribor", Some(&emso(5, 5, 1985, 5)), "Glavni trg 1, 2000 Maribor").await;
    assert_eq!(ok(&away, Method::POST, &ballot, json!({"area_id": area, "projects": [1]}), 403).await["code"], "not_resident");

    // The ballot page works as a form too.
    let c = voter(&server, "cvetka", Some(&emso(9, 9, 1999, 6)), "Rimska ploščad 3, 2250 Ptuj").await;
    let page = format!("/budget/{id}/vote?area={area}");
    let (s, html) = c.get_text(&page).await;
    assert!(s == 200 && html.contains(r#"type="checkbox" id="project-3""#), "{html}");
    // Too many projects: the count and the limit, tied to the choices.
    let r = c.submit(&page, &format!("/budget/{id}/vote"), &[("area", &area), ("project", "1"), ("project", "2"), ("project", "3")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Izbrali ste 3, glasovnica pa dovoljuje največ 2 projekta."), "{html}");
    assert!(html.contains(r#"aria-describedby="rules projects-error""#) && html.contains(r#"id="projects-error""#), "{html}");
    assert!(html.contains(r#"value="3" checked aria-invalid="true""#), "the choices are kept and marked: {html}");
    let r = c.submit(&page, &format!("/budget/{id}/vote"), &[("area", &area), ("project", "3"), ("project", "2")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/budget/{id}/voted"));
    // A second ballot from a form still open is refused, on a page that says so.
    let r = c.submit(&format!("/budget/{id}/voted"), &format!("/budget/{id}/vote"), &[("area", &area), ("project", "1")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/budget/{id}/voted?again"));
    let (s, html) = c.get_text(&format!("/budget/{id}/voted?again")).await;
    assert!(s == 200 && html.contains("Že ste glasovali") && html.contains("Druge glasovnice ne sprejmemo"), "{html}");
    let r = c.get(&page).await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, format!("/budget/{id}/voted?again").as_str()));

    // Paper ballots from a polling station, and a paper voter marked as voted.
    let paper = format!("/api/v1/budget/cycles/{id}/paper");
    let n = ok(&staff, Method::POST, &paper, json!({"ballot": {"area_id": area, "projects": [2]}, "copies": 3, "station": "Volišče 1"}), 201).await;
    assert_eq!(n["ballots"], 3);
    let e =
        ok(&staff, Method::POST, &paper, json!({"ballot": {"area_id": area, "projects": [2]}, "copies": 1, "emso": emso(3, 4, 1990, 2)}), 409).await;
    assert_eq!(e["code"], "already_voted");
    ok(&staff, Method::POST, &paper, json!({"ballot": {"area_id": area, "projects": [1]}, "copies": 1, "emso": emso(2, 2, 1960, 7)}), 201).await;
    // The paper voter cannot vote online as well, and is told they voted.
    let d = voter(&server, "dragica", Some(&emso(2, 2, 1960, 7)), "Vičava 2, 2250 Ptuj").await;
    assert_eq!(ok(&d, Method::GET, &ballot, json!(null), 200).await["voted"], true);
    assert_eq!(ok(&d, Method::POST, &ballot, json!({"area_id": area, "projects": [3]}), 409).await["code"], "already_voted");
    let r = d.get(&format!("/budget/{id}/vote")).await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), format!("/budget/{id}/voted?again"), "the ballot page sends a paper voter on");
    let (s, html) = d.get_text(&format!("/budget/{id}/voted?again")).await;
    assert!(s == 200 && html.contains("Že ste glasovali"), "{html}");
    ok(&a, Method::POST, &paper, json!({"ballot": {"area_id": area, "projects": [1]}, "copies": 1}), 403).await;
    assert_eq!(server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'budget.paper.enter'").await, [2]);

    // Results are published only after counting.
    assert_eq!(public.get(&format!("/api/v1/budget/cycles/{id}/results")).await.status(), 409);
    advance_to(&staff, &id, "counting").await;
    let (s, _) = staff.get_text(&format!("/staff/budget/{id}/count")).await;
    assert_eq!(s, 200);
    advance_to(&staff, &id, "results").await;

    // Ballots: a {1,3}, b {2}, c {3,2}, paper 3×{2} and {1}: votes 1: 2, 2: 5, 3: 2.
    // Greedy on 1000 €: 2 (500 €), then 3 and 1 tie on votes, 3 is cheaper (300 €), then 1 (600 €) does not fit.
    let results = ok(&public, Method::GET, &format!("/api/v1/budget/cycles/{id}/results"), json!(null), 200).await;
    let r = &results["areas"][0];
    assert_eq!((r["ballots"].as_i64(), r["online"].as_i64(), r["paper"].as_i64()), (Some(7), Some(3), Some(4)));
    assert!((r["turnout"].as_f64().unwrap() - 7.0 / 40.0).abs() < 1e-9);
    let by = |n: i64| r["projects"].as_array().unwrap().iter().find(|p| p["number"] == n).unwrap().clone();
    assert_eq!((by(2)["votes"].as_i64(), by(2)["funded"].as_bool(), by(2)["rank"].as_i64()), (Some(5), Some(true), Some(1)));
    assert_eq!((by(3)["funded"].as_bool(), by(3)["rank"].as_i64()), (Some(true), Some(2)));
    assert_eq!((by(1)["reason"].as_str(), by(1)["left_cents"].as_i64()), (Some("did_not_fit"), Some(20_000)));
    assert_eq!((r["spent_cents"].as_i64(), r["remaining_cents"].as_i64()), (Some(80_000), Some(20_000)));
    assert!(r["projects"].as_array().unwrap().iter().all(|p| p["number"] != 4), "not feasible: not on the ballot");

    // The export is clean Pabulib, and `obcina pb count` agrees with the page.
    let resp = public.get(&format!("/api/v1/budget/cycles/{id}/areas/{area}/pabulib")).await;
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    assert!(!bytes.starts_with(&[0xef, 0xbb, 0xbf]), "no byte-order mark");
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains("\nnum_votes;7\n") && text.contains("\nbudget;1000\n") && text.contains("\n002;500;5;Pitnik;1\n"), "{text}");
    assert!(!text.contains("@example.si") && !text.contains("ana"), "nothing about voters");
    assert_eq!(pb_count(&text, "greedy"), funded_by_rule(r));
    std::fs::write(server.data_dir.parent().unwrap().join("export.pb"), &text).unwrap();

    // The council funds project 1 anyway: audited, and shown beside the computed result.
    let o = json!({"funded": true, "reason": "Dodatna sredstva iz rebalansa", "decided_by": "Mestni svet MO Ptuj, 14. redna seja"});
    ok(&proposer, Method::POST, &format!("/api/v1/budget/projects/{}/override", numbers[0].0), o.clone(), 403).await;
    ok(&staff, Method::POST, &format!("/api/v1/budget/projects/{}/override", numbers[0].0), o, 200).await;
    assert_eq!(server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'budget.override'").await, [1]);
    let results = ok(&public, Method::GET, &format!("/api/v1/budget/cycles/{id}/results"), json!(null), 200).await;
    let p1 = results["areas"][0]["projects"].as_array().unwrap().iter().find(|p| p["number"] == 1).unwrap().clone();
    assert_eq!((p1["computed_funded"].as_bool(), p1["funded"].as_bool()), (Some(false), Some(true)));
    assert_eq!(p1["override"]["decided_by"], "Mestni svet MO Ptuj, 14. redna seja");
    assert_eq!(results["areas"][0]["remaining_cents"], -40_000);
    let (s, html) = public.get_text(&format!("/budget/{id}/results")).await;
    assert!(s == 200 && html.contains("14. redna seja") && html.contains("Dodatna sredstva iz rebalansa"), "{html}");
    assert!(html.contains("cenejši projekt"), "tie-breaking stated");

    // The KPI: one proposer; ballots over the eligible population.
    let kpi = ok(&public, Method::GET, "/api/v1/budget/kpi", json!(null), 200).await;
    let k = kpi["cycles"].as_array().unwrap().iter().find(|c| c["cycle_id"] == id.as_str()).unwrap().clone();
    assert_eq!((k["proposers"].as_i64(), k["ballots"].as_i64(), k["paper"].as_i64()), (Some(1), Some(7), Some(4)));
    assert!((k["share_voted"].as_f64().unwrap() - 7.0 / 40.0).abs() < 1e-9);
    assert!(k["share_proposed"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn cumulative_ballots_from_an_imported_area() {
    let server = Server::start().await;
    let staff = staff(&server).await;
    let cycle = ok(&staff, Method::POST, "/api/v1/budget/cycles", cycle_body(2028, "cumulative", "greedy"), 201).await;
    let id = cycle["id"].as_str().unwrap().to_string();
    // A historic Pabulib file makes the area, its projects and ballots.
    let file = "META\nkey;value\ndescription;Test\ncountry;Slovenia\nunit;Ptuj\ninstance;2020\nnum_projects;3\nnum_votes;2\nbudget;1000\nvote_type;cumulative\n\
        PROJECTS\nproject_id;cost;name\na;600;Klopi\nb;500;Pitnik\nc;300.50;Drevesa\nVOTES\nvoter_id;vote;points\n1;a,b;6,4\n2;c;10\n";
    let approval = ok(&staff, Method::POST, "/api/v1/budget/cycles", cycle_body(2029, "approval", "greedy"), 201).await;
    let e = ok(
        &staff,
        Method::POST,
        &format!("/api/v1/budget/cycles/{}/import", approval["id"].as_str().unwrap()),
        json!({"name": "Breg", "pb": file}),
        422,
    )
    .await;
    assert_eq!(e["errors"][0]["code"], "vote_type_mismatch");
    ok(&staff, Method::POST, &format!("/api/v1/budget/cycles/{id}/import"), json!({"name": "Breg", "pb": "META\nnonsense"}), 422).await;
    let area = ok(&staff, Method::POST, &format!("/api/v1/budget/cycles/{id}/import"), json!({"name": "Breg", "pb": file}), 201).await;
    let area = area["id"].as_str().unwrap().to_string();
    let projects = ok(&staff, Method::GET, &format!("/api/v1/budget/cycles/{id}/projects"), json!(null), 200).await;
    assert_eq!(projects.as_array().unwrap().iter().map(|p| p["cost_cents"].as_i64().unwrap()).collect::<Vec<_>>(), [60_000, 50_000, 30_050]);
    advance_to(&staff, &id, "voting").await;

    let ballot = format!("/api/v1/budget/cycles/{id}/ballot");
    let v = voter(&server, "tocke", Some(&emso(1, 1, 1970, 8)), "Breg 1, 2250 Ptuj").await;
    let e = ok(&v, Method::POST, &ballot, json!({"area_id": area, "projects": [1, 2], "points": [7, 4]}), 422).await;
    assert_eq!(e["errors"][0]["code"], "ballot_points_total");
    let e = ok(&v, Method::POST, &ballot, json!({"area_id": area, "projects": [1], "points": [8]}), 422).await;
    assert_eq!(e["errors"][0]["code"], "ballot_points_per_project");
    // The page's number inputs, with the remaining points announced.
    let page = format!("/budget/{id}/vote?area={area}");
    let (s, html) = v.get_text(&page).await;
    assert!(s == 200 && html.contains(r#"name="points.2""#) && html.contains(r#"aria-live="polite""#), "{html}");
    let r = v.submit(&page, &format!("/budget/{id}/vote"), &[("area", &area), ("points.2", "7"), ("points.3", "3"), ("points.1", "")]).await;
    assert_eq!(r.status(), 303);
    advance_to(&staff, &id, "results").await;

    // Points: a 6, b 4 + 7 = 11, c 10 + 3 = 13. Greedy on 1000 €: c (300.50), b (500); a does not fit.
    let results = ok(&server.client(), Method::GET, &format!("/api/v1/budget/cycles/{id}/results"), json!(null), 200).await;
    let r = &results["areas"][0];
    let scores: Vec<(i64, i64, bool)> = r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["number"].as_i64().unwrap(), p["score"].as_i64().unwrap(), p["funded"].as_bool().unwrap()))
        .collect();
    assert_eq!(scores, [(3, 13, true), (2, 11, true), (1, 6, false)]);
    assert_eq!((r["imported"].as_i64(), r["online"].as_i64()), (Some(2), Some(1)));
    let text = server.client().get(&format!("/api/v1/budget/cycles/{id}/areas/{area}/pabulib")).await.text().await.unwrap();
    assert!(text.contains("\nvoter_id;vote;points\n") && text.contains("\nmax_sum_points;10\n"), "{text}");
    assert_eq!(pb_count(&text, "greedy"), funded_by_rule(r));
    assert_eq!(r["remaining_cents"], 100_000 - 80_050);
}
