//! Warnings pushed to the upstream (a city's luoshi, or any CAP receiver): every message
//! published here is POSTed as CAP XML to the configured inbox, with a bearer token; a message
//! not delivered stays in the outbox and is tried again by the next watch, so none is lost to a
//! line that was down. Plain HTTP: the government intranet's own network.

use crate::AppState;

/// Where warnings go: the upstream's CAP inbox and its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub url: String,
    pub token: Option<String>,
}

/// Deliver the outbox; (delivered, failed).
pub async fn push_pending(state: &AppState, up: &Upstream) -> Result<(usize, usize), luoshi_storage::StoreError> {
    let pending = luoshi_app::emergencies::warnings::outbox(&state.db, 100).await?;
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
        let mut req = client.post(&up.url).header("content-type", "application/cap+xml").body(s.xml.clone().unwrap_or_default());
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
        luoshi_app::emergencies::warnings::delivered(&state.db, s.id, outcome, state.now()).await?;
    }
    Ok((ok, failed))
}
