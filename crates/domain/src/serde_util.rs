//! Lenient number fields: HTML forms send numbers as text, and an empty select as "".

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrText {
    Num(i64),
    Text(String),
}

/// `Option<i64>` from a number, a numeric string, an empty string or null.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<NumOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(n)),
        Some(NumOrText::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(NumOrText::Text(s)) => s.trim().parse().map(Some).map_err(|_| serde::de::Error::custom("not a number")),
    }
}

/// `i64` from a number or a numeric string (0 when empty, which validation then rejects).
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(opt_i64(d)?.unwrap_or(0))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrText {
    Bool(bool),
    Text(String),
}

/// `bool` from a JSON boolean or a form's checkbox (`on`, `true`, `1`; absent or empty: false).
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Option::<BoolOrText>::deserialize(d)? {
        None => Ok(false),
        Some(BoolOrText::Bool(b)) => Ok(b),
        Some(BoolOrText::Text(s)) => match s.trim() {
            "" | "false" | "0" | "off" => Ok(false),
            "true" | "1" | "on" => Ok(true),
            _ => Err(serde::de::Error::custom("not true or false")),
        },
    }
}
