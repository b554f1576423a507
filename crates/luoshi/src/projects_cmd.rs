//! `luoshi projects …`: 重大项目's ledger in and out, and where projects get stuck.

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum ProjectsCommand {
    /// Import the project ledger (xlsx or CSV; columns 项目名称, 项目代码 … 年度计划投资（万元）):
    /// every row or none; fails listing every problem by row and column.
    Import {
        file: std::path::PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the project ledger as xlsx, in the columns of the import.
    Export { file: std::path::PathBuf },
    /// Where projects get stuck over a period (dates YYYY-MM-DD; the year so far by default):
    /// working days per approving unit and item, longest first, and how long it took to count.
    Bottlenecks {
        #[arg(long, default_value = "")]
        from: String,
        #[arg(long, default_value = "")]
        to: String,
    },
}

pub(crate) async fn projects(url: &str, command: ProjectsCommand) -> Result<(), Fail> {
    let who = luoshi_app::Who::system("projects");
    let now = luoshi_storage::now_micros();
    match command {
        ProjectsCommand::Import { file, dry_run } => {
            let db = prepare(url, 2).await?;
            let bytes = std::fs::read(&file).map_err(|e| Fail(format!("{}: {e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match luoshi_app::projects::io::import(&db, &who, &bytes, &name, dry_run, now).await? {
                Ok(r) => println!(
                    "{} {} rows: {} added, {} already in the ledger, {} warnings",
                    if dry_run { "checked" } else { "imported" },
                    r.rows,
                    r.created,
                    r.existing,
                    r.warnings.len()
                ),
                Err(errors) => {
                    for e in &errors {
                        eprintln!("row {} {}: {}", e.row, e.column, luoshi_domain::i18n::error_message(luoshi_domain::i18n::Lang::ZhCn, &e.as_domain()));
                    }
                    return Err(Fail(format!("{} problems; nothing imported", errors.len())));
                }
            }
        }
        ProjectsCommand::Export { file } => {
            let db = prepare(url, 2).await?;
            let bytes = luoshi_app::projects::io::export(&db, &who, &Default::default(), now).await?;
            std::fs::write(&file, bytes).map_err(|e| Fail(format!("{}: {e}", file.display())))?;
            println!("project ledger written to {}", file.display());
        }
        ProjectsCommand::Bottlenecks { from, to } => {
            let db = prepare(url, 2).await?;
            let p = luoshi_app::projects::bottleneck::period(&from, &to, luoshi_domain::time::local_date(now))?;
            let started = std::time::Instant::now();
            let b = luoshi_app::projects::bottleneck::report(&db, &who, p, now).await?;
            let visits: i64 = b.by_unit.iter().map(|f| f.visits).sum();
            println!("{} to {}: {visits} approval visits counted in {:.0} ms", p.from, p.to, started.elapsed().as_secs_f64() * 1000.0);
            for f in &b.by_unit {
                println!(
                    "  {:<24} {:>7.1} working days a project ({} projects, {} visits)",
                    b.units.get(&f.key).cloned().unwrap_or_else(|| f.key.clone()),
                    f.average,
                    f.project_count,
                    f.visits
                );
            }
            for f in b.by_item.iter().take(5) {
                println!(
                    "  {:<24} {:>7.1} working days a project ({} projects, {} visits)",
                    b.items.get(&f.key).cloned().unwrap_or_else(|| f.key.clone()),
                    f.average,
                    f.project_count,
                    f.visits
                );
            }
        }
    }
    Ok(())
}
