//! Errors with stable snake_case codes. The UI translates a code through [`crate::i18n`];
//! the optional field names which input was wrong. Database or IO text never lives here.

use std::fmt;

/// Stable error codes. The string form (`as_str`) is part of the public API: the UI, the JSON
/// API and the tests depend on it, so codes are only ever added, never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A required field was empty.
    Required,
    /// A field was longer than allowed.
    TooLong,
    /// A field was shorter than required (the detail is the minimum).
    TooShort,
    /// A field had the wrong shape (digits, date, enumeration value ...).
    Invalid,
    /// A number was outside its allowed range.
    OutOfRange,
    /// A record with the same unique key exists.
    Duplicate,
    /// The record does not exist or the caller may not know that it exists.
    NotFound,
    /// The caller is not logged in.
    Unauthenticated,
    /// The caller is logged in but may not do this.
    Forbidden,
    /// Wrong user name or password (the same answer for both).
    BadCredentials,
    /// The account is disabled.
    AccountDisabled,
    /// Too many failed attempts; try later.
    TooManyAttempts,
    /// A form post without a valid CSRF token.
    CsrfMismatch,
    /// A date lies past the last year the working-day calendar knows.
    CalendarUnknownYear,
    /// A change would break the unit tree (a unit under itself, a parent of the wrong kind).
    BadHierarchy,
    /// A file could not be read as the expected format.
    BadFile,
    /// The uploaded file or request body is too large.
    TooLarge,
    /// The request conflicts with the current state (e.g. a stale version).
    Conflict,
    /// The database is not reachable or refused the change; details are logged only.
    Unavailable,
    /// Anything unexpected; details are logged only.
    Internal,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Required,
        ErrorCode::TooLong,
        ErrorCode::TooShort,
        ErrorCode::Invalid,
        ErrorCode::OutOfRange,
        ErrorCode::Duplicate,
        ErrorCode::NotFound,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::BadCredentials,
        ErrorCode::AccountDisabled,
        ErrorCode::TooManyAttempts,
        ErrorCode::CsrfMismatch,
        ErrorCode::CalendarUnknownYear,
        ErrorCode::BadHierarchy,
        ErrorCode::BadFile,
        ErrorCode::TooLarge,
        ErrorCode::Conflict,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::TooLong => "too_long",
            ErrorCode::TooShort => "too_short",
            ErrorCode::Invalid => "invalid",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::Duplicate => "duplicate",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::AccountDisabled => "account_disabled",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::CsrfMismatch => "csrf_mismatch",
            ErrorCode::CalendarUnknownYear => "calendar_unknown_year",
            ErrorCode::BadHierarchy => "bad_hierarchy",
            ErrorCode::BadFile => "bad_file",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A domain error: a code, the field it concerns (a stable English field name that the
/// catalogue translates), and an optional detail that is safe to show (a value the user typed,
/// a row number, a limit), never internal text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainError {
    pub code: ErrorCode,
    pub field: Option<String>,
    pub detail: Option<String>,
}

impl DomainError {
    pub fn new(code: ErrorCode) -> Self {
        DomainError { code, field: None, detail: None }
    }
    pub fn field(code: ErrorCode, field: impl Into<String>) -> Self {
        DomainError { code, field: Some(field.into()), detail: None }
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
    pub fn required(field: &str) -> Self {
        Self::field(ErrorCode::Required, field)
    }
    pub fn invalid(field: &str) -> Self {
        Self::field(ErrorCode::Invalid, field)
    }
    pub fn not_found(what: &str) -> Self {
        Self::field(ErrorCode::NotFound, what)
    }
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden)
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DomainError {}

/// Trim a text field, require it to be present, and bound its length in characters.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::required(field));
    }
    optional_text(field, v, max_chars).map(|o| o.unwrap_or_default())
}

/// Trim an optional text field; empty becomes `None`; bound its length in characters.
pub fn optional_text(field: &str, value: &str, max_chars: usize) -> Result<Option<String>, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max_chars {
        return Err(DomainError::field(ErrorCode::TooLong, field).with_detail(max_chars.to_string()));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(DomainError::invalid(field));
    }
    Ok(Some(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'), "{s}");
            assert!(seen.insert(s), "duplicate code {s}");
        }
    }

    #[test]
    fn text_validation() {
        assert_eq!(required_text("name", "  财政局 ", 10).unwrap(), "财政局");
        assert_eq!(required_text("name", "  ", 10).unwrap_err().code, ErrorCode::Required);
        let e = required_text("name", "一二三四五六", 5).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::TooLong, Some("name")));
        assert_eq!(optional_text("x", "", 5).unwrap(), None);
        assert_eq!(optional_text("x", "a\u{0}b", 5).unwrap_err().code, ErrorCode::Invalid);
    }
}
