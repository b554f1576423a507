//! Editing a year's scheme from the form the supervision office fills in: the parts' weights,
//! each indicator's target, weight and 文号, the grade bands, the minimum sample, title and
//! source. Formulas are kept as they are (they change through the API, as data). Each number
//! arrives as typed and a wrong one is named with the indicator it belongs to; the whole scheme
//! is checked before a new version is kept.

use super::{put_scheme, scheme};
use crate::{Result, Who};
use luoshi_domain::assessment::{Band, Scheme};
use luoshi_domain::{DomainError, ErrorCode};
use std::collections::HashMap;

/// The form as sent: `title`, `source`, `min_sample`, `note`, `part.<code>`,
/// `target.<code>` (a percentage), `weight.<code>`, `source.<code>`, `band_name.<i>`,
/// `band_min.<i>`.
pub type SchemeForm = HashMap<String, String>;

fn number(form: &SchemeForm, key: &str, field: &str, what: &str) -> std::result::Result<Option<f64>, DomainError> {
    // A field left empty changes nothing (an empty band row adds no band).
    let Some(raw) = form.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) else { return Ok(None) };
    raw.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(Some)
        .ok_or_else(|| DomainError::field(ErrorCode::Invalid, field).with_detail(format!("{what}: {raw}")))
}

/// The scheme with the form's changes (nothing stored).
pub fn apply(mut s: Scheme, form: &SchemeForm) -> std::result::Result<Scheme, DomainError> {
    let text = |k: &str| form.get(k).map(|v| v.trim().to_string());
    if let Some(t) = text("title") {
        s.title = t;
    }
    if let Some(t) = text("source") {
        s.source = t;
    }
    if let Some(raw) = text("min_sample") {
        s.min_sample = raw.parse().map_err(|_| DomainError::field(ErrorCode::Invalid, "min_sample").with_detail(raw.clone()))?;
    }
    for p in &mut s.parts {
        if let Some(w) = number(form, &format!("part.{}", p.code), "parts", &p.name)? {
            p.weight = w;
        }
    }
    for i in &mut s.indicators {
        if let Some(t) = number(form, &format!("target.{}", i.code), "indicator_target", &i.name)? {
            i.target = t / 100.0;
        }
        if let Some(w) = number(form, &format!("weight.{}", i.code), "indicator_weight", &i.name)? {
            i.weight = w;
        }
        if let Some(src) = text(&format!("source.{}", i.code)) {
            i.source = src;
        }
    }
    let mut bands: Vec<Band> = Vec::new();
    for n in 0..s.bands.len() + 1 {
        let name = text(&format!("band_name.{n}")).unwrap_or_default();
        let min = number(form, &format!("band_min.{n}"), "bands", &name)?;
        match (name.is_empty(), min, s.bands.get(n)) {
            // A row left empty: the band as it was (or no new band).
            (true, None, Some(b)) if !form.contains_key(&format!("band_name.{n}")) => bands.push(b.clone()),
            (true, None, _) => {}
            (false, Some(min), _) => bands.push(Band { name, min }),
            (_, _, _) => return Err(DomainError::field(ErrorCode::Invalid, "bands").with_detail(name)),
        }
    }
    s.bands = bands;
    Ok(s)
}

/// Keep the form's changes to the scheme in force as a new version: the version.
pub async fn edit(db: &luoshi_storage::Db, who: &Who, year: i32, unit_kind: &str, form: &SchemeForm, now: i64) -> Result<i64> {
    if !who.is_supervisor() {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let (current, _) = scheme(db, year, unit_kind).await?;
    let next = apply(current, form)?;
    put_scheme(db, who, &next, form.get("note").map(String::as_str).unwrap_or_default(), now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn township() -> Scheme {
        luoshi_domain::assessment::shipped().unwrap().into_iter().find(|s| s.unit_kind == "township").unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> SchemeForm {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_form_changes_weights_targets_and_bands_and_names_a_wrong_number() {
        let s =
            apply(township(), &form(&[("part.work", "35"), ("part.people", "65"), ("target.task_on_time", "90"), ("band_name.0", "好"), ("band_min.0", "85")]))
                .unwrap();
        assert_eq!((s.parts[0].weight, s.indicator("task_on_time").unwrap().target), (35.0, 0.9));
        assert_eq!((s.bands[0].name.as_str(), s.bands[0].min), ("好", 85.0));
        assert!(s.check().is_ok());
        // The empty row for a new band, sent as the page sends it, adds none.
        let s = apply(township(), &form(&[("band_name.3", ""), ("band_min.3", ""), ("target.task_on_time", "")])).unwrap();
        assert_eq!((s.bands.len(), s.indicator("task_on_time").unwrap().target), (3, 0.95));
        let e = apply(township(), &form(&[("weight.task_on_time", "四十")])).unwrap_err();
        assert_eq!((e.field.as_deref(), e.detail.as_deref()), (Some("indicator_weight"), Some("任务按期办结率: 四十")));
        // Weights that no longer sum to a hundred are the whole scheme's check's to refuse.
        let s = apply(township(), &form(&[("weight.task_on_time", "50")])).unwrap();
        assert_eq!(s.check().unwrap_err().field.as_deref(), Some("indicators"));
    }
}
