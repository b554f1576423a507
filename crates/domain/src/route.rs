//! 智能派单 (routing by text): Chinese segmentation (jieba), a naive Bayes classifier trained on
//! the county's own closed appeals, the place names that decide 属地, and text similarity for
//! duplicates. Pure: the model is data the storage layer keeps, so every node answers alike.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

fn jieba() -> &'static jieba_rs::Jieba {
    static J: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    J.get_or_init(jieba_rs::Jieba::new)
}

const STOP: &[&str] = &[
    "我们", "你们", "他们", "这个", "那个", "一个", "没有", "已经", "还是", "就是", "但是", "因为", "所以", "如果", "希望", "请求", "反映", "问题", "情况",
    "要求", "相关", "部门", "现在", "目前", "一直", "非常", "什么", "怎么", "可以", "能够", "进行", "处理", "解决", "市民", "群众", "本人", "来电", "咨询",
];

/// The words of a text that carry meaning: jieba segments of two characters or more (or
/// numbers), stop words removed.
pub fn tokenize(text: &str) -> Vec<String> {
    jieba()
        .cut_for_search(text, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| {
            let n = w.chars().count();
            n >= 2 && w.chars().all(|c| c.is_alphanumeric()) && !STOP.contains(w) && !w.chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

/// A trained classifier: per class, how often each word appeared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub classes: Vec<String>,
    /// Documents per class.
    pub docs: Vec<u32>,
    /// Words per class.
    pub words: Vec<u32>,
    /// Word → counts per class (sparse: (class, count)).
    pub counts: HashMap<String, Vec<(u32, u32)>>,
}

/// A class the model suggests, how sure, and the words that decided it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guess {
    pub class: String,
    pub confidence: f64,
    pub words: Vec<String>,
}

impl Model {
    /// Train on (tokens, class) pairs.
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a [String], &'a str)>) -> Model {
        let mut m = Model::default();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut dense: HashMap<String, HashMap<u32, u32>> = HashMap::new();
        for (tokens, class) in examples {
            let ci = *index.entry(class.to_string()).or_insert_with(|| {
                m.classes.push(class.to_string());
                m.docs.push(0);
                m.words.push(0);
                m.classes.len() - 1
            });
            m.docs[ci] += 1;
            for t in tokens {
                m.words[ci] += 1;
                *dense.entry(t.clone()).or_default().entry(u32::try_from(ci).unwrap_or(0)).or_default() += 1;
            }
        }
        m.counts = dense
            .into_iter()
            .map(|(w, per)| {
                let mut v: Vec<(u32, u32)> = per.into_iter().collect();
                v.sort_unstable();
                (w, v)
            })
            .collect();
        m
    }

    pub fn examples(&self) -> u32 {
        self.docs.iter().sum()
    }

    /// The classes ranked for these tokens (multinomial naive Bayes, Laplace smoothing), with
    /// confidence as the posterior and the words that most favoured the winner.
    pub fn guess(&self, tokens: &[String]) -> Vec<Guess> {
        let n = self.classes.len();
        if n == 0 {
            return Vec::new();
        }
        let total_docs = f64::from(self.examples().max(1));
        let vocab = self.counts.len() as f64 + 1.0;
        let mut score: Vec<f64> = (0..n).map(|c| (f64::from(self.docs[c]) / total_docs).ln()).collect();
        let denom: Vec<f64> = (0..n).map(|c| f64::from(self.words[c]) + vocab).collect();
        let mut known: Vec<&str> = Vec::new();
        for t in tokens {
            let Some(per) = self.counts.get(t) else { continue };
            known.push(t);
            let mut j = 0;
            for (c, s) in score.iter_mut().enumerate() {
                let cnt = match per.get(j) {
                    Some(&(pc, k)) if pc as usize == c => {
                        j += 1;
                        f64::from(k)
                    }
                    _ => 0.0,
                };
                *s += ((cnt + 1.0) / denom[c]).ln();
            }
        }
        let max = score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = score.iter().map(|s| (s - max).exp()).collect();
        let sum: f64 = exp.iter().sum();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
        order
            .into_iter()
            .take(3)
            .map(|c| {
                // Words by how much more likely they are in this class than in the rest.
                let mut why: Vec<(f64, &str)> = known
                    .iter()
                    .filter_map(|t| {
                        let per = self.counts.get(*t)?;
                        let here = per.iter().find(|(pc, _)| *pc as usize == c).map_or(0, |x| x.1);
                        let all: u32 = per.iter().map(|x| x.1).sum();
                        (here > 0).then(|| (f64::from(here) / f64::from(all) * f64::from(here).ln_1p(), *t))
                    })
                    .collect();
                why.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
                let mut words: Vec<String> = Vec::new();
                for (_, w) in why {
                    if !words.iter().any(|x| x == w) && words.len() < 4 {
                        words.push(w.to_string());
                    }
                }
                Guess { class: self.classes[c].clone(), confidence: (exp[c] / sum * 100.0).round() / 100.0, words }
            })
            .collect()
    }
}

