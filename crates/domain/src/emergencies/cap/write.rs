//! An alert as CAP 1.2 XML, every element in the schema's order (xs:sequence), text escaped.

use super::{Alert, Area, Info, Resource, NS};
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

struct W {
    out: String,
    depth: usize,
}

impl W {
    fn el(&mut self, name: &str, v: &str) {
        let _ = writeln!(self.out, "{}<{name}>{}</{name}>", "  ".repeat(self.depth), esc(v));
    }
    fn opt(&mut self, name: &str, v: &Option<String>) {
        if let Some(v) = v {
            self.el(name, v);
        }
    }
    fn open(&mut self, name: &str) {
        let _ = writeln!(self.out, "{}<{name}>", "  ".repeat(self.depth));
        self.depth += 1;
    }
    fn close(&mut self, name: &str) {
        self.depth -= 1;
        let _ = writeln!(self.out, "{}</{name}>", "  ".repeat(self.depth));
    }
    fn pair(&mut self, name: &str, (k, v): &(String, String)) {
        self.open(name);
        self.el("valueName", k);
        self.el("value", v);
        self.close(name);
    }
}

/// The message as the standard spells it, with the XML declaration.
pub fn write(a: &Alert) -> String {
    let mut w = W { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), depth: 1 };
    let _ = writeln!(w.out, "<alert xmlns=\"{NS}\">");
    w.el("identifier", &a.identifier);
    w.el("sender", &a.sender);
    w.el("sent", &a.sent);
    w.el("status", &a.status);
    w.el("msgType", &a.msg_type);
    w.opt("source", &a.source);
    w.el("scope", &a.scope);
    w.opt("restriction", &a.restriction);
    w.opt("addresses", &a.addresses);
    for c in &a.codes {
        w.el("code", c);
    }
    w.opt("note", &a.note);
    w.opt("references", &a.references);
    w.opt("incidents", &a.incidents);
    for i in &a.infos {
        info(&mut w, i);
    }
    w.out.push_str("</alert>\n");
    w.out
}

fn info(w: &mut W, i: &Info) {
    w.open("info");
    w.opt("language", &i.language);
    for c in &i.categories {
        w.el("category", c);
    }
    w.el("event", &i.event);
    for r in &i.response_types {
        w.el("responseType", r);
    }
    w.el("urgency", &i.urgency);
    w.el("severity", &i.severity);
    w.el("certainty", &i.certainty);
    w.opt("audience", &i.audience);
    for p in &i.event_codes {
        w.pair("eventCode", p);
    }
    w.opt("effective", &i.effective);
    w.opt("onset", &i.onset);
    w.opt("expires", &i.expires);
    w.opt("senderName", &i.sender_name);
    w.opt("headline", &i.headline);
    w.opt("description", &i.description);
    w.opt("instruction", &i.instruction);
    w.opt("web", &i.web);
    w.opt("contact", &i.contact);
    for p in &i.parameters {
        w.pair("parameter", p);
    }
    for r in &i.resources {
        resource(w, r);
    }
    for a in &i.areas {
        area(w, a);
    }
    w.close("info");
}

fn resource(w: &mut W, r: &Resource) {
    w.open("resource");
    w.el("resourceDesc", &r.desc);
    w.el("mimeType", &r.mime_type);
    w.opt("size", &r.size);
    w.opt("uri", &r.uri);
    w.opt("derefUri", &r.deref_uri);
    w.opt("digest", &r.digest);
    w.close("resource");
}

fn area(w: &mut W, a: &Area) {
    w.open("area");
    w.el("areaDesc", &a.desc);
    for p in &a.polygons {
        w.el("polygon", p);
    }
    for c in &a.circles {
        w.el("circle", c);
    }
    for g in &a.geocodes {
        w.pair("geocode", g);
    }
    w.opt("altitude", &a.altitude);
    w.opt("ceiling", &a.ceiling);
    w.close("area");
}
