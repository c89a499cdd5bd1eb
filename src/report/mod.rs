//! `report.html`: one self-contained page for a folder truce wrote — a run (`truce run`), a
//! comparison (`truce compare`) or a sensitivity analysis (`truce sensitivity`) — read from the
//! folder's own files, so a report can be made again without re-running. The page holds every
//! chart inline (SVG), its numbers as tables, and the run's record; it fetches nothing.

mod page;
mod sections;
mod text;

use std::path::{Path, PathBuf};

use crate::charts::Lang;
use crate::error::{Error, InputError, Result};

pub use page::esc;

/// The file a report is written to, in the folder it reports on.
pub const FILE: &str = "report.html";

/// What the report is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Run,
    Compare,
    Sensitivity,
}

impl Kind {
    /// What kind of truce folder `dir` is, by the files that mark it.
    pub fn of(dir: &Path) -> Option<Kind> {
        if dir.join("compare.json").is_file() {
            Some(Kind::Compare)
        } else if dir.join("summary.json").is_file() {
            Some(Kind::Run)
        } else if dir.join("tornado.csv").is_file() || dir.join("sensitivity.csv").is_file() {
            Some(Kind::Sensitivity)
        } else {
            None
        }
    }

    /// The charts a folder of this kind holds, by file stem (before the language suffix).
    pub fn charts(self) -> &'static [&'static str] {
        match self {
            Kind::Run => &["outcomes", "ceasefire", "territory", "terms", "costs", "influence"],
            Kind::Compare => &["compare_outcomes", "compare_ceasefire", "compare_territory"],
            Kind::Sensitivity => &["tornado"],
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub lang: Lang,
    /// A sensitivity folder whose results are added to a run's report.
    pub sensitivity: Option<PathBuf>,
    /// The folder's name as the user will see it (a run's report is made in its temporary
    /// folder, before the rename); by default the folder's own name.
    pub label: Option<String>,
}

/// Whether `dir` lacks every chart of its kind in `lang` (then `truce report` draws them first).
pub fn charts_missing(dir: &Path, kind: Kind, lang: Lang) -> bool {
    !kind.charts().iter().any(|c| dir.join("charts").join(format!("{c}{}.svg", lang.file_suffix())).is_file())
}

/// The report page of folder `dir`.
pub fn html(dir: &Path, opts: &Options) -> Result<String> {
    let kind = Kind::of(dir).ok_or_else(|| not_a_folder(dir))?;
    let w = text::words(opts.lang);
    let label = opts.label.clone().unwrap_or_else(|| folder_name(dir));
    let page = match kind {
        Kind::Run => {
            let mut page = sections::run(dir, opts.lang, w)?;
            if let Some(s) = &opts.sensitivity {
                if Kind::of(s) != Some(Kind::Sensitivity) {
                    return Err(InputError(format!(
                        "--sensitivity {}: not a sensitivity folder (it has no tornado.csv or sensitivity.csv)\n  help: give the folder `truce sensitivity` wrote, e.g. output/baseline_sensitivity_settlement",
                        s.display()
                    ))
                    .into());
                }
                sections::sensitivity(&mut page, s, opts.lang, w)?;
            }
            sections::run_record(&mut page, dir, &label, w)?;
            page
        }
        Kind::Compare => sections::compare(dir, opts.lang, w)?,
        Kind::Sensitivity => {
            let mut page = page::Page::new(w.html_lang, &format!("{} — {label}", w.sensitivity));
            page.heading(1, &format!("{} — {label}", w.sensitivity));
            sections::sensitivity(&mut page, dir, opts.lang, w)?;
            sections::run_record(&mut page, dir, &label, w)?;
            page
        }
    };
    let mut page = page;
    page.note(&format!("{} {} · {label}", w.made_by, env!("CARGO_PKG_VERSION")));
    Ok(page.finish())
}

/// Writes `dir/report.html` whole or not at all (a temporary file renamed into place), and
/// returns its path.
pub fn write(dir: &Path, opts: &Options) -> Result<PathBuf> {
    let text = html(dir, opts)?;
    let path = dir.join(FILE);
    let tmp = dir.join(format!(".{FILE}.tmp-{}", std::process::id()));
    let done = std::fs::write(&tmp, text.as_bytes()).and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        return Err(crate::files::EnvError::write("write", &path, e).into());
    }
    Ok(path)
}

fn not_a_folder(dir: &Path) -> Error {
    InputError(format!(
        "`{}` is not a folder truce wrote (it has no summary.json, compare.json or tornado.csv)\n  help: give a folder of `truce run`, `truce compare` or `truce sensitivity`, e.g. truce report output/endgame",
        dir.display()
    ))
    .into()
}

fn folder_name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| dir.display().to_string())
}

/// A file of the folder as text; a missing or unreadable one is named.
fn read(dir: &Path, name: &str) -> Result<String> {
    let path = dir.join(name);
    match crate::files::read_text(&path, crate::files::DATA_LIMIT) {
        Ok(t) => Ok(t),
        Err(crate::files::ReadError::Io(e)) if e.kind() != std::io::ErrorKind::NotFound && e.kind() != std::io::ErrorKind::InvalidData => {
            Err(crate::files::EnvError::read(&path, e).into())
        }
        Err(e) => Err(InputError(format!(
            "{}: cannot be read ({e})\n  help: make the folder again with the truce command that wrote it",
            path.display()
        ))
        .into()),
    }
}

/// A JSON file of the folder; a damaged one is named with its line and column.
fn read_json<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<T> {
    let text = read(dir, name)?;
    serde_json::from_str(&text).map_err(|e| {
        InputError(format!(
            "{}: is not the JSON truce writes (line {}, column {}: {e})\n  help: make the folder again with the truce command that wrote it",
            dir.join(name).display(),
            e.line(),
            e.column()
        ))
        .into()
    })
}
