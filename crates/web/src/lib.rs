//! luoshi-web: the only crate that knows HTTP.
//!
//! A JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`), server-rendered pages in
//! Simplified Chinese with an English switch, health, readiness and metrics. Handlers are thin:
//! extract, call the domain and storage, render JSON or HTML from the same function. Every route
//! is declared with its policy in [`routes`]; nothing is served that is not embedded in the binary.

pub mod auth;
pub mod cap_push;
mod charts;
pub mod demo;
pub mod demo_appeals;
pub mod error;
mod extract;
mod handlers;
pub mod http;
pub mod metrics;
pub mod notify_send;
mod pages;
mod public_guard;
pub mod routes;
mod smtp;

use axum::Router;
use luoshi_storage::Db;
use std::net::SocketAddr;
use std::sync::Arc;

/// Settings of one server process.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Mark cookies `Secure` (set when luoshi is served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Pretend today is this date (Asia/Shanghai) for lights, deadlines and supervision; for
    /// tests and rehearsals. `None`: the real date.
    pub today: Option<chrono::NaiveDate>,
    /// With `today`: the clock starts at this local time of that date when the process makes
    /// its first state and runs on from there, instead of the real time of day (tests: what
    /// happened that morning is never in the future, whenever they run).
    pub time_of_day: Option<chrono::NaiveTime>,
    /// Run the supervision engine every this many seconds inside `serve` (0: never).
    pub supervise_every_secs: u64,
    /// Run the minute watch (emergency assignments, incidents) every this many seconds (0: never).
    pub watch_every_secs: u64,
    /// How long a node holds the notices it took to send (seconds; 0: the default two minutes).
    pub notify_lease_secs: u64,
    /// Where CAP messages published here are pushed (a city's inbox, the counties' below), by
    /// the minute watch.
    pub cap_routes: cap_push::Routes,
    /// Load balancers whose `X-Forwarded-For` is believed (rate limits and login locks are
    /// keyed on the client's address; behind a proxy every citizen would share one).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Also append each anchor `serve` writes to this file (keep it on another disk).
    pub anchor_file: Option<std::path::PathBuf>,
}

/// What every request can reach. Nothing in it is the source of truth: the database is.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub metrics: Arc<metrics::Metrics>,
    pub config: Arc<Config>,
    /// A date that overrides the real one (rehearsals and tests); see [`Config::today`].
    clock: Arc<std::sync::RwLock<Option<chrono::NaiveDate>>>,
    /// When the first state of this process was made (real µs): a fixed time of day runs on
    /// from there, the same for every state (a county's and a city's in one test agree).
    started: i64,
    /// The node's intake state: reference data cached behind `data_versions`, and the intake
    /// writer that commits appeals arriving together in one transaction.
    pub routing: Arc<luoshi_app::appeals::Routing>,
    /// The county's key for signing public form tokens, shared by every node (in the database).
    form_key: Arc<tokio::sync::OnceCell<String>>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        let clock = Arc::new(std::sync::RwLock::new(config.today));
        static EPOCH: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
        let started = *EPOCH.get_or_init(luoshi_storage::now_micros);
        AppState {
            db,
            metrics: Arc::new(metrics::Metrics::default()),
            config: Arc::new(config),
            clock,
            started,
            routing: Arc::default(),
            form_key: Arc::default(),
        }
    }

    /// Today in Asia/Shanghai (or the date set for a rehearsal).
    pub fn today(&self) -> chrono::NaiveDate {
        let set = self.clock.read().map(|c| *c).unwrap_or(None);
        set.unwrap_or_else(|| luoshi_domain::time::local_date(luoshi_storage::now_micros()))
    }

    /// Now in UTC microseconds; on a rehearsal date, that date at the real time of day (or at
    /// [`Config::time_of_day`] when the state was made, running on since).
    pub fn now(&self) -> i64 {
        let real = luoshi_storage::now_micros();
        let set = self.clock.read().map(|c| *c).unwrap_or(None);
        match (set, self.config.time_of_day) {
            (Some(d), Some(t)) => {
                use chrono::TimeZone;
                let start = luoshi_domain::time::shanghai()
                    .from_local_datetime(&d.and_time(t))
                    .single()
                    .map(|x| luoshi_domain::time::to_micros(x.with_timezone(&chrono::Utc)));
                start.unwrap_or(real) + (real - self.started)
            }
            (Some(d), None) => real + (d - luoshi_domain::time::local_date(real)).num_days() * 86_400_000_000,
            (None, _) => real,
        }
    }

    /// The form-signing key: the first node to ask stores a random one; all read the same.
    pub async fn form_key(&self) -> Result<String, luoshi_storage::StoreError> {
        let key = self
            .form_key
            .get_or_try_init(|| async {
                let candidate = auth::new_token().map_err(luoshi_storage::StoreError::Domain)?;
                luoshi_storage::sessions::secret(&self.db, "public_form", &candidate).await
            })
            .await?;
        Ok(key.clone())
    }

    /// A signed token for a public form handed out at `at` (microseconds).
    pub async fn form_token(&self, at: i64) -> Result<String, error::AppError> {
        public_guard::form_token(self, at).await
    }

    /// Move this node's "today" (tests and rehearsals; never used by `serve`).
    pub fn set_today(&self, date: chrono::NaiveDate) {
        if let Ok(mut c) = self.clock.write() {
            *c = Some(date);
        }
    }
}

