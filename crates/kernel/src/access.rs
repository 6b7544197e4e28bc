//! Who is asking, and what they may do. The permission matrix lives here,
//! in one table, and is tested row by row.

use crate::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

/// Roles an identity can hold. A visitor is an anonymous actor, not a role.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    /// Acts for a legal entity identified by its tax number.
    Representative,
    /// Municipal staff, with a department.
    Staff,
    /// Digital transformation officer (admin.dto).
    Dto,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Citizen, Role::Representative, Role::Staff, Role::Dto, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Representative => "representative",
            Role::Staff => "staff",
            Role::Dto => "dto",
            Role::Admin => "admin",
        }
    }
    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }
    /// Privileged roles need 2FA and get the stricter session policy.
    pub fn is_privileged(self) -> bool {
        matches!(self, Role::Staff | Role::Dto | Role::Admin)
    }
}

/// Named permissions that service calls check.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read and change one's own profile, sessions, 2FA; export and delete one's data.
    ManageOwnAccount,
    /// Act on behalf of a legal entity one represents.
    ActForLegalEntity,
    /// Open the staff area.
    StaffArea,
    /// Read other people's personal data (audited).
    ReadPersonalData,
    /// Grant and revoke roles.
    ManageRoles,
    /// Issue and revoke API tokens for machines.
    ManageApiTokens,
    /// Read and verify the audit log.
    ReadAudit,
    /// Manage the data catalogue and KPIs (arch.catalog, arch.kpi).
    ManageData,
    /// See every device, series, rejection and alarm of the sensor platform.
    ReadTelemetry,
    /// Register and change devices and assets; staff only those of their department.
    ManageDevices,
    /// Send a notice to the subscribers of a topic and see delivery logs.
    SendNotices,
    /// Issue, update and cancel crisis alerts (CAP).
    IssueAlerts,
    /// Create and run participatory-budget cycles: review, paper ballots, counting, overrides.
    ManageBudget,
    /// Answer citizens' proposals (staff: those of their department's areas) and questions publicly.
    AnswerCitizens,
    /// Publish surveys, read their results and export the answers.
    ManageSurveys,
    /// See the fault-report queue; staff only the reports their department owns.
    ReadReports,
    /// Work fault reports (status, answer, assignment, referral, merge); staff only their department's.
    ManageReports,
    /// Review submitted events: publish them or return them with a reason.
    ManageEvents,
    /// Create, change, delete, import and export the places of the map.
    ManagePlaces,
    /// Run bookable resources: occupancy, maintenance blocks, approving and cancelling bookings.
    ManageBookings,
    /// Describe datasets in the data catalogue and decide their access level (the DTO as data coordinator).
    ManageCatalog,
}

use Permission as P;
use Role as R;

/// The permission matrix: which roles hold each permission.
pub const MATRIX: &[(Permission, &[Role])] = &[
    (P::ManageOwnAccount, &[R::Citizen, R::Representative, R::Staff, R::Dto, R::Admin]),
    (P::ActForLegalEntity, &[R::Representative]),
    (P::StaffArea, &[R::Staff, R::Dto, R::Admin]),
    (P::ReadPersonalData, &[R::Staff, R::Admin]),
    (P::ManageRoles, &[R::Admin]),
    (P::ManageApiTokens, &[R::Admin, R::Dto]),
    (P::ReadAudit, &[R::Admin, R::Dto]),
    (P::ManageData, &[R::Dto, R::Admin]),
    (P::ReadTelemetry, &[R::Staff, R::Dto, R::Admin]),
    (P::ManageDevices, &[R::Staff, R::Dto, R::Admin]),
    (P::SendNotices, &[R::Staff, R::Dto, R::Admin]),
    (P::IssueAlerts, &[R::Staff, R::Admin]),
    (P::ManageBudget, &[R::Staff, R::Dto, R::Admin]),
    (P::AnswerCitizens, &[R::Staff, R::Dto, R::Admin]),
    (P::ManageSurveys, &[R::Staff, R::Dto, R::Admin]),
    (P::ReadReports, &[R::Staff, R::Dto, R::Admin]),
    (P::ManageReports, &[R::Staff, R::Admin]),
    (P::ManageEvents, &[R::Staff, R::Admin]),
    (P::ManagePlaces, &[R::Staff, R::Dto, R::Admin]),
    (P::ManageBookings, &[R::Staff, R::Admin]),
    (P::ManageCatalog, &[R::Dto, R::Admin]),
];

