//! `AppError`: the one error type at the HTTP edge.
//!
//! A handler returns it; it becomes a status code plus a [`ShownError`] in the response's
//! extensions. The `finish` middleware then renders it in the caller's language, as JSON under
//! `/api` and as an HTML page elsewhere. Database text is logged here and never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::StoreError;

#[derive(Debug)]
pub struct AppError(pub DomainError);

/// The error a response carries until it is rendered.
#[derive(Debug, Clone)]
pub struct ShownError(pub DomainError);

pub type AppResult<T> = Result<T, AppError>;

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => AppError(d),
            other => {
                let code = other.code();
                tracing::error!(error = %other, "storage error");
                AppError(DomainError::new(code))
            }
        }
    }
}

impl From<Vec<luoshi_domain::unit_import::RowError>> for AppError {
    fn from(errors: Vec<luoshi_domain::unit_import::RowError>) -> Self {
        let first = errors.first().map(|e| e.as_domain()).unwrap_or_else(|| DomainError::new(ErrorCode::Invalid));
        AppError(first)
    }
}

pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Required
        | ErrorCode::TooLong
        | ErrorCode::TooShort
        | ErrorCode::Invalid
        | ErrorCode::OutOfRange
        | ErrorCode::BadHierarchy
        | ErrorCode::BadFile
        | ErrorCode::CalendarUnknownYear => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Duplicate | ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unauthenticated | ErrorCode::BadCredentials => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden | ErrorCode::AccountDisabled | ErrorCode::CsrfMismatch => StatusCode::FORBIDDEN,
        ErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = status_of(self.0.code).into_response();
        res.extensions_mut().insert(ShownError(self.0));
        res
    }
}
