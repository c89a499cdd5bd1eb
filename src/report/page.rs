//! The page itself: HTML escaping, tables, inline charts and the stylesheet (screen and A4
//! print). Everything the page shows is in the one file: no script, no link, no font fetched.

use std::fmt::Write;

use base64::Engine;

/// The CJK face the charts name first (`truce CJK`), so that their Chinese text is drawn with
/// the same glyphs in any browser, with nothing installed.
static CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/truce-cjk.ttf");

/// Text made safe for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A page being assembled, section by section.
pub struct Page {
    body: String,
    lang: &'static str,
    title: String,
}

impl Page {
    pub fn new(lang: &'static str, title: &str) -> Page {
        Page { body: String::new(), lang, title: title.to_string() }
    }

    /// A heading of level 1 to 3.
    pub fn heading(&mut self, level: u8, text: &str) {
        let _ = writeln!(self.body, "<h{level}>{}</h{level}>", esc(text));
    }

    pub fn para(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p>{}</p>", esc(text));
    }

    /// A paragraph in a smaller, muted type (notes under a table).
    pub fn note(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p class=\"note\">{}</p>", esc(text));
    }

    /// A table: `head` are the column titles; `numeric` marks the columns aligned right.
    pub fn table(&mut self, class: &str, head: &[&str], numeric: &[bool], rows: &[Vec<String>]) {
        let _ = writeln!(self.body, "<table class=\"{class}\"><thead><tr>");
        for (i, h) in head.iter().enumerate() {
            let cls = if numeric.get(i) == Some(&true) { " class=\"num\"" } else { "" };
            let _ = write!(self.body, "<th{cls}>{}</th>", esc(h));
        }
        let _ = writeln!(self.body, "</tr></thead><tbody>");
        for row in rows {
            let _ = write!(self.body, "<tr>");
            for (i, cell) in row.iter().enumerate() {
                let cls = if numeric.get(i) == Some(&true) { " class=\"num\"" } else { "" };
                let _ = write!(self.body, "<td{cls}>{}</td>", esc(cell));
            }
            let _ = writeln!(self.body, "</tr>");
        }
        let _ = writeln!(self.body, "</tbody></table>");
    }

    /// A list of short lines (key: value) for the run's facts.
    pub fn facts(&mut self, rows: &[(String, String)]) {
        let _ = writeln!(self.body, "<dl class=\"facts\">");
        for (k, v) in rows {
            let _ = writeln!(self.body, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
        }
        let _ = writeln!(self.body, "</dl>");
    }

    /// A command line, shown as code.
    pub fn code(&mut self, text: &str) {
        let _ = writeln!(self.body, "<pre class=\"cmd\"><code>{}</code></pre>", esc(text));
    }

    /// A chart, its SVG inlined: scaled to the page's width, with `caption` under it.
    pub fn chart(&mut self, name: &str, svg: &str, caption: &str) {
        let _ = writeln!(
            self.body,
            "<figure class=\"chart\" data-chart=\"{}\">{}<figcaption>{}</figcaption></figure>",
            esc(name),
            inline_svg(svg, caption),
            esc(caption)
        );
    }

    /// The whole document.
    pub fn finish(self) -> String {
        let font = base64::engine::general_purpose::STANDARD.encode(CJK_FONT);
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"truce {version}\">\n<title>{title}</title>\n<style>\n@font-face {{ font-family: \"truce CJK\"; src: url(data:font/ttf;base64,{font}) format(\"truetype\"); }}\n{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
            lang = self.lang,
            version = env!("CARGO_PKG_VERSION"),
            title = esc(&self.title),
            body = self.body,
        )
    }
}

/// The SVG of a chart file made to fit the page: its fixed width and height replaced by the
/// page's width (the viewBox keeps its proportions), labelled for screen readers.
fn inline_svg(svg: &str, label: &str) -> String {
    let svg = svg.trim_start();
    let svg = match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(svg, |(_, r)| r.trim_start()),
        None => svg,
    };
    let Some(open_end) = svg.find('>') else { return String::new() };
    let (open, rest) = svg.split_at(open_end);
    let view_box = open.split("viewBox=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or("0 0 1600 1000");
    format!(
        "<svg viewBox=\"{view_box}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\" preserveAspectRatio=\"xMidYMid meet\"{rest}",
        esc(label)
    )
}

const STYLE: &str = r#"
:root { --ink: #1a1a1a; --muted: #5f5f5f; --rule: #d8d8d8; --band: #f4f4f4; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 "Helvetica Neue", Arial, "truce CJK", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p { margin: .4rem 0; }
.note { color: var(--muted); font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: .9rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.params td:first-child { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8rem; white-space: nowrap; }
table.params td:nth-child(2) { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8rem; }
table.params td:nth-child(3) { color: var(--muted); font-size: .8rem; white-space: nowrap; }
table.params td:nth-child(4) { font-size: .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .4rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
pre.cmd { background: var(--band); padding: .5rem .7rem; overflow-x: auto; font-size: .85rem; white-space: pre-wrap; overflow-wrap: anywhere; }
figure.chart { margin: .8rem 0 1.2rem; }
figure.chart svg { display: block; width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure.chart, table.headline, dl.facts { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  figure.chart svg { border: none; }
  pre.cmd { white-space: pre-wrap; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_svg_fits_the_page() {
        assert_eq!(esc("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"1600\" height=\"1000\" viewBox=\"0 0 1600 1000\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>";
        let got = inline_svg(svg, "Outcomes & more");
        assert!(got.starts_with("<svg viewBox=\"0 0 1600 1000\""), "{got}");
        assert!(
            !got.contains("width=\"1600\"") && got.contains("aria-label=\"Outcomes &amp; more\"") && got.ends_with("<rect/></svg>"),
            "{got}"
        );
    }
}
