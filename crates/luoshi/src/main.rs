//! `luoshi`: the one binary. Serves the platform, seeds the demo county, migrates, manages
//! users, verifies the audit chain, backs up, imports calendars.

mod appeals_cmd;
mod assess_cmd;
mod audit_cmd;
mod bench;
mod bench_cmd;
mod debt_cmd;
mod documents_cmd;
mod hazards_cmd;
mod livelihood_cmd;
mod notify_cmd;
mod projects_cmd;
mod tasks_cmd;
mod users_cmd;

use appeals_cmd::{AppealsCommand, Open311Command};
use assess_cmd::AssessCommand;
use bench_cmd::{bench_cmd, BenchCommand};
use debt_cmd::DebtCommand;
use documents_cmd::DocCommand;
use hazards_cmd::HazardsCommand;
use livelihood_cmd::LivelihoodCommand;
use notify_cmd::NotifyCommand;
use projects_cmd::ProjectsCommand;
use tasks_cmd::{tasks, TasksCommand};
use users_cmd::{user, UserCommand};

use clap::{Parser, Subcommand};
use luoshi_storage::{calendar, rules, Actor, ConnectOptions, Db, StoreError};
use luoshi_web::demo;
use std::process::ExitCode;

/// mimalloc hands freed pages back to the system: with glibc's allocator a server kept about
/// 350 MiB after a county's mixed load (freed, not returned), with mimalloc about 100 MiB. Built
/// without transparent huge pages (`no_thp`): a 2 MiB page partly used counts whole, and a
/// city's server held 200 MiB of them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "luoshi", version, about = "落实: turn decisions into results — the county platform for directives, supervision and citizens' appeals")]
pub struct Cli {
    /// Database URL: sqlite://PATH (default, created if missing) or postgres://USER@HOST/DB
    /// (several hosts, the primary and its standbys: postgres://USER@HOST1:PORT,HOST2:PORT/DB).
    #[arg(long, global = true, env = "LUOSHI_DATABASE_URL", default_value = luoshi_storage::DEFAULT_URL)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "LUOSHI_LISTEN")]
    listen: String,
    /// Mark cookies Secure (when served over HTTPS, directly or behind a proxy).
    #[arg(long, env = "LUOSHI_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Database connections per node.
    #[arg(long, default_value_t = 16)]
    max_connections: u32,
    /// Run the supervision engine (lights and the notice ladder) every this many seconds; 0 never.
    #[arg(long, default_value_t = 900)]
    supervise_every: u64,
    /// Watch the duties on a minute clock (emergency assignments, incidents) and send the
    /// notices due to people (SMS, work messenger, email) every this many seconds; 0 never.
    #[arg(long, default_value_t = 60)]
    watch_every: u64,
    /// How long a node holds the notices it took to send, in seconds: after a crash they wait
    /// this long before any node sends them again (with the same idempotency key).
    #[arg(long, default_value_t = 120)]
    notify_lease: u64,
    /// Push the warnings published here to this CAP inbox (a city's `/api/v1/cap/inbox`).
    #[arg(long, env = "LUOSHI_CAP_UPSTREAM")]
    cap_upstream: Option<String>,
    /// The bearer token of the upstream's CAP inbox.
    #[arg(long, env = "LUOSHI_CAP_UPSTREAM_TOKEN", hide_env_values = true)]
    cap_upstream_token: Option<String>,
    /// The CAP inboxes of the levels below, for a higher level's activation sent down:
    /// `SENDER=URL#TOKEN;…` (the sender as their messages name it).
    #[arg(long, env = "LUOSHI_CAP_PEERS", hide_env_values = true, default_value = "")]
    cap_peers: String,
    /// Addresses of the load balancers whose X-Forwarded-For is believed (comma-separated).
    #[arg(long, env = "LUOSHI_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// Append every audit anchor serve writes (every 10 minutes when the chains moved) to this
    /// file; keep it on another disk: `audit verify --anchors FILE` then detects a removed tail.
    #[arg(long, env = "LUOSHI_ANCHOR_FILE")]
    anchor_file: Option<std::path::PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Migrate the database, then serve the web UI and the API.
    Serve(ServeArgs),
    /// Create the demo county 示范县 if absent, print the demo logins, then serve.
    Demo(ServeArgs),
    /// Apply the embedded migrations and exit.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit chain.
    Audit {
        #[command(subcommand)]
        command: audit_cmd::AuditCommand,
    },
    /// A consistent online copy of the SQLite database (for PostgreSQL use pg_dump).
    Backup {
        /// Destination file (must not exist).
        file: std::path::PathBuf,
    },
    /// The working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Run the supervision engine once: recompute lights, raise due reminders, notices and reports.
    Supervise {
        /// The date to supervise as (YYYY-MM-DD); default today in Asia/Shanghai. Any other
        /// date needs --rehearsal.
        #[arg(long)]
        date: Option<String>,
        /// Count what the run would raise and write nothing.
        #[arg(long)]
        rehearsal: bool,
    },
    /// The 任务分解表 (task-breakdown table) in Excel.
    Tasks {
        #[command(subcommand)]
        command: TasksCommand,
    },
    /// 考核与驾驶舱: verify the counters the cockpit reads; the annual assessment report.
    Assess {
        #[command(subcommand)]
        command: AssessCommand,
    },
    /// Notices to people: try a channel (SMS, work messenger, email); send what is due.
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// 安全生产: recount the statistics' kept counts.
    Hazards {
        #[command(subcommand)]
        command: HazardsCommand,
    },
    /// 重大项目: the ledger in and out, where projects get stuck.
    Projects {
        #[command(subcommand)]
        command: ProjectsCommand,
    },
    /// 债务风险: the ledger in and out, the watch, the indicators, the disclosure table.
    Debt {
        #[command(subcommand)]
        command: DebtCommand,
    },
    /// 民生实事: the year's proposals and a result sheet as xlsx, delivery of the chosen projects.
    Livelihood {
        #[command(subcommand)]
        command: LivelihoodCommand,
    },
    /// 群众诉求: the routing model.
    Appeals {
        #[command(subcommand)]
        command: AppealsCommand,
    },
    /// Open311 GeoReport v2: API keys for client applications.
    Open311 {
        #[command(subcommand)]
        command: Open311Command,
    },
    /// 文件分解: the outline of a speech, report or plan and draft tasks with suggested units.
    Doc {
        #[command(subcommand)]
        command: DocCommand,
    },
    /// Measure: synthetic data, loopback load with percentiles, and the machine's limits.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand, Debug)]
enum CalendarCommand {
    /// Load or replace a year from a file (format: see the shipped calendar-2026.txt).
    Import { file: std::path::PathBuf },
}

/// A one-line error for the terminal.
#[derive(Debug)]
pub struct Fail(String);

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => Fail(luoshi_domain::i18n::error_message(luoshi_domain::i18n::Lang::En, &d)),
            StoreError::Database(db) => Fail(format!("database: {}", one_line(&db.to_string()))),
            other => Fail(one_line(&other.to_string())),
        }
    }
}

