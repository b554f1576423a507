//! HTTP tests: a real luoshi server on 127.0.0.1 with an ephemeral port, over a real database
//! (a temporary SQLite per test, or PostgreSQL when LUOSHI_TEST_DATABASE_URL is set), seeded
//! with the demo county.

#![expect(clippy::unwrap_used, clippy::panic, reason = "a test fails by panicking")]

mod a_new_kind;
mod access;
mod api;
mod appeals;
mod auth;
mod cap;
mod cockpit;
mod debt;
mod documents;
mod duties;
mod emergencies;
mod hazards;
mod livelihood;
mod notify;
mod one_read;
mod open311;
mod pages;
mod projects;
mod records;
mod safety;
mod screens;
mod tasks;
mod trust;
mod trust_open311;

use luoshi_storage::testing::TestDb;
use luoshi_web::{demo, AppState, Config};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

pub const PW: &str = demo::DEMO_PASSWORD;

pub struct TestApp {
    pub base: String,
    pub t: TestDb,
    pub state: AppState,
    _server: tokio::task::JoinHandle<()>,
}

/// The date the tests' county lives on (a Monday), so lights and deadlines do not depend on
/// the day CI runs.
pub fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub const TODAY: &str = "2026-06-15";

/// The tests' county starts its day at ten in the morning, whatever the hour they run at (a
/// record of that morning is never in the future).
pub const MORNING: Option<chrono::NaiveTime> = chrono::NaiveTime::from_hms_opt(10, 0, 0);

pub async fn spawn_app() -> TestApp {
    let t = TestDb::new().await.unwrap();
    demo::seed(&t.db).await.unwrap();
    demo::seed_tasks(&t.db, day(TODAY)).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(t.db.clone(), Config { today: Some(day(TODAY)), time_of_day: MORNING, ..Config::default() });
    let serving = state.clone();
    let server = tokio::spawn(async move {
        luoshi_web::serve(serving, listener, std::future::pending()).await.unwrap();
    });
    TestApp { base: format!("http://{addr}"), t, state, _server: server }
}

/// A logged-in browser-like client: its cookie jar holds the session, `csrf` the token.
pub struct Session {
    pub client: Client,
    pub csrf: String,
    pub user: Value,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn client() -> Client {
        Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    pub async fn login(&self, username: &str) -> Session {
        let client = Self::client();
        let r = client.post(self.url("/api/v1/session")).json(&serde_json::json!({ "username": username, "password": PW })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        let body: Value = r.json().await.unwrap();
        Session { client, csrf: body["csrf"].as_str().unwrap().to_string(), user: body["user"].clone() }
    }

    /// An API token for a user (bearer authentication, no CSRF needed).
    pub async fn token(&self, username: &str) -> String {
        let s = self.login(username).await;
        let r = s.post(self, "/api/v1/tokens", serde_json::json!({ "name": "tests" })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_string()
    }

    pub async fn unit_id(&self, name: &str) -> i64 {
        let all = luoshi_storage::units::list(&self.t.db, &luoshi_domain::access::Scope::All).await.unwrap();
        luoshi_storage::units::resolve(&all, name).unwrap().id
    }

    /// A task of the demo by its number in the ledger (序号).
    pub async fn task_id(&self, seq: &str) -> i64 {
        let all = luoshi_storage::tasks::list(
            &self.t.db,
            &luoshi_domain::access::Sight::County,
            &luoshi_storage::tasks::Filter { limit: Some(500), ..Default::default() },
        )
        .await
        .unwrap();
        all.iter().find(|d| d.seq.as_deref() == Some(seq)).unwrap().id
    }

    pub async fn task_directive(&self, seq: &str) -> i64 {
        let id = self.task_id(seq).await;
        luoshi_storage::tasks::get(&self.t.db, id).await.unwrap().unwrap().directive_id.unwrap()
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        luoshi_storage::users::by_username(&self.t.db, username).await.unwrap().unwrap().id
    }
}

impl Session {
    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        self.client.get(app.url(path)).send().await.unwrap()
    }
    pub async fn post(&self, app: &TestApp, path: &str, body: Value) -> Response {
        self.client.post(app.url(path)).header("x-csrf-token", &self.csrf).json(&body).send().await.unwrap()
    }
    pub async fn put(&self, app: &TestApp, path: &str, body: Value) -> Response {
        self.client.put(app.url(path)).header("x-csrf-token", &self.csrf).json(&body).send().await.unwrap()
    }
    pub async fn form(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut f: Vec<(&str, &str)> = fields.to_vec();
        f.push(("_csrf", &self.csrf));
        self.client.post(app.url(path)).form(&f).send().await.unwrap()
    }
}

/// The error code of a JSON error body.
pub async fn error_code(r: Response) -> (StatusCode, String, Value) {
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].as_str().unwrap_or("").to_string(), body)
}

/// A multipart body by hand: text fields, then files as (field, name, type, bytes).
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "luoshi-test-boundary-7d3f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    for (k, name, ty, data) in files {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: {ty}\r\n\r\n").as_bytes());
        body.extend(*data);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
