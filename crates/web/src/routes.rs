//! The route table: every route with its method, path, policy and summary, in one place.
//!
//! The router is built from this table only, so a route cannot exist without a policy; the
//! OpenAPI document is generated from it; and the authorization tests walk it.

use crate::handlers::{
    appeals, assessment, audit, calendar, debt, documents, duty, emergencies, hazards, home, livelihood, notify, open311, oversight, projects, rules, system,
    tasks, units, users,
};
use crate::http::guard;
use crate::AppState;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{on, MethodFilter};
use axum::Router;
use luoshi_domain::access::Policy;
use serde::Serialize;

/// One route as declared.
#[derive(Debug, Clone, Serialize)]
pub struct RouteSpec {
    #[serde(serialize_with = "ser_method")]
    pub method: Method,
    pub path: &'static str,
    #[serde(skip)]
    pub policy: Policy,
    pub summary: &'static str,
    pub tag: &'static str,
}

fn ser_method<S: serde::Serializer>(m: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(m.as_str())
}

pub(crate) struct Table {
    specs: Vec<RouteSpec>,
    router: Router<AppState>,
}

impl Table {
    pub(crate) fn add<H, T>(mut self, method: Method, path: &'static str, policy: Policy, tag: &'static str, summary: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        let layer = axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| guard(policy, req, next));
        self.router = self.router.route(path, on(filter, handler).route_layer(layer));
        self.specs.push(RouteSpec { method, path, policy, summary, tag });
        self
    }
}

pub(crate) const PUBLIC: Policy = Policy::Public;
pub(crate) const AUTH: Policy = Policy::Authenticated;

/// Build the table. The same handler often serves a page and its API twin: it renders HTML or
/// JSON by the path (see [`crate::http::Want`]).
fn table() -> Table {
    let t = Table { specs: Vec::new(), router: Router::new() };
    let t = system::routes(t);
    let t = home::routes(t);
    let t = users::routes(t);
    let t = units::routes(t);
    let t = oversight::routes(t);
    let t = rules::routes(t);
    let t = calendar::routes(t);
    let t = duty::routes(t);
    let t = tasks::routes(t);
    let t = appeals::routes(t);
    let t = open311::routes(t);
    let t = documents::routes(t);
    let t = hazards::routes(t);
    let t = emergencies::routes(t);
    let t = projects::routes(t);
    let t = debt::routes(t);
    let t = livelihood::routes(t);
    let t = assessment::routes(t);
    let t = notify::routes(t);
    audit::routes(t)
}

/// The routes as declared (for tests and the OpenAPI document).
pub fn specs() -> Vec<RouteSpec> {
    table().specs
}

/// The router of every declared route (each behind its policy guard).
pub fn router() -> Router<AppState> {
    table().router
}

/// The OpenAPI 3.1 document, generated from the route table.
pub fn openapi() -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for s in specs().iter().filter(|s| s.path.starts_with("/api/") || s.path.starts_with("/healthz") || s.path.starts_with("/readyz")) {
        let params: Vec<serde_json::Value> = s
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|x| x.strip_suffix('}')))
            .map(|name| serde_json::json!({ "name": name, "in": "path", "required": true, "schema": { "type": if name == "id" { "integer" } else { "string" } } }))
            .collect();
        let mut op = serde_json::json!({
            "summary": s.summary,
            "tags": [s.tag],
            "x-luoshi-policy": s.policy.describe(),
            "responses": {
                "200": { "description": "OK" },
                "401": { "description": "Not logged in", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "403": { "description": "Not allowed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "422": { "description": "Invalid input; the error names the field", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        if !params.is_empty() {
            op["parameters"] = serde_json::Value::Array(params);
        }
        if s.policy != Policy::Public {
            op["security"] = serde_json::json!([{ "session": [] }, { "bearer": [] }]);
        }
        let entry = paths.entry(s.path.to_string()).or_insert_with(|| serde_json::json!({}));
        entry[s.method.as_str().to_ascii_lowercase()] = op;
    }
    serde_json::json!({
        "openapi": "3.1.0",
        "info": { "title": "luoshi 落实 API", "version": env!("CARGO_PKG_VERSION"), "description": "JSON API of luoshi. Errors carry a stable snake_case code, the field concerned and a message in the caller's language (Accept-Language or the luoshi_lang cookie). Cookie sessions must send X-CSRF-Token on writes; API tokens (Bearer) need not." },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE },
                "bearer": { "type": "http", "scheme": "bearer" }
            },
            "schemas": {
                "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": {
                    "code": { "type": "string" }, "field": { "type": ["string", "null"] }, "message": { "type": "string" } } } } }
            }
        }
    })
}
