//! `luoshi hazards …`: 安全生产's maintenance.

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum HazardsCommand {
    /// Count every hazard again and put the counts the statistics read in place of the kept
    /// ones; says whether the kept counts held (they are moved by every change).
    Recount,
    /// Import the enterprise ledger (xlsx or CSV; columns 企业名称, 统一社会信用代码, 行业代码,
    /// 监管部门, 所在乡镇, 地址, 规模, 重点监管类别, 重大危险源等级): every row or none; fails
    /// listing every problem by row and column.
    ImportEnterprises {
        file: std::path::PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the enterprise ledger as xlsx, in the columns of the import.
    ExportEnterprises { file: std::path::PathBuf },
}

pub(crate) async fn hazards(url: &str, command: HazardsCommand) -> Result<(), Fail> {
    match command {
        HazardsCommand::Recount => {
            let db = prepare(url, 2).await?;
            let (held, buckets) = luoshi_storage::hazards::counts::recount(&db, &Actor::cli("hazards")).await?;
            if held {
                println!("hazard counts held: {buckets} buckets, equal to a count of every hazard");
            } else {
                println!("hazard counts differed from a count of every hazard and were rebuilt: {buckets} buckets");
            }
        }
        HazardsCommand::ImportEnterprises { file, dry_run } => {
            let db = prepare(url, 2).await?;
            let bytes = std::fs::read(&file).map_err(|e| Fail(format!("{}: {e}", file.display())))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let who = luoshi_app::Who::system("hazards import");
            let now = luoshi_storage::now_micros();
            match luoshi_app::hazards::enterprise_ledger::import(&db, &who, &bytes, &name, dry_run, now).await? {
                Ok(r) => println!(
                    "{} {} rows: {} added, {} updated, {} duplicate rows merged, {} warnings",
                    if dry_run { "checked" } else { "imported" },
                    r.rows,
                    r.created,
                    r.updated,
                    r.merged.len(),
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
        HazardsCommand::ExportEnterprises { file } => {
            let db = prepare(url, 2).await?;
            let rows = luoshi_app::hazards::enterprise_ledger::export_rows(&db, &luoshi_app::Who::system("hazards export")).await?;
            let bytes = luoshi_ledger::write_xlsx("生产经营单位", &luoshi_app::hazards::enterprise_ledger::COLUMNS, &rows)?;
            std::fs::write(&file, bytes).map_err(|e| Fail(format!("{}: {e}", file.display())))?;
            println!("{} enterprises written to {}", rows.len(), file.display());
        }
    }
    Ok(())
}