/// The whole application: every declared route with its guard, wrapped in error rendering,
/// security headers and metrics.
pub fn app(state: AppState) -> Router {
    routes::router()
        .fallback(handlers::system::not_found)
        // Every body, uploads included, has the one limit (axum's extractors would take 2 MiB).
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY))
        .layer(axum::middleware::from_fn(http::finish))
        .layer(axum::middleware::from_fn(http::security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::metrics))
        .layer(axum::Extension(state.clone()))
        .with_state(state)
}

/// Serve until `shutdown` resolves. Also sweeps expired sessions every ten minutes.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let db = state.db.clone();
    let anchor_file = state.config.anchor_file.clone();
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = luoshi_storage::sessions::sweep(&db, luoshi_storage::now_micros()).await {
                tracing::warn!(error = %e, "session sweep failed");
            }
            // Anchor the audit chains' heads (nothing is written when no chain moved).
            match luoshi_storage::audit::anchor(&db).await {
                Ok(a) => {
                    if let Some(f) = &anchor_file {
                        if let Err(e) = luoshi_storage::audit::append_anchor_line(f, &a) {
                            tracing::warn!(error = %e, file = %f.display(), "could not keep the audit anchor");
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "audit anchor failed"),
            }
        }
    });
    // The supervision engine: at start and on a schedule. Several nodes may run it at once;
    // the database keeps each notice unique, so nothing is raised twice.
    let every = state.config.supervise_every_secs;
    let sup_state = state.clone();
    let supervisor = tokio::spawn(async move {
        if every == 0 {
            return;
        }
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every));
        loop {
            tick.tick().await;
            if let Err(e) = luoshi_app::supervision::supervise(&sup_state.db, sup_state.today()).await {
                tracing::warn!(error = %e, "supervision run failed");
            }
        }
    });
    // The minute watch over the kinds on a minute clock (emergency assignments, incidents).
    let watch_every = state.config.watch_every_secs;
    let watch_state = state.clone();
    let lease = match state.config.notify_lease_secs {
        0 => luoshi_storage::notify::LEASE,
        s => i64::try_from(s).unwrap_or(i64::MAX / 2_000_000).saturating_mul(1_000_000),
    };
    let watcher = tokio::spawn(async move {
        if watch_every == 0 {
            return;
        }
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(watch_every));
        loop {
            tick.tick().await;
            if let Err(e) = luoshi_app::supervision::watch(&watch_state.db, watch_state.now()).await {
                tracing::warn!(error = %e, "minute watch failed");
            }
            // The leaders' morning summary (once a day from its hour), then whatever is due.
            if let Err(e) = luoshi_app::notify::summaries(&watch_state.db, watch_state.now()).await {
                tracing::warn!(error = %e, "morning summary not queued");
            }
            // Notices to people: whatever is due in the outbox, through the channels set now.
            match notify_send::Senders::load(&watch_state.db).await {
                Ok(senders) => match luoshi_app::notify::deliver_leased(&watch_state.db, &senders, watch_state.now(), lease).await {
                    Ok(d) if d.failed > 0 || d.retried > 0 => {
                        tracing::warn!(sent = d.sent, retried = d.retried, failed = d.failed, "notices: some not delivered")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "notice delivery failed"),
                },
                Err(e) => tracing::warn!(error = %e, "notice channels not read"),
            }
            let routes = &watch_state.config.cap_routes;
            if !routes.is_empty() {
                match cap_push::push_pending(&watch_state, routes).await {
                    Ok((_, 0)) => {}
                    Ok((ok, failed)) => tracing::warn!(ok, failed, "CAP push: some messages wait for the next try"),
                    Err(e) => tracing::warn!(error = %e, "CAP push failed"),
                }
            }
        }
    });
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let r = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    sweeper.abort();
    supervisor.abort();
    watcher.abort();
    r
}
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