impl Permission {
    pub fn roles(self) -> &'static [Role] {
        MATRIX.iter().find(|(p, _)| *p == self).map(|(_, r)| *r).unwrap_or(&[])
    }
    /// Privileged permissions require a second factor.
    pub fn needs_second_factor(self) -> bool {
        self.roles().iter().all(|r| r.is_privileged())
    }
}

/// Scopes an API token may carry.
pub const TOKEN_SCOPES: &[&str] =
    &["profile:read", "telemetry:write", "telemetry:read", "catalog:read", "reports:write", "open311:write", "ngsi-ld:write"];

/// The identity behind a request.
#[derive(Clone, Debug, Default)]
pub enum Actor {
    #[default]
    Anonymous,
    User(UserActor),
    Machine {
        token_id: String,
        scopes: Vec<String>,
    },
}

#[derive(Clone, Debug)]
pub struct UserActor {
    pub account_id: String,
    pub session_id: Option<String>,
    pub roles: Vec<Role>,
    pub department: Option<String>,
    /// The account has TOTP and this session passed it.
    pub second_factor: bool,
    /// Password expired or known compromised: only the change page is open.
    pub must_change_password: bool,
}

impl Actor {
    pub fn user(&self) -> Option<&UserActor> {
        match self {
            Actor::User(u) => Some(u),
            _ => None,
        }
    }
    pub fn account_id(&self) -> Option<&str> {
        self.user().map(|u| u.account_id.as_str())
    }
    pub fn has_role(&self, role: Role) -> bool {
        self.user().is_some_and(|u| u.roles.contains(&role))
    }
    pub fn is_privileged(&self) -> bool {
        self.user().is_some_and(|u| u.roles.iter().any(|r| r.is_privileged()))
    }
    pub fn allows(&self, perm: Permission) -> bool {
        self.check(perm).is_ok()
    }

    /// A machine whose token carries this scope.
    pub fn has_scope(&self, scope: &str) -> bool {
        matches!(self, Actor::Machine { scopes, .. } if scopes.iter().any(|s| s == scope))
    }

    /// 401 for nobody, 403 with a reason otherwise.
    pub fn check(&self, perm: Permission) -> Result<&UserActor, AppError> {
        let user = match self {
            Actor::Anonymous => return Err(AppError::unauthorized()),
            Actor::Machine { .. } => return Err(AppError::forbidden("machine_not_allowed")),
            Actor::User(u) => u,
        };
        if !user.roles.iter().any(|r| perm.roles().contains(r)) {
            return Err(AppError::forbidden("missing_role"));
        }
        if perm.needs_second_factor() && !user.second_factor {
            return Err(AppError::forbidden("second_factor_required"));
        }
        if user.must_change_password && perm != Permission::ManageOwnAccount {
            return Err(AppError::forbidden("password_change_required"));
        }
        Ok(user)
    }
}

/// Handlers take `Actor` as an argument; the identity middleware resolves it.
impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Actor>().cloned().unwrap_or_default())
    }
}

