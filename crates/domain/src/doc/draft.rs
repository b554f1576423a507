//! Draft tasks from an outline: deadlines, the 权责清单 and lead-unit suggestions.

use super::outline::*;
use super::points::{points, LeftOut};
use super::{hant, units, when};
use serde::Serialize;

/// One unit's duties, as the county's 权责清单 lists them: keywords that point to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct Responsibility {
    pub unit: String,
    pub keywords: Vec<String>,
    /// Short names the text may use beyond the usual ones (县发改局 is found without it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub short: Vec<String>,
}

/// The demo county's catalogue, shipped as data (a county edits its own).
pub fn shipped_catalogue() -> Vec<Responsibility> {
    serde_json::from_str(include_str!("../../data/responsibilities.json")).unwrap_or_default()
}

/// Keywords as a county types them: one per line or separated by 、，,；; trimmed, deduplicated,
/// each at most 20 characters, at most 200 per unit.
pub fn parse_keywords(text: &str) -> Result<Vec<String>, crate::DomainError> {
    let mut out: Vec<String> = Vec::new();
    for k in text.split(['\n', '\r', '、', '，', ',', '；', ';']).map(str::trim).filter(|k| !k.is_empty()) {
        if k.chars().count() > 20 {
            return Err(crate::DomainError::field(crate::ErrorCode::TooLong, "keywords").with_detail(k.to_string()));
        }
        if !out.iter().any(|x| x == k) {
            out.push(k.to_string());
        }
    }
    if out.len() > 200 {
        return Err(crate::DomainError::field(crate::ErrorCode::TooLong, "keywords").with_detail("200"));
    }
    Ok(out)
}

/// A suggested unit, how sure, and the words that decided it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub unit: String,
    pub confidence: f64,
    pub words: Vec<String>,
    /// Named by the text with its part (牵头, 配合): no guess.
    pub named: bool,
    /// A guess from few or loose words: the clerk should look.
    pub weak: bool,
}

/// A draft task (任务分解表 row) made from a leaf of the outline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftTask {
    /// The labels from the root: `二、` › `一是`.
    pub path: Vec<String>,
    pub title: String,
    /// The point's own text (具体措施).
    pub measures: String,
    pub start: usize,
    pub end: usize,
    /// The deadline phrase found in the text, and its date for the given year.
    pub deadline_hint: Option<String>,
    pub deadline: Option<chrono::NaiveDate>,
    pub long_term: bool,
    /// The deadline is already past on the day of the breakdown: never published silently.
    pub past: bool,
    pub lead: Option<Suggestion>,
    pub co_units: Vec<Suggestion>,
}

/// A document broken down: its outline, the draft tasks, what was left out and why, and the
/// year its deadlines were read against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub outline: Outline,
    pub tasks: Vec<DraftTask>,
    pub left_out: Vec<LeftOut>,
    pub year: i32,
}

/// A map keyed by two characters, hashed cheaply (a text is looked up pair by pair; SipHash's
/// resistance to chosen keys buys nothing against the county's own catalogue).
pub(super) type PairMap<V> = std::collections::HashMap<(char, char), V, std::hash::BuildHasherDefault<PairHasher>>;

#[derive(Default)]
pub(super) struct PairHasher(u64);

impl std::hash::Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// The catalogue indexed by the first two characters of every keyword (and of every unit's
/// name without 县), built once per document: a point's text is then read pair by pair and only
/// the keywords starting with a pair it holds are looked at. Most Chinese keywords are two
/// characters long, so for them the pair is the whole test.
/// (unit, keyword's place in the unit's list or [`NAME`] for the unit's name, keyword).
type Entry<'a> = (usize, usize, &'a str);

struct KeywordIndex<'a> {
    /// First pair → the keywords starting with it.
    by_pair: PairMap<Vec<Entry<'a>>>,
    /// One-character keywords.
    singles: Vec<(char, usize, usize)>,
}

const NAME: usize = usize::MAX;

impl<'a> KeywordIndex<'a> {
    fn new(catalogue: &'a [Responsibility], names: &'a [Vec<String>]) -> Self {
        let mut by_pair: PairMap<Vec<Entry<'a>>> = PairMap::default();
        let mut singles = Vec::new();
        for (u, names) in names.iter().enumerate() {
            let r = &catalogue[u];
            let named = names.iter().map(|n| (NAME, n.as_str()));
            for (k, kw) in r.keywords.iter().map(String::as_str).enumerate().chain(named) {
                let mut it = kw.chars();
                match (it.next(), it.next()) {
                    (Some(a), Some(b)) => by_pair.entry((a, b)).or_default().push((u, k, kw)),
                    (Some(a), None) => singles.push((a, u, k)),
                    _ => {}
                }
            }
        }
        KeywordIndex { by_pair, singles }
    }
}

/// Score units by the keywords their duties share with the text (the title counts three times;
/// the unit's own name five).
fn suggest(title: &str, text: &str, catalogue: &[Responsibility], index: &KeywordIndex<'_>) -> Vec<Suggestion> {
    let chars: Vec<char> = text.chars().collect();
    let mut pairs: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    // (unit, keyword place) found, each once.
    let mut found: Vec<(usize, usize)> = Vec::new();
    for p in &pairs {
        for &(u, k, kw) in index.by_pair.get(p).map(Vec::as_slice).unwrap_or_default() {
            if kw.chars().count() == 2 || text.contains(kw) {
                found.push((u, k));
            }
        }
    }
    for &(c, u, k) in &index.singles {
        if chars.contains(&c) {
            found.push((u, k));
        }
    }
    found.sort_unstable();
    found.dedup();
    let mut scored: Vec<(f64, Suggestion)> = Vec::new();
    for group in found.chunk_by(|a, b| a.0 == b.0) {
        let r = &catalogue[group[0].0];
        let mut words = Vec::with_capacity(group.len());
        let mut score = 0.0;
        for &(_, k) in group {
            if k == NAME {
                // The text naming the unit itself (县农业农村局牵头抓总) outweighs any keyword.
                score += 5.0;
                words.insert(0, r.unit.clone());
            } else if let Some(w) = r.keywords.get(k) {
                score += if title.contains(w.as_str()) { 3.0 } else { 1.0 };
                words.push(w.clone());
            }
        }
        scored.push((score, Suggestion { unit: r.unit.clone(), confidence: 0.0, words, named: false, weak: score < 3.0 }));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.unit.cmp(&b.1.unit)));
    let total: f64 = scored.iter().map(|s| s.0).sum();
    scored
        .into_iter()
        .map(|(s, mut sug)| {
            sug.confidence = (s / total * 100.0).round() / 100.0;
            sug
        })
        .collect()
}

