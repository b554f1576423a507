//! `luoshi`: the one binary. Serves the platform, seeds the demo county, migrates, manages
//! users, verifies the audit chain, backs up, imports calendars.

use clap::{Parser, Subcommand};
use luoshi_storage::{audit, calendar, rules, users, Actor, ConnectOptions, Db, StoreError};
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
        command: AuditCommand,
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
        /// The date to supervise as (YYYY-MM-DD); default today in Asia/Shanghai.
        #[arg(long)]
        date: Option<String>,
    },
    /// The 任务分解表 (task-breakdown table) in Excel.
    Tasks {
        #[command(subcommand)]
        command: TasksCommand,
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
enum AuditCommand {
    /// Walk the hash chain; name the first broken link and exit non-zero if there is one.
    Verify,
}

#[derive(Subcommand, Debug)]
enum CalendarCommand {
    /// Load or replace a year from a file (format: see the shipped calendar-2026.txt).
    Import { file: std::path::PathBuf },
}

/// A one-line error for the terminal.
#[derive(Debug)]
struct Fail(String);

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
            serve(db, listener, &args).await?;
        }
        Command::Demo(args) => {
            let db = prepare(&url, args.max_connections).await?;
            let seeded = demo::seed(&db).await.map_err(Fail)?;
            let tasks = demo::seed_tasks(&db, today()).await.map_err(Fail)?;
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
        Command::Audit { command: AuditCommand::Verify } => {
            let db = connect(&url, 2).await?;
            db.check_schema().await?;
            let r = audit::verify(&db).await?;
            match r.broken {
                None => println!("audit chain intact: {} rows verified", r.checked),
                Some((seq, why)) => {
                    eprintln!("audit chain BROKEN at row {seq} ({why:?}); {} rows before it verified", r.checked);
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Backup { file } => {
            let db = connect(&url, 2).await?;
            db.backup_sqlite(&file).await?;
            println!("backup written to {}", file.display());
        }
        Command::Supervise { date } => {
            let db = prepare(&url, 2).await?;
            let day = match date {
                Some(d) => luoshi_domain::duty::parse_date("date", &d)?,
                None => today(),
            };
            let r = luoshi_app::tasks::supervise(&db, day).await?;
            println!(
                "supervised {} open tasks as of {}: {} lights changed, {} reminders, {} notices, {} reports raised",
                r.checked, r.date, r.lights_changed, r.reminders, r.notices, r.reports
            );
        }
        Command::Tasks { command } => tasks(&url, command).await?,
        Command::Calendar { command: CalendarCommand::Import { file } } => {
            let text = std::fs::read_to_string(&file).map_err(|e| Fail(format!("cannot read {}: {e}", file.display())))?;
            let db = prepare(&url, 2).await?;
            let y = calendar::import_text(&db, &Actor::cli("calendar"), &text).await?;
            println!("calendar {} loaded: {} special days ({})", y.year, y.days.len(), y.source);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn bind(args: &ServeArgs) -> Result<tokio::net::TcpListener, Fail> {
    tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| Fail(format!("cannot listen on {}: {e}", args.listen)))
}

async fn serve(db: Db, listener: tokio::net::TcpListener, args: &ServeArgs) -> Result<(), Fail> {
    let addr = listener.local_addr().map_err(|e| Fail(e.to_string()))?;
    tracing::info!(%addr, backend = db.backend().as_str(), "luoshi serving");
    let state = luoshi_web::AppState::new(
        db.clone(),
        luoshi_web::Config { secure_cookies: args.secure_cookies, today: None, supervise_every_secs: args.supervise_every },
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
    luoshi_web::serve(state, listener, shutdown).await.map_err(|e| Fail(e.to_string()))?;
    db.close().await;
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
                (Some(id), _) => luoshi_app::tasks_ledger::Target::Existing(id),
                (None, Some(title)) => luoshi_app::tasks_ledger::Target::New(luoshi_storage::duties::DirectiveInput {
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
            match luoshi_app::tasks_ledger::import(&db, &who, &target, &bytes, name, dry_run).await? {
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
            let rows = luoshi_app::tasks_ledger::export_rows(&db, &who, directive).await?;
            let bytes = luoshi_app::tasks_ledger::export_xlsx(&rows)?;
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
            luoshi_domain::user::check_password(&password)?;
            let hash = luoshi_web::auth::hash_password(&password)?;
            let mut tx = db.begin_write().await?;
            users::set_password(&mut tx, &Actor::cli("user-passwd"), u.id, &hash).await?;
            tx.commit().await?;
            println!("password of {} changed; their sessions ended", u.username);
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
