//! Participation: a proposal answered by its department reaches its author's
//! inbox (and mail); a survey takes one answer per person, also when the
//! answers race, and none once closed; a question asked, answered, and found
//! by another form of its words; and the refusals for visitors and citizens.

use crate::harness::{Client, Server, enable_totp, privileged_in, unique_email};
use reqwest::Method;
use serde_json::{Value, json};

async fn citizen(server: &Server, tag: &str) -> (Client, String) {
    let c = server.client();
    let email = unique_email(tag);
    c.citizen(server, &email).await;
    (c, email)
}

async fn staff_in(server: &Server, department: &str) -> Client {
    let s = privileged_in(server, "staff", &unique_email("uradnik"), department).await;
    enable_totp(&s).await;
    s
}

#[tokio::test]
async fn a_proposal_answered_by_its_department_reaches_the_author() {
    let server = Server::start().await;
    let (ana, ana_email) = citizen(&server, "ana").await;
    let visitor = server.client();

    let proposal = json!({
        "kind": "initiative",
        "area": "mobility",
        "title": "Kolesarska steza ob Dravi",
        "text": "Predlagam kolesarsko stezo od Dravskega mostu do Rance, ločeno od ceste.",
        "place": "Dravska ulica",
        "location": {"lat": 46.418, "lon": 15.872}
    });
    let (s, _) = visitor.json(Method::POST, "/api/v1/participation/proposals", proposal.clone()).await;
    assert_eq!(s, 401, "visitors cannot submit");
    let (s, p) = ana
        .json(Method::POST, "/api/v1/participation/proposals", json!({"kind": "proposal", "area": "mobility", "title": " Kratek", "text": "x"}))
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["title", "text"], "{p}");
    let (s, created) = ana.json(Method::POST, "/api/v1/participation/proposals", proposal).await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["status"], "submitted");

    // Public, without anything about its author.
    let (s, list) = visitor.json(Method::GET, "/api/v1/participation/proposals?area=mobility&status=submitted", json!(null)).await;
    assert_eq!(s, 200);
    assert!(list["items"].as_array().unwrap().iter().any(|p| p["id"] == id.as_str()), "{list}");
    let (s, html) = visitor.get_text(&format!("/participation/proposals/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Kolesarska steza ob Dravi") && !html.contains(&ana_email) && !html.contains("author"));
    assert!(!list.to_string().contains(&ana_email) && !list.to_string().contains("author"));

    // A citizen and the staff of another department may not answer; the mobility office may.
    let answer = json!({"status": "under_consideration", "text": "Hvala. Stezo bomo preučili ob prenovi nabrežja."});
    let (s, _) = ana.json(Method::POST, &format!("/api/v1/participation/proposals/{id}/answers"), answer.clone()).await;
    assert_eq!(s, 403);
    let (s, _) = visitor.json(Method::POST, &format!("/api/v1/participation/proposals/{id}/answers"), answer.clone()).await;
    assert_eq!(s, 401);
    let environment = staff_in(&server, "Urad za okolje in prostor").await;
    let (s, p) = environment.json(Method::POST, &format!("/api/v1/participation/proposals/{id}/answers"), answer.clone()).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("not_your_area")), "{p}");
    let mobility = staff_in(&server, "Urad za promet in gospodarske javne službe").await;
    let (s, p) =
        mobility.json(Method::POST, &format!("/api/v1/participation/proposals/{id}/answers"), json!({"status": "rejected", "text": " "})).await;
    assert_eq!(s, 422, "{p}");
    let (s, p) = mobility.json(Method::POST, &format!("/api/v1/participation/proposals/{id}/answers"), answer).await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["n"], 1);

    let (_, view) = visitor.json(Method::GET, &format!("/api/v1/participation/proposals/{id}"), json!(null)).await;
    assert_eq!(view["status"], "under_consideration");
    assert_eq!(view["answers"][0]["department"], "Urad za promet in gospodarske javne službe");

    // The author's inbox has it, in the same transaction as the answer; the e-mail follows.
    let (s, inbox) = ana.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    assert_eq!(s, 200);
    let msg = inbox.as_array().unwrap().iter().find(|m| m["topic"] == "my_proposals").unwrap_or_else(|| panic!("{inbox}"));
    assert_eq!(msg["title"], "Odgovor na vaš predlog: Kolesarska steza ob Dravi");
    assert!(msg["body"].as_str().unwrap().contains("Sprejeto v obravnavo"), "{msg}");
    assert_eq!(msg["url"], format!("/participation/proposals/{id}"));
    let mail = server.smtp.wait_for(&ana_email, "Odgovor na vaš predlog").await;
    assert!(mail.body.contains("Stezo bomo preučili"), "{}", mail.body);

    // Audited.
    let n = server.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'participation.proposal.answer'").await;
    assert_eq!(n, vec![1]);

    // The author's own page lists it.
    let (s, html) = ana.get_text("/account/participation").await;
    assert_eq!(s, 200);
    assert!(html.contains("Kolesarska steza ob Dravi"));
}

