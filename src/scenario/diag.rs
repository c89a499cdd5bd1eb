//! Diagnostics: where a scenario mistake is (file, line, column, or `--set` key), what was
//! expected, and how to fix it, rendered with the offending line and a caret under it.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// The text of every file read while loading a scenario, so diagnostics can quote lines.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user (or an `extends`) named it, relative paths kept relative.
    pub path: PathBuf,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId(pub usize);

impl SourceMap {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile { path, text });
        FileId(self.files.len() - 1)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let text = &self.file(id).text;
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..offset].chars().count() + 1;
        (line, col)
    }
}

/// Tabs in quoted lines are shown as this many spaces.
const TAB: &str = "    ";

/// Columns a terminal gives `s`: wide characters count two, tabs as `TAB`.
fn display_width(s: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    s.chars().map(|c| if c == '\t' { TAB.len() } else { c.width().unwrap_or(0) }).sum()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A span of a scenario file (or a `--with` file).
    File { file: FileId, span: Range<usize> },
    /// A `--set PATH=VALUE` on the command line; the string is the whole argument.
    Set(String),
    /// The built-in default of the parameter.
    Default,
    /// Computed by truce (for example, a normalised salience).
    Derived,
}

/// One problem found in the input.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub origin: Origin,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(origin: Origin, message: impl Into<String>) -> Diagnostic {
        Diagnostic { origin, message: message.into(), help: None }
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col`, `--set KEY=VALUE`, or `(default)`: a short place for tables and logs.
    pub fn place(origin: &Origin, sources: &SourceMap) -> String {
        match origin {
            Origin::File { file, span } => {
                let (line, col) = sources.line_col(*file, span.start);
                format!("{}:{line}:{col}", sources.file(*file).path.display())
            }
            Origin::Set(arg) => format!("--set {arg}"),
            Origin::Default => "(default)".to_string(),
            Origin::Derived => "(derived)".to_string(),
        }
    }

    pub fn render(&self, sources: &SourceMap, out: &mut String) {
        use std::fmt::Write;
        let _ = writeln!(out, "error: {}", self.message);
        match &self.origin {
            Origin::File { file, span } => {
                let (line, col) = sources.line_col(*file, span.start);
                let text = &sources.file(*file).text;
                let content = text.lines().nth(line - 1).unwrap_or("");
                let gutter = line.to_string().len();
                let _ = writeln!(out, "{:gutter$}--> {}:{line}:{col}", "", sources.file(*file).path.display());
                let _ = writeln!(out, "{:gutter$} |", "");
                let _ = writeln!(out, "{line} | {}", content.replace('\t', TAB));
                // Caret under the span, limited to the first line of the span, placed by display
                // width so that it lines up after tabs and wide (e.g. Chinese) characters.
                let start = floor_char_boundary(text, span.start.min(text.len()));
                let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                let rest_of_line = text[start..].split('\n').next().unwrap_or("");
                let spanned: String = text[start..end].chars().take_while(|c| *c != '\n').collect();
                let width = display_width(&spanned).clamp(1, display_width(rest_of_line).max(1));
                let offset = display_width(&text[line_start..start]);
                let _ = writeln!(out, "{:gutter$} | {}{}", "", " ".repeat(offset), "^".repeat(width));
                if let Some(help) = &self.help {
                    let _ = writeln!(out, "{:gutter$} = help: {help}", "");
                }
            }
            other => {
                let _ = writeln!(out, "  --> {}", Diagnostic::place(other, sources));
                if let Some(help) = &self.help {
                    let _ = writeln!(out, "  = help: {help}");
                }
            }
        }
    }
}

/// Everything wrong with a scenario, rendered for a terminal. Loading reports as many independent
/// problems as it can find, not only the first.
#[derive(Debug, Clone)]
pub struct ScenarioError {
    pub diagnostics: Vec<Diagnostic>,
    rendered: String,
}

impl ScenarioError {
    pub fn new(diagnostics: Vec<Diagnostic>, sources: &SourceMap) -> ScenarioError {
        let mut rendered = String::new();
        const SHOWN: usize = 20;
        for (i, d) in diagnostics.iter().take(SHOWN).enumerate() {
            if i > 0 {
                rendered.push('\n');
            }
            d.render(sources, &mut rendered);
        }
        if diagnostics.len() > SHOWN {
            rendered.push_str(&format!("\n… and {} more errors\n", diagnostics.len() - SHOWN));
        }
        ScenarioError { diagnostics, rendered }
    }

    /// An error with no source text to quote (for example, a file that cannot be read).
    pub fn plain(message: impl Into<String>, help: Option<String>) -> ScenarioError {
        let mut d = Diagnostic::new(Origin::Derived, message);
        d.help = help;
        let mut rendered = format!("error: {}\n", d.message);
        if let Some(h) = &d.help {
            rendered.push_str(&format!("  = help: {h}\n"));
        }
        ScenarioError { diagnostics: vec![d], rendered }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rendered.trim_end())
    }
}

impl std::error::Error for ScenarioError {}

/// The candidate closest to `word` (Jaro–Winkler), if any is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" or the list of valid choices when nothing is close.
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> String {
    match nearest(word, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None if candidates.len() <= 12 => {
            let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
            format!("expected one of {}", list.join(", "))
        }
        None => format!("see docs/scenarios.md for the {} valid keys", candidates.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, span: std::ops::Range<usize>) -> String {
        let mut sources = SourceMap::default();
        let file = sources.add(PathBuf::from("x.toml"), text.to_string());
        let mut out = String::new();
        Diagnostic::new(Origin::File { file, span }, "m").render(&sources, &mut out);
        out
    }

    #[test]
    fn carets_line_up_after_tabs_and_wide_characters() {
        // "终极" is two characters but four columns wide; the caret goes under `bad`.
        let text = "title = \"终极\" bad\n";
        let at = text.find("bad").unwrap();
        let out = render(text, at..at + 3);
        let lines: Vec<&str> = out.lines().collect();
        let quoted = lines[3];
        let caret = lines[4];
        let col = |s: &str, from: usize| display_width(&s[..from]);
        assert_eq!(col(caret, caret.find('^').unwrap()), col(quoted, quoted.find("bad").unwrap()), "{out}");
        assert_eq!(caret.matches('^').count(), 3);
        // A tab is shown as spaces and counted as such.
        let text = "\tstart = 1\n";
        let out = render(text, 1..6);
        assert!(out.contains("1 |     start = 1"), "{out}");
        assert!(out.lines().nth(4).unwrap().ends_with("    ^^^^^"), "{out}");
    }
}
