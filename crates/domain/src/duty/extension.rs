//! 延期: the one extension rule of every kind of duty — asked before the limit runs out, with a
//! reason, for a later limit, no more often than the county's rule allows.

use crate::error::{required_text, DomainError, ErrorCode};
use crate::time::Micros;

/// The last day a limit allows (a limit runs out at the midnight after it, Beijing time).
fn last_day(due: Micros) -> String {
    crate::time::local_date(due - 1).to_string()
}

/// Check a request at `now` to move the limit `due_at` to `new_due_at`, `used` extensions
/// granted so far and at most `max`; the reason, trimmed.
pub fn check_extension(now: Micros, due_at: Option<Micros>, new_due_at: Micros, reason: &str, used: i64, max: i64) -> Result<String, DomainError> {
    let reason = required_text("reason", reason, 1000)?;
    let Some(due) = due_at else { return Err(DomainError::field(ErrorCode::Conflict, "deadline")) };
    if now >= due {
        return Err(DomainError::field(ErrorCode::Conflict, "deadline").with_detail(last_day(due)));
    }
    if new_due_at <= due {
        // Named with the deadline it must pass.
        return Err(DomainError::field(ErrorCode::Invalid, "new_deadline").with_detail(last_day(due)));
    }
    if used >= max {
        return Err(DomainError::field(ErrorCode::OutOfRange, "new_deadline").with_detail(format!("≤ {max}")));
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Micros = 3_600_000_000;

    #[test]
    fn one_rule_for_every_kind() {
        let due = Some(100 * H);
        assert_eq!(check_extension(50 * H, due, 200 * H, " 雨天 ", 0, 1).unwrap(), "雨天");
        let code = |r: Result<String, DomainError>| r.map_err(|e| (e.code, e.field)).unwrap_err();
        assert_eq!(code(check_extension(50 * H, due, 200 * H, "", 0, 1)).0, ErrorCode::Required);
        assert_eq!(code(check_extension(100 * H, due, 200 * H, "x", 0, 1)), (ErrorCode::Conflict, Some("deadline".into())), "after the limit");
        assert_eq!(code(check_extension(50 * H, due, 100 * H, "x", 0, 1)), (ErrorCode::Invalid, Some("new_deadline".into())), "not later");
        assert_eq!(code(check_extension(50 * H, due, 200 * H, "x", 1, 1)), (ErrorCode::OutOfRange, Some("new_deadline".into())), "too many");
        assert_eq!(code(check_extension(50 * H, None, 200 * H, "x", 0, 1)).0, ErrorCode::Conflict, "no clock runs");
    }
}
