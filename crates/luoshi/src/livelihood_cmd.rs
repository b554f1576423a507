//! `luoshi livelihood …`: the year's proposals and a session's result sheet as xlsx, and the
//! chosen projects handed to their units now (the minute watch does it too).

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum LivelihoodCommand {
    /// Write a year's proposals (every state) as xlsx.
    Export {
        #[arg(long)]
        year: i64,
        file: std::path::PathBuf,
    },
    /// Write a session's result sheet (counts, ranks, outcomes, the tellers) as xlsx.
    Sheet { session: i64, file: std::path::PathBuf },
    /// Hand every chosen project not yet delivered to its unit as a task.
    Deliver,
}

pub(crate) async fn livelihood(url: &str, command: LivelihoodCommand) -> Result<(), Fail> {
    let who = luoshi_app::Who::system("livelihood");
    let now = luoshi_storage::now_micros();
    let db = prepare(url, 2).await?;
    let write = |file: &std::path::Path, bytes: Vec<u8>| std::fs::write(file, bytes).map_err(|e| Fail(format!("{}: {e}", file.display())));
    match command {
        LivelihoodCommand::Export { year, file } => {
            let (head, rows) = luoshi_app::livelihood::report::proposals_table(&db, &who, year, Vec::new(), now).await?;
            write(&file, luoshi_ledger::write_xlsx("民生实事", &head, &rows)?)?;
            println!("{} proposals of {year} written to {}", rows.len(), file.display());
        }
        LivelihoodCommand::Sheet { session, file } => {
            let v = luoshi_app::livelihood::sessions::one(&db, &who, session, now).await?;
            let (head, rows) = luoshi_app::livelihood::report::sheet_table(&v);
            let head: Vec<&str> = head.iter().map(String::as_str).collect();
            write(&file, luoshi_ledger::write_xlsx("表决结果", &head, &rows)?)?;
            println!("result sheet of session {session} ({}) written to {}", v.s.state.as_str(), file.display());
        }
        LivelihoodCommand::Deliver => {
            let n = luoshi_app::links::livelihood_delivery::sweep(&db, now).await?;
            println!("{n} chosen projects handed to their units as tasks");
        }
    }
    Ok(())
}
