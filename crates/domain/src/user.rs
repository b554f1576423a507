//! 用户与角色 (users and roles).

use crate::error::{optional_text, required_text, DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

/// What a user may do. A user has one role and belongs to one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: units, users, rules, calendar, audit.
    Admin,
    /// 县领导: issues directives and 批示, reads everything.
    Leader,
    /// 督查室: breaks down, assigns, chases, reviews; reads everything.
    Supervisor,
    /// 单位负责人: manages the unit's work and its staff accounts, within the unit's subtree.
    UnitManager,
    /// 单位经办人: signs, reports, replies, within the unit's subtree.
    UnitStaff,
    /// 12345 热线话务员: registers and dispatches appeals; sees citizens' contact data.
    Hotline,
    /// 人大代表: votes on and rates livelihood projects.
    Deputy,
}

impl Role {
    pub const ALL: [Role; 7] = [Role::Admin, Role::Leader, Role::Supervisor, Role::UnitManager, Role::UnitStaff, Role::Hotline, Role::Deputy];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Supervisor => "supervisor",
            Role::UnitManager => "unit_manager",
            Role::UnitStaff => "unit_staff",
            Role::Hotline => "hotline",
            Role::Deputy => "deputy",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| DomainError::invalid("role").with_detail(s.trim().to_string()))
    }

    /// Does this role see only its own unit's subtree (单位用户) rather than the whole county?
    pub fn unit_scoped(self) -> bool {
        matches!(self, Role::UnitManager | Role::UnitStaff)
    }
}

/// A validated login name: 3-32 characters of ASCII letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let v = raw.trim();
        if v.is_empty() {
            return Err(DomainError::required("username"));
        }
        let len_ok = (3..=32).contains(&v.len());
        let chars_ok = v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !len_ok || !chars_ok {
            return Err(DomainError::invalid("username"));
        }
        Ok(Username(v.to_ascii_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The passwords too common to accept (`data/weak-passwords.txt`).
fn weak_passwords() -> impl Iterator<Item = &'static str> {
    include_str!("../data/weak-passwords.txt").lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A password's stem: lower case, without the digits and symbols users add at either end to
/// meet the length rule ("Password2026!" → "password"; "2026Admin" → "admin").
fn stem(raw: &str) -> String {
    let lower = raw.to_lowercase();
    let t = lower.trim_matches(|c: char| !c.is_alphanumeric() || c.is_ascii_digit()).to_string();
    if t.is_empty() {
        lower
    } else {
        t
    }
}

/// Password policy with the account's own names: as [`check_password`], and it must neither
/// contain the user name or the person's name nor be a common password or one with a digit or
/// symbol tacked on.
pub fn check_password_for(raw: &str, names: &[&str]) -> Result<(), DomainError> {
    check_password(raw)?;
    let lower = raw.to_lowercase();
    for n in names.iter().map(|n| n.trim().to_lowercase()).filter(|n| n.chars().count() >= 2) {
        if lower.contains(&n) {
            return Err(DomainError::invalid("password_name"));
        }
    }
    Ok(())
}

/// Password policy: at least 10 characters, at most 128, not all of one character class, not
/// a common password (a shipped list) even with digits or symbols added at its ends.
pub fn check_password(raw: &str) -> Result<(), DomainError> {
    let n = raw.chars().count();
    if n == 0 {
        return Err(DomainError::required("password"));
    }
    if n < 10 {
        return Err(DomainError::field(ErrorCode::Invalid, "password").with_detail("10"));
    }
    if n > 128 {
        return Err(DomainError::field(ErrorCode::TooLong, "password").with_detail("128"));
    }
    let classes = [
        raw.chars().any(|c| c.is_ascii_lowercase()),
        raw.chars().any(|c| c.is_ascii_uppercase()),
        raw.chars().any(|c| c.is_ascii_digit()),
        raw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|x| **x).count() < 2 {
        return Err(DomainError::field(ErrorCode::Invalid, "password").with_detail("10"));
    }
    let lower = raw.to_lowercase();
    let no_symbols = lower.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let st = stem(raw);
    if weak_passwords().any(|w| w == lower || w == st || w == no_symbols) {
        return Err(DomainError::invalid("password_common"));
    }
    Ok(())
}

/// A user as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    #[serde(default, deserialize_with = "crate::serde_util::lenient_i64")]
    pub unit_id: i64,
    pub role: String,
    pub password: String,
    #[serde(default)]
    pub phone: String,
}

/// A validated new user (the password still in clear: the caller hashes it).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub unit_id: i64,
    pub role: Role,
    pub password: String,
    pub phone: Option<String>,
}

impl UserInput {
    pub fn validate(&self) -> Result<NewUser, DomainError> {
        let username = Username::parse(&self.username)?;
        let display_name = required_text("display_name", &self.display_name, 32)?;
        if self.unit_id <= 0 {
            return Err(DomainError::required("unit_id"));
        }
        let role = if self.role.trim().is_empty() { Err(DomainError::required("role")) } else { Role::parse(&self.role) }?;
        check_password_for(&self.password, &[username.as_str(), display_name.as_str()])?;
        let phone = optional_text("phone", &self.phone, 20)?;
        if let Some(p) = &phone {
            if !p.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '+') {
                return Err(DomainError::invalid("phone"));
            }
        }
        Ok(NewUser { username, display_name, unit_id: self.unit_id, role, password: self.password.clone(), phone })
    }
}

/// Phone numbers: digits with an optional leading + and separators; 7 to 15 digits.
pub fn check_phone(v: &str) -> Result<Option<String>, DomainError> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let shape = t.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
    if !shape || !(7..=15).contains(&digits.len()) {
        return Err(DomainError::invalid("phone"));
    }
    Ok(Some(digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Zhang.San ").unwrap().as_str(), "zhang.san");
        assert_eq!(Username::parse("").unwrap_err().code, ErrorCode::Required);
        assert_eq!(Username::parse("张三").unwrap_err().field.as_deref(), Some("username"));
        assert!(Username::parse("ab").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_password("Luoshi-2026!").is_ok());
        assert!(check_password("short1A").is_err());
        // Common passwords, also with digits or symbols tacked on.
        for weak in ["Password2026!", "qwertyuiop1", "Admin@123456", "1qaz2wsx!!", "2026!Woaini@"] {
            assert!(check_password(weak).is_err(), "{weak}");
        }
        assert_eq!(check_password("Qwertyuiop!").unwrap_err().field.as_deref(), Some("password_common"));
        // The user's own names.
        assert_eq!(check_password_for("zhangsan-2026X", &["zhangsan", "张三"]).unwrap_err().field.as_deref(), Some("password_name"));
        assert!(check_password_for("河边柳树2026abc", &["wang", "张三"]).is_ok());
        assert!(check_password("aaaaaaaaaaaaaa").is_err());
        assert!(check_password("").is_err());
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert!(Role::parse("root").is_err());
    }
}

/// A stored user (never with the password hash: that stays in the storage crate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub role: Role,
    pub phone: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}
