//! `[territory.history]`: the observed series, written out or read from a CSV file.

use super::*;

impl Walker {
    /// `[territory.history]`: months and areas written out, or `{ file = "…csv", column = "…" }`,
    /// a series file (path relative to the scenario file that names it; column default
    /// `econ_km2`, the shipped data's), read and recorded among the files of the run.
    pub(super) fn history(&mut self, tree: &Table, sources: &mut SourceMap, files: &mut Vec<FileId>) -> Vec<(YearMonth, f64)> {
        let t = self.section(tree, "territory");
        let Some(node) = t.get("history") else {
            return Vec::new();
        };
        let Some(h) = self.table(node, "territory.history") else {
            return Vec::new();
        };
        if h.get("file").is_some() {
            return self.history_file(h, sources, files);
        }
        let mut out = Vec::new();
        for e in &h.entries {
            let path = format!("territory.history.{}", e.key);
            let Some(month) = YearMonth::parse(&e.key) else {
                self.diags.push(
                    Diagnostic::new(e.key_origin.clone(), format!("`{}` in [territory.history] is not a month", e.key))
                        .help("write each entry as \"YYYY-MM\" = km², e.g. \"2025-04\" = 116505"),
                );
                continue;
            };
            match e.node.value {
                Value::Num { value, .. } if value >= 0.0 && value.is_finite() => out.push((month, value)),
                ref other => self.diags.push(
                    Diagnostic::new(e.node.origin.clone(), format!("`{path}` must be an area in km² (≥ 0), found {}", describe(other)))
                        .help("e.g. \"2025-04\" = 116505"),
                ),
            }
        }
        out.sort_by_key(|(m, _)| *m);
        out
    }

    pub(super) fn history_file(&mut self, h: &Table, sources: &mut SourceMap, files: &mut Vec<FileId>) -> Vec<(YearMonth, f64)> {
        self.unknown_keys(h, "territory.history", &["file", "column", "from"]);
        let text_of = |key: &str| h.get(key).map(|n| (n, if let Value::Str(s) = &n.value { Some(s.clone()) } else { None }));
        let Some((file_node, Some(rel))) = text_of("file") else {
            if let Some((n, _)) = text_of("file") {
                self.diags.push(
                    Diagnostic::new(
                        n.origin.clone(),
                        format!("`territory.history.file` must be a path in quotes, found {}", describe(&n.value)),
                    )
                    .help("e.g. history = { file = \"../data/territory_monthly.csv\" }"),
                );
            }
            return Vec::new();
        };
        let column = match text_of("column") {
            None => "econ_km2".to_string(),
            Some((_, Some(c))) => c,
            Some((n, None)) => {
                self.diags.push(
                    Diagnostic::new(
                        n.origin.clone(),
                        format!("`territory.history.column` must be a column name in quotes, found {}", describe(&n.value)),
                    )
                    .help("e.g. column = \"econ_km2\""),
                );
                return Vec::new();
            }
        };
        let from = match text_of("from") {
            None => None,
            Some((_, Some(t))) if YearMonth::parse(&t).is_some() => YearMonth::parse(&t),
            Some((n, _)) => {
                self.diags.push(
                    Diagnostic::new(
                        n.origin.clone(),
                        format!("`territory.history.from` must be a month in quotes, found {}", describe(&n.value)),
                    )
                    .help("e.g. from = \"2024-05\": the first month of the file the charts show"),
                );
                return Vec::new();
            }
        };
        let base = match &file_node.origin {
            Origin::File { file, .. } => sources.file(*file).path.parent().map(Path::to_path_buf).unwrap_or_default(),
            _ => PathBuf::new(),
        };
        let path = super::normalise(&base.join(&rel));
        let text = match crate::files::read_text(&path, crate::files::DATA_LIMIT) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(file_node.origin.clone(), format!("cannot read the history file `{}`: {e}", path.display()))
                        .help("the path is relative to the scenario file that names it; give a CSV with a `month` column (YYYY-MM) and an area column"),
                );
                return Vec::new();
            }
        };
        match crate::calibrate::read_series(&text, &column) {
            Ok(series) => {
                if let Some(&(_, v)) = series.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
                    self.diags.push(
                        Diagnostic::new(
                            file_node.origin.clone(),
                            format!("`{}`: column `{column}` holds {v}, not an area in km² (≥ 0)", path.display()),
                        )
                        .help("every value of the history must be a finite area ≥ 0"),
                    );
                    return Vec::new();
                }
                files.push(sources.add(path, text));
                series.into_iter().filter(|(m, _)| from.is_none_or(|f| *m >= f)).collect()
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(file_node.origin.clone(), format!("the history file `{}`: {e}", path.display()))
                        .help("give a CSV with a `month` column (YYYY-MM) and the area column named by `column`"),
                );
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, errors, with};
    use crate::calendar::YearMonth;

    #[test]
    fn a_written_history_is_sorted_and_cut_at_the_start() {
        let sc = with("[territory.history]\n\"2025-02\" = 3\n\"2024-12\" = 1\n\"2025-01\" = 2").unwrap();
        let ym = |s: &str| YearMonth::parse(s).unwrap();
        assert_eq!(sc.history, vec![(ym("2024-12"), 1.0), (ym("2025-01"), 2.0)]);
        assert!(
            sc.warnings.iter().any(|w| w.starts_with("territory.history: 1 month(s) after the start (2025-01) are ignored")),
            "{:?}",
            sc.warnings
        );
    }

    #[test]
    fn bad_history_entries_are_named() {
        let e = errors(&format!("{MINIMAL}\n[territory.history]\n\"2025/01\" = 3\n\"2024-11\" = -4"));
        assert!(e.contains("`2025/01` in [territory.history] is not a month"), "{e}");
        assert!(e.contains("`territory.history.2024-11` must be an area in km² (≥ 0), found -4"), "{e}");
        let e = errors(&format!("{MINIMAL}\n[territory.history]\nfile = \"no_such.csv\""));
        assert!(e.contains("cannot read the history file `no_such.csv`"), "{e}");
    }
}
