//! luoshi-app: the use cases. Each function checks who may do it, loads the calendar and the
//! rules in force, applies the domain's rules and writes through storage in one transaction.
//! It knows neither HTTP nor SQL: the web crate and the command line both call it.

pub mod appeals;
pub mod assessment;
pub mod board;
pub mod debt;
pub mod documents;
pub mod emergencies;
pub mod hazards;
pub mod inbox;
pub mod links;
pub mod livelihood;
pub mod notify;
pub mod projects;
pub mod supervision;
pub mod tasks;

use chrono::NaiveDate;
use luoshi_domain::access::{Scope, Sight};
use luoshi_domain::user::Role;
use luoshi_domain::DomainError;
use luoshi_storage::{Actor, StoreError};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who acts: a user with a role in a unit, or the system itself (command line, scheduler).
#[derive(Debug, Clone)]
pub struct Who {
    pub actor: Actor,
    /// `None` for the system, which may do anything.
    pub role: Option<Role>,
    pub user_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub unit_path: String,
    /// 县委书记 or 县长: a leader who sees the whole county.
    pub principal: bool,
    /// The units a deputy leader oversees (分管单位), as paths.
    pub overseen: Vec<String>,
}

impl Who {
    pub fn system(name: &str) -> Who {
        Who { actor: Actor::cli(name), role: None, user_id: None, unit_id: None, unit_path: "/".into(), principal: false, overseen: Vec::new() }
    }

    pub fn user(user_id: i64, username: &str, role: Role, unit_id: i64, unit_path: &str) -> Who {
        Who {
            actor: Actor::user(user_id, username),
            role: Some(role),
            user_id: Some(user_id),
            unit_id: Some(unit_id),
            unit_path: unit_path.to_string(),
            principal: false,
            overseen: Vec::new(),
        }
    }

    /// A leader's place in who sees what: principal, and the units he oversees.
    pub fn with_oversight(mut self, principal: bool, overseen: Vec<String>) -> Who {
        self.principal = principal;
        self.overseen = overseen;
        self
    }

    /// Which duties this caller sees, whatever their kind: the one definition
    /// ([`luoshi_domain::access::Sight`]); the system sees the whole county.
    pub fn sight(&self) -> Sight {
        match (self.role, self.user_id) {
            (Some(r), Some(id)) => Sight::of(r, self.principal, id, &self.unit_path, &self.overseen),
            _ => Sight::County,
        }
    }

    /// The supervision office, an administrator or the system.
    pub fn is_supervisor(&self) -> bool {
        matches!(self.role, None | Some(Role::Supervisor | Role::Admin))
    }

    /// Which tasks this caller sees: the one sight, narrowed by the tasks module (the 12345
    /// hotline's desk has no part in tasks).
    pub fn visibility(&self) -> Sight {
        match self.role {
            Some(Role::Hotline) => Sight::Nothing,
            _ => self.sight(),
        }
    }

    pub fn scope(&self) -> Scope {
        match self.role {
            None => Scope::All,
            Some(r) => Scope::of(r, &self.unit_path),
        }
    }

    /// Does this caller act for the unit at `path` (its own unit or one below it)?
    pub fn acts_for(&self, path: &str) -> bool {
        match self.role {
            None => true,
            Some(Role::UnitManager | Role::UnitStaff) => path.starts_with(&self.unit_path),
            _ => false,
        }
    }
}

/// The rules in force on a day: the county's newest version that has taken effect, else the
/// shipped default.
pub struct RulesInForce {
    versions: std::sync::Arc<Vec<luoshi_storage::rules::RuleVersion>>,
    shipped: &'static [luoshi_domain::rules::RuleSpec],
    day: String,
}

impl RulesInForce {
    pub async fn load(db: &luoshi_storage::Db, day: NaiveDate) -> Result<Self> {
        Ok(RulesInForce { versions: luoshi_storage::rules::current(db).await?, shipped: luoshi_domain::rules::shipped_specs()?, day: ymd(day) })
    }

    pub fn num(&self, key: &str) -> Option<f64> {
        luoshi_storage::rules::in_force(&self.versions, key, &self.day)
            .and_then(|v| v.value.as_f64())
            .or_else(|| self.shipped.iter().find(|s| s.key == key).and_then(|s| s.value.as_f64()))
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        self.num(key).map(|v| v as i64)
    }

