//! `truce compare`: several scenarios (or variants of one) run on common random numbers, and
//! each outcome's probability side by side, with the difference from the first scenario and its
//! paired interval.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::error::Result;
use serde::Serialize;

use crate::model::Outcome;
use crate::scenario::{self, Overrides, Scenario, ScenarioError};

use super::InputError;
use super::intervals::{Estimate, paired_difference, signed, unpaired_difference};
use super::tally::Tally;

/// One column of a comparison: a scenario file, or the first file with extra `--set`s.
#[derive(Debug, Clone)]
pub struct Subject {
    pub label: String,
    pub file: PathBuf,
    /// The `--set`s of a `--variant` (empty for a file).
    pub sets: Vec<String>,
    pub scenario: Scenario,
}

/// Parses `--variant LABEL=PATH=VALUE` into the label and the `PATH=VALUE` it sets.
pub fn parse_variant(text: &str) -> std::result::Result<(String, String), String> {
    let form = "write LABEL=PATH=VALUE, e.g. --variant 'pressure=actors.us.pressure=0.1'";
    let (label, set) = text.split_once('=').ok_or_else(|| format!("`{text}` has no `=`; {form}"))?;
    let label = label.trim();
    if !set.contains('=') {
        return Err(format!("`{text}` gives a label and a path but no value; {form}"));
    }
    if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) || label.starts_with('.') {
        return Err(format!("the label `{label}` must be letters, digits, `_`, `-` or `.` (it names a folder); {form}"));
    }
    Ok((label.to_string(), set.trim().to_string()))
}

/// Loads the subjects: each file under its scenario name (made unique with `_2`, `_3` … when a
/// name repeats), then each variant label, in order of first appearance, as the first file with
/// all `--set`s given under that label. `common` applies to every subject, before a variant's own.
pub fn subjects(files: &[PathBuf], variants: &[(String, String)], common: &Overrides) -> Result<Vec<Subject>> {
    let mut out: Vec<Subject> = Vec::new();
    for file in files {
        let scenario = scenario::load(file, common)?;
        let mut label = scenario.name.clone();
        let mut k = 1;
        while out.iter().any(|s| s.label == label) {
            k += 1;
            label = format!("{}_{k}", scenario.name);
        }
        out.push(Subject { label, file: file.clone(), sets: vec![], scenario });
    }
    let Some(first) = files.first() else {
        return Err(InputError("give at least one scenario file".into()).into());
    };
    let mut labels: Vec<&str> = Vec::new();
    for (label, _) in variants {
        if !labels.contains(&label.as_str()) {
            labels.push(label);
        }
    }
    for label in labels {
        if out.iter().any(|s| s.label == label) {
            return Err(
                InputError(format!("--variant {label}=…: the label `{label}` is already taken by a scenario; choose another")).into()
            );
        }
        let sets: Vec<String> = variants.iter().filter(|(l, _)| l == label).map(|(_, s)| s.clone()).collect();
        let mut overrides = common.clone();
        overrides.sets.extend(sets.iter().cloned());
        let scenario = scenario::load(first, &overrides).map_err(|e: ScenarioError| crate::error::Error::from(e))?;
        out.push(Subject { label: label.to_string(), file: first.clone(), sets, scenario });
    }
    if out.len() < 2 {
        return Err(InputError(format!(
            "a comparison needs two scenarios or more: give a second file, or a variant of this one, e.g. \
             truce compare {} --variant 'nopressure=actors.us.pressure=0'",
            first.display()
        ))
        .into());
    }
    Ok(out)
}

/// One row of compare.csv: a probability (`stat = p`) or a difference from the first scenario
/// (`stat = diff`, with its paired interval and, for reference, the unpaired one).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub outcome: &'static str,
    pub scenario: String,
    pub vs: String,
    pub stat: &'static str,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
    pub unpaired_lo: Option<f64>,
    pub unpaired_hi: Option<f64>,
}

