//! Draft tasks from an outline: deadlines, the 权责清单 and lead-unit suggestions.

use super::outline::*;
use serde::Serialize;

/// One unit's duties, as the county's 权责清单 lists them: keywords that point to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct Responsibility {
    pub unit: String,
    pub keywords: Vec<String>,
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
    pub lead: Option<Suggestion>,
    pub co_units: Vec<Suggestion>,
}

/// Deadline phrases in a text: the first that parses wins.
fn deadline_hint(text: &str, year: i32) -> Option<(String, Option<chrono::NaiveDate>, bool)> {
    for fixed in ["长期坚持", "长期", "持续推进"] {
        if text.contains(fixed) {
            return Some((fixed.to_string(), crate::deadline::parse_deadline("长期坚持", year).map(|d| d.0), true));
        }
    }
    for fixed in ["年底前", "年内", "上半年", "下半年"] {
        if text.contains(fixed) {
            return Some((fixed.to_string(), crate::deadline::parse_deadline(fixed, year).map(|d| d.0), false));
        }
    }
    // 一季度 / 三季度 / 第二季度, 6月底前 / 十月底
    for (suffix, back) in [("季度", 2usize), ("月底前", 2), ("月底", 2)] {
        let mut from = 0;
        while let Some(i) = text[from..].find(suffix) {
            let at = from + i;
            let head: String = text[..at].chars().rev().take(back).collect::<Vec<_>>().into_iter().rev().collect();
            let num: String = head.chars().rev().take_while(|c| c.is_ascii_digit() || CN_DIGITS.contains(*c)).collect::<Vec<_>>().into_iter().rev().collect();
            if !num.is_empty() {
                let phrase = format!("{num}{suffix}");
                if let Some((d, t)) = crate::deadline::parse_deadline(&phrase, year) {
                    return Some((phrase, Some(d), t == crate::tasks::Term::LongTerm));
                }
            }
            from = at + suffix.len();
        }
    }
    text.contains("百日攻坚").then(|| ("百日攻坚".to_string(), None, false))
}

/// The catalogue indexed by the first two characters of every keyword (and of every unit's
/// name without 县), built once per document: a point's text is then read pair by pair and only
/// the keywords starting with a pair it holds are looked at. Most Chinese keywords are two
/// characters long, so for them the pair is the whole test.
/// (unit, keyword's place in the unit's list or [`NAME`] for the unit's name, keyword).
type Entry<'a> = (usize, usize, &'a str);

struct KeywordIndex<'a> {
    /// First pair → the keywords starting with it.
    by_pair: std::collections::HashMap<(char, char), Vec<Entry<'a>>>,
    /// One-character keywords.
    singles: Vec<(char, usize, usize)>,
}

const NAME: usize = usize::MAX;

impl<'a> KeywordIndex<'a> {
    fn new(catalogue: &'a [Responsibility]) -> Self {
        let mut by_pair: std::collections::HashMap<(char, char), Vec<Entry<'a>>> = std::collections::HashMap::new();
        let mut singles = Vec::new();
        for (u, r) in catalogue.iter().enumerate() {
            let short = r.unit.strip_prefix('县').unwrap_or(&r.unit);
            let name = (short.chars().count() >= 3).then_some((NAME, short));
            for (k, kw) in r.keywords.iter().map(String::as_str).enumerate().chain(name) {
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
        scored.push((score, Suggestion { unit: r.unit.clone(), confidence: 0.0, words }));
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
    suggest("", text, catalogue, &KeywordIndex::new(catalogue))
}

/// Draft tasks from the leaves of a document's outline.
pub fn draft_tasks(src: &str, o: &Outline, catalogue: &[Responsibility], year: i32) -> Vec<DraftTask> {
    let index = KeywordIndex::new(catalogue);
    leaves(o)
        .into_iter()
        .map(|(path, n)| {
            let text = src[n.start..n.end].trim();
            let body = joined(text.strip_prefix(n.label.as_str()).unwrap_or(text));
            let hint = deadline_hint(text, year);
            let mut s = suggest(&n.title, text, catalogue, &index);
            let lead = (!s.is_empty()).then(|| s.remove(0));
            s.truncate(3);
            DraftTask {
                path,
                title: if n.title.is_empty() { body.chars().take(40).collect() } else { n.title.clone() },
                measures: body,
                start: n.start,
                end: n.end,
                deadline_hint: hint.as_ref().map(|h| h.0.clone()),
                deadline: hint.as_ref().and_then(|h| h.1),
                long_term: hint.as_ref().is_some_and(|h| h.2),
                lead,
                co_units: s,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
