//! The request context every handler gets, input extraction for forms and JSON, and the
//! middleware around every route: caller resolution with policy and CSRF checks, security
//! headers, metrics, and the rendering of errors in the caller's language.

use crate::auth::{self, SESSION_COOKIE};
use crate::error::{AppError, AppResult, ShownError};
use crate::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{request::Parts, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_domain::access::{Policy, Realm, Scope};
use luoshi_domain::i18n::{error_message, Lang};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::sessions::Principal;
use serde::de::DeserializeOwned;

pub const LANG_COOKIE: &str = "luoshi_lang";
/// The largest request body accepted (form posts, JSON, uploads).
pub use crate::extract::MAX_BODY;

/// Does the caller want JSON (the API) or HTML (the pages)?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Json,
    Html,
}

impl Want {
    pub fn of(path: &str) -> Want {
        if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
            Want::Json
        } else {
            Want::Html
        }
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// The caller's language: the switch's cookie; else, for the API, `Accept-Language`; else
/// Simplified Chinese. Pages ignore the browser's language on purpose: the product is Chinese
/// unless the user switches (many intranet machines run English-language browsers).
pub fn lang_of(headers: &HeaderMap, want: Want) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
        return l;
    }
    match want {
        Want::Json => headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_accept).unwrap_or_default(),
        Want::Html => Lang::ZhCn,
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim)
}

/// What every handler knows about the request.
#[derive(Clone)]
pub struct Ctx {
    pub caller: Option<Principal>,
    /// The CSRF token to put in forms (for session callers).
    pub csrf: String,
    pub lang: Lang,
    pub want: Want,
    pub path: String,
    pub ip: Option<String>,
    /// The realms whose audience the caller is in (asked on pages, for the navigation, and on
    /// the realm's own routes).
    pub realms: Vec<Realm>,
}

impl Ctx {
    /// The logged-in caller; the policy layer guarantees one on non-public routes.
    pub fn user(&self) -> AppResult<&Principal> {
        self.caller.as_ref().ok_or_else(|| AppError(DomainError::new(ErrorCode::Unauthenticated)))
    }

    pub fn scope(&self) -> AppResult<Scope> {
        let p = self.user()?;
        Ok(Scope::of(p.user.role, &p.unit_path))
    }

    /// The caller as the use cases know them.
    pub fn who(&self) -> AppResult<luoshi_app::Who> {
        let p = self.user()?;
        Ok(luoshi_app::Who::user(p.user.id, &p.user.username, p.user.role, p.user.unit_id, &p.unit_path).with_oversight(p.principal, p.overseen.clone()))
    }

    pub fn actor(&self) -> AppResult<luoshi_storage::Actor> {
        let p = self.user()?;
        Ok(luoshi_storage::Actor::user(p.user.id, &p.user.username))
    }

    pub fn t(&self, key: &str) -> String {
        luoshi_domain::i18n::t(self.lang, key).to_string()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| AppError(DomainError::new(ErrorCode::Internal)))
    }
}

/// A body from JSON or from an HTML form, by content type.
pub struct Input<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for Input<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
        let bytes = crate::extract::body_bytes(req).await?;
        let parsed = if is_json { crate::extract::json(&bytes) } else { crate::extract::form(&bytes, "body") };
        parsed.map(Input).map_err(AppError)
    }
}

/// The client's address: the socket's peer, unless the peer is a proxy the county configured,
/// in which case the right-most `X-Forwarded-For` entry that is not itself a trusted proxy (a
/// client can prepend anything; only what our proxies appended is believed).
fn client_ip(req: &Request, trusted: &[std::net::IpAddr]) -> Option<String> {
    let peer = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())?;
    if !trusted.contains(&peer) {
        return Some(peer.to_string());
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    Some(forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer).to_string())
}

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split("://").nth(1) == Some(host)
}

