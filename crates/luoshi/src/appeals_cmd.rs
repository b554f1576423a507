//! `luoshi appeals …` and `luoshi open311 …`: the routing model, the search index, Open311 keys.

use crate::*;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum AppealsCommand {
    /// Train the routing model on the county's closed appeals and store it for every node;
    /// prints the held-out (5-fold cross-validated) accuracy. Also rebuilds it from scratch.
    Train,
    /// Rebuild the search index (each appeal's 检索签名) from the appeals themselves; run it once
    /// after upgrading a database that already holds appeals. Searches stay correct meanwhile.
    Reindex,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Open311Command {
    /// API keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum KeyCommand {
    /// Issue a key for a client application; the key is printed once.
    Add { name: String },
    /// The keys issued (never the keys themselves).
    List,
    /// Revoke a key by its id.
    Revoke { id: i64 },
}

pub(crate) async fn appeals(url: &str, command: AppealsCommand) -> Result<(), Fail> {
    match command {
        AppealsCommand::Train => {
            let db = prepare(url, 2).await?;
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
        AppealsCommand::Reindex => {
            let db = prepare(url, 2).await?;
            let started = std::time::Instant::now();
            let n = luoshi_app::appeals::reindex(&db).await?;
            println!("search index rebuilt for {n} appeals in {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    Ok(())
}

pub(crate) async fn open311(url: &str, command: Open311Command) -> Result<(), Fail> {
    let Open311Command::Key { command } = command;
    let db = prepare(url, 2).await?;
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
    Ok(())
}
