//! Reading a CAP 1.2 message a peer sent, safely: a document type declaration (and with it
//! any entity of the sender's own, internal or external) is refused before anything is read,
//! so nothing is expanded and nothing is fetched; only the five predefined entities and
//! character references are understood. The elements are then held to the schema's sequences
//! (order and how often each may occur); elements of other namespaces are allowed where the
//! schema allows them (after the last `info`, as signatures are). Values are checked by
//! [`super::check`].

use super::{Alert, Area, Info, Resource, NS};
use crate::error::{DomainError, ErrorCode};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// The largest message read (1 MiB: a warning with many polygons stays far below).
const MAX_BYTES: usize = 1 << 20;
const MAX_DEPTH: usize = 12;

fn bad(detail: impl Into<String>) -> DomainError {
    DomainError::field(ErrorCode::Invalid, "cap").with_detail(detail)
}

/// An element: whether it is in the CAP namespace, its local name, its text, its children.
#[derive(Debug, Default)]
struct Node {
    cap: bool,
    name: String,
    text: String,
    children: Vec<Node>,
}

fn tree(xml: &str) -> Result<Node, DomainError> {
    if xml.len() > MAX_BYTES {
        return Err(DomainError::field(ErrorCode::TooLarge, "cap"));
    }
    let mut r = quick_xml::reader::NsReader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let (ns, ev) = r.read_resolved_event().map_err(|e| bad(format!("not well-formed XML: {e}")))?;
        let start = |ns: &ResolveResult<'_>, local: &[u8]| Node {
            cap: matches!(ns, ResolveResult::Bound(n) if n.as_ref() == NS.as_bytes()),
            name: String::from_utf8_lossy(local).into_owned(),
            ..Node::default()
        };
        match ev {
            Event::DocType(_) => return Err(bad("a document type declaration (DTD) is not accepted")),
            Event::Start(_) | Event::Empty(_) if stack.is_empty() && root.is_some() => return Err(bad("more than one root element")),
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(bad("nested too deep"));
                }
                stack.push(start(&ns, e.local_name().as_ref()));
            }
            Event::Empty(e) => {
                let n = start(&ns, e.local_name().as_ref());
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::End(_) => {
                let n = stack.pop().ok_or_else(|| bad("unbalanced"))?;
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::Text(t) => {
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(&t.decode().map_err(|_| bad("text is not UTF-8"))?);
                } else if !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(bad("text outside the alert"));
                }
            }
            Event::CData(t) => {
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(&t.decode().map_err(|_| bad("text is not UTF-8"))?);
                }
            }
            Event::GeneralRef(e) => {
                let name = e.decode().map_err(|_| bad("an entity reference is not UTF-8"))?;
                let c = match name.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => e.resolve_char_ref().ok().flatten().ok_or_else(|| bad(format!("an undeclared entity &{name};")))?,
                };
                if let Some(p) = stack.last_mut() {
                    p.text.push(c);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(bad("unbalanced"));
    }
    let root = root.ok_or_else(|| bad("empty"))?;
    if root.name != "alert" || !root.cap {
        return Err(bad(format!("the root is not a CAP 1.2 alert ({NS})")));
    }
    Ok(root)
}

