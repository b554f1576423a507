//! `luoshi bench …`: seed, load, run, import, route and doc measurements (see BENCHMARKS.md).

use crate::*;
use clap::Subcommand;
use luoshi_storage::{users, Db};

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct LoadArgs {
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
pub(crate) enum BenchCommand {
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
        /// Number of hazards instead of the scale's (county 2,000 at 300 enterprises; city
        /// 100,000 at 20,000; one enterprise per five hazards).
        #[arg(long)]
        hazards: Option<usize>,
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
        #[arg(long)]
        hazards: Option<usize>,
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

pub(crate) async fn bench_users(db: &Db) -> Result<Vec<String>, Fail> {
    let mut names = vec!["supervisor".to_string(), "staff".to_string(), "leader".to_string(), "finance".to_string()];
    let all = users::list(db, &luoshi_domain::access::Scope::All).await?;
    names.extend(all.into_iter().map(|(u, _)| u.username).filter(|n| n.starts_with('b') && n[1..].chars().all(|c| c.is_ascii_digit())).take(40));
    Ok(names)
}

pub(crate) async fn measure(db: &Db, base: &str, args: &LoadArgs) -> Result<(), Fail> {
    let users = bench_users(db).await?;
    let d = std::time::Duration::from_secs(args.duration);
    let rss_before = bench::server_rss(base).await;
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
    let rss_after = bench::server_rss(base).await;
    let tasks = luoshi_storage::tasks::count(db).await?;
    let appeals = luoshi_storage::bulk::seeded_appeals(db).await?;
    let size = luoshi_storage::probe::database_bytes(db).await?;
    println!(
        "luoshi bench on {} ({} tasks, about {} appeals, {:.0} MiB on disk), {} clients, {} cores",
        db.backend().as_str(),
        tasks,
        appeals,
        size as f64 / 1048576.0,
        args.concurrency,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let mib = |b: Option<f64>| b.map_or_else(|| "unknown".to_string(), |b| format!("{:.0} MiB", b / 1048576.0));
    println!("server resident memory: {} before the load, {} after it", mib(rss_before), mib(rss_after));
    bench::print(&mix, &alone, &limits);
    let errors: usize = mix.iter().chain(&alone).map(|l| l.errors).sum();
    if errors > 0 {
        return Err(Fail(format!("{errors} requests failed")));
    }
    Ok(())
}

pub(crate) async fn bench_cmd(url: &str, command: BenchCommand) -> Result<(), Fail> {
    match command {
        BenchCommand::Seed { scale, tasks, appeals, hazards, seed } => {
            let db = prepare(url, 4).await?;
            let started = std::time::Instant::now();
            let s = bench::seed(&db, scale, tasks, appeals, hazards, seed, today()).await?;
            println!(
                "seeded {} units, {} users, {} tasks, {} appeals, {} enterprises, {} hazards, {} emergency assignments, {} projects, {} approval items, {} debt instruments, {} schedule rows and {} livelihood proposals in {:.1} s",
                s.units,
                s.users,
                s.tasks,
                s.appeals,
                s.enterprises,
                s.hazards,
                s.assignments,
                s.projects,
                s.approvals,
                s.instruments,
                s.schedule_rows,
                s.proposals,
                started.elapsed().as_secs_f64()
            );
        }
        BenchCommand::Load { url: base, load } => {
            let db = connect(url, 8).await?;
            measure(&db, &base, &load).await?;
        }
        BenchCommand::Run { scale, tasks, appeals, hazards, use_database, load } => {
            let dir = std::env::temp_dir().join(format!("luoshi-bench-{}", std::process::id()));
            let db_url = if use_database { url.to_string() } else { format!("sqlite://{}/luoshi.db", dir.display()) };
            let db = prepare(&db_url, 16).await?;
            let started = std::time::Instant::now();
            let s = bench::seed(&db, scale, tasks, appeals, hazards, 42, today()).await?;
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
                drop(outline);
                // The whole breakdown (outline, points, deadlines, units), as the page runs it.
                let t1 = std::time::Instant::now();
                let b = luoshi_domain::doc::breakdown(&doc, &catalogue, 2026, None);
                times.push(t1.elapsed().as_secs_f64() * 1000.0);
                found = (b.outline.nodes.len(), b.tasks.len());
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
