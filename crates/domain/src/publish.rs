//! What may leave the system as published text (Open311, public pages, exports): characters
//! XML 1.0 cannot carry are removed, and phone and ID numbers typed into free text are masked
//! wherever text is published. Pure: no IO.

use crate::appeals::{mask_id, mask_phone};

/// May XML 1.0 carry this character? (`Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] |
/// [#xE000-#xFFFD] | [#x10000-#x10FFFF]`; Rust strings hold no surrogates.)
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// Text with every character XML 1.0 forbids removed (intake keeps only what every format
/// can publish).
pub fn xml_clean(s: &str) -> String {
    s.chars().filter(|c| xml_char(*c)).collect()
}

/// Does the text contain a character XML 1.0 forbids?
pub fn has_forbidden(s: &str) -> bool {
    s.chars().any(|c| !xml_char(c))
}

fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        // Full-width digits, as Chinese input methods type them.
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        _ => None,
    }
}

/// Free text with phone numbers (7 or more digits; groups of three or more digits joined by a
/// space or dash count as one number, so dates like 2026-06-15 stay) and resident ID numbers
/// (17 digits and a digit or X) masked as the hotline masks them: `138****5678`,
/// `110105********002X`.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let group = |from: usize| chars[from..].iter().take_while(|c| digit(**c).is_some()).count();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut digits: String = chars[i..i + group(i)].iter().filter_map(|c| digit(*c)).collect();
        let mut end = i + group(i);
        let mut last = group(i);
        while end + 1 < chars.len() && matches!(chars[end], '-' | ' ' | '－') && last >= 3 && group(end + 1) >= 3 {
            last = group(end + 1);
            digits.extend(chars[end + 1..end + 1 + last].iter().filter_map(|c| digit(*c)));
            end += 1 + last;
        }
        if digits.len() == 17 && matches!(chars.get(end), Some('X' | 'x' | 'Ｘ')) {
            digits.push('X');
            end += 1;
        }
        match digits.len() {
            18 => out.push_str(&mask_id(&digits)),
            n if n >= 7 => out.push_str(&mask_phone(&digits)),
            _ => out.extend(&chars[i..end]),
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_ids_in_free_text_are_masked() {
        assert_eq!(redact("请联系13812345678，谢谢"), "请联系138****5678，谢谢");
        assert_eq!(redact("电话 138-1234-5678"), "电话 138****5678");
        assert_eq!(redact("座机0571-8888 1234"), "座机057*****1234");
        assert_eq!(redact("身份证110105194912310021号"), "身份证110105********0021号");
        assert_eq!(redact("身份证11010519491231002X"), "身份证110105********002X");
        assert_eq!(redact("手机１３８１２３４５６７８"), "手机138****5678");
        // Dates, house numbers and amounts stay readable.
        assert_eq!(redact("2026-06-15 人民路12号 3500元 1-2单元"), "2026-06-15 人民路12号 3500元 1-2单元");
    }

    #[test]
    fn xml_forbidden_characters() {
        assert_eq!(xml_clean("a\u{FFFF}b\u{0}c\u{1b}d\u{FFFE}\te"), "abcd\te");
        assert!(has_forbidden("x\u{FFFF}"));
        assert!(!has_forbidden("路灯不亮\n😀"));
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every code point: clean text holds no forbidden character and keeps every allowed one.
        #[test]
        fn every_code_point(c in any::<char>(), pre in "\\PC{0,8}") {
            let s = format!("{pre}{c}{pre}");
            let clean = xml_clean(&s);
            prop_assert!(!has_forbidden(&clean));
            prop_assert_eq!(clean.contains(c), xml_char(c));
        }

        /// Redaction never leaves seven digits in a row, and never grows the text's digits.
        #[test]
        fn no_number_survives(s in "[0-9０-９ a-z中文-]{0,60}") {
            let r = redact(&s);
            let mut run = 0;
            for c in r.chars() {
                run = if digit(c).is_some() { run + 1 } else { 0 };
                prop_assert!(run < 7, "{} -> {}", s, r);
            }
        }
    }
}
