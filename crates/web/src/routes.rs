//! The route table: every route with its method, path, policy and summary, in one place.
//!
//! The router is built from this table only, so a route cannot exist without a policy; the
//! OpenAPI document is generated from it; and the authorization tests walk it.

use crate::handlers::{appeals, audit, calendar, documents, home, open311, rules, system, tasks, units, users};
use crate::http::guard;
use crate::AppState;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{on, MethodFilter};
use axum::Router;
use luoshi_domain::access::{Policy, ADMIN, APPEAL_READERS, DIRECTIVE_WRITERS, HOTLINE, SUPERVISORS, TASK_READERS, UNIT_ROLES, USER_MANAGERS};
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

struct Table {
    specs: Vec<RouteSpec>,
    router: Router<AppState>,
}

impl Table {
    fn add<H, T>(mut self, method: Method, path: &'static str, policy: Policy, tag: &'static str, summary: &'static str, handler: H) -> Self
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

const PUBLIC: Policy = Policy::Public;
const AUTH: Policy = Policy::Authenticated;

/// Build the table. The same handler often serves a page and its API twin: it renders HTML or
/// JSON by the path (see [`crate::http::Want`]).
fn table() -> Table {
    use Method as M;
    Table { specs: Vec::new(), router: Router::new() }
        // system
        .add(M::GET, "/healthz", PUBLIC, "system", "Liveness: the process answers", system::healthz)
        .add(M::GET, "/readyz", PUBLIC, "system", "Readiness: the database answers and the schema is current", system::readyz)
        .add(M::GET, "/metrics", PUBLIC, "system", "Prometheus metrics", system::metrics)
        .add(M::GET, "/api/openapi.json", PUBLIC, "system", "This OpenAPI document", system::openapi)
        .add(M::GET, "/assets/app.css", PUBLIC, "system", "Style sheet", system::css)
        .add(M::GET, "/assets/app.js", PUBLIC, "system", "Small progressive-enhancement script", system::js)
        .add(M::GET, "/assets/icon.svg", PUBLIC, "system", "Icon", system::icon)
        .add(M::GET, "/favicon.ico", PUBLIC, "system", "Icon (for browsers that ask for it)", system::icon)
        .add(M::GET, "/lang/{code}", PUBLIC, "system", "Switch the interface language (zh-CN, en)", system::switch_lang)
        // sessions
        .add(M::GET, "/login", PUBLIC, "session", "Login page", home::login_page)
        .add(M::POST, "/login", PUBLIC, "session", "Log in (form)", home::login)
        .add(M::POST, "/api/v1/session", PUBLIC, "session", "Log in; sets the session cookie and returns the CSRF token", home::login)
        .add(M::POST, "/logout", AUTH, "session", "Log out (form)", home::logout)
        .add(M::DELETE, "/api/v1/session", AUTH, "session", "Log out", home::logout)
        .add(M::GET, "/", AUTH, "session", "Home page", home::home)
        .add(M::GET, "/api/v1/me", AUTH, "session", "The caller, their unit and role", home::home)
        .add(M::POST, "/api/v1/me/password", AUTH, "session", "Change one's own password", users::change_own_password)
        .add(M::GET, "/api/v1/tokens", AUTH, "session", "The caller's API tokens", users::list_tokens)
        .add(M::POST, "/api/v1/tokens", AUTH, "session", "Create an API token (shown once)", users::create_token)
        .add(M::DELETE, "/api/v1/tokens/{id}", AUTH, "session", "Revoke one of the caller's API tokens", users::revoke_token)
        // units
        .add(M::GET, "/units", AUTH, "units", "Unit tree (page)", units::list)
        .add(M::GET, "/api/v1/units", AUTH, "units", "Units the caller may see", units::list)
        .add(M::POST, "/units", ADMIN, "units", "Create a unit (form)", units::create)
        .add(M::POST, "/api/v1/units", ADMIN, "units", "Create a unit", units::create)
        .add(M::GET, "/units/{id}", AUTH, "units", "One unit (page)", units::show)
        .add(M::GET, "/api/v1/units/{id}", AUTH, "units", "One unit with its children and people", units::show)
        .add(M::POST, "/units/{id}", ADMIN, "units", "Change a unit (form)", units::update)
        .add(M::PUT, "/api/v1/units/{id}", ADMIN, "units", "Change a unit", units::update)
        .add(M::GET, "/units/export.xlsx", AUTH, "units", "Unit list as xlsx", units::export_xlsx)
        .add(M::GET, "/units/export.csv", AUTH, "units", "Unit list as CSV", units::export_csv)
        .add(M::GET, "/api/v1/units/export.xlsx", AUTH, "units", "Unit list as xlsx", units::export_xlsx)
        .add(M::GET, "/api/v1/units/export.csv", AUTH, "units", "Unit list as CSV", units::export_csv)
        .add(M::POST, "/units/import", ADMIN, "units", "Import a unit list (multipart form)", units::import_form)
        .add(M::POST, "/api/v1/units/import", ADMIN, "units", "Import a unit list (body: xlsx or CSV; ?dry_run=true to check only)", units::import_api)
        // users
        .add(M::GET, "/users", USER_MANAGERS, "users", "Users (page)", users::list)
        .add(M::GET, "/api/v1/users", USER_MANAGERS, "users", "Users the caller manages", users::list)
        .add(M::POST, "/users", USER_MANAGERS, "users", "Create a user (form)", users::create)
        .add(M::POST, "/api/v1/users", USER_MANAGERS, "users", "Create a user", users::create)
        .add(M::GET, "/api/v1/users/{id}", USER_MANAGERS, "users", "One user", users::show)
        .add(M::POST, "/users/{id}/disable", USER_MANAGERS, "users", "Disable a user (form)", users::disable)
        .add(M::POST, "/api/v1/users/{id}/disable", USER_MANAGERS, "users", "Disable a user; ends their sessions and tokens", users::disable)
        .add(M::POST, "/users/{id}/enable", USER_MANAGERS, "users", "Enable a user (form)", users::enable)
        .add(M::POST, "/api/v1/users/{id}/enable", USER_MANAGERS, "users", "Enable a user", users::enable)
        .add(M::POST, "/api/v1/users/{id}/password", ADMIN, "users", "Set a user's password", users::set_password)
        // rules
        .add(M::GET, "/rules", AUTH, "rules", "Rules (page)", rules::list)
        .add(M::GET, "/api/v1/rules", AUTH, "rules", "Every rule with the value in force and its source", rules::list)
        .add(M::GET, "/api/v1/rules/{key}", AUTH, "rules", "One rule and all its versions", rules::show)
        .add(M::POST, "/rules/{key}", ADMIN, "rules", "Save a new version of a rule (form)", rules::set)
        .add(M::PUT, "/api/v1/rules/{key}", ADMIN, "rules", "Save a new version of a rule", rules::set)
        // calendar
        .add(M::GET, "/calendar", AUTH, "calendar", "Working-day calendar (page)", calendar::show)
        .add(M::GET, "/api/v1/calendar", AUTH, "calendar", "Loaded years and their special days (?year=)", calendar::show)
        .add(M::GET, "/api/v1/calendar/deadline", AUTH, "calendar", "Add working days to a date (?from=YYYY-MM-DD&days=N)", calendar::deadline)
        .add(M::POST, "/calendar/import", ADMIN, "calendar", "Load or replace a year (form)", calendar::import)
        .add(M::POST, "/api/v1/calendar/import", ADMIN, "calendar", "Load or replace a year (JSON {text})", calendar::import)
        // directives, tasks, supervision
        .add(M::GET, "/inbox", TASK_READERS, "tasks", "My inbox: what to sign, report, review (page)", tasks::inbox)
        .add(M::GET, "/api/v1/inbox", TASK_READERS, "tasks", "My inbox, sorted by urgency, with notices received", tasks::inbox)
        .add(M::GET, "/tasks", TASK_READERS, "tasks", "Supervisor's board (page)", tasks::board)
        .add(
            M::GET,
            "/api/v1/tasks",
            TASK_READERS,
            "tasks",
            "Tasks the caller may see, filtered (?light=&unit_id=&directive_id=&leader_id=&term=&state=&after=), with counts per light",
            tasks::board,
        )
        .add(M::GET, "/tasks/export.xlsx", TASK_READERS, "tasks", "任务分解表 as xlsx (?directive_id=)", tasks::ledger_export)
        .add(M::GET, "/api/v1/tasks/export.xlsx", TASK_READERS, "tasks", "任务分解表 as xlsx (?directive_id=)", tasks::ledger_export)
        .add(
            M::POST,
            "/api/v1/tasks/import",
            SUPERVISORS,
            "tasks",
            "Import a 任务分解表 (body: xlsx; ?directive_id= or ?title=&issued_on=&issuer=; ?dry_run=true)",
            tasks::ledger_import,
        )
        .add(M::POST, "/directives/import", SUPERVISORS, "tasks", "Import a 任务分解表 (multipart form)", tasks::ledger_import_form)
        // 群众诉求 (12345)
        .add(M::GET, "/appeals", APPEAL_READERS, "appeals", "The hotline's desk and appeal search (page)", appeals::list)
        .add(
            M::GET,
            "/api/v1/appeals",
            APPEAL_READERS,
            "appeals",
            "Appeals the caller may see (?q=&state=&category=&unit_id=&light=red|blue&from=&to=&page=), personal data masked except for the hotline",
            appeals::list,
        )
        .add(M::GET, "/appeals/export.xlsx", APPEAL_READERS, "appeals", "The search as xlsx (up to 1,000 rows), masked as on screen", appeals::export)
        .add(M::GET, "/api/v1/appeals/export.xlsx", APPEAL_READERS, "appeals", "The search as xlsx (up to 1,000 rows), masked as on screen", appeals::export)
        .add(M::POST, "/appeals", HOTLINE, "appeals", "Register an appeal (form)", appeals::create)
        .add(
            M::POST,
            "/api/v1/appeals",
            HOTLINE,
            "appeals",
            "Register an appeal {channel, kind, category, content, address, lat, long, citizen_name, phone, id_number, urgency, confidential}: the work order, the routing suggestion and likely duplicates",
            appeals::create,
        )
        .add(M::GET, "/api/v1/appeals/suggest", HOTLINE, "appeals", "The suggested owner unit for a text (?text=&category=) and the words that decided it", appeals::suggest)
        .add(M::POST, "/api/v1/appeals/train", HOTLINE, "appeals", "Train the routing model on closed appeals; prints held-out accuracy", appeals::train)
        .add(M::GET, "/api/v1/appeal-categories", AUTH, "appeals", "The appeal taxonomy (also the Open311 services)", appeals::categories)
        .add(
            M::PUT,
            "/api/v1/appeal-categories/{code}",
            ADMIN,
            "appeals",
            "Add or change a category {name, group, description, keywords, unit_id, active}; the code is its Open311 service_code",
            appeals::category_save,
        )
        .add(M::GET, "/appeals/{id}", APPEAL_READERS, "appeals", "A work order with its trail (page)", appeals::show)
        .add(M::GET, "/api/v1/appeals/{id}", APPEAL_READERS, "appeals", "A work order, its light, trail, suggestion, duplicates and what the caller may do", appeals::show)
        .add(M::POST, "/appeals/{id}/act", APPEAL_READERS, "appeals", "Take an action (form)", appeals::act)
        .add(
            M::POST,
            "/api/v1/appeals/{id}/act",
            APPEAL_READERS,
            "appeals",
            "Take an action {action: dispatch|reject|sign|give_back|reassign|refuse_return|reply|rate|close, unit_id, reason, note, reply, rating, comment}",
            appeals::act,
        )
        .add(M::POST, "/appeals/{id}/extension", UNIT_ROLES, "appeals", "Request an extension (form)", appeals::extension)
        .add(M::POST, "/api/v1/appeals/{id}/extension", UNIT_ROLES, "appeals", "Request an extension {new_deadline, reason} before the limit", appeals::extension)
        .add(M::POST, "/appeals/{id}/extension/decision", HOTLINE, "appeals", "Approve or refuse an extension (form)", appeals::extension_decide)
        .add(M::POST, "/api/v1/appeals/{id}/extension/decision", HOTLINE, "appeals", "Approve or refuse an extension {approve, note}", appeals::extension_decide)
        .add(M::POST, "/appeals/{id}/urgency", HOTLINE, "appeals", "Set the urgency (form)", appeals::urgency)
        .add(M::POST, "/api/v1/appeals/{id}/urgency", HOTLINE, "appeals", "Set the urgency {urgency: normal|urgent|critical, reason}; the limit follows", appeals::urgency)
        .add(M::POST, "/appeals/{id}/merge", HOTLINE, "appeals", "Merge into an earlier appeal as its duplicate (form)", appeals::merge)
        .add(M::POST, "/api/v1/appeals/{id}/merge", HOTLINE, "appeals", "Merge into an earlier appeal as its duplicate {into}", appeals::merge)
        .add(M::GET, "/api/v1/open311/keys", ADMIN, "appeals", "Open311 API keys (never the keys themselves)", appeals::keys)
        .add(M::POST, "/api/v1/open311/keys", ADMIN, "appeals", "Issue an Open311 API key {name}; shown once", appeals::key_add)
        .add(M::DELETE, "/api/v1/open311/keys/{id}", ADMIN, "appeals", "Revoke an Open311 API key", appeals::key_revoke)
        // public pages: no account
        .add(M::GET, "/public/appeal", PUBLIC, "public", "Submit an appeal or follow one (page)", appeals::public_form)
        .add(M::POST, "/public/appeal", PUBLIC, "public", "Submit an appeal (form); answers with the tracking code", appeals::public_submit)
        .add(M::POST, "/api/v1/public/appeals", PUBLIC, "public", "Submit an appeal {kind, category, content, address, citizen_name, phone}; answers with the tracking code", appeals::public_submit)
        .add(M::GET, "/public/track", PUBLIC, "public", "Follow an appeal by tracking code (?code=)", appeals::public_track)
        .add(M::GET, "/api/v1/public/appeals/{code}", PUBLIC, "public", "An appeal by tracking code, without personal data", appeals::public_track_api)
        .add(M::POST, "/public/track/{code}/rate", PUBLIC, "public", "Rate the reply (form)", appeals::public_rate)
        .add(M::POST, "/api/v1/public/appeals/{code}/rating", PUBLIC, "public", "Rate the reply {rating: satisfied|basic|unsatisfied, comment}", appeals::public_rate)
        // Open311 GeoReport v2
        .add(M::GET, "/open311/v2/{file}", PUBLIC, "open311", "discovery, services and requests, .xml or .json", open311::root_get)
        .add(M::POST, "/open311/v2/{file}", PUBLIC, "open311", "requests.xml or requests.json: create a request (api_key)", open311::root_post)
        .add(M::GET, "/open311/v2/services/{file}", PUBLIC, "open311", "A service definition, .xml or .json", open311::service_definition)
        .add(M::GET, "/open311/v2/requests/{file}", PUBLIC, "open311", "One request by id, .xml or .json", open311::request_one)
        .add(M::GET, "/open311/v2/tokens/{file}", PUBLIC, "open311", "The request id for a token, .xml or .json", open311::token)
        // 文件分解 and the 权责清单
        .add(M::GET, "/documents/new", DIRECTIVE_WRITERS, "documents", "Split a document into draft tasks (page)", documents::new_page)
        .add(M::POST, "/documents/split", DIRECTIVE_WRITERS, "documents", "Split a pasted or uploaded document (multipart form)", documents::split_form)
        .add(
            M::POST,
            "/api/v1/documents/split",
            DIRECTIVE_WRITERS,
            "documents",
            "Split a document (body: text in UTF-8 or GBK/GB18030, or .docx; ?year=): outline with spans and draft tasks",
            documents::split_api,
        )
        .add(M::POST, "/documents/publish", SUPERVISORS, "documents", "Publish the edited draft as a directive with tasks (form)", documents::publish_form)
        .add(
            M::POST,
            "/api/v1/documents/publish",
            SUPERVISORS,
            "documents",
            "Publish draft rows {directive, tasks: [{title, measures, leader, lead_unit, co_units, deadline, remarks}], dry_run} as a directive",
            documents::publish_api,
        )
        .add(M::GET, "/catalogue", AUTH, "documents", "权责清单: each unit's keywords (page)", documents::catalogue)
        .add(M::GET, "/api/v1/catalogue", AUTH, "documents", "权责清单: each unit's keywords, and which catalogue is in force", documents::catalogue)
        .add(M::POST, "/catalogue/{id}", SUPERVISORS, "documents", "Replace a unit's keywords (form)", documents::catalogue_set)
        .add(
            M::PUT,
            "/api/v1/catalogue/{id}",
            SUPERVISORS,
            "documents",
            "Replace a unit's keywords {keywords: one per line or separated by 、}",
            documents::catalogue_set,
        )
        .add(M::GET, "/tasks/{id}", TASK_READERS, "tasks", "A task with its timeline (page)", tasks::task_show)
        .add(
            M::GET,
            "/api/v1/tasks/{id}",
            TASK_READERS,
            "tasks",
            "A task with co-units, milestones, reports, trail, extensions, notices, exemptions and what the caller may do",
            tasks::task_show,
        )
        .add(M::POST, "/tasks/{id}/act", TASK_READERS, "tasks", "Take a workflow action (form)", tasks::task_act)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/act",
            TASK_READERS,
            "tasks",
            "Take a workflow action: assign, sign, request_closure, accept, return (with reason)",
            tasks::task_act,
        )
        .add(M::POST, "/tasks/{id}/reports", UNIT_ROLES, "tasks", "Report progress (form)", tasks::task_report)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/reports",
            UNIT_ROLES,
            "tasks",
            "Report progress {text, percent}: the owner unit for the task, a co-unit for its part",
            tasks::task_report,
        )
        .add(M::POST, "/tasks/{id}/extensions", UNIT_ROLES, "tasks", "Request an extension (form)", tasks::task_extension)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/extensions",
            UNIT_ROLES,
            "tasks",
            "Request an extension {reason, new_deadline}, before the deadline",
            tasks::task_extension,
        )
        .add(M::POST, "/tasks/{id}/evaluation", SUPERVISORS, "tasks", "Grade a closed task (form)", tasks::task_evaluate)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/evaluation",
            SUPERVISORS,
            "tasks",
            "Grade a closed task once {grade: excellent|good|fair|poor, note}",
            tasks::task_evaluate,
        )
        .add(M::POST, "/tasks/{id}/attachments", UNIT_ROLES, "tasks", "Attach a file (multipart form)", tasks::attach_form)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/attachments",
            UNIT_ROLES,
            "tasks",
            "Attach a file (body: the file; ?name=FILE.pdf): owner or co-unit, while the task is open",
            tasks::attach_api,
        )
        .add(M::GET, "/tasks/{id}/attachments/{aid}", TASK_READERS, "tasks", "Download an attachment", tasks::attachment_get)
        .add(M::GET, "/api/v1/tasks/{id}/attachments/{aid}", TASK_READERS, "tasks", "Download an attachment", tasks::attachment_get)
        .add(M::POST, "/extensions/{id}/decision", SUPERVISORS, "tasks", "Approve or refuse an extension (form)", tasks::extension_decide)
        .add(M::POST, "/api/v1/extensions/{id}/decision", SUPERVISORS, "tasks", "Approve or refuse an extension {approve, note}", tasks::extension_decide)
        .add(M::POST, "/tasks/{id}/exemptions", UNIT_ROLES, "tasks", "Apply for 容错免责 (form)", tasks::exemption_apply)
        .add(
            M::POST,
            "/api/v1/tasks/{id}/exemptions",
            UNIT_ROLES,
            "tasks",
            "Apply for 容错免责 {reason, conditions[{key, met, evidence}]}",
            tasks::exemption_apply,
        )
        .add(M::POST, "/exemptions/{id}/step", SUPERVISORS, "tasks", "Advance a 容错免责 application (form)", tasks::exemption_step)
        .add(
            M::POST,
            "/api/v1/exemptions/{id}/step",
            SUPERVISORS,
            "tasks",
            "Advance a 容错免责 application {step: accept|reject|verify|decide, exempt, conditions, note}",
            tasks::exemption_step,
        )
        .add(M::GET, "/api/v1/incentives", DIRECTIVE_WRITERS, "tasks", "Incentive records (表扬/激励)", tasks::incentives)
        .add(M::POST, "/incentives", SUPERVISORS, "tasks", "Record praise or an incentive (form)", tasks::incentive_create)
        .add(
            M::POST,
            "/api/v1/incentives",
            SUPERVISORS,
            "tasks",
            "Record praise or an incentive {unit_id, user_id, duty_id, kind: praise|incentive, reason}",
            tasks::incentive_create,
        )
        .add(M::POST, "/supervision/run", SUPERVISORS, "tasks", "Run the supervision engine now (form)", tasks::supervise)
        .add(
            M::POST,
            "/api/v1/supervision/run",
            SUPERVISORS,
            "tasks",
            "Run the supervision engine now (?date=YYYY-MM-DD): lights and the notice ladder",
            tasks::supervise,
        )
        .add(M::GET, "/reports", DIRECTIVE_WRITERS, "tasks", "通报 report of a month (page, printable A4; ?period=YYYY-MM)", tasks::report)
        .add(M::GET, "/api/v1/reports", DIRECTIVE_WRITERS, "tasks", "通报 report of a month (?period=YYYY-MM) with fair rankings", tasks::report)
        .add(M::GET, "/reports/export.xlsx", DIRECTIVE_WRITERS, "tasks", "通报 report as xlsx (?period=)", tasks::report_xlsx)
        .add(M::GET, "/api/v1/reports/export.xlsx", DIRECTIVE_WRITERS, "tasks", "通报 report as xlsx (?period=)", tasks::report_xlsx)
        .add(M::GET, "/directives", TASK_READERS, "tasks", "Directives (page)", tasks::directives)
        .add(M::GET, "/api/v1/directives", TASK_READERS, "tasks", "Directives with the number of tasks the caller sees", tasks::directives)
        .add(M::POST, "/directives", DIRECTIVE_WRITERS, "tasks", "Create a directive (form)", tasks::directive_create)
        .add(
            M::POST,
            "/api/v1/directives",
            DIRECTIVE_WRITERS,
            "tasks",
            "Create a directive {title, kind: meeting|document|instruction, issued_on, issuer, doc_no, source_text}",
            tasks::directive_create,
        )
        .add(M::GET, "/directives/{id}", TASK_READERS, "tasks", "A directive and its task tree (page)", tasks::directive_show)
        .add(M::GET, "/api/v1/directives/{id}", TASK_READERS, "tasks", "A directive and the tasks the caller sees", tasks::directive_show)
        .add(M::POST, "/directives/{id}/tasks", SUPERVISORS, "tasks", "Add a task (form)", tasks::task_create)
        .add(M::POST, "/api/v1/directives/{id}/tasks", SUPERVISORS, "tasks", "Add a task (立项)", tasks::task_create)
        // audit
        .add(M::GET, "/audit", ADMIN, "audit", "Audit log (page)", audit::list)
        .add(M::GET, "/api/v1/audit", ADMIN, "audit", "Audit rows, newest first (?before=SEQ)", audit::list)
        .add(M::GET, "/api/v1/audit/verify", ADMIN, "audit", "Walk the hash chain and name the first broken link", audit::verify)
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