/// One element of a sequence: its name and how often it may occur (`max` 0 for unbounded).
type Particle = (&'static str, usize, usize);

const ALERT: &[Particle] = &[
    ("identifier", 1, 1),
    ("sender", 1, 1),
    ("sent", 1, 1),
    ("status", 1, 1),
    ("msgType", 1, 1),
    ("source", 0, 1),
    ("scope", 1, 1),
    ("restriction", 0, 1),
    ("addresses", 0, 1),
    ("code", 0, 0),
    ("note", 0, 1),
    ("references", 0, 1),
    ("incidents", 0, 1),
    ("info", 0, 0),
];
const INFO: &[Particle] = &[
    ("language", 0, 1),
    ("category", 1, 0),
    ("event", 1, 1),
    ("responseType", 0, 0),
    ("urgency", 1, 1),
    ("severity", 1, 1),
    ("certainty", 1, 1),
    ("audience", 0, 1),
    ("eventCode", 0, 0),
    ("effective", 0, 1),
    ("onset", 0, 1),
    ("expires", 0, 1),
    ("senderName", 0, 1),
    ("headline", 0, 1),
    ("description", 0, 1),
    ("instruction", 0, 1),
    ("web", 0, 1),
    ("contact", 0, 1),
    ("parameter", 0, 0),
    ("resource", 0, 0),
    ("area", 0, 0),
];
const RESOURCE: &[Particle] = &[("resourceDesc", 1, 1), ("mimeType", 1, 1), ("size", 0, 1), ("uri", 0, 1), ("derefUri", 0, 1), ("digest", 0, 1)];
const AREA: &[Particle] = &[("areaDesc", 1, 1), ("polygon", 0, 0), ("circle", 0, 0), ("geocode", 0, 0), ("altitude", 0, 1), ("ceiling", 0, 1)];
const PAIR: &[Particle] = &[("valueName", 1, 1), ("value", 1, 1)];

/// The children of `n` grouped by the sequence `spec`, refused when out of order, missing,
/// repeated beyond their bound or unknown; elements of other namespaces are allowed only at
/// the end where `any_after` says so.
fn sequence<'a>(n: &'a Node, spec: &[Particle], any_after: bool) -> Result<Vec<Vec<&'a Node>>, DomainError> {
    let mut out: Vec<Vec<&Node>> = vec![Vec::new(); spec.len()];
    let mut at = 0;
    let mut foreign = false;
    for c in &n.children {
        if !c.cap {
            if !any_after {
                return Err(bad(format!("<{}> is not allowed in <{}>", c.name, n.name)));
            }
            foreign = true;
            continue;
        }
        if foreign {
            return Err(bad(format!("<{}> after an element of another namespace in <{}>", c.name, n.name)));
        }
        let Some(i) = spec.iter().enumerate().skip(at).find(|(_, p)| p.0 == c.name).map(|(i, _)| i) else {
            return Err(bad(format!("<{}> is not allowed here in <{}> (unknown or out of order)", c.name, n.name)));
        };
        at = i;
        out[i].push(c);
        if spec[i].2 != 0 && out[i].len() > spec[i].2 {
            return Err(bad(format!("<{}> repeated in <{}>", c.name, n.name)));
        }
    }
    for (i, p) in spec.iter().enumerate() {
        if out[i].len() < p.1 {
            return Err(DomainError::field(ErrorCode::Required, "cap").with_detail(format!("<{}> in <{}>", p.0, n.name)));
        }
        // Simple elements hold text only.
        if let Some(c) = out[i].iter().find(|c| !c.children.is_empty() && !matches!(p.0, "info" | "resource" | "area" | "eventCode" | "parameter" | "geocode"))
        {
            return Err(bad(format!("<{}> holds elements", c.name)));
        }
    }
    Ok(out)
}

fn one(g: &[&Node]) -> String {
    g.first().map(|n| n.text.trim().to_string()).unwrap_or_default()
}
fn opt(g: &[&Node]) -> Option<String> {
    g.first().map(|n| n.text.trim().to_string())
}
fn many(g: &[&Node]) -> Vec<String> {
    g.iter().map(|n| n.text.trim().to_string()).collect()
}
fn pairs(g: &[&Node]) -> Result<Vec<(String, String)>, DomainError> {
    g.iter()
        .map(|n| {
            let s = sequence(n, PAIR, false)?;
            Ok((one(&s[0]), one(&s[1])))
        })
        .collect()
}

/// Parse a message a peer sent into an alert, held to the schema's structure, then checked.
pub fn read(xml: &str) -> Result<Alert, DomainError> {
    let root = tree(xml)?;
    let s = sequence(&root, ALERT, true)?;
    let mut infos = Vec::new();
    for i in &s[13] {
        infos.push(info(i)?);
    }
    let alert = Alert {
        identifier: one(&s[0]),
        sender: one(&s[1]),
        sent: one(&s[2]),
        status: one(&s[3]),
        msg_type: one(&s[4]),
        source: opt(&s[5]),
        scope: one(&s[6]),
        restriction: opt(&s[7]),
        addresses: opt(&s[8]),
        codes: many(&s[9]),
        note: opt(&s[10]),
        references: opt(&s[11]),
        incidents: opt(&s[12]),
        infos,
    };
    super::check(&alert)?;
    Ok(alert)
}

fn info(n: &Node) -> Result<Info, DomainError> {
    let s = sequence(n, INFO, false)?;
    let mut resources = Vec::new();
    for r in &s[19] {
        let g = sequence(r, RESOURCE, false)?;
        resources.push(Resource { desc: one(&g[0]), mime_type: one(&g[1]), size: opt(&g[2]), uri: opt(&g[3]), deref_uri: opt(&g[4]), digest: opt(&g[5]) });
    }
    let mut areas = Vec::new();
    for a in &s[20] {
        let g = sequence(a, AREA, false)?;
        areas.push(Area { desc: one(&g[0]), polygons: many(&g[1]), circles: many(&g[2]), geocodes: pairs(&g[3])?, altitude: opt(&g[4]), ceiling: opt(&g[5]) });
    }
    Ok(Info {
        language: opt(&s[0]),
        categories: many(&s[1]),
        event: one(&s[2]),
        response_types: many(&s[3]),
        urgency: one(&s[4]),
        severity: one(&s[5]),
        certainty: one(&s[6]),
        audience: opt(&s[7]),
        event_codes: pairs(&s[8])?,
        effective: opt(&s[9]),
        onset: opt(&s[10]),
        expires: opt(&s[11]),
        sender_name: opt(&s[12]),
        headline: opt(&s[13]),
        description: opt(&s[14]),
        instruction: opt(&s[15]),
        web: opt(&s[16]),
        contact: opt(&s[17]),
        parameters: pairs(&s[18])?,
        resources,
        areas,
    })
}
