//! CAP 1.2 (OASIS Common Alerting Protocol, namespace [`NS`]): the message as a value
//! ([`Alert`]), written in the schema's element order ([`write`]), read safely from what a
//! peer sends (no DTD, no entity of its own, no network: [`read`]) and checked by the
//! standard's rules beyond the schema ([`check`]): references neither circular nor post-dated,
//! polygons closed, times with a numeric offset and no fraction.
//!
//! Enumerated values are kept as the text the standard spells, so a message received from
//! another profile round-trips unchanged; [`check`] holds them to the standard's lists.

mod check;
mod read;
mod write;

pub use check::check;
pub use read::read;
pub use write::write;

use crate::time::Micros;
use chrono::{DateTime, FixedOffset, TimeZone};

/// The CAP 1.2 namespace.
pub const NS: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// One `<alert>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    pub identifier: String,
    pub sender: String,
    /// `YYYY-MM-DDThh:mm:ss+hh:mm`, as the standard requires.
    pub sent: String,
    /// Actual | Exercise | System | Test | Draft.
    pub status: String,
    /// Alert | Update | Cancel | Ack | Error.
    pub msg_type: String,
    pub source: Option<String>,
    /// Public | Restricted | Private.
    pub scope: String,
    pub restriction: Option<String>,
    pub addresses: Option<String>,
    pub codes: Vec<String>,
    pub note: Option<String>,
    /// The `references` element as sent (`sender,identifier,sent` triples, space-separated);
    /// `None` when absent.
    pub references: Option<String>,
    pub incidents: Option<String>,
    pub infos: Vec<Info>,
}

/// One `<info>` block (one per language).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Info {
    pub language: Option<String>,
    pub categories: Vec<String>,
    pub event: String,
    pub response_types: Vec<String>,
    pub urgency: String,
    pub severity: String,
    pub certainty: String,
    pub audience: Option<String>,
    pub event_codes: Vec<(String, String)>,
    pub effective: Option<String>,
    pub onset: Option<String>,
    pub expires: Option<String>,
    pub sender_name: Option<String>,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    pub web: Option<String>,
    pub contact: Option<String>,
    pub parameters: Vec<(String, String)>,
    pub resources: Vec<Resource>,
    pub areas: Vec<Area>,
}

/// One `<resource>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Resource {
    pub desc: String,
    pub mime_type: String,
    pub size: Option<String>,
    pub uri: Option<String>,
    pub deref_uri: Option<String>,
    pub digest: Option<String>,
}

/// One `<area>`: by administrative code (`geocode`), polygons and circles.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Area {
    pub desc: String,
    pub polygons: Vec<String>,
    pub circles: Vec<String>,
    pub geocodes: Vec<(String, String)>,
    pub altitude: Option<String>,
    pub ceiling: Option<String>,
}

/// A reference of `references`: the message it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub sender: String,
    pub identifier: String,
    pub sent: String,
}

impl Reference {
    pub fn of(a: &Alert) -> Reference {
        Reference { sender: a.sender.clone(), identifier: a.identifier.clone(), sent: a.sent.clone() }
    }
    pub fn text(&self) -> String {
        format!("{},{},{}", self.sender, self.identifier, self.sent)
    }
}

/// The references of an alert, parsed (an empty or malformed element is an error).
pub fn references(a: &Alert) -> Result<Vec<Reference>, crate::DomainError> {
    let Some(text) = &a.references else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for triple in text.split_whitespace() {
        let parts: Vec<&str> = triple.split(',').collect();
        match parts.as_slice() {
            [s, i, t] if !s.is_empty() && !i.is_empty() && parse_time(t).is_some() => {
                out.push(Reference { sender: (*s).to_string(), identifier: (*i).to_string(), sent: (*t).to_string() })
            }
            _ => return Err(crate::DomainError::invalid("references").with_detail(triple.to_string())),
        }
    }
    if out.is_empty() {
        return Err(crate::DomainError::required("references").with_detail("empty"));
    }
    Ok(out)
}

/// A moment in the form CAP requires: Beijing time with its offset, whole seconds.
pub fn cap_time(m: Micros) -> String {
    let secs = m.div_euclid(1_000_000);
    match crate::time::shanghai().timestamp_opt(secs, 0).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => String::new(),
    }
}

/// A CAP time read back: exactly `YYYY-MM-DDThh:mm:ss±hh:mm` (no `Z`, no fraction).
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    let shape = b.len() == 25
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 | 22 => *c == b':',
            19 => *c == b'+' || *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%:z").ok()
}

/// A CAP time as µs since the epoch.
pub fn time_micros(s: &str) -> Option<Micros> {
    parse_time(s).map(|t| t.timestamp() * 1_000_000)
}

#[cfg(test)]
mod tests;
