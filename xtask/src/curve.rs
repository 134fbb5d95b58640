//! The picture of `cargo xtask corpus`: generation time and peak memory
//! against spec size, one dot per spec, beside the linear budget lines the
//! README promises (0.5 s and 100 MB per MB of spec). A dot above its line
//! is a spec that costs more than its size allows; a bend in the dots is a
//! superlinear cost. Written as plain SVG so the README shows it without
//! any tool.

use std::fmt::Write as _;

/// One generated spec, as the picture needs it.
pub struct Point {
    pub name: String,
    pub mb: f64,
    pub seconds: f64,
    pub peak_mb: f64,
}

/// The budget per MB of spec: seconds, and MB of peak memory.
pub const SECONDS_PER_MB: f64 = 0.5;
pub const PEAK_MB_PER_MB: f64 = 100.0;

const PANEL_W: f64 = 420.0;
const PANEL_H: f64 = 300.0;
const MARGIN: f64 = 50.0;

/// Two panels side by side: seconds against MB, peak MB against MB.
pub fn svg(points: &[Point]) -> String {
    let width = 2.0 * (PANEL_W + 2.0 * MARGIN);
    let height = PANEL_H + 2.0 * MARGIN;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let panels = [
        Panel {
            title: "generation time (s, whole process)",
            per_mb: SECONDS_PER_MB,
            value: |p: &Point| p.seconds,
            left: MARGIN,
        },
        Panel {
            title: "peak memory (MB)",
            per_mb: PEAK_MB_PER_MB,
            value: |p: &Point| p.peak_mb,
            left: PANEL_W + 3.0 * MARGIN,
        },
    ];
    for panel in &panels {
        panel.draw(points, &mut out);
    }
    out.push_str("</svg>\n");
    out
}

struct Panel {
    title: &'static str,
    per_mb: f64,
    value: fn(&Point) -> f64,
    left: f64,
}

impl Panel {
    fn draw(&self, points: &[Point], out: &mut String) {
        let max_x = nice_ceiling(points.iter().map(|p| p.mb).fold(1.0, f64::max));
        let max_y = nice_ceiling(
            points
                .iter()
                .map(self.value)
                .fold(self.per_mb * max_x, f64::max),
        );
        let x = |v: f64| self.left + v / max_x * PANEL_W;
        let y = |v: f64| MARGIN + PANEL_H - v / max_y * PANEL_H;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\">{}</text>",
            self.left,
            MARGIN - 20.0,
            self.title
        );
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{MARGIN}\" width=\"{PANEL_W}\" height=\"{PANEL_H}\" \
             fill=\"none\" stroke=\"#999\"/>",
            self.left
        );
        for tick in ticks(max_x) {
            let _ = writeln!(
                out,
                "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"#eee\"/>\
                 <text x=\"{0:.1}\" y=\"{3:.1}\" text-anchor=\"middle\">{4}</text>",
                x(tick),
                MARGIN,
                MARGIN + PANEL_H,
                MARGIN + PANEL_H + 15.0,
                label(tick)
            );
        }
        for tick in ticks(max_y) {
            let _ = writeln!(
                out,
                "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{2:.1}\" y2=\"{1:.1}\" stroke=\"#eee\"/>\
                 <text x=\"{3:.1}\" y=\"{4:.1}\" text-anchor=\"end\">{5}</text>",
                self.left,
                y(tick),
                self.left + PANEL_W,
                self.left - 5.0,
                y(tick) + 4.0,
                label(tick)
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">spec size (MB)</text>",
            self.left + PANEL_W / 2.0,
            MARGIN + PANEL_H + 32.0
        );
        let end = max_x.min(max_y / self.per_mb);
        let _ = writeln!(
            out,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#c33\" \
             stroke-dasharray=\"5,4\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#c33\" \
             text-anchor=\"end\">budget: {} per MB</text>",
            x(0.0),
            y(0.0),
            x(end),
            y(end * self.per_mb),
            x(end) - 4.0,
            y(end * self.per_mb) - 6.0,
            label(self.per_mb)
        );
        for p in points {
            let (px, py) = (x(p.mb), y((self.value)(p)));
            let _ = writeln!(
                out,
                "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"3.5\" fill=\"#236\"><title>{}: {:.1} MB, {}</title></circle>",
                escape(&p.name),
                p.mb,
                label((self.value)(p))
            );
            if p.mb >= max_x / 8.0 {
                let _ = writeln!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#236\">{}</text>",
                    px + 5.0,
                    py - 4.0,
                    escape(&p.name)
                );
            }
        }
    }
}

/// The smallest of 1, 2 or 5 times a power of ten that is at least `v`.
fn nice_ceiling(v: f64) -> f64 {
    let mut scale = 10f64.powf(v.max(1e-9).log10().floor());
    loop {
        for step in [1.0, 2.0, 5.0, 10.0] {
            if step * scale >= v {
                return step * scale;
            }
        }
        scale *= 10.0;
    }
}

/// Five evenly spaced ticks up to `max`, zero left out.
fn ticks(max: f64) -> impl Iterator<Item = f64> {
    (1..=5).map(move |i| max * f64::from(i) / 5.0)
}

fn label(v: f64) -> String {
    if v >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Spec names are file names, but a file may be called anything.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(name: &str, mb: f64, seconds: f64) -> Point {
        Point {
            name: name.into(),
            mb,
            seconds,
            peak_mb: mb * 90.0,
        }
    }

    #[test]
    fn axes_fit_every_point_and_the_budget_line() {
        assert_eq!(nice_ceiling(15.4), 20.0);
        assert_eq!(nice_ceiling(0.7), 1.0);
        assert_eq!(nice_ceiling(1110.5), 2000.0);
        let svg = svg(&[point("a<b>.yaml", 15.4, 8.4), point("small", 0.1, 0.05)]);
        assert!(svg.contains("a&lt;b&gt;.yaml"), "{svg}");
        assert!(!svg.contains("a<b>"));
        assert_eq!(
            svg.matches("<circle").count(),
            4,
            "a dot per spec per panel"
        );
        assert!(svg.contains("budget: 0.5 per MB") && svg.contains("budget: 100 per MB"));
        // Every coordinate is inside the picture.
        for cy in svg.split("cy=\"").skip(1) {
            let v: f64 = cy.split('"').next().unwrap_or_default().parse().unwrap();
            assert!((MARGIN..=MARGIN + PANEL_H).contains(&v), "{v}");
        }
    }
}