    pub fn text(&self, key: &str) -> Option<String> {
        luoshi_storage::rules::in_force(&self.versions, key, &self.day)
            .and_then(|v| v.value.as_str().map(str::to_string))
            .or_else(|| self.shipped.iter().find(|s| s.key == key).and_then(|s| s.value.as_str().map(str::to_string)))
    }

    /// The range of dates a record may carry on this day (`dates.earliest`,
    /// `dates.max_years_ahead`).
    pub fn date_bounds(&self, today: NaiveDate) -> luoshi_domain::plausible::DateBounds {
        let earliest = self.text("dates.earliest").and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()).unwrap_or(NaiveDate::MIN);
        luoshi_domain::plausible::DateBounds::new(earliest, today, self.int("dates.max_years_ahead").unwrap_or(10))
    }

    /// A comma-separated list rule, trimmed, empty parts dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.text(key).unwrap_or_default().split([',', '，']).map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
    }
}

/// The range of dates a record may carry today.
pub async fn date_bounds(db: &luoshi_storage::Db, today: NaiveDate) -> Result<luoshi_domain::plausible::DateBounds> {
    Ok(RulesInForce::load(db, today).await?.date_bounds(today))
}

pub(crate) fn forbidden() -> StoreError {
    DomainError::forbidden().into()
}

/// The unit a rule names: by its full name, else the one whose name ends with it (`field` names
/// the rule when none does).
pub async fn unit_named(db: &luoshi_storage::Db, name: &str, field: &str) -> Result<luoshi_domain::unit::Unit> {
    luoshi_storage::units::named(db, name.trim())
        .await?
        .into_iter()
        .next()
        .filter(|_| !name.trim().is_empty())
        .ok_or_else(|| luoshi_domain::DomainError::invalid(field).with_detail(name.to_string()).into())
}

/// The unit a rule names (`debt.finance_unit`, `projects.office`, `livelihood.desk_unit` …),
/// kept a minute per node: the modules it guards ask on every request, and finding a unit by
/// its name reads the unit tree.
pub async fn rule_unit(db: &luoshi_storage::Db, key: &str, today: NaiveDate) -> Result<luoshi_domain::unit::Unit> {
    db.memo_for(&format!("rule_unit:{key}:{today}"), std::time::Duration::from_secs(60), || async {
        let rules = RulesInForce::load(db, today).await?;
        unit_named(db, &rules.text(key).unwrap_or_default(), key).await
    })
    .await
}

/// The code of a value written in a ledger as its Chinese label (`政府投资`, `在建`, `信托贷款` …)
/// or as the code itself.
pub(crate) fn code_of<T: Copy>(all: &[T], as_str: fn(T) -> &'static str, prefix: &str, text: &str) -> Option<&'static str> {
    let text = text.trim();
    all.iter()
        .map(|v| as_str(*v))
        .find(|code| *code == text || luoshi_domain::i18n::t(luoshi_domain::i18n::Lang::ZhCn, &format!("{prefix}.{code}")).split('/').any(|l| l == text))
}

/// A ledger file read for an import: its table and where each of `columns` stands, or the
/// problems that stop it (unreadable, a required column missing, no rows) by row and column.
pub(crate) fn ledger_table(
    bytes: &[u8],
    file_name: &str,
    columns: &[&str],
    required: &[&str],
) -> std::result::Result<(luoshi_ledger::Table, Vec<Option<usize>>), Vec<luoshi_domain::unit_import::RowError>> {
    use luoshi_domain::unit_import::RowError;
    let table = luoshi_ledger::read_table(bytes, luoshi_ledger::Format::detect(file_name, bytes)).map_err(|e| vec![RowError::new(1, "", e)])?;
    let idx = luoshi_ledger::column_index(&table, columns, required)?;
    if table.rows.is_empty() {
        return Err(vec![RowError::new(1, columns.first().copied().unwrap_or(""), DomainError::required("file"))]);
    }
    Ok((table, idx))
}

/// `YYYY-MM-DD`.
pub fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
