//! `luoshi debt …`: the debt ledger in and out, the watch, the figures and the disclosure.

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum DebtCommand {
    /// Import the debt ledger (xlsx or CSV; columns 债务编号, 债务名称 … 备注): every row or none;
    /// fails listing every problem by row and column.
    Import {
        file: std::path::PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the debt ledger as xlsx, in the columns of the import and the balance.
    Export { file: std::path::PathBuf },
    /// Open the duties of large maturities and raise the warnings now (the daily run does it).
    Watch,
    /// The indicators and warnings on today, and how long they took to compute.
    Ratios,
    /// Write a year's disclosure table (限额 and 余额, 亿元 to four decimals) as xlsx.
    Disclosure {
        #[arg(long)]
        year: i32,
        file: std::path::PathBuf,
    },
}

pub(crate) async fn debt(url: &str, command: DebtCommand) -> Result<(), Fail> {
    let who = luoshi_app::Who::system("debt");
    let now = luoshi_storage::now_micros();
    let db = prepare(url, 2).await?;
    match command {
        DebtCommand::Import { file, dry_run } => {
            let bytes = std::fs::read(&file).map_err(|e| Fail(format!("{}: {e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match luoshi_app::debt::io::import(&db, &who, &bytes, &name, dry_run, now).await? {
                Ok(r) => {
                    println!("{} {} rows: {} added, {} already in the ledger", if dry_run { "checked" } else { "imported" }, r.rows, r.created, r.existing)
                }
                Err(errors) => {
                    for e in &errors {
                        eprintln!("row {} {}: {}", e.row, e.column, luoshi_domain::i18n::error_message(luoshi_domain::i18n::Lang::ZhCn, &e.as_domain()));
                    }
                    return Err(Fail(format!("{} problems; nothing imported", errors.len())));
                }
            }
        }
        DebtCommand::Export { file } => {
            let bytes = luoshi_app::debt::io::export(&db, &who, &Default::default(), now).await?;
            std::fs::write(&file, bytes).map_err(|e| Fail(format!("{}: {e}", file.display())))?;
            println!("debt ledger written to {}", file.display());
        }
        DebtCommand::Watch => {
            let w = luoshi_app::debt::duties::watch(&db, now).await?;
            println!("{} maturity duties opened, {} warnings raised", w.maturities_opened, w.warnings_raised);
        }
        DebtCommand::Ratios => {
            let started = std::time::Instant::now();
            let r = luoshi_app::debt::figures::ratios(&db, &who, now).await?;
            let x = &r.indicators;
            let p = |v: Option<i64>| v.map(luoshi_domain::money::percent).unwrap_or_else(|| "—".into());
            println!("computed in {:.0} ms (the book read once per version)", started.elapsed().as_secs_f64() * 1000.0);
            println!("  债务率 {}  全口径 {}  偿债率 {}  逾期 {}", p(x.debt_ratio_bp), p(x.broad_ratio_bp), p(x.service_bp), p(x.overdue_bp));
            println!(
                "  非标 {}  信托租赁 {}  加权利率 {}  12个月内到期 {}",
                p(x.nonstandard_bp),
                p(x.trust_leasing_bp),
                x.average_rate.show(),
                p(x.within_12_months_bp)
            );
            for w in &r.warnings {
                println!("  warning: {} {} ({} against {})", w.indicator, w.level, w.value, w.threshold);
            }
        }
        DebtCommand::Disclosure { year, file } => {
            let d = luoshi_app::debt::figures::disclosure(&db, &who, year, now).await?;
            let (head, rows) = luoshi_app::debt::figures::disclosure_table(&d);
            let bytes = luoshi_ledger::write_xlsx(&format!("{year}年政府债务"), &head, &rows)?;
            std::fs::write(&file, bytes).map_err(|e| Fail(format!("{}: {e}", file.display())))?;
            println!("{year} disclosure written to {}", file.display());
        }
    }
    Ok(())
}
