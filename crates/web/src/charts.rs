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

/// One cell of a grid chart: its colour, the figure written in it and its tooltip.
pub struct GridCell {
    pub fill: &'static str,
    /// The figure's colour, readable on the fill.
    pub ink: &'static str,
    pub text: String,
    pub title: String,
}

/// A grid (rows down, columns across) of coloured cells with a legend below: the county's risk
/// map by township and industry. `cells[r][c]` is `None` where there is nothing.
pub fn grid(title: &str, rows: &[String], cols: &[String], cells: &[Vec<Option<GridCell>>], legend: &[(&str, String)]) -> String {
    const LABEL: usize = 110;
    const H: usize = 30;
    const HEAD: usize = 28;
    // Each column as wide as its label (13 px a character), at least 48 px.
    let w = cols.iter().map(|c| c.chars().count() * 13 + 12).max().unwrap_or(48).max(48);
    let legend_width: usize = legend.iter().map(|(_, l)| 30 + l.chars().count() * 13).sum::<usize>() + 20;
    let width = (LABEL + cols.len().max(1) * w + 10).max(legend_width);
    let height = HEAD + rows.len() * H + 40;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" class=\"chart\"><title>{t}</title>",
        t = esc(title)
    );
    for (c, col) in cols.iter().enumerate() {
        svg += &format!("<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">{}</text>", LABEL + c * w + w / 2, esc(col));
    }
    for (r, row) in rows.iter().enumerate() {
        let y = HEAD + r * H;
        svg += &format!("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>", LABEL - 8, y + 20, esc(row));
        for c in 0..cols.len() {
            let x = LABEL + c * w;
            match cells.get(r).and_then(|cs| cs.get(c)).and_then(Option::as_ref) {
                Some(cell) => {
                    svg += &format!(
                        "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\" fill=\"{}\">{}</text>",
                        w - 2,
                        H - 2,
                        cell.fill,
                        esc(&cell.title),
                        x + w / 2,
                        y + 20,
                        cell.ink,
                        esc(&cell.text)
                    );
                }
                None => svg += &format!("<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"#eceef1\"/>", w - 2, H - 2),
            }
        }
    }
    let mut x = 10;
    let y = HEAD + rows.len() * H + 14;
    for (fill, label) in legend {
        svg += &format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{fill}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            x + 18,
            y + 12,
            esc(label)
        );
        x += 30 + label.chars().count() * 13;
    }
    svg + "</svg>"
}

/// A horizontal bar chart of values (working days …), the longest bar the largest value, each
/// with its figure written at its end; bars past `red` are red, past `amber` amber.
pub fn value_bars(title: &str, rows: &[(String, f64, String)], amber: f64, red: f64) -> String {
    const LABEL: usize = 190;
    const BAR: usize = 300;
    const ROW: usize = 26;
    let height = rows.len() * ROW + 10;
    let width = LABEL + BAR + 120;
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" class=\"chart\"><title>{t}</title>",
        t = esc(title)
    );
    for (i, (label, v, text)) in rows.iter().enumerate() {
        let y = i * ROW + 5;
        let w = ((v / max) * BAR as f64).round().max(1.0) as usize;
        let fill = if *v >= red {
            "#c0392b"
        } else if *v >= amber {
            "#d68910"
        } else {
            "#2e86c1"
        };
        svg += &format!("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>", LABEL - 8, y + 17, esc(label));
        svg += &format!("<rect x=\"{LABEL}\" y=\"{}\" width=\"{w}\" height=\"18\" fill=\"{fill}\"/>", y + 3);
        svg += &format!("<text x=\"{}\" y=\"{}\" font-size=\"13\">{}</text>", LABEL + w + 6, y + 17, esc(text));
    }
    svg + "</svg>"
}

