//! The shipped taxonomy (also the Open311 services) and the 检索签名 of search.

use serde::{Deserialize, Serialize};

/// One category of the taxonomy (also an Open311 service).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub group: String,
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The unit that usually owns it (a hint for routing; empty when it depends on the place).
    #[serde(default)]
    pub unit: String,
}

/// 检索签名 (search signature): 256 bits, one set for each character and each pair of
/// neighbouring characters of a text (ASCII letters folded, as `LIKE` folds them), at a place
/// fixed by a stable hash. A word can only occur in a text whose signature covers the word's
/// own: searches test the signature in an index and read only the appeals that pass. Long
/// texts fill the bits and simply always pass. Derived data: `luoshi appeals reindex` rebuilds it.
pub fn signature<'a>(texts: impl IntoIterator<Item = &'a str>) -> [i64; 4] {
    let mut bits = [0u64; 4];
    let mut set = |feature: &[char]| {
        // FNV-1a over the characters: the same on every node and in every version.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for c in feature {
            h ^= u64::from(u32::from(*c));
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let i = h % 256;
        bits[(i / 64) as usize] |= 1 << (i % 64);
    };
    for t in texts {
        let mut prev: Option<char> = None;
        for c in t.chars().map(|c| c.to_ascii_lowercase()) {
            if c.is_whitespace() {
                prev = None;
                continue;
            }
            set(&[c]);
            if let Some(p) = prev {
                set(&[p, c]);
            }
            prev = Some(c);
        }
    }
    bits.map(|b| i64::from_ne_bytes(b.to_ne_bytes()))
}

/// Does a text's signature cover a word's (so the text may contain the word)?
pub fn covers(text: [i64; 4], word: [i64; 4]) -> bool {
    text.iter().zip(word).all(|(t, w)| t & w == w)
}

/// The shipped taxonomy (a county edits its own).
pub fn shipped_categories() -> Vec<Category> {
    serde_json::from_str(include_str!("../../data/appeal-categories.json")).unwrap_or_default()
}