/// The outcomes of every subject, and each one's difference from the first.
pub struct Comparison {
    pub labels: Vec<String>,
    /// `p[s][o]`: subject s, outcome o (in `Outcome::ALL` order).
    pub p: Vec<Vec<Estimate>>,
    /// `diff[s - 1][o]`: subject s minus the first, paired.
    pub diff: Vec<Vec<Estimate>>,
    pub unpaired: Vec<Vec<Estimate>>,
    pub n: u64,
    pub seed: u64,
}

impl Comparison {
    pub fn new(labels: Vec<String>, tallies: &[Tally], seed: u64) -> Comparison {
        let n = tallies.first().map(Tally::n).unwrap_or(0);
        let p: Vec<Vec<Estimate>> = tallies.iter().map(|t| Outcome::ALL.iter().map(|&o| t.p(o)).collect()).collect();
        let mut diff = Vec::new();
        let mut unpaired = Vec::new();
        for (s, t) in tallies.iter().enumerate().skip(1) {
            diff.push(Outcome::ALL.iter().map(|&o| paired_difference(&tallies[0].indicator(o), &t.indicator(o))).collect());
            unpaired.push(
                Outcome::ALL
                    .iter()
                    .enumerate()
                    .map(|(k, _)| unpaired_difference(p[0][k].value, tallies[0].n(), p[s][k].value, t.n()))
                    .collect(),
            );
        }
        Comparison { labels, p, diff, unpaired, n, seed }
    }

    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for (k, o) in Outcome::ALL.iter().enumerate() {
            for (s, label) in self.labels.iter().enumerate() {
                let e = self.p[s][k];
                rows.push(Row {
                    outcome: o.name(),
                    scenario: label.clone(),
                    vs: String::new(),
                    stat: "p",
                    value: e.value,
                    lo: e.lo,
                    hi: e.hi,
                    unpaired_lo: None,
                    unpaired_hi: None,
                });
            }
            for (s, label) in self.labels.iter().enumerate().skip(1) {
                let (d, u) = (self.diff[s - 1][k], self.unpaired[s - 1][k]);
                rows.push(Row {
                    outcome: o.name(),
                    scenario: label.clone(),
                    vs: self.labels[0].clone(),
                    stat: "diff",
                    value: d.value,
                    lo: d.lo,
                    hi: d.hi,
                    unpaired_lo: Some(u.lo),
                    unpaired_hi: Some(u.hi),
                });
            }
        }
        rows
    }

    /// compare.csv (see docs/analysis.md).
    pub fn csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["outcome", "scenario", "vs", "stat", "value", "lo", "hi", "unpaired_lo", "unpaired_hi"])?;
        let f = |v: f64| format!("{v:.5}");
        for r in self.rows() {
            w.write_record([
                r.outcome.to_string(),
                r.scenario,
                r.vs,
                r.stat.to_string(),
                f(r.value),
                f(r.lo),
                f(r.hi),
                r.unpaired_lo.map(f).unwrap_or_default(),
                r.unpaired_hi.map(f).unwrap_or_default(),
            ])?;
        }
        crate::error::csv_text(w)
    }

    /// The printed table: one line per outcome, a column per subject, then a column per
    /// difference from the first.
    pub fn table(&self) -> String {
        let pct = |e: &Estimate| format!("{:.1}% [{:.1}, {:.1}]", 100.0 * e.value, 100.0 * e.lo, 100.0 * e.hi);
        let pp = |e: &Estimate| format!("{} pp [{}, {}]", signed(100.0 * e.value), signed(100.0 * e.lo), signed(100.0 * e.hi));
        let mut head: Vec<String> = self.labels.clone();
        head.extend(self.labels.iter().skip(1).map(|l| format!("{l} − {}", self.labels[0])));
        let mut cells: Vec<Vec<String>> = Vec::new();
        for k in 0..Outcome::ALL.len() {
            let mut row: Vec<String> = self.p.iter().map(|p| pct(&p[k])).collect();
            row.extend(self.diff.iter().map(|d| pp(&d[k])));
            cells.push(row);
        }
        let widths: Vec<usize> = (0..head.len())
            .map(|c| cells.iter().map(|r| r[c].chars().count()).chain([head[c].chars().count()]).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        let _ = write!(out, "{:<18}", "outcome");
        for (h, w) in head.iter().zip(&widths) {
            let _ = write!(out, "  {h:>w$}");
        }
        out.push('\n');
        for (k, o) in Outcome::ALL.iter().enumerate() {
            let _ = write!(out, "{:<18}", o.name());
            for (c, w) in cells[k].iter().zip(&widths) {
                let _ = write!(out, "  {c:>w$}");
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_syntax() {
        assert_eq!(parse_variant("hard=actors.us.pressure=0.1").unwrap(), ("hard".into(), "actors.us.pressure=0.1".into()));
        assert!(parse_variant("actors.us.pressure").unwrap_err().contains("no `=`"));
        assert!(parse_variant("hard=actors.us.pressure").unwrap_err().contains("no value"));
        assert!(parse_variant("a b=x.y=1").unwrap_err().contains("label"));
    }

    /// Two hand-made tallies of 8 rollouts (outcome indices into `Outcome::ALL`: 0 settlement,
    /// 1 ceasefire, 2 fight-and-talk): the shares, the paired and unpaired differences, the rows
    /// in their documented order, the CSV's cells and the table's columns, each worked out here.
    #[test]
    fn a_comparison_of_hand_made_tallies() {
        let tally = |outcomes: Vec<u8>, ceasefire_at: Vec<u64>| Tally { outcomes, ceasefire_at, drawn: vec![], width: 0 };
        let a = tally(vec![0, 0, 1, 2, 2, 2, 0, 1], vec![0, 3, 0, 2]);
        let b = tally(vec![0, 0, 0, 2, 1, 2, 0, 0], vec![1, 4, 0, 0]);
        assert_eq!((a.n(), a.count(Outcome::Settlement), a.count(Outcome::FightAndTalk)), (8, 3, 3));
        assert_eq!(a.indicator(Outcome::Ceasefire), [false, false, true, false, false, false, false, true]);
        // Median month: 3 of 5 by month 1 (a), 5 of 5 by month 1 (b, 1 at month 0 is not half).
        assert_eq!((a.median_months_to_ceasefire(), b.median_months_to_ceasefire()), (Some(1), Some(1)));
        assert_eq!(tally(vec![], vec![0, 0]).median_months_to_ceasefire(), None);
        let c = Comparison::new(vec!["a".into(), "b".into()], &[a, b], 7);
        assert_eq!((c.n, c.seed, c.p.len(), c.diff.len(), c.unpaired.len()), (8, 7, 2, 1, 1));
        assert_eq!(c.p[0][0], super::super::intervals::proportion(3, 8));
        assert_eq!(c.p[1][0].value, 5.0 / 8.0);
        // Settlement: b − a per rollout (0, 0, 1, 0, 0, 0, 0, 1): mean ¼, two discordant pairs,
        // variance (2 − 8/16)/7.
        let d = c.diff[0][0];
        let half = super::super::intervals::Z95 * ((2.0 - 8.0 * 0.0625) / 7.0 / 8.0f64).sqrt();
        assert!((d.value - 0.25).abs() < 1e-12 && (d.hi - d.value - half).abs() < 1e-12, "{d:?}");
        assert_eq!(c.unpaired[0][0], unpaired_difference(3.0 / 8.0, 8, 5.0 / 8.0, 8));
        // Rows: per outcome, each subject's p, then each later subject's difference from the first.
        let rows = c.rows();
        assert_eq!(rows.len(), Outcome::ALL.len() * 3);
        let r = &rows[0..3];
        assert_eq!((r[0].stat, r[0].scenario.as_str(), r[0].vs.as_str()), ("p", "a", ""));
        assert_eq!((r[1].stat, r[1].scenario.as_str()), ("p", "b"));
        assert_eq!((r[2].stat, r[2].scenario.as_str(), r[2].vs.as_str()), ("diff", "b", "a"));
        assert_eq!((r[2].value, r[2].unpaired_lo, r[2].unpaired_hi), (d.value, Some(c.unpaired[0][0].lo), Some(c.unpaired[0][0].hi)));
        assert_eq!(rows[3].outcome, Outcome::Ceasefire.name());
        let csv = c.csv().unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "outcome,scenario,vs,stat,value,lo,hi,unpaired_lo,unpaired_hi");
        assert!(lines[1].starts_with(&format!("{},a,,p,0.37500,", Outcome::Settlement.name())), "{}", lines[1]);
        assert!(lines[1].ends_with(",,"), "no unpaired interval for a share: {}", lines[1]);
        assert!(lines[3].starts_with(&format!("{},b,a,diff,0.25000,", Outcome::Settlement.name())), "{}", lines[3]);
        assert_eq!(lines.len(), 1 + rows.len());
        // The table: a header and a line per outcome, columns a, b and b − a.
        let t = c.table();
        let tl: Vec<&str> = t.lines().collect();
        assert_eq!(tl.len(), 1 + Outcome::ALL.len(), "{t}");
        assert!(tl[0].starts_with("outcome") && tl[0].ends_with("b − a"), "{t}");
        assert!(tl[1].starts_with(Outcome::Settlement.name()), "{t}");
        assert!(tl[1].contains("37.5% [") && tl[1].contains("62.5% [") && tl[1].contains("+25.0 pp ["), "{t}");
        // Columns line up: every line is as wide as the header.
        let width = tl[0].chars().count();
        assert!(tl.iter().all(|l| l.chars().count() == width), "{t}");
    }

    /// Each variant is the first file with its own `--set`s only (several under one label add up),
    /// after the common ones; the files keep their names, a repeated name gets `_2`.
    #[test]
    fn each_variant_gets_its_own_sets() {
        let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let variants = vec![
            ("soft".to_string(), "actors.us.pressure=0.01".to_string()),
            ("hard".to_string(), "actors.us.pressure=0.2".to_string()),
            ("soft".to_string(), "actors.russia.patience=0.5".to_string()),
        ];
        let common = Overrides { sets: vec!["actors.ukraine.patience=0.6".into()], withs: vec![] };
        let subjects = subjects(&[base.clone(), base.clone()], &variants, &common).unwrap();
        let labels: Vec<&str> = subjects.iter().map(|s| s.label.as_str()).collect();
        let name = subjects[0].scenario.name.clone();
        assert_eq!(labels, [name.clone(), format!("{name}_2"), "soft".into(), "hard".into()]);
        assert_eq!(subjects[2].sets, ["actors.us.pressure=0.01", "actors.russia.patience=0.5"]);
        assert_eq!(subjects[3].sets, ["actors.us.pressure=0.2"]);
        let value = |s: &Subject, p: &str| s.scenario.param(p).unwrap().central();
        let plain = scenario::load(&base, &Overrides::default()).unwrap();
        for s in &subjects {
            assert_eq!(value(s, "actors.ukraine.patience"), 0.6, "{}: the common set applies", s.label);
        }
        assert_eq!(value(&subjects[0], "actors.us.pressure"), plain.param("actors.us.pressure").unwrap().central());
        assert_eq!((value(&subjects[2], "actors.us.pressure"), value(&subjects[2], "actors.russia.patience")), (0.01, 0.5));
        assert_eq!(value(&subjects[3], "actors.us.pressure"), 0.2);
        assert_eq!(value(&subjects[3], "actors.russia.patience"), plain.param("actors.russia.patience").unwrap().central());
        // A variant may not take a scenario's label (a file loaded with `--set`s is named with their
        // hash, so the clash is with the plain name here).
        let clash = vec![(plain.name.clone(), "actors.us.pressure=0.2".to_string())];
        let e = subjects_err(&[base.clone()], &clash);
        assert!(e.contains("already taken by a scenario"), "{e}");
        let e = subjects_err(&[base], &[]);
        assert!(e.contains("a comparison needs two scenarios or more"), "{e}");
    }

    fn subjects_err(files: &[PathBuf], variants: &[(String, String)]) -> String {
        match subjects(files, variants, &Overrides::default()) {
            Ok(s) => panic!("expected an error, got {:?}", s.iter().map(|s| &s.label).collect::<Vec<_>>()),
            Err(e) => e.to_string(),
        }
    }
}