/// Resolve the caller, enforce the route's policy and CSRF, then run the handler.
pub async fn guard(policy: Policy, req: Request, next: Next) -> Response {
    let Some(app) = req.extensions().get::<AppState>().cloned() else {
        return AppError(DomainError::new(ErrorCode::Internal)).into_response();
    };
    match guarded(policy, app, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn guarded(policy: Policy, app: AppState, req: Request, next: Next) -> AppResult<Response> {
    let headers = req.headers().clone();
    let session_token = cookie(&headers, SESSION_COOKIE).map(str::to_string);
    let bearer_token = bearer(&headers).map(str::to_string);
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let caller = auth::resolve(&app.db, session_token.as_deref(), bearer_token.as_deref(), read).await?;
    let path = req.uri().path().to_string();
    if !policy.allows(caller.as_ref().map(|c| c.user.role)) {
        let code = if caller.is_none() { ErrorCode::Unauthenticated } else { ErrorCode::Forbidden };
        return Err(DomainError::new(code).into());
    }
    let csrf = session_token.as_deref().map(auth::csrf_for).unwrap_or_default();
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = req;
    if unsafe_method {
        if !same_origin(&headers) {
            return Err(DomainError::new(ErrorCode::CsrfMismatch).into());
        }
        // A session cookie (not a bearer token) must prove the request came from our page.
        if session_token.is_some() && bearer_token.is_none() && caller.is_some() {
            req = check_csrf(req, &csrf).await?;
        }
    }
    let want = Want::of(&path);
    let mut ctx = Ctx { caller, csrf, lang: lang_of(&headers, want), want, path, ip: client_ip(&req, &app.config.trusted_proxies), realms: Vec::new() };
    let realm = match policy {
        Policy::Realm(_, r) => Some(r),
        _ => None,
    };
    // The realms name the menu's entries: pages show it; Open311 answers JSON or XML, never a page.
    let page = want == Want::Html && !ctx.path.starts_with("/open311/");
    if ctx.caller.is_some() && (page || realm.is_some()) {
        ctx.realms = realms_of(&app, &ctx).await?;
    }
    if realm.is_some_and(|r| !ctx.realms.contains(&r)) {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    req.extensions_mut().insert(ctx);
    Ok(next.run(req).await)
}

/// The realms the caller belongs to.
async fn realms_of(app: &AppState, ctx: &Ctx) -> AppResult<Vec<Realm>> {
    let p = ctx.user()?;
    let mut out = Vec::new();
    let who = ctx.who()?;
    if luoshi_domain::access::DEBT.allows(Some(p.user.role)) && luoshi_app::debt::may_see(&app.db, &who, app.today()).await? {
        out.push(Realm::Debt);
    }
    let (l, _) = luoshi_app::livelihood::access(&app.db, &who, app.today()).await?;
    for (is, realm) in [(l.desk, Realm::LivelihoodDesk), (l.finance, Realm::LivelihoodFinance), (l.congress, Realm::Congress)] {
        if is {
            out.push(realm);
        }
    }
    Ok(out)
}

async fn check_csrf(req: Request, csrf: &str) -> AppResult<Request> {
    let bad = || AppError(DomainError::new(ErrorCode::CsrfMismatch));
    if req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) == Some(csrf) {
        return Ok(req);
    }
    let in_query = req
        .uri()
        .query()
        .is_some_and(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default().iter().any(|(k, v)| k == "_csrf" && v == csrf));
    if in_query {
        return Ok(req);
    }
    let is_form = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(bad());
    }
    let (parts, body) = req.into_parts();
    let bytes = crate::extract::body_bytes(Request::from_parts(parts.clone(), body)).await?;
    let ok = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default().iter().any(|(k, v)| k == "_csrf" && v == csrf);
    if !ok {
        return Err(bad());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Security headers on every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(h, "content-security-policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=()");
    if !is_asset {
        set(h, "cache-control", "no-store");
    }
    res
}

/// Render an error a handler or the policy layer left in the response, in the caller's language:
/// `{"error": {"code", "field", "message"}}` for the API, a page (or the login form) for HTML.
pub async fn finish(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let path_q = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| path.clone());
    let want = Want::of(&path);
    let lang = lang_of(req.headers(), want);
    let is_get = req.method() == Method::GET;
    let res = next.run(req).await;
    let Some(ShownError(err)) = res.extensions().get::<ShownError>().cloned() else {
        if res.status() == StatusCode::NOT_FOUND && res.headers().get(header::CONTENT_TYPE).is_none() {
            return render_error(want, lang, StatusCode::NOT_FOUND, &DomainError::not_found("page"));
        }
        // A rejection of the framework's own (plain English text) becomes our error; Open311
        // answers in its spec's body itself.
        let plain = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/plain"));
        if plain && res.status().is_client_error() && !path.starts_with("/open311/") {
            let status = res.status();
            let err = match status {
                StatusCode::PAYLOAD_TOO_LARGE => DomainError::field(ErrorCode::TooLarge, "body").with_detail("12 MiB"),
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND => DomainError::not_found("page"),
                _ => DomainError::invalid("body"),
            };
            let mut out = render_error(want, lang, status, &err);
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                // The rest of the body is not read: the connection cannot be reused.
                out.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            return out;
        }
        return res;
    };
    let status = res.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let mut out = render_error(want, lang, status, &err);
        out.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return out;
    }
    if want == Want::Html && is_get && err.code == ErrorCode::Unauthenticated {
        let next: String = serde_urlencoded::to_string([("next", path_q.as_str())]).unwrap_or_default();
        return Redirect::to(&format!("/login?{next}")).into_response();
    }
    render_error(want, lang, status, &err)
}

pub fn render_error(want: Want, lang: Lang, status: StatusCode, err: &DomainError) -> Response {
    let message = error_message(lang, err);
    match want {
        Want::Json => {
            let body = serde_json::json!({ "error": { "code": err.code.as_str(), "field": err.field, "message": message } });
            (status, axum::Json(body)).into_response()
        }
        Want::Html => (status, crate::pages::error_page(lang, status.as_u16(), err.code.as_str(), &message)).into_response(),
    }
}

/// Count requests and their latency per route for `/metrics`.
pub async fn metrics(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<axum::extract::MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = std::time::Instant::now();
    let res = next.run(req).await;
    app.metrics.observe(&method, &route, res.status().as_u16(), start.elapsed());
    res
}
