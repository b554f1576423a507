//! 完成时限 found in a point's text: the latest date it sets for itself (6月底前 and 年底前:
//! the year's end), read against the document's own year; a review of the past (截至6月底, 上半年
//! 已完成) sets nothing; 长期坚持 only where nothing dated is said; 长期 inside a word (长期隐瞒)
//! is no deadline.

use super::outline::CN_DIGITS;
use chrono::NaiveDate;

/// A deadline found: the phrase as written, its date, and whether it is standing work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub phrase: String,
    pub date: Option<NaiveDate>,
    pub long_term: bool,
}

const LONG_TERM: [&str; 5] = ["长期坚持", "长期推进", "持续推进", "长期任务", "常态化推进"];

/// Words of a sentence about what has been done, not what is to be done.
const REVIEW: [&str; 9] = ["截至", "截止", "以来", "已完成", "已经", "去年", "上年", "过去一年", "累计完成"];

/// The document's year: the latest year its title names (2027年), else its date line's.
pub fn document_year(title: Option<&str>, date: Option<NaiveDate>) -> Option<i32> {
    let from_title = title.and_then(|t| {
        let cs: Vec<char> = t.chars().collect();
        cs.windows(5)
            .filter(|w| w[4] == '年' && w[..4].iter().all(char::is_ascii_digit))
            .filter_map(|w| w[..4].iter().collect::<String>().parse::<i32>().ok())
            .filter(|y| (1990..=2100).contains(y))
            .max()
    });
    from_title.or_else(|| date.map(|d| chrono::Datelike::year(&d)))
}

fn num(t: &str) -> Option<u32> {
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    let d = |c: char| "零一二三四五六七八九".chars().position(|x| x == c).map(|p| p as u32);
    let cs: Vec<char> = t.chars().collect();
    match cs.as_slice() {
        [a] if *a == '十' => Some(10),
        [a] => d(*a),
        ['十', b] => d(*b).map(|b| 10 + b),
        [a, '十'] => d(*a).map(|a| a * 10),
        [a, '十', b] => Some(d(*a)? * 10 + d(*b)?),
        _ => None,
    }
}

/// The number written just before byte `at` (digits or Chinese numerals), and where it starts.
fn number_before(s: &str, at: usize) -> Option<(u32, usize)> {
    let head = &s[..at];
    let start = head.char_indices().rev().take_while(|(_, c)| c.is_ascii_digit() || CN_DIGITS.contains(*c)).last().map(|(i, _)| i)?;
    num(&head[start..]).map(|n| (n, start))
}

fn month_end(y: i32, m: u32) -> Option<NaiveDate> {
    let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
    next.and_then(|n| n.pred_opt())
}

/// The year a phrase ending at `at` refers to: 2027年…, 次年/明年…, else the document's.
fn year_before(s: &str, at: usize, year: i32) -> (i32, usize) {
    let head = &s[..at];
    if let Some(i) = head.rfind('年') {
        let before = &head[..i];
        let digits: String = before.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()) && head[i + '年'.len_utf8()..].chars().count() <= 4 {
            return (digits.parse().unwrap_or(year), i - 4);
        }
        for (w, add) in [("次年", 1), ("明年", 1), ("翌年", 1), ("后年", 2)] {
            if before.ends_with(&w[..w.len() - '年'.len_utf8()]) && head[i + '年'.len_utf8()..].chars().count() <= 4 {
                return (year + add, i - (w.len() - '年'.len_utf8()));
            }
        }
    }
    (year, at)
}

