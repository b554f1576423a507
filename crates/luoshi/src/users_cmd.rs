//! `luoshi user …`: accounts from the command line.

use crate::*;
use clap::Subcommand;
use luoshi_storage::{users, Actor};

#[derive(Subcommand, Debug)]
pub(crate) enum UserCommand {
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

pub(crate) async fn user(url: &str, command: UserCommand) -> Result<(), Fail> {
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
