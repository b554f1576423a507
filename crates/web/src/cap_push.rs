//! CAP messages pushed to their peers (a city's luoshi, its counties', or any CAP receiver):
//! every message published here is POSTed as CAP XML with a bearer token — a Private one to the
//! peer its `addresses` names (a higher level's activation going down to the county that
//! reported), any other to the upstream. A message not delivered stays in the outbox and is
//! tried again by the next watch, so none is lost to a line that was down. Plain HTTP: the
//! government intranet's own network.

use crate::AppState;

/// Where warnings go: the upstream's CAP inbox and its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub url: String,
    pub token: Option<String>,
}

/// Where messages go: the upstream, and the peers below by their CAP sender name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    pub upstream: Option<Upstream>,
    pub peers: Vec<(String, Upstream)>,
}

impl Routes {
    pub fn is_empty(&self) -> bool {
        self.upstream.is_none() && self.peers.is_empty()
    }

    /// Where a message goes: the addressed peer for a Private one, else the upstream.
    fn route(&self, xml: &str) -> Option<&Upstream> {
        match luoshi_domain::emergencies::cap::read(xml) {
            Ok(a) if a.scope == "Private" => {
                let to: Vec<&str> = a.addresses.as_deref().unwrap_or("").split_whitespace().collect();
                self.peers.iter().find(|(name, _)| to.contains(&name.as_str())).map(|(_, u)| u)
            }
            _ => self.upstream.as_ref(),
        }
    }

    /// `SENDER=URL` pairs separated by `;`, each URL with an optional `#TOKEN`.
    pub fn peers_from(text: &str) -> Vec<(String, Upstream)> {
        text.split(';')
            .filter_map(|p| {
                let (name, rest) = p.trim().split_once('=')?;
                let (url, token) = match rest.split_once('#') {
                    Some((u, t)) => (u, Some(t.to_string())),
                    None => (rest, None),
                };
                Some((name.trim().to_string(), Upstream { url: url.trim().to_string(), token }))
            })
            .collect()
    }
}

/// Deliver the outbox; (delivered, failed or without a route).
pub async fn push_pending(state: &AppState, routes: &Routes) -> Result<(usize, usize), luoshi_storage::StoreError> {
    let pending = luoshi_app::emergencies::exchange::outbox(&state.db, 100).await?;
    if pending.is_empty() {
        return Ok((0, 0));
    }
    let client = match reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "no HTTP client for the CAP upstream");
            return Ok((0, pending.len()));
        }
    };
    let (mut ok, mut failed) = (0, 0);
    for s in pending {
        let xml = s.xml.clone().unwrap_or_default();
        let Some(up) = routes.route(&xml) else {
            failed += 1;
            luoshi_app::emergencies::exchange::delivered(&state.db, s.id, Err("no route for its addressee".into()), state.now()).await?;
            continue;
        };
        let mut req = client.post(&up.url).header("content-type", "application/cap+xml").body(xml);
        if let Some(t) = &up.token {
            req = req.bearer_auth(t);
        }
        let outcome = match req.send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("{} {}", r.status(), r.text().await.unwrap_or_default().chars().take(300).collect::<String>())),
            Err(e) => Err(e.to_string()),
        };
        if outcome.is_ok() {
            ok += 1;
        } else {
            failed += 1;
        }
        luoshi_app::emergencies::exchange::delivered(&state.db, s.id, outcome, state.now()).await?;
    }
    Ok((ok, failed))
}