/// The dated phrases of one clause: (date, phrase).
fn dated(c: &str, year: i32) -> Vec<(NaiveDate, String)> {
    let mut out = Vec::new();
    let mut push = |d: Option<NaiveDate>, from: usize, to: usize| {
        // 6月底前: the phrase keeps its 前.
        let to = if c[to..].starts_with('前') { to + '前'.len_utf8() } else { to };
        if let Some(d) = d {
            out.push((d, c[from..to].to_string()));
        }
    };
    for (i, _) in c.match_indices('月') {
        let Some((m, ms)) = number_before(c, i) else { continue };
        if !(1..=12).contains(&m) {
            continue;
        }
        let (y, ys) = year_before(c, ms, year);
        let after = &c[i + '月'.len_utf8()..];
        let day: String = after.chars().take_while(|ch| ch.is_ascii_digit() || CN_DIGITS.contains(*ch)).collect();
        if !day.is_empty() && after[day.len()..].starts_with(['日', '号']) {
            let end = i + '月'.len_utf8() + day.len() + '日'.len_utf8();
            push(num(&day).and_then(|d| NaiveDate::from_ymd_opt(y, m, d)), ys, end);
        } else if after.starts_with("底") || after.starts_with("末") || after.starts_with("前") || after.starts_with("份") {
            push(month_end(y, m), ys, i + '月'.len_utf8() + after.chars().next().map(char::len_utf8).unwrap_or(0));
        }
    }
    if !c.contains(['月', '季', '年']) {
        return out;
    }
    for (i, w) in c.match_indices("季度") {
        if let Some((q, qs)) = number_before(c, i) {
            let qs = if c[..qs].ends_with('第') { qs - '第'.len_utf8() } else { qs };
            let (y, ys) = year_before(c, qs, year);
            push(q.checked_mul(3).filter(|m| (3..=12).contains(m)).and_then(|m| month_end(y, m)), ys, i + w.len());
        }
    }
    if !c.contains('年') {
        return out;
    }
    for (w, m) in [("上半年", 6), ("下半年", 12), ("年底", 12), ("年末", 12), ("年内", 12), ("全年", 12)] {
        for (i, _) in c.match_indices(w) {
            let (y, ys) = year_before(c, i, year);
            let (y, ys) = if w.starts_with('年') {
                // 2027年底: the year is written right before 年.
                let digits: String = c[..i].chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
                if digits.len() == 4 && digits.chars().all(|ch| ch.is_ascii_digit()) {
                    (digits.parse().unwrap_or(y), i - 4)
                } else {
                    (y, ys)
                }
            } else {
                (y, ys)
            };
            push(month_end(y, m), ys, i + w.len());
        }
    }
    // 五年内, 3年内: the end of the last year counted from the document's.
    for (i, w) in c.match_indices("年内") {
        if let Some((n, s)) = number_before(c, i).filter(|(n, _)| (2..=10).contains(n)) {
            let y = year + i32::try_from(n).unwrap_or(1) - 1;
            push(NaiveDate::from_ymd_opt(y, 12, 31), s, i + w.len());
        }
    }
    out
}

/// The deadline a point's text sets for itself, with the document's year as the base.
pub fn deadline(text: &str, year: i32) -> Option<Hint> {
    let mut best: Option<(NaiveDate, String)> = None;
    let mut standing: Option<String> = None;
    for sentence in text.split(['。', '；', ';', '！', '？', '\n']) {
        // The first characters are looked for first: most sentences hold none of them.
        if sentence.contains(['截', '以', '已', '去', '上', '过', '累']) && REVIEW.iter().any(|w| sentence.contains(w)) {
            continue;
        }
        for clause in sentence.split(['，', ',']) {
            for (d, phrase) in dated(clause, year) {
                // 五年内 already counted: 年内 inside it is the same phrase.
                if best.as_ref().is_none_or(|b| d > b.0) {
                    best = Some((d, phrase));
                }
            }
            if standing.is_none() && clause.contains(['长', '持', '常']) {
                standing = LONG_TERM.iter().find(|w| clause.contains(*w)).map(|w| w.to_string());
            }
        }
    }
    if let Some((d, phrase)) = best {
        return Some(Hint { phrase, date: Some(d), long_term: false });
    }
    if let Some(phrase) = standing {
        let date = crate::deadline::parse_deadline("长期坚持", year).map(|d| d.0);
        return Some(Hint { phrase, date, long_term: true });
    }
    text.contains("百日攻坚").then(|| Hint { phrase: "百日攻坚".into(), date: None, long_term: false })
}