fn survey(opens: &str, closes: &str) -> Value {
    json!({
        "title": {"sl": "Igrišče v Budini", "en": "Playground in Budina"},
        "description": {"sl": "Kaj naj ima novo igrišče?"},
        "opens_at": opens,
        "closes_at": closes,
        "public_results": true,
        "questions": [
            {"prompt": {"sl": "Kako pogosto obiščete igrišče?"}, "required": true, "kind": {"type": "single", "options": [{"sl": "Vsak dan"}, {"sl": "Ob koncih tedna"}, {"sl": "Redko"}]}},
            {"prompt": {"sl": "Kaj želite?"}, "kind": {"type": "multiple", "options": [{"sl": "Gugalnice"}, {"sl": "Peskovnik"}, {"sl": "Senco"}]}},
            {"prompt": {"sl": "Kako ste zadovoljni z obstoječim?"}, "required": true, "kind": {"type": "scale", "min": 1, "max": 5}},
            {"prompt": {"sl": "Predlogi"}, "kind": {"type": "text"}}
        ]
    })
}

#[tokio::test]
async fn a_survey_takes_one_answer_per_person_even_concurrently_and_none_once_closed() {
    let server = Server::start().await;
    let (ana, _) = citizen(&server, "ana").await;
    let (bor, bor_email) = citizen(&server, "bor").await;
    let visitor = server.client();

    let (s, _) = visitor.json(Method::POST, "/api/v1/participation/surveys", survey("2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z")).await;
    assert_eq!(s, 401);
    let (s, _) = ana.json(Method::POST, "/api/v1/participation/surveys", survey("2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z")).await;
    assert_eq!(s, 403);
    let editor = staff_in(&server, "Urad župana").await;
    let (s, p) = editor.json(Method::POST, "/api/v1/participation/surveys", survey("2099-01-01T00:00:00Z", "2026-01-01T00:00:00Z")).await;
    assert_eq!((s, p["errors"][0]["code"].as_str()), (422, Some("closes_before_opening")), "{p}");
    let (s, created) = editor.json(Method::POST, "/api/v1/participation/surveys", survey("2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z")).await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let url = format!("/api/v1/participation/surveys/{id}/responses");

    let good = json!({"answers": [{"question": 0, "choice": 1}, {"question": 1, "choices": [0, 2]}, {"question": 2, "value": 4}, {"question": 3, "text": "Več klopi za starše."}]});
    let (s, _) = visitor.json(Method::POST, &url, good.clone()).await;
    assert_eq!(s, 401);
    let (s, p) = ana.json(Method::POST, &url, json!({"answers": [{"question": 0, "choice": 7}, {"question": 3, "text": "x"}]})).await;
    assert_eq!(s, 422, "{p}");
    let codes: Vec<(&str, &str)> =
        p["errors"].as_array().unwrap().iter().map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
    assert!(codes.contains(&("q0", "invalid_choice")) && codes.contains(&("q2", "required")), "{p}");
    let (s, r) = ana.json(Method::POST, &url, good.clone()).await;
    assert_eq!(s, 201, "{r}");
    let (s, p) = ana.json(Method::POST, &url, good.clone()).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("already_answered")));

    // Eight submissions of one person at once: exactly one lands.
    let mut tasks = vec![];
    for _ in 0..8 {
        let http = bor.http.clone();
        let target = format!("{}{url}", bor.base);
        let body = json!({"answers": [{"question": 0, "choice": 0}, {"question": 2, "value": 2}]});
        tasks.push(tokio::spawn(async move { http.post(target).json(&body).send().await.unwrap().status().as_u16() }));
    }
    let mut statuses = vec![];
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, vec![201, 409, 409, 409, 409, 409, 409, 409], "one of the racing answers lands");
    let n = server.query_i64(&format!("SELECT COUNT(*) FROM participation_responses WHERE survey_id = '{id}'")).await;
    assert_eq!(n, vec![2]);

    // While open: results for staff only; the CSV has a row per response and no account.
    let (s, _) = ana.json(Method::GET, &format!("/api/v1/participation/surveys/{id}/results"), json!(null)).await;
    assert_eq!(s, 403);
    let (s, res) = editor.json(Method::GET, &format!("/api/v1/participation/surveys/{id}/results"), json!(null)).await;
    assert_eq!(s, 200, "{res}");
    assert_eq!(res["responses"], 2);
    assert_eq!(res["questions"][0]["counts"][0]["count"], 1);
    assert_eq!(res["questions"][2]["mean"], 3.0);
    assert_eq!(res["questions"][3]["texts"], json!(["Več klopi za starše."]));
    let (s, _) = ana.json(Method::GET, &format!("/api/v1/participation/surveys/{id}/responses.csv"), json!(null)).await;
    assert_eq!(s, 403);
    let resp = editor.get(&format!("/api/v1/participation/surveys/{id}/responses.csv")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("response,date,1. Kako pogosto obiščete igrišče?"), "{csv}");
    assert!(csv.contains("Ob koncih tedna,Gugalnice; Senco,4,Več klopi za starše."), "{csv}");
    let accounts = server.query_i64("SELECT COUNT(*) FROM accounts").await[0];
    assert!(accounts >= 3);
    assert!(!csv.contains(&bor_email) && !csv.contains("@"), "no personal data in the export");

    // A closed survey refuses answers; its public results are open to everyone.
    let (s, closed) = editor.json(Method::POST, "/api/v1/participation/surveys", survey("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")).await;
    assert_eq!(s, 201);
    let closed = closed["id"].as_str().unwrap();
    let (s, p) = bor.json(Method::POST, &format!("/api/v1/participation/surveys/{closed}/responses"), good).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("survey_closed")), "{p}");
    let (s, _) = visitor.json(Method::GET, &format!("/api/v1/participation/surveys/{closed}/results"), json!(null)).await;
    assert_eq!(s, 200);
    let (s, html) = visitor.get_text(&format!("/participation/surveys/{closed}/results")).await;
    assert_eq!(s, 200);
    assert!(html.contains("<svg class=\"chart\"") && html.contains("<caption"), "charts with tables");

    // The form: answered once through the page, then told so.
    let (s, _) = editor.json(Method::POST, "/api/v1/participation/surveys", survey("2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z")).await;
    assert_eq!(s, 201);
    let (_, list) = visitor.json(Method::GET, "/api/v1/participation/surveys", json!(null)).await;
    let third = list.as_array().unwrap().iter().find(|x| x["state"] == "open" && x["id"] != id.as_str() && x["responses"] == 0).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = format!("/participation/surveys/{third}");
    let r = ana.submit(&page, &page, &[("q0", "0"), ("q2", "9")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"q2-error\""), "the error is tied to the question");
    let r = ana.submit(&page, &page, &[("q0", "0"), ("q1_2", "on"), ("q2", "5"), ("q3", "Hvala")]).await;
    assert_eq!(r.status(), 303);
    let (_, html) = ana.get_text(&page).await;
    assert!(html.contains("Na to anketo ste že odgovorili"));
}

