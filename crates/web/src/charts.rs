//! Charts drawn on the server as SVG (no script, no CDN): the picture is in the page itself.

/// Escape text for SVG (XML) content and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal bar chart of shares (0..=1), one bar per label, each with its percent written at
/// its end; `None` draws no bar and writes "—". `title` is read by screen readers.
pub fn share_bars(title: &str, rows: &[(String, Option<f64>)]) -> String {
    const LABEL: usize = 150;
    const BAR: usize = 320;
    const ROW: usize = 26;
    let height = rows.len() * ROW + 10;
    let width = LABEL + BAR + 70;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" class=\"chart\"><title>{t}</title>",
        t = esc(title)
    );
    for (i, (label, share)) in rows.iter().enumerate() {
        let y = i * ROW + 5;
        svg += &format!("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>", LABEL - 8, y + 17, esc(label));
        svg += &format!("<rect x=\"{LABEL}\" y=\"{}\" width=\"{BAR}\" height=\"18\" fill=\"#eef0f3\"/>", y + 3);
        match share {
            Some(s) => {
                let s = s.clamp(0.0, 1.0);
                let w = (s * BAR as f64).round() as usize;
                // Below 60 % red, below 90 % amber, else green: the colours of the lights.
                let fill = if s < 0.6 {
                    "#c0392b"
                } else if s < 0.9 {
                    "#d68910"
                } else {
                    "#1e8449"
                };
                svg += &format!("<rect x=\"{LABEL}\" y=\"{}\" width=\"{w}\" height=\"18\" fill=\"{fill}\"/>", y + 3);
                svg += &format!("<text x=\"{}\" y=\"{}\" font-size=\"13\">{:.1}%</text>", LABEL + BAR + 6, y + 17, s * 100.0);
            }
            None => svg += &format!("<text x=\"{}\" y=\"{}\" font-size=\"13\">—</text>", LABEL + BAR + 6, y + 17),
        }
    }
    svg + "</svg>"
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_escape_and_scale() {
        let svg = super::share_bars("整改率 <按乡镇>", &[("城关镇".into(), Some(0.5)), ("A&B".into(), None)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("整改率 &lt;按乡镇&gt;") && svg.contains("A&amp;B") && svg.contains("50.0%") && svg.contains("width=\"160\""));
    }
}
