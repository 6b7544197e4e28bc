//! Rules of the device registry: who may register and change devices, what
//! a valid device is, and the device credentials.

use crate::Telemetry;
use crate::store::{self, Device, NewDevice};
use kernel::access::UserActor;
use kernel::audit::AuditEntry;
use kernel::crypto::{random_token, sha256_hex};
use kernel::error::FieldError;
use kernel::{Actor, AppError, AppResult, Ctx, Permission, Role};
use serde::Deserialize;
use serde_json::json;

pub const STATUSES: &[&str] = &["active", "maintenance", "retired"];

/// A device as staff describe it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceInput {
    /// Letters, digits and `._:-`, up to 100 characters; never changes.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$", example = "ptuj-lum-00001")]
    pub key: String,
    /// A device type from `/api/v1/telemetry/types`.
    #[serde(rename = "type")]
    #[schema(example = "Streetlight")]
    pub device_type: String,
    #[schema(max_length = 200)]
    pub name: String,
    pub model: Option<String>,
    #[schema(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    /// Owning department; staff register devices for their own.
    pub department: Option<String>,
    /// ISO date, e.g. 2024-05-01.
    #[schema(format = "date")]
    pub installed_on: Option<String>,
    /// `active` (default), `maintenance` or `retired`.
    pub status: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attrs: Option<serde_json::Value>,
}

/// A change to a device: only the fields given change.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevicePatch {
    pub name: Option<String>,
    pub model: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub department: Option<String>,
    #[schema(format = "date")]
    pub installed_on: Option<String>,
    pub status: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attrs: Option<serde_json::Value>,
}

pub fn valid_key(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && k.len() <= 100
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'))
}

fn check_common(
    errors: &mut Vec<FieldError>,
    name: &str,
    lon: Option<f64>,
    lat: Option<f64>,
    installed_on: Option<&str>,
    status: &str,
    attrs: Option<&serde_json::Value>,
) {
    let mut err = |f: &str, c: &str| errors.push(FieldError { field: f.into(), code: c.into() });
    if name.trim().is_empty() || name.chars().count() > 200 {
        err("name", "required");
    }
    if lon.is_some() != lat.is_some() {
        err("lon", "both_or_neither");
    }
    if lon.is_some_and(|x| !(-180.0..=180.0).contains(&x)) {
        err("lon", "out_of_range");
    }
    if lat.is_some_and(|y| !(-90.0..=90.0).contains(&y)) {
        err("lat", "out_of_range");
    }
    if installed_on.is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()) {
        err("installed_on", "not_a_date");
    }
    if !STATUSES.contains(&status) {
        err("status", "unknown_status");
    }
    if attrs.is_some_and(|a| !a.is_object()) {
        err("attrs", "not_an_object");
    }
}

/// Staff manage the devices of their own department; DTO and administrators all.
fn may_manage(user: &UserActor, department: Option<&str>) -> AppResult<()> {
    let everywhere = user.roles.iter().any(|r| matches!(r, Role::Dto | Role::Admin));
    if everywhere || (department.is_some() && user.department.as_deref() == department) {
        Ok(())
    } else {
        Err(AppError::forbidden("other_department"))
    }
}

fn who(user: &UserActor) -> String {
    format!("account:{}", user.account_id)
}

fn new_token() -> (String, String) {
    let token = format!("obd_{}", random_token(32));
    let hash = sha256_hex(&token);
    (token, hash)
}

type Checked = (std::sync::Arc<crate::types::DeviceType>, Option<String>, String, serde_json::Value);

