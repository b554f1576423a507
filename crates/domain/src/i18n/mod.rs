//! 消息目录 (message catalogue): every text the user sees, keyed by a stable code, in
//! Simplified Chinese (default) and English. Error codes, field names and UI labels all live
//! here, so a translation is one place to change and a test can prove none is missing.

use crate::error::{DomainError, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "zh-hans" => Some(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
    /// From an `Accept-Language` header: the first language we know, else Chinese.
    pub fn from_accept(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|p| p.split(';').next())
            .filter_map(|p| Lang::parse(p).or_else(|| p.trim().starts_with("en").then_some(Lang::En)))
            .next()
            .unwrap_or_default()
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

mod appeals;
mod assessment;
mod debt;
mod documents;
mod duty;
mod emergencies;
mod foundation;
mod hazards;
mod livelihood;
mod notify;
mod projects;
mod safety;
mod tasks;

/// Every module's part of the catalogue; a key is defined once in all of them (a test says so).
static CATALOGUES: &[&[(&str, &str, &str)]] = &[
    foundation::MESSAGES,
    duty::MESSAGES,
    tasks::MESSAGES,
    appeals::MESSAGES,
    documents::MESSAGES,
    hazards::MESSAGES,
    safety::MESSAGES,
    emergencies::MESSAGES,
    projects::MESSAGES,
    debt::MESSAGES,
    livelihood::MESSAGES,
    assessment::MESSAGES,
    notify::MESSAGES,
];

/// Every entry of every module's catalogue.
fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    CATALOGUES.iter().flat_map(|c| c.iter())
}

/// Look up a key; an unknown key is returned as is, so a missing entry is visible, not fatal.
pub fn t(lang: Lang, key: &str) -> &str {
    match entries().find(|(k, _, _)| *k == key) {
        Some((_, zh, en)) => match lang {
            Lang::ZhCn => zh,
            Lang::En => en,
        },
        None => key,
    }
}

/// Does the catalogue have this key?
pub fn has(key: &str) -> bool {
    entries().any(|(k, _, _)| *k == key)
}

/// The user-facing message of an error: the code's sentence with the field's name and detail.
pub fn error_message(lang: Lang, e: &DomainError) -> String {
    // A sentence written for this field and code says more than the general one.
    // (Unless it needs a detail the error does not carry: no empty brackets.)
    let has_detail = e.detail.as_deref().is_some_and(|d| !d.is_empty());
    let own = e.field.as_deref().map(|f| format!("error.{}.{f}", e.code.as_str())).filter(|k| has(k) && (has_detail || !t(lang, k).contains("{detail}")));
    let key = own.unwrap_or_else(|| format!("error.{}", e.code.as_str()));
    let template = t(lang, &key);
    let field = match &e.field {
        Some(f) => {
            let key = format!("field.{f}");
            if has(&key) {
                t(lang, &key).to_string()
            } else {
                f.clone()
            }
        }
        None => String::new(),
    };
    // A detail that is a code (a rule's name) reads as its label where the catalogue says under
    // which prefix the field's codes are (`detail.exclusion` → `livelihood.exclusion`).
    let detail = match (&e.field, e.detail.as_deref()) {
        (Some(f), Some(d)) if has(&format!("detail.{f}")) && has(&format!("{}.{d}", t(lang, &format!("detail.{f}")))) => {
            Some(t(lang, &format!("{}.{d}", t(lang, &format!("detail.{f}")))).to_string())
        }
        (_, d) => d.map(str::to_string),
    };
    let mut msg = template.replace("{field}", &field).replace("{detail}", detail.as_deref().unwrap_or(""));
    // A detail the sentence has no place for (a row, a line, the value typed) follows it.
    if let (false, Some(d)) = (template.contains("{detail}"), detail.as_deref().filter(|d| !d.is_empty())) {
        msg = match lang {
            Lang::ZhCn => format!("{msg}（{d}）"),
            Lang::En => format!("{msg} ({d})"),
        };
    }
    if lang == Lang::En {
        // Sentences start with a capital letter even when they start with a field name.
        if let Some(first) = msg.get(..1) {
            msg = first.to_uppercase() + msg.get(1..).unwrap_or("");
        }
    }
    msg
}

/// Is this code translated in both languages? (Used by tests.)
pub fn error_code_translated(code: ErrorCode) -> bool {
    has(&format!("error.{}", code.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 20: messages a clerk understands — the state named, the deadline to pass, the file
    /// types accepted; never empty brackets, never a code.
    #[test]
    fn messages_say_what_is_wrong_in_words() {
        let m = |e: DomainError| error_message(Lang::ZhCn, &e);
        assert_eq!(m(DomainError::field(ErrorCode::Conflict, "state").with_detail("closed")), "该事项当前为“已办结”，不能进行这一操作；请刷新页面查看最新情况");
        let bare = m(DomainError::field(ErrorCode::Conflict, "state"));
        assert!(!bare.contains("“”") && !bare.contains("他人"), "{bare}");
        assert_eq!(m(DomainError::field(ErrorCode::Invalid, "new_deadline").with_detail("2026-06-30")), "新的完成时限须晚于现在的完成时限 2026-06-30");
        assert!(m(DomainError::field(ErrorCode::BadFile, "file").with_detail("not an xlsx workbook")).contains("请上传 .xlsx"));
        assert_eq!(m(DomainError::field(ErrorCode::TooShort, "content").with_detail("5")), "诉求内容过短（至少 5 个字符）");
        assert_eq!(m(DomainError::field(ErrorCode::Conflict, "version")), "记录已被他人修改，请刷新后重试");
        assert!(m(DomainError::field(ErrorCode::Conflict, "exemption_state").with_detail("verified")).contains("已核实"));
    }

    #[test]
    fn every_error_code_is_translated() {
        for c in ErrorCode::ALL {
            assert!(error_code_translated(*c), "{}", c.as_str());
        }
    }

    #[test]
    fn keys_unique_and_both_languages_present() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in entries() {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
    }

    #[test]
    fn messages_name_the_field() {
        let e = DomainError::required("name");
        assert_eq!(error_message(Lang::ZhCn, &e), "请填写名称");
        assert_eq!(error_message(Lang::En, &e), "Name is required");
        let e = DomainError::field(ErrorCode::CalendarUnknownYear, "date").with_detail("2027");
        assert!(error_message(Lang::ZhCn, &e).contains("2027"));
        let e = DomainError::invalid("date").with_detail("line 4");
        assert_eq!(error_message(Lang::ZhCn, &e), "日期格式不正确（line 4）");
        assert_eq!(error_message(Lang::En, &e), "Date is not valid (line 4)");
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(Lang::from_accept(""), Lang::ZhCn);
    }
}