impl From<luoshi_domain::DomainError> for Fail {
    fn from(d: luoshi_domain::DomainError) -> Self {
        Fail(luoshi_domain::i18n::error_message(luoshi_domain::i18n::Lang::En, &d))
    }
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Print a line of the banner; a closed standard output (a supervisor that stopped reading)
/// must not take the server down with it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The database server's notices (a cluster's housekeeping) reach the log only as errors; a
    // one-shot command says what it did in one line, so slow statements (placing tables on a
    // cluster while migrating) are a server's log only.
    let quiet = if matches!(cli.command, Command::Serve(_) | Command::Demo(_)) {
        "info,sqlx::postgres::notice=error"
    } else {
        "info,sqlx::postgres::notice=error,sqlx::query=error"
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("LUOSHI_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(quiet)))
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(Fail(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) async fn connect(url: &str, max_connections: u32) -> Result<Db, Fail> {
    let opts = ConnectOptions { max_connections, ..ConnectOptions::default() };
    Db::connect(url, &opts).await.map_err(|e| Fail(format!("cannot open the database {}: {}", redact(url), one_line(&e.to_string()))))
}

/// Hide a password in a URL before printing it.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..s], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Open, migrate and load the shipped data: what every command that serves needs.
pub(crate) async fn prepare(url: &str, max_connections: u32) -> Result<Db, Fail> {
    let db = connect(url, max_connections).await?;
    db.migrate().await?;
    calendar::ensure_shipped(&db).await?;
    rules::ensure_shipped(&db).await?;
    Ok(db)
}

pub(crate) fn read_password() -> Result<String, Fail> {
    if let Ok(p) = std::env::var("LUOSHI_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| Fail(format!("cannot read the password: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn run(cli: Cli) -> Result<ExitCode, Fail> {
    let url = cli.database_url.clone();
    match cli.command {
        Command::Serve(args) => {
            let db = prepare(&url, args.max_connections).await?;
            let listener = bind(&args).await?;
            let addr = listener.local_addr().map_err(|e| Fail(e.to_string()))?;
            say!("luoshi serving on http://{addr}/ ({})", db.backend().as_str());
            use std::io::Write;
            let _ = std::io::stdout().flush();
            serve(db, listener, &args).await?;
        }
        Command::Demo(args) => {
            let db = prepare(&url, args.max_connections).await?;
            let seeded = demo::seed(&db).await.map_err(Fail)?;
            let tasks = demo::seed_tasks(&db, today()).await.map_err(Fail)?;
            let hazards = demo::seed_hazards(&db, today()).await.map_err(Fail)?;
            let emergency = demo::seed_emergencies(&db, today()).await.map_err(Fail)?;
            let projects = demo::seed_projects(&db, today()).await.map_err(Fail)?;
            let debt = demo::seed_debt(&db, today()).await.map_err(Fail)?;
            let routing = luoshi_app::appeals::Routing::default();
            let appeals = luoshi_web::demo_appeals::seed_appeals(&db, &routing, luoshi_storage::now_micros(), 320).await.map_err(Fail)?;
            let key = luoshi_web::demo_appeals::DEMO_OPEN311_KEY;
            luoshi_app::appeals::register_key(&db, &luoshi_app::Who::system("demo"), "demo", key).await?;
            let livelihood = demo::seed_livelihood(&db, today()).await.map_err(Fail)?;
            let listener = bind(&args).await?;
            let addr = listener.local_addr().map_err(|e| Fail(e.to_string()))?;
            say!(
                "示范县 demo county: {} units, {} users, {} tasks, {} hazards, {} emergency assignments, {} projects and {} debt instruments created this run (0 of each when it existed already).",
                seeded.units_created,
                seeded.users_created,
                tasks,
                hazards,
                emergency,
                projects,
                debt
            );
            say!("Open http://{addr}/ and log in with any of these (password {}):", demo::DEMO_PASSWORD);
            for (username, name, unit, role) in demo::DEMO_USERS {
                say!("  {username:<11} {role:<13} {name} · {unit}");
            }
            say!("{appeals} demo appeals created this run. Public page: http://{addr}/public/appeal");
            say!("{livelihood} livelihood proposals created this run; eleven more deputies dep01…dep11 vote too. Public page: http://{addr}/public/livelihood");
            say!("Open311 GeoReport v2: http://{addr}/open311/v2/discovery.json  demo api_key: {key}");
            use std::io::Write;
            let _ = std::io::stdout().flush();
            serve(db, listener, &args).await?;
        }
        Command::Migrate => {
            let db = connect(&url, 2).await?;
            let applied = db.migrate().await?;
            calendar::ensure_shipped(&db).await?;
            rules::ensure_shipped(&db).await?;
            if applied.is_empty() {
                println!("the database is up to date");
            }
            for m in applied {
                println!("applied migration {} ({})", m.version, m.name);
            }
        }
        Command::User { command } => user(&url, command).await?,
        Command::Appeals { command } => appeals_cmd::appeals(&url, command).await?,
        Command::Assess { command } => assess_cmd::assess(&url, command).await?,
        Command::Notify { command } => notify_cmd::notify(&url, command).await?,
        Command::Hazards { command } => hazards_cmd::hazards(&url, command).await?,
        Command::Projects { command } => projects_cmd::projects(&url, command).await?,
        Command::Debt { command } => debt_cmd::debt(&url, command).await?,
        Command::Livelihood { command } => livelihood_cmd::livelihood(&url, command).await?,
        Command::Open311 { command } => appeals_cmd::open311(&url, command).await?,
        Command::Supervise { date, rehearsal } => tasks_cmd::supervise(&url, date, rehearsal).await?,
        Command::Doc { command } => documents_cmd::doc(&url, command).await?,
        Command::Audit { command } => {
            let db = connect(&url, 2).await?;
            db.check_schema().await?;
            return audit_cmd::run(&db, command).await.map_err(|e| Fail(e.to_string()));
        }
        Command::Backup { file } => {
            let db = connect(&url, 2).await?;
            db.backup_sqlite(&file).await?;
            println!("backup written to {}", file.display());
            println!("anchor: {} (keep this line apart from the backup)", audit_cmd::anchor_line(&db).await?);
        }
        Command::Tasks { command } => tasks(&url, command).await?,
        Command::Bench { command } => bench_cmd(&url, command).await?,
        Command::Calendar { command: CalendarCommand::Import { file } } => {
            let text = std::fs::read_to_string(&file).map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
            let db = prepare(&url, 2).await?;
            let y = calendar::import_text(&db, &Actor::cli("calendar"), &text).await?;
            println!("calendar {} loaded: {} special days ({})", y.year, y.days.len(), y.source);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Load what intake reads (units, taxonomy, 权责清单, routing model, keys) and the figures
/// that take long to count before the first reader waits for them.
pub(crate) async fn warm(state: &luoshi_web::AppState) {
    if let Err(e) = state.routing.context(&state.db).await {
        tracing::warn!(error = %e, "could not preload the intake data; the first appeal will");
    }
    // The debt book, read once per version: the first figure of the day should not pay for it.
    if let Err(e) = luoshi_storage::debt::book::current(&state.db).await {
        tracing::warn!(error = %e, "could not preload the debt book; the first debt figure will");
    }
    // The projects' bottleneck report: a city's takes seconds; counted beside the first requests.
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(e) = luoshi_app::projects::bottleneck::warm(&db, luoshi_storage::now_micros()).await {
            tracing::warn!(error = %e, "could not count the projects' bottleneck report at start; its first reader will");
        }
    });
}

pub(crate) async fn bind(args: &ServeArgs) -> Result<tokio::net::TcpListener, Fail> {
    tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| Fail(format!("cannot listen on {}: {e}", args.listen)))
}

pub(crate) async fn serve(db: Db, listener: tokio::net::TcpListener, args: &ServeArgs) -> Result<(), Fail> {
    let addr = listener.local_addr().map_err(|e| Fail(e.to_string()))?;
    tracing::info!(%addr, backend = db.backend().as_str(), "luoshi serving");
    let state = luoshi_web::AppState::new(
        db.clone(),
        luoshi_web::Config {
            secure_cookies: args.secure_cookies,
            today: None,
            time_of_day: None,
            supervise_every_secs: args.supervise_every,
            watch_every_secs: args.watch_every,
            notify_lease_secs: args.notify_lease,
            cap_routes: luoshi_web::cap_push::Routes {
                upstream: args.cap_upstream.clone().map(|url| luoshi_web::cap_push::Upstream { url, token: args.cap_upstream_token.clone() }),
                peers: luoshi_web::cap_push::Routes::peers_from(&args.cap_peers),
            },
            trusted_proxies: args.trusted_proxy.clone(),
            anchor_file: args.anchor_file.clone(),
        },
    );
    let shutdown = async {
        // Ctrl-C or SIGTERM (systemd, a container runtime): finish in-flight requests, then stop.
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
        tracing::info!("shutting down");
    };
    warm(&state).await;
    luoshi_web::serve(state, listener, shutdown).await.map_err(|e| Fail(e.to_string()))?;
    db.close().await;
    Ok(())
}

pub(crate) fn today() -> chrono::NaiveDate {
    luoshi_domain::time::local_date(luoshi_storage::now_micros())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_help() {
        let cmd = Cli::command();
        for sub in cmd.get_subcommands() {
            assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
            for s in sub.get_subcommands() {
                assert!(s.get_about().is_some(), "{} {} has no help", sub.get_name(), s.get_name());
            }
        }
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://./x.db"), "sqlite://./x.db");
    }
}
