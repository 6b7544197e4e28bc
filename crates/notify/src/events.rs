//! Domain events of other capabilities that become messages: a fault
//! report's status (to its reporter), a sensor alarm (to the staff of the
//! department it is assigned to). The outbox hands them over after the
//! change committed; handling one twice sends nothing twice.

use crate::model::{NoticeInput, Text, Topic, Urgency};
use crate::service::{self, Audience, Outgoing};
use kernel::{Ctx, Lang};
use serde::Deserialize;

/// `None` when the hub does not handle this kind of event.
pub async fn handle(ctx: &Ctx, kind: &str, payload: &serde_json::Value) -> Option<Result<(), String>> {
    let result = match kind {
        "event.reports.status_changed" => report_status(ctx, payload).await,
        "event.telemetry.alarm.raised" => alarm_raised(ctx, payload).await,
        _ => return None,
    };
    Some(result)
}

/// Written by the fault reports in the transaction of each change.
#[derive(Deserialize)]
struct ReportStatus {
    id: String,
    report: String,
    status: String,
    reason: Option<String>,
    /// The public answer given with the change (absent in events written before it was carried).
    #[serde(default)]
    answer: Option<String>,
    title: String,
    url: String,
    account: Option<String>,
    email: Option<String>,
    lang: Option<String>,
}

/// The message naming a fault report status in the reporter's words.
pub fn report_status_key(status: &str) -> String {
    format!("notify-report-{}", status.replace('_', "-"))
}

fn each_lang(f: impl Fn(Lang) -> String) -> Text {
    Text(Lang::ALL.into_iter().map(|l| (l.code().to_string(), f(l))).collect())
}

async fn report_status(ctx: &Ctx, payload: &serde_json::Value) -> Result<(), String> {
    let e: ReportStatus = serde_json::from_value(payload.clone()).map_err(|e| format!("bad report event: {e}"))?;
    let status = |l: Lang| {
        let key = report_status_key(&e.status);
        let s = ctx.i18n.t(l, &key);
        if s == key { e.status.clone() } else { s }
    };
    let title = each_lang(|l| {
        let t = ctx.i18n.t_args(l, "notify-report-title", &[("status", status(l).into())]);
        format!("{t}: {}", e.title).chars().take(crate::model::MAX_TITLE).collect()
    });
    let body = each_lang(|l| {
        let mut b = ctx.i18n.t_args(l, "notify-report-body", &[("report", e.report.clone().into()), ("status", status(l).into())]);
        if let Some(a) = e.answer.as_deref().filter(|a| !a.trim().is_empty()) {
            b.push_str("\n\n");
            b.push_str(a);
        }
        if let Some(r) = e.reason.as_deref().filter(|r| !r.trim().is_empty()) {
            b.push_str("\n\n");
            b.push_str(&ctx.i18n.t(l, "notify-report-reason"));
            b.push_str(": ");
            b.push_str(r);
        }
        b.chars().take(crate::model::MAX_BODY).collect()
    });
    let audience = match (e.account, e.email) {
        (Some(a), _) => Audience::Account(a),
        (None, Some(address)) => Audience::Email { address, lang: e.lang.as_deref().and_then(Lang::from_code).unwrap_or(Lang::Sl) },
        (None, None) => return Ok(()),
    };
    let out = Outgoing {
        id: Some(format!("report:{}", e.id)),
        notice: NoticeInput { topic: Topic::MyReports, urgency: Urgency::Normal, title, body, url: Some(e.url), area: None },
        audience,
        source: "reports".into(),
        created_by: None,
        warn_located: false,
    };
    let txn = ctx.db.begin().await.map_err(|e| e.to_string())?;
    service::send(&txn, ctx, out).await.map_err(|e| e.to_string())?;
    txn.commit().await.map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct AlarmRaised {
    alarm: String,
    rule_name: Option<String>,
    device: String,
    severity: String,
    department: Option<String>,
    message: String,
}

async fn alarm_raised(ctx: &Ctx, payload: &serde_json::Value) -> Result<(), String> {
    let e: AlarmRaised = serde_json::from_value(payload.clone()).map_err(|e| format!("bad alarm event: {e}"))?;
    let txn = ctx.db.begin().await.map_err(|e| e.to_string())?;
    let staff = identity::store::staff_of_department(&txn, e.department.as_deref()).await.map_err(|e| e.to_string())?;
    let name = e.rule_name.clone().unwrap_or_else(|| e.device.clone());
    let title = each_lang(|l| ctx.i18n.t_args(l, "notify-alarm-title", &[("rule", name.clone().into()), ("device", e.device.clone().into())]));
    let body = each_lang(|l| format!("{}\n{}: {}", e.message, ctx.i18n.t(l, "notify-alarm-severity"), e.severity));
    let urgency = if matches!(e.severity.as_str(), "critical" | "major") { Urgency::Urgent } else { Urgency::Normal };
    for account in staff {
        let out = Outgoing {
            id: Some(format!("alarm:{}:{account}", e.alarm)),
            notice: NoticeInput {
                topic: Topic::Alarms,
                urgency,
                title: title.clone(),
                body: body.clone(),
                url: Some("/staff/sensors/alarms".into()),
                area: None,
            },
            audience: Audience::Account(account),
            source: "telemetry".into(),
            created_by: None,
            warn_located: false,
        };
        service::send(&txn, ctx, out).await.map_err(|e| e.to_string())?;
    }
    txn.commit().await.map_err(|e| e.to_string())
}
