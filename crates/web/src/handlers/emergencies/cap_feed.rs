//! The public face of the warnings: an Atom feed of the CAP messages issued here (published,
//! superseded and cancelled, so a consumer follows each chain) and each message's XML at a
//! stable URL. Only Public messages; nothing composed is shown before it is published, and a
//! message carries nothing but what its composer wrote for the public.

use crate::error::AppResult;
use crate::extract::Path;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use luoshi_app::emergencies::exchange;
use luoshi_domain::emergencies::cap::cap_time;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn feed(State(app): State<AppState>) -> AppResult<Response> {
    let rows = exchange::public(&app.db, 200).await?;
    let updated = rows.iter().map(|r| r.updated_at).max().unwrap_or(0);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out += &format!("  <id>urn:luoshi:cap:feed</id>\n  <title>预警信息</title>\n  <updated>{}</updated>\n", cap_time(updated));
    out += "  <link rel=\"self\" href=\"/cap/feed.atom\"/>\n";
    for r in &rows {
        let href = format!("/cap/{}/{}.xml", r.sender, r.identifier);
        out += &format!(
            "  <entry>\n    <id>urn:cap:{}:{}</id>\n    <title>{}</title>\n    <updated>{}</updated>\n    <category term=\"{}\"/>\n    <summary>{}</summary>\n    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"{}\"/>\n  </entry>\n",
            esc(&r.sender),
            esc(&r.identifier),
            esc(&r.headline),
            cap_time(r.updated_at),
            esc(&r.state),
            esc(&format!("{} {}", r.msg_type, r.event)),
            esc(&href)
        );
    }
    out += "</feed>\n";
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], out).into_response())
}

pub async fn one(State(app): State<AppState>, Path((sender, file)): Path<(String, String)>) -> AppResult<Response> {
    let identifier = file.strip_suffix(".xml").unwrap_or(&file);
    let s = exchange::public_one(&app.db, &sender, identifier).await?;
    Ok(([(header::CONTENT_TYPE, "application/cap+xml; charset=utf-8")], s.xml.unwrap_or_default()).into_response())
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    t.add(M::GET, "/cap/feed.atom", crate::routes::PUBLIC, "cap", "The warnings issued here as an Atom feed (published, superseded, cancelled)", feed).add(
        M::GET,
        "/cap/{sender}/{file}",
        crate::routes::PUBLIC,
        "cap",
        "One warning's CAP 1.2 XML as published ({identifier}.xml)",
        one,
    )
}