#[tokio::test]
async fn a_question_answered_is_found_by_another_word_form() {
    let server = Server::start().await;
    let (ana, ana_email) = citizen(&server, "ana").await;
    let visitor = server.client();

    let (s, _) = visitor.json(Method::POST, "/api/v1/participation/questions", json!({"title": "Parkiranje", "text": "Kje parkiram?"})).await;
    assert_eq!(s, 401);
    let (s, q) = ana
        .json(
            Method::POST,
            "/api/v1/participation/questions",
            json!({"title": "Zapora Vičave med gradnjo", "text": "Kako dolgo bo Vičava zaprta in kje je obvoz za avtobuse?"}),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    let id = q["id"].as_str().unwrap().to_string();

    // Until answered only the author (and staff) see it, and nobody finds it.
    let (s, _) = visitor.json(Method::GET, &format!("/api/v1/participation/questions/{id}"), json!(null)).await;
    assert_eq!(s, 404);
    let (s, _) = ana.json(Method::GET, &format!("/api/v1/participation/questions/{id}"), json!(null)).await;
    assert_eq!(s, 200);
    let (_, found) = visitor.json(Method::GET, "/api/v1/participation/questions?q=obvozi", json!(null)).await;
    assert!(!found.to_string().contains(&id));

    let answer = json!({"answer": "Vičava bo zaprta do konca maja; obvoz vodi po Rogozniški cesti, avtobusi ustavljajo na začasnem postajališču."});
    let (s, _) = ana.json(Method::POST, &format!("/api/v1/participation/questions/{id}/answer"), answer.clone()).await;
    assert_eq!(s, 403, "citizens do not answer");
    let (s, _) = visitor.json(Method::POST, &format!("/api/v1/participation/questions/{id}/answer"), answer.clone()).await;
    assert_eq!(s, 401);
    let staff = staff_in(&server, "Urad za splošne zadeve").await;
    let (s, p) = staff.json(Method::POST, &format!("/api/v1/participation/questions/{id}/answer"), answer).await;
    assert_eq!(s, 200, "{p}");

    // Public and found by other forms: "obvozi" (obvoz), "avtobusom" (avtobuse), without č: "vicave".
    for q in ["obvozi", "avtobusom", "vicave", "Vičavi"] {
        let (s, found) = visitor.json(Method::GET, &format!("/api/v1/participation/questions?q={q}"), json!(null)).await;
        assert_eq!(s, 200);
        assert_eq!(found[0]["id"], id.as_str(), "{q}: {found}");
    }
    let (s, html) = visitor.get_text("/participation/questions?q=zaporah").await;
    assert_eq!(s, 200);
    assert!(html.contains("Zapora Vičave med gradnjo") && !html.contains(&ana_email));

    let (_, inbox) = ana.json(Method::GET, "/api/v1/notify/inbox", json!(null)).await;
    assert!(
        inbox.as_array().unwrap().iter().any(|m| m["topic"] == "my_proposals" && m["url"] == format!("/participation/questions/{id}")),
        "{inbox}"
    );

    let (s, kpi) = visitor.json(Method::GET, "/api/v1/participation/kpi", json!(null)).await;
    assert_eq!(s, 200);
    assert!(kpi["questions_answered"].as_i64().unwrap() >= 1 && kpi["median_answer_hours"].is_number(), "{kpi}");
}

#[tokio::test]
async fn staff_pages_and_actions_are_refused_to_visitors_and_citizens() {
    let server = Server::start().await;
    let (ana, _) = citizen(&server, "ana").await;
    let visitor = server.client();
    for path in ["/staff/participation", "/staff/participation/surveys/new"] {
        let r = visitor.get(path).await;
        assert_eq!(r.status(), 303, "{path}: visitors go to sign-in");
        let (s, _) = ana.get_text(path).await;
        assert_eq!(s, 403, "{path}");
    }
    let (s, _) = ana.json(Method::POST, "/api/v1/participation/questions/nope/answer", json!({"answer": "Ne."})).await;
    assert_eq!(s, 403);
    let (s, _) = ana.json(Method::GET, "/api/v1/participation/surveys/nope/responses.csv", json!(null)).await;
    assert_eq!(s, 403);
    let (s, p) = visitor.json(Method::GET, "/api/v1/participation/proposals?limit=0", json!(null)).await;
    assert_eq!((s, p["code"].as_str()), (400, Some("limit_invalid")));
    let (s, _) = visitor.json(Method::GET, "/api/v1/participation/proposals?area=sport", json!(null)).await;
    assert_eq!(s, 400);
    // Staff without 2FA are refused too.
    let fresh = privileged_in(&server, "staff", &unique_email("nov"), "Urad župana").await;
    let (s, p) = fresh.json(Method::POST, "/api/v1/participation/questions/nope/answer", json!({"answer": "Ne."})).await;
    assert_eq!((s, p["code"].as_str()), (403, Some("second_factor_required")));
    // The demo data is there, and the public pages open.
    for path in ["/participation", "/participation/proposals", "/participation/surveys", "/participation/questions?q=parkirisce"] {
        let (s, html) = visitor.get_text(path).await;
        assert_eq!(s, 200, "{path}");
        assert!(html.contains("<html lang=\"sl\""));
    }
    let (_, html) = visitor.get_text("/participation/questions?q=parkirisce").await;
    assert!(html.contains("Kurentovanjem"), "the demo question about parking is found");
}