/// Held-out accuracy by k-fold cross-validation (examples in a fixed order: fold = index mod k).
pub fn cross_validate(examples: &[(Vec<String>, String)], k: usize) -> (f64, usize) {
    let k = k.max(2);
    let mut right = 0usize;
    let mut tried = 0usize;
    for fold in 0..k {
        let train = examples.iter().enumerate().filter(|(i, _)| i % k != fold).map(|(_, (t, c))| (t.as_slice(), c.as_str()));
        let m = Model::train(train);
        for (_, (t, c)) in examples.iter().enumerate().filter(|(i, _)| i % k == fold) {
            tried += 1;
            if m.guess(t).first().is_some_and(|g| &g.class == c) {
                right += 1;
            }
        }
    }
    (if tried == 0 { 0.0 } else { right as f64 / tried as f64 }, tried)
}

/// The longest place name found in the text: (id, name).
pub fn find_place<'a>(text: &str, places: &'a [(i64, String)]) -> Option<&'a (i64, String)> {
    places
        .iter()
        .filter_map(|p| Some((text.find(p.1.as_str())?, p)))
        .filter(|(_, (_, n))| n.chars().count() >= 2)
        .max_by_key(|(at, (_, n))| (n.len(), std::cmp::Reverse(*at)))
        .map(|(_, p)| p)
}

/// Jaccard similarity of two token lists (as sets).
pub fn similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let sa: std::collections::HashSet<&str> = a.iter().map(String::as_str).collect();
    let sb: std::collections::HashSet<&str> = b.iter().map(String::as_str).collect();
    let inter = sa.intersection(&sb).count() as f64;
    inter / (sa.len() + sb.len()) as f64 * 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, class: &str) -> (Vec<String>, String) {
        (tokenize(text), class.to_string())
    }

    #[test]
    fn segments_chinese_and_drops_noise() {
        let t = tokenize("小区门口的路灯已经坏了三天，晚上出行很不安全，希望尽快维修。");
        assert!(t.contains(&"路灯".to_string()), "{t:?}");
        assert!(!t.contains(&"已经".to_string()) && !t.iter().any(|w| w == "，"));
    }

    #[test]
    fn learns_units_from_examples_and_says_why() {
        let data = vec![
            ex("路灯不亮，晚上很黑", "住建"),
            ex("小区路灯坏了没人修", "住建"),
            ex("楼下饭店油烟太大，噪音扰民", "环保"),
            ex("工厂排放废气，有刺鼻异味", "环保"),
            ex("老板拖欠工资三个月", "人社"),
            ex("公司不交社保还拖欠工资", "人社"),
        ];
        let m = Model::train(data.iter().map(|(t, c)| (t.as_slice(), c.as_str())));
        let g = m.guess(&tokenize("公司拖欠我两个月工资"));
        assert_eq!(g[0].class, "人社");
        assert!(g[0].words.contains(&"拖欠".to_string()) || g[0].words.contains(&"工资".to_string()), "{:?}", g[0]);
        assert!(g[0].confidence > 0.5);
        let json = serde_json::to_string(&m).unwrap();
        let back: Model = serde_json::from_str(&json).unwrap();
        assert_eq!(back.guess(&tokenize("路灯坏了"))[0].class, "住建");
        let (acc, n) = cross_validate(&data, 2);
        assert_eq!(n, 6);
        assert!((0.0..=1.0).contains(&acc));
    }

    #[test]
    fn places_and_similarity() {
        let places = vec![(1, "青山镇".to_string()), (2, "竹林村".to_string()), (3, "青山".to_string())];
        assert_eq!(find_place("青山镇竹林村三组道路塌方", &places).map(|p| p.0), Some(1));
        assert!(find_place("城区某小区", &places).is_none());
        let a = tokenize("城关镇幸福路路灯不亮");
        assert!(similarity(&a, &tokenize("幸福路的路灯不亮了")) > 0.5);
        assert!(similarity(&a, &tokenize("公司拖欠工资")) < 0.2);
    }
}
