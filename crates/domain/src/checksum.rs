//! Check digits of the national codes luoshi reads (rules-cn.md §7).

const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c).and_then(|i| u32::try_from(i).ok())
}

/// GB 32100-2015 统一社会信用代码: 18 characters of the allowed alphabet, digits in the region part.
/// The checksum is checked separately ([`uscc_checksum_ok`]): some early legal codes fail it.
pub fn uscc_shape_ok(code: &str) -> bool {
    let up = code.to_ascii_uppercase();
    up.chars().count() == 18 && up.chars().all(|c| uscc_value(c).is_some()) && up.chars().skip(2).take(6).all(|c| c.is_ascii_digit())
}

/// GB 32100-2015 check character: C18 = (31 - Σ Ci·Wi mod 31) mod 31.
pub fn uscc_checksum_ok(code: &str) -> bool {
    let up = code.to_ascii_uppercase();
    if !uscc_shape_ok(&up) {
        return false;
    }
    let vals: Vec<u32> = up.chars().filter_map(uscc_value).collect();
    let sum: u32 = vals.iter().zip(USCC_WEIGHTS.iter()).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    vals.get(17) == Some(&check)
}

/// GB 11643-1999 公民身份号码: 18 characters, ISO 7064 MOD 11-2 check, a real birth date.
pub fn resident_id_ok(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = id.trim().to_ascii_uppercase().into_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let birth = std::str::from_utf8(&b[6..14]).ok().and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y%m%d").ok());
    if birth.is_none() {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(W.iter()).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK.get(usize::try_from(sum % 11).unwrap_or(0)) == b.get(17)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uscc_known_codes() {
        for c in ["91110000600037341L", "91230184MA1BUFLT44", "92371000MA3MXH0E3W"] {
            assert!(uscc_checksum_ok(c), "{c}");
        }
        assert!(!uscc_checksum_ok("91110000600037341M"));
        assert!(uscc_shape_ok("91350100M000100Y43"));
        assert!(!uscc_shape_ok("9111000060003734IL")); // I is not in the alphabet
    }

    #[test]
    fn resident_ids() {
        assert!(resident_id_ok("11010519491231002X"));
        assert!(resident_id_ok("440524188001010014"));
        assert!(!resident_id_ok("110105194912310021"));
        assert!(!resident_id_ok("110105194913310029")); // month 13
    }
}
