//! `luoshi hazards …`: 安全生产's maintenance.

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum HazardsCommand {
    /// Count every hazard again and put the counts the statistics read in place of the kept
    /// ones; says whether the kept counts held (they are moved by every change).
    Recount,
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
    }
    Ok(())
}
