//! Who may do what: route policies and the unit scope of a caller.
//!
//! Every HTTP route declares one [`Policy`]; the web crate enforces it before the handler runs
//! and a test walks every route against every role. Record-level checks (is this unit inside the
//! caller's subtree?) use [`Scope`].

use crate::user::Role;

/// The policy of one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, without an account (public pages, health, Open311 reads).
    Public,
    /// Any logged-in user.
    Authenticated,
    /// Only these roles.
    Roles(&'static [Role]),
}

impl Policy {
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Policy::Public, _) => true,
            (_, None) => false,
            (Policy::Authenticated, Some(_)) => true,
            (Policy::Roles(rs), Some(r)) => rs.contains(&r),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Policy::Public => "public".into(),
            Policy::Authenticated => "authenticated".into(),
            Policy::Roles(rs) => rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","),
        }
    }
}

pub const ADMIN: Policy = Policy::Roles(&[Role::Admin]);
/// Admins and unit managers (who manage their own unit's staff accounts).
pub const USER_MANAGERS: Policy = Policy::Roles(&[Role::Admin, Role::UnitManager]);
/// Roles that read the whole county's organisation.
pub const COUNTY_READERS: Policy = Policy::Roles(&[Role::Admin, Role::Leader, Role::Supervisor, Role::Hotline]);

/// Roles that take part in tasks (each sees only what visibility allows).
pub const TASK_READERS: Policy = Policy::Roles(&[Role::Admin, Role::Leader, Role::Supervisor, Role::UnitManager, Role::UnitStaff]);
/// The supervision office (and administrators).
pub const SUPERVISORS: Policy = Policy::Roles(&[Role::Admin, Role::Supervisor]);
/// Who issues directives and reads the 通报 reports.
pub const DIRECTIVE_WRITERS: Policy = Policy::Roles(&[Role::Admin, Role::Supervisor, Role::Leader]);
/// The 12345 hotline (and administrators): intake, dispatch, 回访, Open311 keys.
pub const HOTLINE: Policy = Policy::Roles(&[Role::Admin, Role::Hotline]);
/// Who may see appeals at all (each sees only what [`Scope`] and the appeal's owner allow).
pub const APPEAL_READERS: Policy = Policy::Roles(&[Role::Admin, Role::Leader, Role::Supervisor, Role::Hotline, Role::UnitManager, Role::UnitStaff]);
/// Units' own people (owner and co-units act through these).
pub const UNIT_ROLES: Policy = Policy::Roles(&[Role::UnitManager, Role::UnitStaff]);

/// Which units' records a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole county.
    All,
    /// The subtree at this materialised path (`/1/5/`), the unit itself included.
    Subtree(String),
}

impl Scope {
    pub fn of(role: Role, unit_path: &str) -> Scope {
        if role.unit_scoped() || role == Role::Deputy {
            Scope::Subtree(unit_path.to_string())
        } else {
            Scope::All
        }
    }

    pub fn covers(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree(root) => crate::unit::in_subtree(path, root),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies() {
        assert!(Policy::Public.allows(None));
        assert!(!Policy::Authenticated.allows(None));
        assert!(ADMIN.allows(Some(Role::Admin)));
        assert!(!ADMIN.allows(Some(Role::Leader)));
        assert!(!ADMIN.allows(None));
    }

    #[test]
    fn scopes() {
        assert_eq!(Scope::of(Role::Supervisor, "/1/2/"), Scope::All);
        let s = Scope::of(Role::UnitStaff, "/1/20/");
        assert!(s.covers("/1/20/"));
        assert!(s.covers("/1/20/301/"));
        assert!(!s.covers("/1/21/"));
        assert!(!s.covers("/1/"));
    }
}
