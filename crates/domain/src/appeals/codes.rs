//! Masking of personal data, tracking codes (查询码) and rating codes (评价码).

/// 138****5678: the first three and last four digits of a phone number.
pub fn mask_phone(p: &str) -> String {
    let c: Vec<char> = p.chars().collect();
    if c.len() <= 4 {
        return "*".repeat(c.len());
    }
    let keep_head = if c.len() >= 11 { 3 } else { 0 };
    let tail = 4.min(c.len() - keep_head);
    let stars = c.len() - keep_head - tail;
    c[..keep_head].iter().collect::<String>() + &"*".repeat(stars) + &c[c.len() - tail..].iter().collect::<String>()
}

/// 110105********002X: the region and the last four characters of an ID number.
pub fn mask_id(id: &str) -> String {
    let c: Vec<char> = id.chars().collect();
    if c.len() < 10 {
        return "*".repeat(c.len());
    }
    c[..6].iter().collect::<String>() + &"*".repeat(c.len() - 10) + &c[c.len() - 4..].iter().collect::<String>()
}

/// 张**: the family name only.
pub fn mask_name(n: &str) -> String {
    let mut c = n.chars();
    match c.next() {
        Some(first) => first.to_string() + &"*".repeat(c.count().max(1)),
        None => String::new(),
    }
}

/// Tracking codes (查询码) are 12 characters of Crockford base 32 from 60 random bits,
/// grouped for reading aloud on the phone: `7K3M-Q9XA-2B4D`.
pub fn tracking_code(random: u64) -> String {
    const A: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut out = String::with_capacity(14);
    for i in 0..12 {
        if i == 4 || i == 8 {
            out.push('-');
        }
        let idx = usize::try_from((random >> (55 - 5 * i)) & 31).unwrap_or(0);
        out.push(char::from(A[idx]));
    }
    out
}

/// The citizen's rating code (评价码): 8 characters of Crockford base 32 from 40 random bits,
/// `7K3M-Q9XA`, handed out with the tracking code and needed to rate the reply. The tracking
/// code is public (the Open311 `service_request_id`); this one only the citizen has.
pub fn rating_code(random: u64) -> String {
    let full = tracking_code(random);
    full[..9].to_string()
}

/// A rating code as typed (the same forgiveness as tracking codes), or `None`.
pub fn normalize_rating_code(s: &str) -> Option<String> {
    let padded = format!("{}0000", s.trim());
    let n = normalize_code(&padded)?;
    (n.len() == 14 && s.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 8).then(|| n[..9].to_string())
}

/// A tracking code as typed: case, spaces and dashes forgiven; I/L read as 1, O as 0.
pub fn normalize_code(s: &str) -> Option<String> {
    let clean: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            x => x,
        })
        .collect();
    if clean.len() != 12 || !clean.chars().all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c))) {
        return None;
    }
    Some(format!("{}-{}-{}", &clean[..4], &clean[4..8], &clean[8..]))
}