/// Writes every refused access decision (403) to the audit log: who, which
/// route, and the reason code. Runs inside the actor resolution and before
/// problems become HTML pages.
pub async fn audit_denials(
    axum::extract::State(ctx): axum::extract::State<crate::Ctx>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let actor = req.extensions().get::<Actor>().cloned().unwrap_or_default();
    let route = format!("{} {}", req.method(), req.uri().path());
    let resp = next.run(req).await;
    // Anonymous refusals (mostly stale forms) are not audited: anyone could
    // flood the log with them. People and machines are.
    if resp.status() != axum::http::StatusCode::FORBIDDEN || matches!(actor, Actor::Anonymous) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let code = serde_json::from_slice::<crate::error::Problem>(&bytes).map(|p| p.code).unwrap_or_default();
    let who = match &actor {
        Actor::Anonymous => "anonymous".to_string(),
        Actor::User(u) => format!("account:{}", u.account_id),
        Actor::Machine { token_id, .. } => format!("token:{token_id}"),
    };
    let entry = crate::audit::AuditEntry {
        actor: &who,
        action: "access.denied",
        subject: &route,
        outcome: "denied",
        detail: serde_json::json!({"code": code}),
    };
    let logged = match ctx.db.begin().await {
        Ok(txn) => match ctx.audit(&txn, entry).await {
            Ok(()) => txn.commit().await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = logged {
        tracing::error!(error = %e, "could not audit an access denial");
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role], second_factor: bool) -> Actor {
        Actor::User(UserActor {
            account_id: "a".into(),
            session_id: None,
            roles: roles.to_vec(),
            department: None,
            second_factor,
            must_change_password: false,
        })
    }

    /// Row by row: each permission, each role, with and without 2FA.
    #[test]
    fn permission_matrix_row_by_row() {
        let expected: &[(Permission, [bool; 5])] = &[
            //                       citizen representative staff  dto    admin
            (P::ManageOwnAccount, [true, true, true, true, true]),
            (P::ActForLegalEntity, [false, true, false, false, false]),
            (P::StaffArea, [false, false, true, true, true]),
            (P::ReadPersonalData, [false, false, true, false, true]),
            (P::ManageRoles, [false, false, false, false, true]),
            (P::ManageApiTokens, [false, false, false, true, true]),
            (P::ReadAudit, [false, false, false, true, true]),
            (P::ManageData, [false, false, false, true, true]),
            (P::ReadTelemetry, [false, false, true, true, true]),
            (P::ManageDevices, [false, false, true, true, true]),
            (P::SendNotices, [false, false, true, true, true]),
            (P::IssueAlerts, [false, false, true, false, true]),
            (P::ManageBudget, [false, false, true, true, true]),
            (P::AnswerCitizens, [false, false, true, true, true]),
            (P::ManageSurveys, [false, false, true, true, true]),
            (P::ReadReports, [false, false, true, true, true]),
            (P::ManageReports, [false, false, true, false, true]),
            (P::ManageEvents, [false, false, true, false, true]),
            (P::ManagePlaces, [false, false, true, true, true]),
            (P::ManageBookings, [false, false, true, false, true]),
            (P::ManageCatalog, [false, false, false, true, true]),
        ];
        assert_eq!(expected.len(), MATRIX.len(), "every row of the matrix is tested");
        for (perm, row) in expected {
            for (role, allowed) in Role::ALL.iter().zip(row) {
                assert_eq!(user(&[*role], true).allows(*perm), *allowed, "{perm:?} for {role:?}");
                if role.is_privileged() && perm.needs_second_factor() {
                    let err = user(&[*role], false).check(*perm).unwrap_err();
                    assert_eq!(err.code, if *allowed { "second_factor_required" } else { "missing_role" });
                }
            }
            assert_eq!(Actor::Anonymous.check(*perm).unwrap_err().status.as_u16(), 401);
            let machine = Actor::Machine { token_id: "t".into(), scopes: vec!["profile:read".into()] };
            assert_eq!(machine.check(*perm).unwrap_err().status.as_u16(), 403);
        }
    }

    #[test]
    fn forced_password_change_closes_everything_but_own_account() {
        let mut a = user(&[Role::Staff], true);
        if let Actor::User(u) = &mut a {
            u.must_change_password = true;
        }
        assert!(a.allows(P::ManageOwnAccount));
        assert_eq!(a.check(P::StaffArea).unwrap_err().code, "password_change_required");
    }
}