/// A valid device the user may register: its type, department, status and attributes.
fn check_device(t: &Telemetry, user: &UserActor, input: &DeviceInput) -> AppResult<Checked> {
    let department = input.department.clone().or_else(|| user.department.clone());
    let status = input.status.clone().unwrap_or_else(|| "active".into());
    let mut errors = vec![];
    if !valid_key(&input.key) {
        errors.push(FieldError { field: "key".into(), code: "invalid_key".into() });
    }
    let device_type = t.registry.device_type(&input.device_type).cloned();
    if device_type.is_none() {
        errors.push(FieldError { field: "type".into(), code: "unknown_type".into() });
    }
    check_common(&mut errors, &input.name, input.lon, input.lat, input.installed_on.as_deref(), &status, input.attrs.as_ref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    may_manage(user, department.as_deref())?;
    let attrs = input.attrs.clone().unwrap_or_else(|| json!({}));
    Ok((device_type.expect("checked above"), department, status, attrs))
}

/// Register a device; returns it with its credential, shown only now.
pub async fn create_device(ctx: &Ctx, t: &Telemetry, actor: &Actor, input: DeviceInput) -> AppResult<(Device, String)> {
    let user = actor.check(Permission::ManageDevices)?;
    let (device_type, department, status, attrs) = check_device(t, user, &input)?;
    let (token, hash) = new_token();
    let quantities: Vec<(&str, &str)> = device_type.quantities.iter().map(|q| (q.name.as_str(), q.unit.as_str())).collect();
    let now = ctx.now().0;
    let txn = ctx.db.begin().await?;
    let new = NewDevice {
        key: &input.key,
        device_type: &device_type.id,
        name: input.name.trim(),
        model: input.model.as_deref(),
        lon: input.lon,
        lat: input.lat,
        department: department.as_deref(),
        installed_on: input.installed_on.as_deref(),
        status: &status,
        attrs: &attrs,
        token_hash: &hash,
    };
    match store::insert_device(&txn, &new, &quantities, now).await {
        Ok(_) => {}
        Err(e) if kernel::db::is_unique_violation(&e) => return Err(AppError::field("key", "taken")),
        Err(e) => return Err(e.into()),
    }
    let subject = format!("device:{}", input.key);
    ctx.audit(
        &txn,
        AuditEntry {
            actor: &who(user),
            action: "telemetry.device.create",
            subject: &subject,
            outcome: "ok",
            detail: json!({"type": device_type.id}),
        },
    )
    .await?;
    let device = store::device_by_key(&txn, &input.key).await?.ok_or_else(|| AppError::internal("device vanished"))?;
    txn.commit().await?;
    t.registry.invalidate(&input.key);
    Ok((device, token))
}

/// Register a device for an import: no credential (gateways use integration
/// tokens; a device's own is issued when needed), audited once per import.
pub async fn create_device_quietly(ctx: &Ctx, t: &Telemetry, actor: &Actor, input: DeviceInput) -> AppResult<()> {
    let user = actor.check(Permission::ManageDevices)?;
    let (device_type, department, status, attrs) = check_device(t, user, &input)?;
    let quantities: Vec<(&str, &str)> = device_type.quantities.iter().map(|q| (q.name.as_str(), q.unit.as_str())).collect();
    // A random hash nobody holds: the column stays unique and no token matches it.
    let unusable = sha256_hex(&random_token(32));
    let new = NewDevice {
        key: &input.key,
        device_type: &device_type.id,
        name: input.name.trim(),
        model: input.model.as_deref(),
        lon: input.lon,
        lat: input.lat,
        department: department.as_deref(),
        installed_on: input.installed_on.as_deref(),
        status: &status,
        attrs: &attrs,
        token_hash: &unusable,
    };
    let txn = ctx.db.begin().await?;
    match store::insert_device(&txn, &new, &quantities, ctx.now().0).await {
        Ok(_) => {}
        Err(e) if kernel::db::is_unique_violation(&e) => return Err(AppError::field("key", "taken")),
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    t.registry.invalidate(&input.key);
    Ok(())
}

pub async fn device(ctx: &Ctx, actor: &Actor, key: &str) -> AppResult<Device> {
    actor.check(Permission::ReadTelemetry)?;
    store::device_by_key(ctx.db.conn(), key).await?.ok_or_else(AppError::not_found)
}

pub async fn update_device(ctx: &Ctx, t: &Telemetry, actor: &Actor, key: &str, p: DevicePatch) -> AppResult<Device> {
    let user = actor.check(Permission::ManageDevices)?;
    let txn = ctx.db.begin().await?;
    let mut d = store::device_by_key(&txn, key).await?.ok_or_else(AppError::not_found)?;
    may_manage(user, d.department.as_deref())?;
    if let Some(v) = p.name {
        d.name = v.trim().to_string();
    }
    if p.model.is_some() {
        d.model = p.model;
    }
    if p.lon.is_some() || p.lat.is_some() {
        d.lon = p.lon;
        d.lat = p.lat;
    }
    if p.department.is_some() {
        d.department = p.department;
        // Handing a device to another department is for DTO and administrators.
        may_manage(user, d.department.as_deref())?;
    }
    if p.installed_on.is_some() {
        d.installed_on = p.installed_on;
    }
    if let Some(s) = p.status {
        d.status = s;
    }
    if let Some(a) = p.attrs {
        d.attrs = a;
    }
    let mut errors = vec![];
    check_common(&mut errors, &d.name, d.lon, d.lat, d.installed_on.as_deref(), &d.status, Some(&d.attrs));
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    store::update_device(&txn, &d, ctx.now().0).await?;
    let subject = format!("device:{key}");
    ctx.audit(
        &txn,
        AuditEntry { actor: &who(user), action: "telemetry.device.update", subject: &subject, outcome: "ok", detail: json!({"status": d.status}) },
    )
    .await?;
    txn.commit().await?;
    t.registry.invalidate(key);
    Ok(d)
}

/// Issue a new credential for a device; the old one stops working.
pub async fn rotate_token(ctx: &Ctx, t: &Telemetry, actor: &Actor, key: &str) -> AppResult<String> {
    let user = actor.check(Permission::ManageDevices)?;
    let txn = ctx.db.begin().await?;
    let d = store::device_by_key(&txn, key).await?.ok_or_else(AppError::not_found)?;
    may_manage(user, d.department.as_deref())?;
    let (token, hash) = new_token();
    store::set_token(&txn, key, &hash, ctx.now().0).await?;
    let subject = format!("device:{key}");
    ctx.audit(&txn, AuditEntry { actor: &who(user), action: "telemetry.device.token", subject: &subject, outcome: "ok", detail: json!({}) }).await?;
    txn.commit().await?;
    t.forget_tokens();
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_safe_in_topics_and_urls() {
        assert!(valid_key("ptuj-lum-00001"));
        assert!(valid_key("a.b_c:d"));
        assert!(!valid_key(""));
        assert!(!valid_key("-lead"));
        assert!(!valid_key("has/slash"), "a slash would break the MQTT topic scheme");
        assert!(!valid_key("plus+"), "MQTT wildcards are refused");
        assert!(!valid_key(&"x".repeat(101)));
    }

    fn staff(dept: Option<&str>, roles: &[Role]) -> UserActor {
        UserActor {
            account_id: "a".into(),
            session_id: None,
            roles: roles.to_vec(),
            department: dept.map(str::to_string),
            second_factor: true,
            must_change_password: false,
        }
    }

    #[test]
    fn staff_manage_their_own_department_only() {
        let s = staff(Some("lighting"), &[Role::Staff]);
        assert!(may_manage(&s, Some("lighting")).is_ok());
        assert_eq!(may_manage(&s, Some("water")).unwrap_err().code, "other_department");
        assert!(may_manage(&s, None).is_err());
        assert!(may_manage(&staff(None, &[Role::Dto]), Some("water")).is_ok());
    }
}

/// Load the demo fleet of Ptuj into an empty registry; returns the devices added.
pub async fn load_demo(ctx: &Ctx, t: &Telemetry) -> AppResult<u64> {
    if store::count_devices(ctx.db.conn()).await? > 0 {
        return Ok(0);
    }
    let now = ctx.now().0;
    let txn = ctx.db.begin().await?;
    for a in crate::demo::assets() {
        let asset = store::Asset {
            id: 0,
            key: a.key,
            kind: a.kind.into(),
            name: a.name,
            lon: Some(a.lon),
            lat: Some(a.lat),
            department: Some(a.department.into()),
            attrs: a.attrs,
        };
        store::insert_asset(&txn, &asset, now).await?;
    }
    let devices = crate::demo::devices();
    let rows: Vec<serde_json::Value> = devices
        .iter()
        .map(|d| json!({"k": d.key, "t": d.device_type, "n": d.name, "x": d.lon, "y": d.lat, "d": d.department, "a": d.attrs.to_string()}))
        .collect();
    let quantities: Vec<(String, String, String)> =
        t.registry.types().flat_map(|ty| ty.quantities.iter().map(|q| (ty.id.clone(), q.name.clone(), q.unit.clone()))).collect();
    let n = store::bulk_insert_devices(&txn, &rows, &quantities, now).await?;
    let links: Vec<(String, String)> = devices.iter().filter_map(|d| d.asset.clone().map(|a| (d.key.clone(), a))).collect();
    store::bulk_link(&txn, &links).await?;
    txn.commit().await?;
    load_demo_rules(ctx, t).await?;
    Ok(n)
}

/// An asset as staff describe it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$", example = "ptuj-building-1")]
    pub key: String,
    /// What it is: building, road_section, bridge, water_section, bin, luminaire, charger, feeder, …
    #[schema(example = "building")]
    pub kind: String,
    #[schema(max_length = 200)]
    pub name: String,
    #[schema(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    pub department: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attrs: Option<serde_json::Value>,
}

pub const ASSET_KINDS: &[&str] =
    &["building", "road_section", "bridge", "water_section", "bin", "luminaire", "charger", "feeder", "monument", "river_section"];

pub async fn create_asset(ctx: &Ctx, actor: &Actor, input: AssetInput) -> AppResult<store::Asset> {
    let user = actor.check(Permission::ManageDevices)?;
    let department = input.department.clone().or_else(|| user.department.clone());
    let mut errors = vec![];
    if !valid_key(&input.key) {
        errors.push(FieldError { field: "key".into(), code: "invalid_key".into() });
    }
    if !ASSET_KINDS.contains(&input.kind.as_str()) {
        errors.push(FieldError { field: "kind".into(), code: "unknown_kind".into() });
    }
    check_common(&mut errors, &input.name, input.lon, input.lat, None, "active", input.attrs.as_ref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    may_manage(user, department.as_deref())?;
    let asset = store::Asset {
        id: 0,
        key: input.key.clone(),
        kind: input.kind,
        name: input.name.trim().to_string(),
        lon: input.lon,
        lat: input.lat,
        department,
        attrs: input.attrs.unwrap_or_else(|| json!({})),
    };
    let txn = ctx.db.begin().await?;
    match store::insert_asset(&txn, &asset, ctx.now().0).await {
        Ok(()) => {}
        Err(e) if kernel::db::is_unique_violation(&e) => return Err(AppError::field("key", "taken")),
        Err(e) => return Err(e.into()),
    }
    let subject = format!("asset:{}", asset.key);
    ctx.audit(
        &txn,
        AuditEntry { actor: &who(user), action: "telemetry.asset.create", subject: &subject, outcome: "ok", detail: json!({"kind": asset.kind}) },
    )
    .await?;
    txn.commit().await?;
    Ok(asset)
}

/// Link (or unlink) a device and an asset; needs rights over the device.
pub async fn set_link(ctx: &Ctx, actor: &Actor, asset_key: &str, device_key: &str, linked: bool) -> AppResult<()> {
    let user = actor.check(Permission::ManageDevices)?;
    let txn = ctx.db.begin().await?;
    let asset = store::asset_by_key(&txn, asset_key).await?.ok_or_else(AppError::not_found)?;
    let device = store::device_by_key(&txn, device_key).await?.ok_or_else(|| AppError::field("device", "unknown_device"))?;
    may_manage(user, device.department.as_deref())?;
    if linked {
        store::link(&txn, device.id, asset.id).await?;
    } else {
        store::unlink(&txn, device.id, asset.id).await?;
    }
    let subject = format!("asset:{asset_key}");
    let action = if linked { "telemetry.asset.link" } else { "telemetry.asset.unlink" };
    ctx.audit(&txn, AuditEntry { actor: &who(user), action, subject: &subject, outcome: "ok", detail: json!({"device": device_key}) }).await?;
    txn.commit().await?;
    Ok(())
}

/// A rule as staff write it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    #[schema(max_length = 200, example = "Učilnica nad 24 °C")]
    pub name: String,
    /// `type`, `device` or `asset`.
    #[schema(example = "type")]
    pub scope_kind: String,
    /// The device type, device key or asset key.
    #[schema(example = "IndoorEnvironmentObserved")]
    pub scope: String,
    /// The quantity it looks at (not needed for `silent`).
    #[schema(example = "temperature")]
    pub quantity: Option<String>,
    pub condition: crate::rules::Condition,
    /// `info`, `warning` (default) or `critical`.
    pub severity: Option<String>,
    /// Responsible department; staff may name only their own.
    pub department: Option<String>,
}

pub const SEVERITIES: &[&str] = &["info", "warning", "critical"];

pub async fn create_rule(ctx: &Ctx, t: &Telemetry, actor: &Actor, input: RuleInput) -> AppResult<crate::alarms::Rule> {
    let user = actor.check(Permission::ManageDevices)?;
    let mut errors = vec![];
    let mut err = |f: &str, c: &str| errors.push(FieldError { field: f.into(), code: c.into() });
    if input.name.trim().is_empty() || input.name.chars().count() > 200 {
        err("name", "required");
    }
    let c = ctx.db.conn();
    // The type whose quantities the rule may name.
    let device_type = match input.scope_kind.as_str() {
        "type" => t.registry.device_type(&input.scope).cloned(),
        "device" => match store::device_by_key(c, &input.scope).await? {
            Some(d) => t.registry.device_type(&d.device_type).cloned(),
            None => None,
        },
        "asset" => {
            if store::asset_by_key(c, &input.scope).await?.is_none() {
                err("scope", "unknown_asset");
            }
            None
        }
        _ => {
            err("scope_kind", "unknown_scope_kind");
            None
        }
    };
    if matches!(input.scope_kind.as_str(), "type" | "device") && device_type.is_none() {
        err("scope", "unknown_scope");
    }
    let silent = matches!(input.condition, crate::rules::Condition::Silent { .. });
    match (&input.quantity, &device_type) {
        (None, _) if !silent => err("quantity", "required"),
        (Some(q), Some(dt)) if dt.quantity(q).is_none() => err("quantity", "unknown_quantity"),
        _ => {}
    }
    if let Err(code) = input.condition.check() {
        err("condition", code);
    }
    let severity = input.severity.clone().unwrap_or_else(|| "warning".into());
    if !SEVERITIES.contains(&severity.as_str()) {
        err("severity", "unknown_severity");
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let department = input.department.clone().or_else(|| user.department.clone());
    may_manage(user, department.as_deref())?;
    let rule = crate::alarms::Rule {
        id: uuid::Uuid::now_v7().to_string(),
        name: input.name.trim().to_string(),
        scope_kind: input.scope_kind,
        scope: input.scope,
        quantity: if silent { None } else { input.quantity },
        condition: input.condition,
        severity,
        department,
        enabled: true,
    };
    let txn = ctx.db.begin().await?;
    crate::alarms::insert_rule(&txn, &rule, &who(user), ctx.now().0).await?;
    let subject = format!("rule:{}", rule.id);
    ctx.audit(
        &txn,
        AuditEntry { actor: &who(user), action: "telemetry.rule.create", subject: &subject, outcome: "ok", detail: json!({"name": rule.name}) },
    )
    .await?;
    txn.commit().await?;
    t.rules_version.fetch_add(1, std::sync::atomic::Ordering::Release);
    Ok(rule)
}

pub async fn delete_rule(ctx: &Ctx, t: &Telemetry, actor: &Actor, id: &str) -> AppResult<()> {
    let user = actor.check(Permission::ManageDevices)?;
    let txn = ctx.db.begin().await?;
    let rule = crate::alarms::rule_by_id(&txn, id).await?.ok_or_else(AppError::not_found)?;
    may_manage(user, rule.department.as_deref())?;
    crate::alarms::delete_rule(&txn, id).await?;
    let subject = format!("rule:{id}");
    ctx.audit(
        &txn,
        AuditEntry { actor: &who(user), action: "telemetry.rule.delete", subject: &subject, outcome: "ok", detail: json!({"name": rule.name}) },
    )
    .await?;
    txn.commit().await?;
    t.rules_version.fetch_add(1, std::sync::atomic::Ordering::Release);
    Ok(())
}

/// Staff of the responsible department take an alarm on.
pub async fn acknowledge_alarm(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<crate::alarms::Alarm> {
    let user = actor.check(Permission::ManageDevices)?;
    let txn = ctx.db.begin().await?;
    let alarm = crate::alarms::alarm_by_id(&txn, id).await?.ok_or_else(AppError::not_found)?;
    may_manage(user, alarm.department.as_deref())?;
    if !crate::alarms::acknowledge(&txn, id, &who(user), ctx.now().0).await? {
        return Err(AppError::conflict("alarm_not_raised").with_detail(format!("the alarm is {}", alarm.state)));
    }
    let subject = format!("alarm:{id}");
    ctx.audit(
        &txn,
        AuditEntry {
            actor: &who(user),
            action: "telemetry.alarm.acknowledge",
            subject: &subject,
            outcome: "ok",
            detail: json!({"device": alarm.device}),
        },
    )
    .await?;
    let alarm = crate::alarms::alarm_by_id(&txn, id).await?.ok_or_else(AppError::not_found)?;
    txn.commit().await?;
    Ok(alarm)
}

/// Rules the demo starts with, so every fault of `obcina simulate` is caught.
pub async fn load_demo_rules(ctx: &Ctx, t: &Telemetry) -> AppResult<usize> {
    use crate::rules::Condition;
    if !crate::alarms::rules(ctx.db.conn()).await?.is_empty() {
        return Ok(0);
    }
    // name, scope kind, scope, quantity, condition, severity, department
    type DemoRule<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Condition, &'a str, &'a str);
    let rules: Vec<DemoRule> = vec![
        (
            "Prostor nad 24 °C",
            "type",
            "IndoorEnvironmentObserved",
            Some("temperature"),
            Condition::Threshold { above: Some(24.0), below: None, hysteresis: 0.5 },
            "warning",
            crate::demo::ENERGY,
        ),
        (
            "Drava narašča",
            "type",
            "FloodMonitoring",
            Some("currentLevel"),
            Condition::Rate { per_hour: 5.0, window_minutes: 120, hysteresis: 1.0 },
            "critical",
            crate::demo::PROTECTION,
        ),
        ("Svetilka se ne oglaša", "type", "Streetlight", None, Condition::Silent { minutes: 45 }, "warning", crate::demo::LIGHTING),
        (
            "Zabojnik poln",
            "type",
            "WasteContainer",
            Some("fillingLevel"),
            Condition::Threshold { above: Some(90.0), below: None, hysteresis: 40.0 },
            "info",
            crate::demo::WASTE,
        ),
        (
            "Merilnik PM10 zamrznjen",
            "type",
            "AirQualityObserved",
            Some("PM10"),
            Condition::Frozen { minutes: 60 },
            "warning",
            crate::demo::ENVIRONMENT,
        ),
    ];
    let now = ctx.now().0;
    let txn = ctx.db.begin().await?;
    for (name, kind, scope, quantity, condition, severity, department) in &rules {
        if t.registry.device_type(scope).is_none() {
            continue;
        }
        let rule = crate::alarms::Rule {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.to_string(),
            scope_kind: kind.to_string(),
            scope: scope.to_string(),
            quantity: quantity.map(str::to_string),
            condition: condition.clone(),
            severity: severity.to_string(),
            department: Some(department.to_string()),
            enabled: true,
        };
        crate::alarms::insert_rule(&txn, &rule, "demo", now).await?;
    }
    txn.commit().await?;
    Ok(rules.len())
}

/// A command as staff send it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandInput {
    /// `switch` ({"on": true}), `dim` ({"level": 40}) or `setpoint` ({"value": 21}).
    #[schema(example = "dim")]
    pub command: String,
    #[schema(value_type = Object, example = json!({"level": 40}))]
    pub params: serde_json::Value,
    /// Give up after this many seconds without an answer (default 120, group 600).
    #[schema(minimum = 10, maximum = 86400)]
    pub timeout_seconds: Option<u64>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupCommandInput {
    #[schema(example = "Zatemnitev RP-07")]
    pub name: String,
    pub command: String,
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    pub selector: crate::commands::Selector,
    #[schema(minimum = 10, maximum = 86400)]
    pub timeout_seconds: Option<u64>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    #[schema(example = "Nočna zatemnitev RP-07")]
    pub name: String,
    pub command: String,
    #[schema(value_type = Object, example = json!({"level": 40}))]
    pub params: serde_json::Value,
    /// Sent at `end` (e.g. {"level": 100}); needed when `end` is given.
    #[schema(value_type = Option<Object>)]
    pub end_params: Option<serde_json::Value>,
    pub selector: crate::commands::Selector,
    /// Local time, HH:MM.
    #[schema(example = "23:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    #[schema(example = "05:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: Option<String>,
}

fn timeout(secs: Option<u64>, default: u64) -> AppResult<std::time::Duration> {
    match secs.unwrap_or(default) {
        s @ 10..=86_400 => Ok(std::time::Duration::from_secs(s)),
        _ => Err(AppError::field("timeout_seconds", "out_of_range")),
    }
}

/// Every addressed device must take the command and belong to the user's department.
fn check_targets(t: &Telemetry, user: &UserActor, devices: &[Device], command: &str, params: &serde_json::Value) -> AppResult<()> {
    if let Err(code) = crate::commands::check_params(command, params) {
        return Err(AppError::field(if code == "unknown_command" { "command" } else { "params" }, code));
    }
    if devices.is_empty() {
        return Err(AppError::field("selector", "no_devices"));
    }
    if let Some(d) = devices.iter().find(|d| t.registry.device_type(&d.device_type).is_none_or(|ty| !ty.commands.iter().any(|c| c == command))) {
        return Err(AppError::field("command", "not_supported").with_detail(format!("{} ({}) does not take {command}", d.key, d.device_type)));
    }
    for d in devices {
        may_manage(user, d.department.as_deref())?;
    }
    Ok(())
}

pub async fn command_device(ctx: &Ctx, t: &Telemetry, actor: &Actor, key: &str, input: CommandInput) -> AppResult<crate::commands::Command> {
    let user = actor.check(Permission::ManageDevices)?;
    let device = store::device_by_key(ctx.db.conn(), key).await?.ok_or_else(AppError::not_found)?;
    check_targets(t, user, std::slice::from_ref(&device), &input.command, &input.params)?;
    let timeout = timeout(input.timeout_seconds, 120)?;
    let txn = ctx.db.begin().await?;
    let actor = who(user);
    let order = crate::commands::Order { name: &input.command, command: &input.command, params: &input.params, actor: &actor, timeout };
    let ids = crate::commands::enqueue(&txn, std::slice::from_ref(&device.key), &order, None, ctx.now().0).await?;
    let subject = format!("device:{key}");
    ctx.audit(
        &txn,
        AuditEntry {
            actor: &who(user),
            action: "telemetry.command",
            subject: &subject,
            outcome: "ok",
            detail: json!({"id": ids[0], "command": input.command, "params": input.params}),
        },
    )
    .await?;
    let cmd = crate::commands::by_id(&txn, &ids[0]).await?.ok_or_else(|| AppError::internal("command vanished"))?;
    txn.commit().await?;
    Ok(cmd)
}

pub async fn command_group(ctx: &Ctx, t: &Telemetry, actor: &Actor, input: GroupCommandInput) -> AppResult<(String, usize)> {
    let user = actor.check(Permission::ManageDevices)?;
    if input.name.trim().is_empty() {
        return Err(AppError::field("name", "required"));
    }
    if input.selector.is_empty() {
        return Err(AppError::field("selector", "required"));
    }
    let devices = crate::commands::resolve(ctx.db.conn(), &input.selector).await?;
    check_targets(t, user, &devices, &input.command, &input.params)?;
    let timeout = timeout(input.timeout_seconds, 600)?;
    let actor = who(user);
    let order = crate::commands::Order { name: input.name.trim(), command: &input.command, params: &input.params, actor: &actor, timeout };
    Ok(crate::commands::start_group(ctx, &order, &input.selector, None).await?)
}

pub async fn create_schedule(ctx: &Ctx, t: &Telemetry, actor: &Actor, input: ScheduleInput) -> AppResult<crate::commands::Schedule> {
    let user = actor.check(Permission::ManageDevices)?;
    let mut errors = vec![];
    if input.name.trim().is_empty() {
        errors.push(FieldError { field: "name".into(), code: "required".into() });
    }
    if crate::commands::parse_hhmm(&input.start).is_none() {
        errors.push(FieldError { field: "start".into(), code: "not_a_time".into() });
    }
    if input.end.as_deref().is_some_and(|e| crate::commands::parse_hhmm(e).is_none()) {
        errors.push(FieldError { field: "end".into(), code: "not_a_time".into() });
    }
    if input.end.is_some() != input.end_params.is_some() {
        errors.push(FieldError { field: "end_params".into(), code: "end_and_end_params_together".into() });
    }
    if let Some(p) = &input.end_params
        && crate::commands::check_params(&input.command, p).is_err()
    {
        errors.push(FieldError { field: "end_params".into(), code: "invalid".into() });
    }
    if input.selector.is_empty() {
        errors.push(FieldError { field: "selector".into(), code: "required".into() });
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let devices = crate::commands::resolve(ctx.db.conn(), &input.selector).await?;
    check_targets(t, user, &devices, &input.command, &input.params)?;
    let s = crate::commands::Schedule {
        id: uuid::Uuid::now_v7().to_string(),
        name: input.name.trim().to_string(),
        command: input.command,
        params: input.params,
        end_params: input.end_params,
        selector: input.selector,
        start: input.start,
        end: input.end,
        department: user.department.clone(),
        enabled: true,
    };
    let txn = ctx.db.begin().await?;
    crate::commands::insert_schedule(&txn, &s, &who(user), ctx.now().0).await?;
    let subject = format!("schedule:{}", s.id);
    ctx.audit(
        &txn,
        AuditEntry {
            actor: &who(user),
            action: "telemetry.schedule.create",
            subject: &subject,
            outcome: "ok",
            detail: json!({"name": s.name, "devices": devices.len()}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

pub async fn delete_schedule(ctx: &Ctx, actor: &Actor, id: &str) -> AppResult<()> {
    let user = actor.check(Permission::ManageDevices)?;
    let txn = ctx.db.begin().await?;
    let s = crate::commands::schedule_by_id(&txn, id).await?.ok_or_else(AppError::not_found)?;
    may_manage(user, s.department.as_deref())?;
    crate::commands::delete_schedule(&txn, id).await?;
    let subject = format!("schedule:{id}");
    ctx.audit(
        &txn,
        AuditEntry { actor: &who(user), action: "telemetry.schedule.delete", subject: &subject, outcome: "ok", detail: json!({"name": s.name}) },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
