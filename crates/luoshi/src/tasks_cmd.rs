//! `luoshi tasks …` and `luoshi supervise`: the 任务分解表 in Excel and the supervision run.

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum TasksCommand {
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

pub(crate) async fn tasks(url: &str, command: TasksCommand) -> Result<(), Fail> {
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

/// `luoshi supervise`: today, written; another date only as a rehearsal.
pub(crate) async fn supervise(url: &str, date: Option<String>, rehearsal: bool) -> Result<(), Fail> {
    let db = prepare(url, 2).await?;
    let day = date.map(|d| luoshi_domain::time::parse_date("date", &d)).transpose()?;
    let r = luoshi_app::supervision::supervise_on(&db, today(), day, rehearsal).await?;
    let raised = if r.rehearsal { "would be raised" } else { "raised" };
    println!(
        "{}supervised {} open tasks as of {}: {} lights changed, {} reminders, {} notices, {} reports {raised}",
        if r.rehearsal { "rehearsal (nothing written): " } else { "" },
        r.checked,
        r.date,
        r.lights_changed,
        r.reminders,
        r.notices,
        r.reports,
    );
    let a = &r.appeals;
    println!(
        "and {} open appeals: {} lights changed, {} reminders, {} notices, {} reports {raised}",
        a.checked, a.lights_changed, a.reminders, a.notices, a.reports
    );
    Ok(())
}
