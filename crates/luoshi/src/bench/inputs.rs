//! Inputs of `bench doc` and `bench route`: a synthetic official document and routing texts.

use super::*;
use std::time::Instant;

/// A deterministic document of about `bytes` bytes mixing every marker kind the splitter reads:
/// 第X章, 一、, （一）, 1., (1), ①, inline 一是/二是, page numbers.
pub fn synthetic_document(bytes: usize, seed: u64) -> String {
    const CN: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut rng = Rng::new(seed);
    let mut out = String::from("示范县关于全面推进重点工作的实施方案\n为深入贯彻落实县委县政府决策部署，结合实际，制定本方案。\n");
    let (mut ch, mut page) = (0usize, 0usize);
    while out.len() < bytes {
        ch += 1;
        out.push_str(&format!("第{}章 {}\n", CN[(ch - 1) % 10], rng.pick(TOPICS)));
        for s1 in &CN[..3] {
            out.push_str(&format!("{s1}、{}\n", rng.pick(TOPICS)));
            for s2 in &CN[..3] {
                out.push_str(&format!("（{s2}）{}。{}\n", rng.pick(TOPICS), rng.pick(MEASURES)));
                for n in 1..=3 {
                    out.push_str(&format!(
                        "{n}.{}。一是{}，年底前完成。二是{}。三是{}。\n",
                        rng.pick(TOPICS),
                        rng.pick(MEASURES),
                        rng.pick(MEASURES),
                        rng.pick(MEASURES)
                    ));
                }
                out.push_str(&format!("(1){}。\n(2){}。\n①{}\n②{}\n", rng.pick(MEASURES), rng.pick(MEASURES), rng.pick(TOPICS), rng.pick(TOPICS)));
            }
            page += 1;
            out.push_str(&format!("- {page} -\n"));
        }
    }
    out
}

/// Routing speed on one core: a model trained on generated appeals of the demo templates, then
/// `n` suggestions (segmentation and classification) timed one after another.
pub fn route(n: usize) {
    use luoshi_domain::route::{tokenize, Model};
    let mut rng = Rng::new(7);
    let gen = |rng: &mut Rng| {
        let (cat, _, texts) = rng.pick(luoshi_web::demo_appeals::TEMPLATES);
        let place = rng.pick(luoshi_web::demo_appeals::PLACES);
        ((*rng.pick(texts)).replace("{p}", place), (*cat).to_string())
    };
    let examples: Vec<(Vec<String>, String)> = (0..5_000).map(|_| gen(&mut rng)).map(|(t, c)| (tokenize(&t), c)).collect();
    let model = Model::train(examples.iter().map(|(t, c)| (t.as_slice(), c.as_str())));
    let texts: Vec<(String, String)> = (0..n.max(1)).map(|_| gen(&mut rng)).collect();
    let t0 = Instant::now();
    let mut right = 0usize;
    for (t, c) in &texts {
        if model.guess(&tokenize(t)).first().is_some_and(|g| &g.class == c) {
            right += 1;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "routing: {} suggestions in {:.2} s on one core = {:.0} appeals/s ({:.1} µs each); {} classes, {} words; agreement with the generating category {:.1}%",
        texts.len(),
        secs,
        texts.len() as f64 / secs,
        secs * 1e6 / texts.len() as f64,
        model.classes.len(),
        model.counts.len(),
        right as f64 * 100.0 / texts.len() as f64
    );
}
