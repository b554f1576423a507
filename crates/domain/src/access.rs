//! Who may do what: route policies, the unit scope of a caller, and who sees which duties.
//!
//! Every HTTP route declares one [`Policy`]; the web crate enforces it before the handler runs
//! and a test walks every route against every role. Organisation records (units, users) are
//! seen within a [`Scope`]; duties of every kind within a [`Sight`], the one definition that
//! every kind and every layer uses (a module may narrow it, never widen it).

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
    /// These roles, and of them only the realm's audience (a module's own rule, asked by the
    /// route guard before the handler runs): the debt book.
    Realm(&'static [Role], Realm),
}

/// A body of records whose audience is narrower than any role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    /// 债务: the finance bureau, the principal leaders and those they grant.
    Debt,
    /// 民生实事 screening: the desk's people (rule `livelihood.desk_unit`) and the principal leaders.
    LivelihoodDesk,
    /// 民生实事 money: the finance bureau's people (rule `livelihood.finance_unit`), who set 可用财力.
    LivelihoodFinance,
    /// 民生实事 vote and rating sessions: the congress office's people (`livelihood.congress_unit`).
    Congress,
}

impl Policy {
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Policy::Public, _) => true,
            (_, None) => false,
            (Policy::Authenticated, Some(_)) => true,
            (Policy::Roles(rs) | Policy::Realm(rs, _), Some(r)) => rs.contains(&r),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Policy::Public => "public".into(),
            Policy::Authenticated => "authenticated".into(),
            Policy::Roles(rs) => rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","),
            Policy::Realm(rs, realm) => format!("{} ({realm:?} audience)", rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")),
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
/// The debt book: these roles, then only its audience (the finance bureau's people, the
/// principal leaders, those granted sight).
pub const DEBT: Policy = Policy::Realm(&[Role::Leader, Role::Supervisor, Role::UnitManager, Role::UnitStaff], Realm::Debt);
/// 民生实事: who proposes from an account (deputies, units, the hotline for a caller).
pub const PROPOSERS: Policy = Policy::Roles(&[Role::Deputy, Role::UnitManager, Role::UnitStaff, Role::Hotline]);
/// 民生实事: the screening desk and the principal leaders.
pub const LIVELIHOOD_DESK: Policy = Policy::Realm(&[Role::Leader, Role::UnitManager, Role::UnitStaff], Realm::LivelihoodDesk);
/// 民生实事: the finance bureau (可用财力).
pub const LIVELIHOOD_FINANCE: Policy = Policy::Realm(&[Role::UnitManager, Role::UnitStaff], Realm::LivelihoodFinance);
/// 民生实事: the congress office (sessions, paper counts, the tellers).
pub const CONGRESS: Policy = Policy::Realm(&[Role::UnitManager, Role::UnitStaff], Realm::Congress);
/// The hotline's operators (an appeal turned into a proposal).
pub const OPERATORS: Policy = Policy::Roles(&[Role::Hotline]);
/// Deputies (ballots).
pub const DEPUTIES: Policy = Policy::Roles(&[Role::Deputy]);
/// Units' own people (owner and co-units act through these).
pub const UNIT_ROLES: Policy = Policy::Roles(&[Role::UnitManager, Role::UnitStaff]);
/// A unit's manager (单位负责人): objects to a figure of the unit's scorecard (申诉).
pub const UNIT_MANAGERS: Policy = Policy::Roles(&[Role::UnitManager]);

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

/// 视野: which duties a caller sees, whatever their kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sight {
    /// The supervision office (督查室), the principal county leaders (县委书记, 县长: a flag on
    /// the leader's account), administrators, the 12345 hotline's desk and the system itself:
    /// the whole county.
    County,
    /// A deputy county leader: what he leads (牵头) and every duty the units he oversees (分管
    /// 单位, data on the unit tree) and their subtrees own or co-operate on.
    Leader { user_id: i64, overseen: Vec<String> },
    /// A unit's people: the duties the units of this subtree own or co-operate on.
    Units(String),
    /// Roles with no part in duties (人大代表 see livelihood projects through their own module).
    Nothing,
}

impl Sight {
    /// The one rule, from the caller's account: role, principal flag, unit and oversight.
    pub fn of(role: Role, principal: bool, user_id: i64, unit_path: &str, overseen: &[String]) -> Sight {
        match role {
            Role::Admin | Role::Supervisor | Role::Hotline => Sight::County,
            Role::Leader if principal => Sight::County,
            Role::Leader => Sight::Leader { user_id, overseen: overseen.to_vec() },
            Role::UnitManager | Role::UnitStaff => Sight::Units(unit_path.to_string()),
            Role::Deputy => Sight::Nothing,
        }
    }

    /// Does it see a duty owned or co-operated on by units at these paths, led by `lead`?
    pub fn sees(&self, unit_paths: &[&str], lead: Option<i64>) -> bool {
        match self {
            Sight::County => true,
            Sight::Leader { user_id, overseen } => {
                lead == Some(*user_id) || unit_paths.iter().any(|p| overseen.iter().any(|root| crate::unit::in_subtree(p, root)))
            }
            Sight::Units(root) => unit_paths.iter().any(|p| crate::unit::in_subtree(p, root)),
            Sight::Nothing => false,
        }
    }

    /// The subtrees whose units' duties it sees (`None`: the whole county).
    pub fn roots(&self) -> Option<Vec<String>> {
        match self {
            Sight::County => None,
            Sight::Leader { overseen, .. } => Some(overseen.clone()),
            Sight::Units(root) => Some(vec![root.clone()]),
            Sight::Nothing => Some(Vec::new()),
        }
    }

    /// The leader whose own duties (those he leads) it also sees.
    pub fn lead(&self) -> Option<i64> {
        match self {
            Sight::Leader { user_id, .. } => Some(*user_id),
            _ => None,
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

    #[test]
    fn one_sight_for_every_caller() {
        let over = vec!["/1/20/".to_string()];
        assert_eq!(Sight::of(Role::Supervisor, false, 1, "/1/2/", &[]), Sight::County);
        assert_eq!(Sight::of(Role::Leader, true, 1, "/1/", &[]), Sight::County);
        let deputy = Sight::of(Role::Leader, false, 7, "/1/", &over);
        assert!(deputy.sees(&["/1/20/301/"], None), "a unit he oversees, below");
        assert!(deputy.sees(&["/1/30/"], Some(7)), "what he leads");
        assert!(!deputy.sees(&["/1/30/"], Some(8)));
        let unit = Sight::of(Role::UnitStaff, false, 9, "/1/20/", &[]);
        assert!(unit.sees(&["/1/21/", "/1/20/5/"], None), "as co-unit");
        assert!(!unit.sees(&["/1/21/"], None));
        assert!(!Sight::of(Role::Deputy, false, 3, "/1/", &[]).sees(&["/1/"], None));
        assert_eq!(unit.roots(), Some(vec!["/1/20/".to_string()]));
        assert_eq!(Sight::County.roots(), None);
    }
}
