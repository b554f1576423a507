//! `luoshi`: the one binary. Serves the platform, seeds the demo county, migrates, manages
//! users, verifies the audit chain, backs up, imports calendars.

mod audit_cmd;
mod bench;

use clap::{Parser, Subcommand};
use luoshi_storage::{calendar, rules, users, Actor, ConnectOptions, Db, StoreError};
use luoshi_web::demo;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "luoshi", version, about = "落实: turn decisions into results — the county platform for directives, supervision and citizens' appeals")]
pub struct Cli {
    /// Database URL: sqlite://PATH (default, created if missing) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "LUOSHI_DATABASE_URL", default_value = luoshi_storage::DEFAULT_URL)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Debug, Clone)]
struct ServeArgs {
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
    /// Addresses of the load balancers whose X-Forwarded-For is believed (comma-separated).
    #[arg(long, env = "LUOSHI_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
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
enum AppealsCommand {
    /// Train the routing model on the county's closed appeals and store it for every node;
    /// prints the held-out (5-fold cross-validated) accuracy. Also rebuilds it from scratch.
    Train,
    /// Rebuild the search index (each appeal's 检索签名) from the appeals themselves; run it once
    /// after upgrading a database that already holds appeals. Searches stay correct meanwhile.
    Reindex,
}

#[derive(Subcommand, Debug)]
enum Open311Command {
    /// API keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Issue a key for a client application; the key is printed once.
    Add { name: String },
    /// The keys issued (never the keys themselves).
    List,
    /// Revoke a key by its id.
    Revoke { id: i64 },
}

#[derive(Subcommand, Debug)]
enum DocCommand {
    /// Split a document (text in UTF-8 or GBK/GB18030, or Word .docx) into its outline and draft tasks.
    Split {
        file: std::path::PathBuf,
        /// json (outline and draft tasks), md (a readable draft), or xlsx (the 任务分解表 columns
        /// `luoshi tasks import` reads; needs --out).
        #[arg(long, default_value = "json")]
        format: String,
        /// Where to write the xlsx.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The year deadline phrases such as 年底前 refer to; default this year.
        #[arg(long)]
        year: Option<i32>,
        /// Suggest units from the county's 权责清单 in the database (--database-url) instead of
        /// the shipped sample.
        #[arg(long)]
        county: bool,
    },
}

#[derive(clap::Args, Debug, Clone)]
struct LoadArgs {
    /// Seconds of mixed load.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Seconds each endpoint then runs alone (0: skip), for its share of the limit.
    #[arg(long, default_value_t = 4)]
    alone: u64,
    /// Only the endpoints whose name contains this (e.g. "intake", "search", "board"): no mixed
    /// load, each of them alone, then the limits.
    #[arg(long)]
    only: Option<String>,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Fill the database with deterministic synthetic data at a scale.
    Seed {
        #[arg(long, value_enum, default_value = "county")]
        scale: bench::Scale,
        /// Number of tasks instead of the scale's.
        #[arg(long)]
        tasks: Option<usize>,
        /// Number of appeals instead of the scale's (county 3,000; city 1,000,000).
        #[arg(long)]
        appeals: Option<usize>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Drive a running luoshi on this machine and print req/s and p50/p95/p99 per endpoint,
    /// each endpoint alone as a share of its limit, and the limits (same database URL).
    Load {
        /// The server, on loopback.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Everything in one: a database (the given one, else a new SQLite in a temp folder), seeded
    /// at a scale, served in this process on an ephemeral loopback port, loaded and measured.
    Run {
        #[arg(long, value_enum, default_value = "county")]
        scale: bench::Scale,
        #[arg(long)]
        tasks: Option<usize>,
        #[arg(long)]
        appeals: Option<usize>,
        /// Use the --database-url given (it is seeded); default a new SQLite in a temp folder.
        #[arg(long)]
        use_database: bool,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Time routing suggestions (segmentation and the classifier) on one core, in this process.
    Route {
        /// Suggestions to time.
        #[arg(long, default_value_t = 20_000)]
        n: usize,
    },
    /// Time 文件分解 on a generated document of N MiB (outline and draft tasks, in this process).
    Doc {
        #[arg(long, default_value_t = 1.0)]
        mib: f64,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Time a 任务分解表 import of N rows (generated, valid) into the database.
    Import {
        #[arg(long, default_value_t = 5000)]
        rows: usize,
    },
}

#[derive(Subcommand, Debug)]
enum TasksCommand {
    /// Import a 任务分解表 into a directive; every row is checked first, nothing is written unless all are valid.
    Import {
        file: std::path::PathBuf,
        /// Check and print the problems or the plan; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Add the tasks to this existing directive.
        #[arg(long, conflicts_with = "title")]
        directive: Option<i64>,
        /// Or create a directive with this title.
        #[arg(long)]
        title: Option<String>,
        /// Its issuer (with --title).
        #[arg(long, default_value = "县委县政府督查室")]
        issuer: String,
        /// Its date (with --title), YYYY-MM-DD; default today.
        #[arg(long)]
        issued_on: Option<String>,
    },
    /// Export a directive's tasks (or all) as a 任务分解表.
    Export {
        file: std::path::PathBuf,
        #[arg(long)]
        directive: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Add a user. The password is read from LUOSHI_PASSWORD or the first line of standard input.
    Add {
        #[arg(long)]
        username: String,
        /// Display name (姓名).
        #[arg(long)]
        name: String,
        /// The user's unit: code, full name or short name.
        #[arg(long)]
        unit: String,
        /// admin, leader, supervisor, unit_manager, unit_staff, hotline or deputy.
        #[arg(long)]
        role: String,
    },
    /// Set a user's password (from LUOSHI_PASSWORD or standard input); ends their sessions.
    Passwd { username: String },
    /// Disable a user; ends their sessions and revokes their API tokens.
    Disable { username: String },
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

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("LUOSHI_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")))
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

async fn connect(url: &str, max_connections: u32) -> Result<Db, Fail> {
    let opts = ConnectOptions { max_connections, ..ConnectOptions::default() };
    Db::connect(url, &opts).await.map_err(|e| Fail(format!("cannot open the database {}: {}", redact(url), one_line(&e.to_string()))))
}

/// Hide a password in a URL before printing it.
fn redact(url: &str) -> String {
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
async fn prepare(url: &str, max_connections: u32) -> Result<Db, Fail> {
    let db = connect(url, max_connections).await?;
    db.migrate().await?;
    calendar::ensure_shipped(&db).await?;
    rules::ensure_shipped(&db).await?;
    Ok(db)
}

fn read_password() -> Result<String, Fail> {
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
            println!("luoshi serving on http://{addr}/ ({})", db.backend().as_str());
            use std::io::Write;
            let _ = std::io::stdout().flush();
            serve(db, listener, &args).await?;
        }
        Command::Demo(args) => {
            let db = prepare(&url, args.max_connections).await?;
            let seeded = demo::seed(&db).await.map_err(Fail)?;
            let tasks = demo::seed_tasks(&db, today()).await.map_err(Fail)?;
            let routing = luoshi_app::appeals::Routing::default();
            let appeals = luoshi_web::demo_appeals::seed_appeals(&db, &routing, luoshi_storage::now_micros(), 320).await.map_err(Fail)?;
            let key = luoshi_web::demo_appeals::DEMO_OPEN311_KEY;
            luoshi_app::appeals::register_key(&db, &luoshi_app::Who::system("demo"), "demo", key).await?;
            let listener = bind(&args).await?;
            let addr = listener.local_addr().map_err(|e| Fail(e.to_string()))?;
            println!(
                "示范县 demo county: {} units, {} users and {} tasks created this run (0, 0 and 0 when it existed already).",
                seeded.units_created, seeded.users_created, tasks
            );
            println!("Open http://{addr}/ and log in with any of these (password {}):", demo::DEMO_PASSWORD);
            for (username, name, unit, role) in demo::DEMO_USERS {
                println!("  {username:<11} {role:<13} {name} · {unit}");
            }
            println!("{appeals} demo appeals created this run. Public page: http://{addr}/public/appeal");
            println!("Open311 GeoReport v2: http://{addr}/open311/v2/discovery.json  demo api_key: {key}");
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
        Command::Appeals { command: AppealsCommand::Train } => {
            let db = prepare(&url, 2).await?;
            let r = luoshi_app::appeals::train(&db, &luoshi_app::Who::system("appeals")).await?;
            println!(
                "routing model {} trained on {} closed appeals, {} units: held-out accuracy {:.1}% (5-fold cross-validation){}",
                r.model_id.unwrap_or(0),
                r.examples,
                r.classes,
                r.accuracy * 100.0,
                if r.in_force { "" } else { "; too few examples, so suggestions keep to the 权责清单" }
            );
        }
        Command::Appeals { command: AppealsCommand::Reindex } => {
            let db = prepare(&url, 2).await?;
            let started = std::time::Instant::now();
            let n = luoshi_app::appeals::reindex(&db).await?;
            println!("search index rebuilt for {n} appeals in {:.1} s", started.elapsed().as_secs_f64());
        }
        Command::Open311 { command: Open311Command::Key { command } } => {
            let db = prepare(&url, 2).await?;
            let who = luoshi_app::Who::system("open311");
            match command {
                KeyCommand::Add { name } => {
                    let (id, key) = luoshi_app::appeals::issue_key(&db, &who, &name).await?;
                    println!("key {id} ({name}): {key}");
                }
                KeyCommand::List => {
                    for k in luoshi_storage::appeals::keys(&db).await? {
                        let state = if k.revoked_at.is_some() { "revoked" } else { "live" };
                        println!("{:>4}  {:<24} {state:<8} {}", k.id, k.name, luoshi_domain::time::format_local(k.created_at));
                    }
                }
                KeyCommand::Revoke { id } => {
                    luoshi_app::appeals::revoke_key(&db, &who, id).await?;
                    println!("key {id} revoked");
                }
            }
        }
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
        Command::Supervise { date, rehearsal } => {
            let db = prepare(&url, 2).await?;
            let day = date.map(|d| luoshi_domain::time::parse_date("date", &d)).transpose()?;
            let r = luoshi_app::tasks::supervise_on(&db, today(), day, rehearsal).await?;
            println!(
                "{}supervised {} open tasks as of {}: {} lights changed, {} reminders, {} notices, {} reports {}",
                if r.rehearsal { "rehearsal (nothing written): " } else { "" },
                r.checked,
                r.date,
                r.lights_changed,
                r.reminders,
                r.notices,
                r.reports,
                if r.rehearsal { "would be raised" } else { "raised" }
            );
        }
        Command::Tasks { command } => tasks(&url, command).await?,
        Command::Bench { command } => bench_cmd(&url, command).await?,
        Command::Doc { command: DocCommand::Split { file, format, year, out, county } } => {
            let catalogue = if county {
                let db = prepare(&cli.database_url, 2).await?;
                luoshi_app::documents::responsibilities(&db).await?.0
            } else {
                luoshi_domain::doc::shipped_catalogue()
            };
            doc_split(&file, &format, year, out.as_deref(), &catalogue)?
        }
        Command::Calendar { command: CalendarCommand::Import { file } } => {
            let text = std::fs::read_to_string(&file).map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
            let db = prepare(&url, 2).await?;
            let y = calendar::import_text(&db, &Actor::cli("calendar"), &text).await?;
            println!("calendar {} loaded: {} special days ({})", y.year, y.days.len(), y.source);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Load what intake reads (units, taxonomy, 权责清单, routing model, keys) before the first
/// citizen waits for it.
async fn warm(state: &luoshi_web::AppState) {
    if let Err(e) = state.routing.context(&state.db).await {
        tracing::warn!(error = %e, "could not preload the intake data; the first appeal will");
    }
}

async fn bind(args: &ServeArgs) -> Result<tokio::net::TcpListener, Fail> {
    tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| Fail(format!("cannot listen on {}: {e}", args.listen)))
}

async fn serve(db: Db, listener: tokio::net::TcpListener, args: &ServeArgs) -> Result<(), Fail> {
    let addr = listener.local_addr().map_err(|e| Fail(e.to_string()))?;
    tracing::info!(%addr, backend = db.backend().as_str(), "luoshi serving");
    let state = luoshi_web::AppState::new(
        db.clone(),
        luoshi_web::Config {
            secure_cookies: args.secure_cookies,
            today: None,
            supervise_every_secs: args.supervise_every,
            trusted_proxies: args.trusted_proxy.clone(),
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

async fn bench_users(db: &Db) -> Result<Vec<String>, Fail> {
    let mut names = vec!["supervisor".to_string(), "staff".to_string(), "leader".to_string(), "finance".to_string()];
    let all = users::list(db, &luoshi_domain::access::Scope::All).await?;
    names.extend(all.into_iter().map(|(u, _)| u.username).filter(|n| n.starts_with('b') && n[1..].chars().all(|c| c.is_ascii_digit())).take(40));
    Ok(names)
}

async fn measure(db: &Db, base: &str, args: &LoadArgs) -> Result<(), Fail> {
    let users = bench_users(db).await?;
    let d = std::time::Duration::from_secs(args.duration);
    let mix = match args.only {
        Some(_) => Vec::new(),
        None => {
            eprintln!("mixed load: {} s, {} clients, as {} users ...", args.duration, args.concurrency, users.len());
            bench::load(base, d, args.concurrency, &users, None).await?.0
        }
    };
    let mut alone = Vec::new();
    if args.alone > 0 {
        for (kind, _) in bench::MIX.iter().filter(|(k, _)| args.only.as_deref().is_none_or(|o| k.name().contains(o))) {
            eprintln!("alone: {} ...", kind.name());
            let (mut l, _) = bench::load(base, std::time::Duration::from_secs(args.alone), args.concurrency, &users, Some(*kind)).await?;
            alone.append(&mut l);
        }
    }
    eprintln!("limits ...");
    let limits = bench::baseline(base, db, std::time::Duration::from_secs(args.alone.max(2)), args.concurrency).await?;
    let tasks = luoshi_storage::tasks::count(db).await?;
    println!(
        "luoshi bench on {} ({} tasks), {} clients, {} cores",
        db.backend().as_str(),
        tasks,
        args.concurrency,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    bench::print(&mix, &alone, &limits);
    let errors: usize = mix.iter().chain(&alone).map(|l| l.errors).sum();
    if errors > 0 {
        return Err(Fail(format!("{errors} requests failed")));
    }
    Ok(())
}

async fn bench_cmd(url: &str, command: BenchCommand) -> Result<(), Fail> {
    match command {
        BenchCommand::Seed { scale, tasks, appeals, seed } => {
            let db = prepare(url, 4).await?;
            let started = std::time::Instant::now();
            let s = bench::seed(&db, scale, tasks, appeals, seed, today()).await?;
            println!("seeded {} units, {} users, {} tasks, {} appeals in {:.1} s", s.units, s.users, s.tasks, s.appeals, started.elapsed().as_secs_f64());
        }
        BenchCommand::Load { url: base, load } => {
            let db = connect(url, 8).await?;
            measure(&db, &base, &load).await?;
        }
        BenchCommand::Run { scale, tasks, appeals, use_database, load } => {
            let dir = std::env::temp_dir().join(format!("luoshi-bench-{}", std::process::id()));
            let db_url = if use_database { url.to_string() } else { format!("sqlite://{}/luoshi.db", dir.display()) };
            let db = prepare(&db_url, 16).await?;
            let started = std::time::Instant::now();
            let s = bench::seed(&db, scale, tasks, appeals, 42, today()).await?;
            eprintln!("seeded {} tasks in {:.1} s", s.tasks, started.elapsed().as_secs_f64());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| Fail(e.to_string()))?;
            let base = format!("http://{}", listener.local_addr().map_err(|e| Fail(e.to_string()))?);
            let state = luoshi_web::AppState::new(db.clone(), luoshi_web::Config { supervise_every_secs: 0, ..Default::default() });
            warm(&state).await;
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(luoshi_web::serve(state, listener, async move {
                let _ = stopped.await;
            }));
            let result = measure(&db, &base, &load).await;
            let _ = stop.send(());
            let _ = server.await;
            db.close().await;
            if !use_database {
                let _ = std::fs::remove_dir_all(&dir);
            }
            result?;
        }
        BenchCommand::Route { n } => bench::route(n),
        BenchCommand::Doc { mib, runs } => {
            let size = (mib * 1024.0 * 1024.0) as usize;
            let doc = bench::synthetic_document(size, 42);
            let catalogue = luoshi_domain::doc::shipped_catalogue();
            let mut times = Vec::with_capacity(runs.max(1));
            let mut outline_ms = f64::MAX;
            let mut found = (0, 0);
            for _ in 0..runs.max(1) {
                let t0 = std::time::Instant::now();
                let outline = luoshi_domain::doc::outline(&doc);
                outline_ms = outline_ms.min(t0.elapsed().as_secs_f64() * 1000.0);
                let tasks = luoshi_domain::doc::draft_tasks(&doc, &outline, &catalogue, 2026);
                times.push(t0.elapsed().as_secs_f64() * 1000.0);
                found = (outline.nodes.len(), tasks.len());
            }
            eprintln!("(the outline alone: {outline_ms:.1} ms at best)");
            times.sort_by(f64::total_cmp);
            let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
            println!(
                "文件分解 of a {:.2} MiB document ({} top-level nodes, {} draft tasks), {} runs: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
                doc.len() as f64 / 1048576.0,
                found.0,
                found.1,
                times.len(),
                pct(0.5),
                pct(0.95),
                pct(1.0)
            );
        }
        BenchCommand::Import { rows } => {
            let db = prepare(url, 4).await?;
            luoshi_web::demo::seed(&db).await.map_err(Fail)?;
            let units = ["县发展和改革局", "县财政局", "县教育局", "县卫生健康局", "县应急管理局", "城关镇", "青山镇", "县住房和城乡建设局"];
            let table: Vec<Vec<String>> = (0..rows)
                .map(|i| {
                    vec![
                        (i + 1).to_string(),
                        format!("压测任务第{}项", i + 1),
                        "建立工作专班，明确责任分工。".into(),
                        if i % 2 == 0 { "李县长".into() } else { String::new() },
                        units[i % units.len()].into(),
                        units[(i + 1) % units.len()].into(),
                        units[(i + 2) % units.len()].into(),
                        ["年底前", "三季度", "6月底前", "2026-10-31"][i % 4].into(),
                        String::new(),
                        String::new(),
                    ]
                })
                .collect();
            let bytes = luoshi_app::tasks::ledger::export_xlsx(&table)?;
            let target = luoshi_app::tasks::ledger::Target::New(luoshi_storage::tasks::DirectiveInput {
                title: format!("压测任务分解表（{rows}行）"),
                kind: "document".into(),
                issued_on: "2026-01-05".into(),
                issuer: "县委县政府督查室".into(),
                doc_no: String::new(),
                source_text: String::new(),
            });
            let who = luoshi_app::Who::system("bench");
            let t0 = std::time::Instant::now();
            let checked = luoshi_app::tasks::ledger::import(&db, &who, &target, &bytes, "bench.xlsx", true).await?;
            let check_ms = t0.elapsed().as_secs_f64() * 1000.0;
            let t1 = std::time::Instant::now();
            let done = luoshi_app::tasks::ledger::import(&db, &who, &target, &bytes, "bench.xlsx", false).await?;
            let import_ms = t1.elapsed().as_secs_f64() * 1000.0;
            match (checked, done) {
                (Ok(_), Ok((Some(d), planned))) => println!(
                    "任务分解表 of {rows} rows ({} KiB xlsx) on {}: checked in {check_ms:.0} ms, checked and imported into directive {d} ({} tasks) in {import_ms:.0} ms",
                    bytes.len() / 1024,
                    db.backend().as_str(),
                    planned.len()
                ),
                _ => return Err(Fail("the generated ledger did not import".into())),
            }
        }
    }
    Ok(())
}

fn doc_split(
    file: &std::path::Path,
    format: &str,
    year: Option<i32>,
    out: Option<&std::path::Path>,
    catalogue: &[luoshi_domain::doc::Responsibility],
) -> Result<(), Fail> {
    let bytes = std::fs::read(file).map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
    // UTF-8 (with or without BOM), GBK/GB18030, or .docx.
    let (text, _) = luoshi_ledger::document::read_document(&bytes)?;
    let text = text.as_str();
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&today()));
    let outline = luoshi_domain::doc::outline(text);
    let tasks = luoshi_domain::doc::draft_tasks(text, &outline, catalogue, year);
    match format {
        "json" => println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "outline": outline, "tasks": tasks })).map_err(|e| Fail(e.to_string()))?),
        "md" => {
            if let Some(t) = &outline.title {
                println!("# {t}\n");
            }
            println!("| 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 | 依据 |\n| --- | --- | --- | --- | --- | --- |");
            for (i, t) in tasks.iter().enumerate() {
                let lead = t.lead.as_ref().map(|l| format!("{}（{:.0}%）", l.unit, l.confidence * 100.0)).unwrap_or_default();
                let co = t.co_units.iter().map(|c| c.unit.as_str()).collect::<Vec<_>>().join("、");
                let why = t.lead.as_ref().map(|l| l.words.join("、")).unwrap_or_default();
                println!("| {} {} | {} | {} | {} | {} | {} |", i + 1, t.path.join(""), t.title, lead, co, t.deadline_hint.clone().unwrap_or_default(), why);
            }
        }
        "xlsx" => {
            let out = out.ok_or_else(|| Fail("--format xlsx writes a file: name it with --out FILE.xlsx".into()))?;
            // The draft in the ledger's columns; blank cells are for the office to fill before import.
            let drafts: Vec<_> = tasks.iter().map(luoshi_app::documents::DraftRow::of).collect();
            let rows = luoshi_app::documents::ledger_rows(&drafts);
            let bytes = luoshi_app::tasks::ledger::export_xlsx(&rows)?;
            std::fs::write(out, bytes).map_err(|e| Fail(format!("cannot write {}: {e}", out.display())))?;
            println!("{} draft tasks written to {}", rows.len(), out.display());
        }
        other => return Err(Fail(format!("unknown format {other}: use json, md or xlsx"))),
    }
    Ok(())
}

fn today() -> chrono::NaiveDate {
    luoshi_domain::time::local_date(luoshi_storage::now_micros())
}

async fn tasks(url: &str, command: TasksCommand) -> Result<(), Fail> {
    let db = prepare(url, 2).await?;
    let who = luoshi_app::Who::system("tasks");
    match command {
        TasksCommand::Import { file, dry_run, directive, title, issuer, issued_on } => {
            let bytes = std::fs::read(&file).map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
            let target = match (directive, title) {
                (Some(id), _) => luoshi_app::tasks::ledger::Target::Existing(id),
                (None, Some(title)) => luoshi_app::tasks::ledger::Target::New(luoshi_storage::tasks::DirectiveInput {
                    title,
                    kind: "document".into(),
                    issued_on: issued_on.unwrap_or_else(|| today().to_string()),
                    issuer,
                    doc_no: String::new(),
                    source_text: String::new(),
                }),
                (None, None) => return Err(Fail("name the directive: --directive ID or --title TITLE".into())),
            };
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            match luoshi_app::tasks::ledger::import(&db, &who, &target, &bytes, name, dry_run).await? {
                Ok((directive, planned)) => {
                    for p in &planned {
                        println!("{:<6} {}  [{}]  {}", p.seq, p.title, p.lead_unit, p.deadline);
                    }
                    match directive {
                        Some(d) => println!("{} tasks imported into directive {d}", planned.len()),
                        None => println!("{} rows valid; nothing written (--dry-run)", planned.len()),
                    }
                }
                Err(errors) => {
                    for e in &errors {
                        eprintln!("row {} column {}: {}", e.row, e.column, luoshi_domain::i18n::error_message(luoshi_domain::i18n::Lang::ZhCn, &e.as_domain()));
                    }
                    return Err(Fail(format!("{} problems; nothing was written", errors.len())));
                }
            }
        }
        TasksCommand::Export { file, directive } => {
            let rows = luoshi_app::tasks::ledger::export_rows(&db, &who, directive).await?;
            let bytes = luoshi_app::tasks::ledger::export_xlsx(&rows)?;
            std::fs::write(&file, bytes).map_err(|e| Fail(format!("cannot write {}: {e}", file.display())))?;
            println!("{} tasks written to {}", rows.len(), file.display());
        }
    }
    Ok(())
}

async fn user(url: &str, command: UserCommand) -> Result<(), Fail> {
    let db = prepare(url, 2).await?;
    match command {
        UserCommand::Add { username, name, unit, role } => {
            let all = luoshi_storage::units::list(&db, &luoshi_domain::access::Scope::All).await?;
            let unit = luoshi_storage::units::resolve(&all, &unit)?;
            let password = read_password()?;
            let input = luoshi_domain::user::UserInput { username, display_name: name, unit_id: unit.id, role, password, phone: String::new() };
            let new = input.validate()?;
            let hash = luoshi_web::auth::hash_password(&new.password)?;
            let mut tx = db.begin_write().await?;
            let u = users::create(&mut tx, &Actor::cli("user-add"), &new, &hash).await?;
            tx.commit().await?;
            println!("user {} created (id {}, {} at {})", u.username, u.id, u.role.as_str(), unit.name);
        }
        UserCommand::Passwd { username } => {
            let u = users::by_username(&db, &username).await?.ok_or_else(|| Fail(format!("no user {username}")))?;
            let password = read_password()?;
            luoshi_domain::user::check_password_for(&password, &[&u.username, &u.display_name])?;
            let hash = luoshi_web::auth::hash_password(&password)?;
            let mut tx = db.begin_write().await?;
            users::set_password(&mut tx, &Actor::cli("user-passwd"), u.id, &hash).await?;
            tx.commit().await?;
            println!("password of {} changed; their sessions and API tokens ended", u.username);
        }
        UserCommand::Disable { username } => {
            let u = users::by_username(&db, &username).await?.ok_or_else(|| Fail(format!("no user {username}")))?;
            let mut tx = db.begin_write().await?;
            users::set_disabled(&mut tx, &Actor::cli("user-disable"), u.id, true).await?;
            tx.commit().await?;
            println!("user {} disabled", u.username);
        }
    }
    Ok(())
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
