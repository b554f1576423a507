//! Who did it, as people read it: a user's name and unit instead of a login, and words for the
//! system's own actors (the supervision run, imports and the demo, a citizen by channel).

use luoshi_domain::i18n::{t, Lang};
use luoshi_storage::Db;
use std::collections::HashMap;

/// The county's users by login, read once for a page.
pub(crate) struct Actors(HashMap<String, String>);

impl Actors {
    pub(crate) async fn load(db: &Db) -> luoshi_storage::Result<Actors> {
        let users = luoshi_storage::users::list(db, &luoshi_domain::access::Scope::All).await?;
        Ok(Actors(users.into_iter().map(|(u, unit)| (u.username, format!("{}（{unit}）", u.display_name))).collect()))
    }

    /// The name to show for a trail's actor.
    pub(crate) fn label(&self, lang: Lang, actor: &str) -> String {
        if let Some(name) = self.0.get(actor) {
            return name.clone();
        }
        match actor.split_once(':') {
            _ if actor == "supervision" => t(lang, "actor.supervision").to_string(),
            _ if actor == "system" => t(lang, "actor.system").to_string(),
            Some(("cli", _)) => t(lang, "actor.system").to_string(),
            Some(("citizen", channel)) => t(lang, "actor.citizen").replace("{channel}", t(lang, &format!("channel.{channel}"))),
            _ => actor.to_string(),
        }
    }
}
