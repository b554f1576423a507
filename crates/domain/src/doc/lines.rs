//! Lines that are not the document's words: web page furniture, bylines, the addressee line,
//! attendee lists, a date line under the signature, and the markers of attachments.

/// Controls of a web page copied with the text (返回顶部, 朗读, 打印本页 …).
pub(super) fn is_furniture(line: &str) -> bool {
    const WORDS: [&str; 16] = [
        "返回顶部",
        "朗读",
        "打印本页",
        "打印",
        "关闭窗口",
        "关闭",
        "收藏",
        "分享到",
        "我要纠错",
        "【打印】",
        "【关闭】",
        "字号",
        "视力保护色",
        "扫一扫",
        "上一篇",
        "下一篇",
    ];
    // Furniture is a few words: a paragraph is read no further.
    if line.len() > 60 {
        return false;
    }
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    WORDS.iter().any(|w| t == *w)
        || t.starts_with("【字体")
        || t.starts_with("当前位置")
        || t.starts_with("您现在的位置")
        || (t.chars().count() <= 12 && WORDS.iter().any(|w| t.starts_with(w)) && !t.contains(['。', '，']))
}

/// A byline: 来源：… 发布时间：… 作者：… 浏览次数.
pub(super) fn is_byline(line: &str) -> bool {
    let t = line.trim();
    if t.len() > 240 {
        return false;
    }
    ["来源：", "来源:", "发布时间", "发布日期", "作者：", "作者:", "浏览次数", "点击数", "信息来源", "文章来源"].iter().any(|w| t.starts_with(w))
        || (t.contains("发布时间") && t.chars().count() <= 80)
}

/// The addressee line under the title (各乡（镇）人民政府，县政府各部门：).
pub(super) fn is_addressee(line: &str) -> bool {
    let t = line.trim();
    (t.ends_with('：') || t.ends_with(':'))
        && t.chars().count() <= 60
        && (t.starts_with('各') || t.contains("人民政府") || t.contains("各部门") || t.contains("各单位") || t.contains("同志们") || t.contains("各位"))
}

/// Who attended (出席：…, 列席：…): a record, not work.
pub(super) fn is_attendance(line: &str) -> bool {
    let t = line.trim();
    if !t.starts_with(['出', '列', '参', '记', '主']) {
        return false;
    }
    ["出席：", "出席:", "列席：", "列席:", "参加人员", "参会人员", "出席会议", "列席会议", "记录：", "主持："].iter().any(|w| t.starts_with(w))
}

/// A line that is only a date (under the signature: 2026年12月20日): the document's date.
pub(super) fn date_line(line: &str) -> Option<(i32, u32, u32)> {
    if line.len() > 40 || !line.contains('日') {
        return None;
    }
    let t: String = line.chars().filter(|c| !c.is_whitespace() && !"（）()".contains(*c)).collect();
    let (y, rest) = t.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (all_digits(y) && y.len() == 4 && all_digits(m) && all_digits(d)).then(|| (y.parse().unwrap_or(0), m.parse().unwrap_or(0), d.parse().unwrap_or(0)))
}

/// The cover notice's list of attachments (附件：1.… ): its own items are no points.
pub(super) fn is_attachment_list(line: &str) -> bool {
    let t = line.trim();
    (t.starts_with("附件：") || t.starts_with("附件:")) && t.chars().count() > 4
}

/// The first line of an attached document: 附件, 附件1, 附件二 (alone on its line).
pub(super) fn attachment_start(line: &str) -> Option<String> {
    if line.len() > 40 || !line.trim_start().starts_with("附件") {
        return None;
    }
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let rest = t.strip_prefix("附件")?;
    let rest = rest.trim_end_matches(['：', ':']);
    let ok = rest.chars().all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || super::outline::CN_DIGITS.contains(c));
    (ok && rest.chars().count() <= 3).then(|| t.trim_end_matches(['：', ':']).to_string())
}