/// Two cumulative lines by month (the actual in blue, the plan dashed in grey), with the
/// months along the bottom and the largest value at the top left: investment against plan.
pub fn curve(title: &str, months: &[String], actual: &[f64], plan: &[f64], top_label: &str, legend: (&str, &str)) -> String {
    const W: f64 = 520.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 50.0;
    const BOTTOM: f64 = 24.0;
    let n = months.len().max(1);
    let max = actual.iter().chain(plan).copied().fold(0.0_f64, f64::max).max(1.0);
    let x = |i: usize| LEFT + (W - LEFT - 10.0) * (i as f64 + 0.5) / n as f64;
    let y = |v: f64| 10.0 + (H - BOTTOM - 10.0) * (1.0 - v / max);
    let line = |vals: &[f64]| vals.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ");
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\" class=\"chart\"><title>{t}</title>",
        t = esc(title),
        h = H + 20.0
    );
    svg += &format!("<line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{W}\" y2=\"{b}\" stroke=\"#888\"/>", b = H - BOTTOM);
    svg += &format!("<text x=\"4\" y=\"16\" font-size=\"12\">{}</text>", esc(top_label));
    for (i, m) in months.iter().enumerate() {
        svg += &format!("<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>", x(i), H - 6.0, esc(m));
    }
    svg += &format!("<polyline points=\"{}\" fill=\"none\" stroke=\"#888\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>", line(plan));
    svg += &format!("<polyline points=\"{}\" fill=\"none\" stroke=\"#2e86c1\" stroke-width=\"3\"/>", line(actual));
    for (i, v) in actual.iter().enumerate() {
        svg += &format!("<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#2e86c1\"/>", x(i), y(*v));
    }
    svg += &format!(
        "<rect x=\"{LEFT}\" y=\"{ly}\" width=\"18\" height=\"4\" fill=\"#2e86c1\"/><text x=\"{}\" y=\"{ty}\" font-size=\"12\">{}</text>\
         <rect x=\"{}\" y=\"{ly}\" width=\"18\" height=\"4\" fill=\"#888\"/><text x=\"{}\" y=\"{ty}\" font-size=\"12\">{}</text>",
        LEFT + 24.0,
        esc(legend.0),
        LEFT + 160.0,
        LEFT + 184.0,
        esc(legend.1),
        ly = H + 6.0,
        ty = H + 12.0
    );
    svg + "</svg>"
}

/// Stacked columns by period (months …): each column the sum of its series in their colours,
/// the tallest scaled to the top, the marked column's figure written above it, every `every`-th
/// label along the bottom and the legend below: the maturity wall.
pub fn stacked_columns(title: &str, labels: &[String], series: &[(&str, String, Vec<f64>)], top_label: &str, mark: Option<usize>, every: usize) -> String {
    const W: f64 = 720.0;
    const H: f64 = 240.0;
    const LEFT: f64 = 56.0;
    const BOTTOM: f64 = 24.0;
    let n = labels.len().max(1);
    let totals: Vec<f64> = (0..n).map(|i| series.iter().map(|s| s.2.get(i).copied().unwrap_or(0.0)).sum()).collect();
    let max = totals.iter().copied().fold(0.0_f64, f64::max).max(1e-9);
    let slot = (W - LEFT - 10.0) / n as f64;
    let scale = |v: f64| (H - BOTTOM - 24.0) * v / max;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\" class=\"chart\"><title>{t}</title>",
        t = esc(title),
        h = H + 24.0
    );
    svg += &format!("<line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{W}\" y2=\"{b}\" stroke=\"#888\"/>", b = H - BOTTOM);
    svg += &format!("<text x=\"4\" y=\"14\" font-size=\"12\">{}</text>", esc(top_label));
    for (i, total) in totals.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let mut y = H - BOTTOM;
        for (colour, name, vals) in series {
            let v = vals.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let h = scale(v).max(0.5);
            y -= h;
            svg += &format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{} {}：{v:.4}</title></rect>",
                slot * 0.7,
                esc(labels.get(i).map(String::as_str).unwrap_or("")),
                esc(name)
            );
        }
        if mark == Some(i) {
            svg += &format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"#c0392b\">{:.2}</text>",
                x + slot * 0.35,
                y - 4.0,
                total
            );
        }
        if every > 0 && i % every == 0 {
            svg += &format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
                x + slot * 0.35,
                H - 8.0,
                esc(labels.get(i).map(String::as_str).unwrap_or(""))
            );
        }
    }
    let mut lx = LEFT;
    for (colour, name, _) in series {
        svg += &format!(
            "<rect x=\"{lx}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            H + 6.0,
            lx + 18.0,
            H + 15.0,
            esc(name)
        );
        lx += 30.0 + name.chars().count() as f64 * 13.0;
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

    #[test]
    fn columns_stack_and_mark_the_peak() {
        let labels: Vec<String> = vec!["2027-01".into(), "2027-02".into()];
        let svg = super::stacked_columns(
            "到期墙",
            &labels,
            &[("#2e86c1", "一般".into(), vec![1.0, 3.0]), ("#c0392b", "平台<非标>".into(), vec![0.0, 1.0])],
            "亿元",
            Some(1),
            1,
        );
        assert!(svg.contains(">4.00<") && svg.contains("平台&lt;非标&gt;") && svg.contains(">2027-02<"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 3 + 2);
    }

    #[test]
    fn a_grid_paints_cells_and_leaves_gaps() {
        let cell = super::GridCell { fill: "#d93025", ink: "#ffffff", text: "8".into(), title: "城关镇 <制造业>".into() };
        let svg = super::grid("风险", &["城关镇".into()], &["制造业".into(), "建筑业".into()], &[vec![Some(cell), None]], &[("#d93025", "重大".into())]);
        assert!(svg.contains("fill=\"#d93025\"") && svg.contains("城关镇 &lt;制造业&gt;") && svg.contains("fill=\"#eceef1\""), "{svg}");
        assert!(svg.contains(">建筑业<") && svg.contains(">重大<"));
    }
}