/// The units a catalogue suggests for one text (an appeal, say), best first: the scoring of
/// draft tasks, without a title.
pub fn suggest_units(text: &str, catalogue: &[Responsibility]) -> Vec<Suggestion> {
    let names: Vec<Vec<String>> = catalogue.iter().map(units::names_of).collect();
    suggest("", text, catalogue, &KeywordIndex::new(catalogue, &names))
}

/// A unit the text names with its part.
fn named(catalogue: &[Responsibility], u: usize, why: &str) -> Suggestion {
    let words = if why.is_empty() { Vec::new() } else { vec![why.to_string()] };
    Suggestion { unit: catalogue[u].unit.clone(), confidence: 1.0, words, named: true, weak: false }
}

/// Break a document down: its outline, draft tasks from the points that assign work, what was
/// left out and why. `year` dates 年底前 where the document names no year of its own (its
/// title, else its date line, decides); `today` flags a deadline already past.
pub fn breakdown(src: &str, catalogue: &[Responsibility], year: i32, today: Option<chrono::NaiveDate>) -> Breakdown {
    // Traditional characters are matched as simplified; spans hold in both.
    let m = hant::simplified(src);
    let mut o = outline(&m);
    if m != src {
        restore_titles(&mut o.nodes, src, &m);
        // The title as written: the same bytes of the original (no second parse).
        if let Some(t) = o.title.as_deref().and_then(|t| m.find(t).and_then(|i| src.get(i..i + t.len()))) {
            o.title = Some(t.to_string());
        }
    }
    let year = when::document_year(o.title.as_deref(), o.date).unwrap_or(year);
    let names: Vec<Vec<String>> = catalogue.iter().map(units::names_of).collect();
    let index = KeywordIndex::new(catalogue, &names);
    let name_index = units::NameIndex::new(&names);
    let (found, left_out) = points(&m, &o);
    // What a parent's own text says is read once, however many points lie under it.
    let mut parents: std::collections::HashMap<(usize, usize), (Option<when::Hint>, units::Roles)> = std::collections::HashMap::new();
    let tasks = found
        .into_iter()
        .map(|p| {
            for &(s, e) in &p.above {
                parents.entry((s, e)).or_insert_with(|| (when::deadline(&m[s..e], year), units::roles(&m[s..e], &name_index)));
            }
            let n = p.node;
            let text = m[n.start..n.end].trim();
            let shown = src[n.start..n.end].trim();
            let body = joined(shown.strip_prefix(n.label.as_str()).unwrap_or(shown));
            // A point without its own deadline or lead takes its parent's.
            let hint = when::deadline(text, year).or_else(|| p.above.iter().find_map(|k| parents.get(k).and_then(|x| x.0.clone())));
            let mut roles = units::roles(text, &name_index);
            if !roles.any() {
                if let Some(r) = p.above.iter().filter_map(|k| parents.get(k)).map(|x| &x.1).find(|r| r.any()) {
                    roles = r.clone();
                }
            }
            let (lead, co_units) = match roles.lead {
                Some(l) => (Some(named(catalogue, l, &roles.why)), roles.co.iter().map(|&c| named(catalogue, c, "")).collect()),
                None => {
                    let mut s = suggest(&n.title, text, catalogue, &index);
                    // Units named as co-units stay co-units.
                    s.retain(|x| !roles.co.iter().any(|&c| catalogue[c].unit == x.unit));
                    let lead = (!s.is_empty()).then(|| s.remove(0));
                    s.truncate(3);
                    let mut co: Vec<Suggestion> = roles.co.iter().map(|&c| named(catalogue, c, "")).collect();
                    co.extend(s);
                    (lead, co)
                }
            };
            let date = hint.as_ref().and_then(|h| h.date);
            DraftTask {
                path: p.path,
                title: if n.title.is_empty() { cut(&body, 40) } else { n.title.clone() },
                measures: body,
                start: n.start,
                end: n.end,
                deadline_hint: hint.as_ref().map(|h| h.phrase.clone()),
                deadline: date,
                long_term: hint.as_ref().is_some_and(|h| h.long_term),
                past: matches!((date, today), (Some(d), Some(t)) if d < t),
                lead,
                co_units,
            }
        })
        .collect();
    Breakdown { outline: o, tasks, left_out, year }
}

/// Titles as the original writes them (traditional characters kept for display).
fn restore_titles(nodes: &mut [Node], src: &str, m: &str) {
    for n in nodes {
        if let Some(i) = m[n.start..n.end].find(n.title.as_str()) {
            let (a, b) = (n.start + i, n.start + i + n.title.len());
            if let Some(t) = src.get(a..b) {
                n.title = t.to_string();
            }
        }
        restore_titles(&mut n.children, src, m);
    }
}

#[cfg(test)]
mod shapes;
#[cfg(test)]
mod tests;
