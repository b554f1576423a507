//! The rules a CAP 1.2 message must keep beyond its structure: the schema's value lists and
//! patterns (identifiers without spaces, commas, `<` or `&`; times with a numeric offset and
//! no fraction), and the semantic rules validators apply (restriction only when restricted,
//! addresses when private, references neither empty nor circular nor post-dated, an Update or
//! Cancel referring to what it changes, closed polygons, circles and altitudes that make sense).

use super::{parse_time, references, Alert, Area, Info};
use crate::error::{DomainError, ErrorCode};

const STATUS: &[&str] = &["Actual", "Exercise", "System", "Test", "Draft"];
const MSG_TYPE: &[&str] = &["Alert", "Update", "Cancel", "Ack", "Error"];
const SCOPE: &[&str] = &["Public", "Restricted", "Private"];
const CATEGORY: &[&str] = &["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"];
const RESPONSE: &[&str] = &["Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"];
const URGENCY: &[&str] = &["Immediate", "Expected", "Future", "Past", "Unknown"];
const SEVERITY: &[&str] = &["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
const CERTAINTY: &[&str] = &["Observed", "Likely", "Possible", "Unlikely", "Unknown"];

fn bad(field: &str, detail: impl Into<String>) -> DomainError {
    DomainError::field(ErrorCode::Invalid, field).with_detail(detail)
}

fn one_of(field: &str, v: &str, list: &[&str]) -> Result<(), DomainError> {
    if list.contains(&v) {
        Ok(())
    } else {
        Err(bad(field, v.to_string()))
    }
}

fn time(field: &str, v: &Option<String>) -> Result<(), DomainError> {
    match v {
        Some(t) if parse_time(t).is_none() => Err(bad(field, t.clone())),
        _ => Ok(()),
    }
}

/// Check an alert; the error names the element.
pub fn check(a: &Alert) -> Result<(), DomainError> {
    for (field, v) in [("identifier", &a.identifier), ("sender", &a.sender)] {
        if v.is_empty() {
            return Err(DomainError::required(field));
        }
        if v.chars().any(|c| c.is_whitespace() || c == ',' || c == '<' || c == '&') {
            return Err(bad(field, v.clone()));
        }
    }
    let sent = parse_time(&a.sent).ok_or_else(|| bad("sent", a.sent.clone()))?;
    one_of("status", &a.status, STATUS)?;
    one_of("msgType", &a.msg_type, MSG_TYPE)?;
    one_of("scope", &a.scope, SCOPE)?;
    if a.restriction.is_some() != (a.scope == "Restricted") {
        return Err(bad("restriction", "only, and always, with scope Restricted"));
    }
    if a.scope == "Private" && a.addresses.as_deref().is_none_or(str::is_empty) {
        return Err(DomainError::required("addresses"));
    }
    let refs = references(a)?;
    if matches!(a.msg_type.as_str(), "Update" | "Cancel" | "Ack" | "Error") && refs.is_empty() {
        return Err(DomainError::required("references").with_detail(a.msg_type.clone()));
    }
    for r in &refs {
        if r.sender == a.sender && r.identifier == a.identifier {
            return Err(bad("references", "refers to itself"));
        }
        if parse_time(&r.sent).is_some_and(|t| t > sent) {
            return Err(bad("references", format!("refers to a message sent later ({})", r.sent)));
        }
    }
    if a.msg_type != "Ack" && a.msg_type != "Error" && a.status != "Draft" && a.infos.is_empty() {
        return Err(DomainError::required("info"));
    }
    for i in &a.infos {
        info(i)?;
    }
    Ok(())
}

fn info(i: &Info) -> Result<(), DomainError> {
    if let Some(l) = &i.language {
        // RFC 3066: a primary tag of letters, subtags of letters and digits.
        let ok = l
            .split('-')
            .enumerate()
            .all(|(n, p)| (1..=8).contains(&p.len()) && p.chars().all(|c| if n == 0 { c.is_ascii_alphabetic() } else { c.is_ascii_alphanumeric() }));
        if !ok {
            return Err(bad("language", l.clone()));
        }
    }
    if i.categories.is_empty() {
        return Err(DomainError::required("category"));
    }
    for c in &i.categories {
        one_of("category", c, CATEGORY)?;
    }
    if i.event.is_empty() {
        return Err(DomainError::required("event"));
    }
    for r in &i.response_types {
        one_of("responseType", r, RESPONSE)?;
    }
    one_of("urgency", &i.urgency, URGENCY)?;
    one_of("severity", &i.severity, SEVERITY)?;
    one_of("certainty", &i.certainty, CERTAINTY)?;
    time("effective", &i.effective)?;
    time("onset", &i.onset)?;
    time("expires", &i.expires)?;
    if let Some(w) = &i.web {
        if !(w.starts_with("http://") || w.starts_with("https://")) {
            return Err(bad("web", "not an absolute URI"));
        }
    }
    for r in &i.resources {
        if r.desc.is_empty() {
            return Err(DomainError::required("resourceDesc"));
        }
        if r.mime_type.split('/').filter(|p| !p.is_empty()).count() != 2 {
            return Err(bad("mimeType", r.mime_type.clone()));
        }
        if r.size.as_ref().is_some_and(|s| s.parse::<u64>().is_err()) {
            return Err(bad("size", r.size.clone().unwrap_or_default()));
        }
    }
    for a in &i.areas {
        area(a)?;
    }
    Ok(())
}

fn point(p: &str) -> Option<(f64, f64)> {
    let (lat, lon) = p.split_once(',')?;
    let (lat, lon): (f64, f64) = (lat.trim().parse().ok()?, lon.trim().parse().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

fn area(a: &Area) -> Result<(), DomainError> {
    if a.desc.is_empty() {
        return Err(DomainError::required("areaDesc"));
    }
    for p in &a.polygons {
        let pts: Option<Vec<(f64, f64)>> = p.split_whitespace().map(point).collect();
        let pts = pts.ok_or_else(|| bad("polygon", "points are `lat,lon` pairs in range"))?;
        if pts.len() < 4 {
            return Err(bad("polygon", "at least four points"));
        }
        if pts.first() != pts.last() {
            return Err(bad("polygon", "not closed: the first point must equal the last"));
        }
    }
    for c in &a.circles {
        let ok = c.split_once(' ').is_some_and(|(p, r)| point(p).is_some() && r.trim().parse::<f64>().is_ok_and(|r| r >= 0.0));
        if !ok {
            return Err(bad("circle", c.clone()));
        }
    }
    for (name, value) in &a.geocodes {
        if name.is_empty() || value.is_empty() {
            return Err(DomainError::required("geocode"));
        }
    }
    let num =
        |v: &Option<String>, f: &str| -> Result<Option<f64>, DomainError> { v.as_ref().map(|s| s.parse::<f64>().map_err(|_| bad(f, s.clone()))).transpose() };
    match (num(&a.altitude, "altitude")?, num(&a.ceiling, "ceiling")?) {
        (None, Some(_)) => Err(bad("ceiling", "needs an altitude")),
        (Some(lo), Some(hi)) if lo > hi => Err(bad("ceiling", "below the altitude")),
        _ => Ok(()),
    }
}
