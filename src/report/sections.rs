//! The report's sections, each read from the files of the folder it shows.

use std::path::Path;

use serde_json::Value;

use super::page::Page;
use super::text::Words;
use super::{Kind, read, read_json};
use crate::charts::{Lang, labels};
use crate::error::{InputError, Result};
use crate::model::Outcome;
use crate::stats::percent;
use crate::summary::Report;

fn interval(lo: f64, hi: f64) -> String {
    format!("{} – {}", percent(lo), percent(hi))
}

fn km2(x: f64) -> String {
    let s = format!("{:.0}", x.round());
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out} km²")
}

/// The charts of `kind` in `lang` that the folder holds, inlined in their documented order.
fn charts(page: &mut Page, dir: &Path, kind: Kind, lang: Lang, w: &Words) -> Result<()> {
    let mut any = false;
    for stem in kind.charts() {
        let path = dir.join("charts").join(format!("{stem}{}.svg", lang.file_suffix()));
        if !path.is_file() {
            continue;
        }
        let svg = read(&dir.join("charts"), &format!("{stem}{}.svg", lang.file_suffix()))?;
        let key = stem.strip_prefix("compare_").unwrap_or(stem);
        let caption = w.chart_names.iter().find(|(k, _)| *k == key).map_or(*stem, |(_, c)| *c);
        let caption = if kind == Kind::Sensitivity { w.sensitivity } else { caption };
        page.chart(stem, &svg, caption);
        any = true;
    }
    if !any {
        page.note(w.no_charts);
    }
    Ok(())
}

/// A run folder: the headline, timing and territory, the charts, every parameter.
pub fn run(dir: &Path, lang: Lang, w: &Words) -> Result<Page> {
    let s: Report = read_json(dir, "summary.json")?;
    let title = if s.title.is_empty() { s.scenario.clone() } else { s.title.clone() };
    let mut page = Page::new(w.html_lang, &format!("{title} — {}", w.report_of));
    page.heading(1, &title);
    page.note(&format!(
        "{} · N = {} · seed {} · {} + {} {} · truce {}",
        s.scenario, s.n, s.seed, s.start, s.horizon_months, w.months, s.truce_version
    ));
    if let Some(d) = description(dir)? {
        page.para(&d);
    }

    page.heading(2, w.headline);
    let l = labels(lang);
    let mut rows = Vec::new();
    for name in Outcome::NAMES {
        let Some(o) = s.outcomes.get(name) else {
            return Err(InputError(format!(
                "{}: `outcomes` has no `{name}`\n  help: make the folder again with `truce run`",
                dir.join("summary.json").display()
            ))
            .into());
        };
        rows.push(vec![l.outcome(name), percent(o.p), interval(o.ci95[0], o.ci95[1]), o.count.to_string()]);
    }
    page.table("headline", &[w.outcome, w.share, w.interval, w.rollouts], &[false, true, true, true], &rows);
    page.note(w.headline_note);

    page.heading(2, w.timing);
    let months = |m: Option<u32>| m.map_or(w.not_by_horizon.to_string(), |m| format!("{m} {}", w.months));
    let a = &s.final_area_km2;
    page.facts(&[
        (w.median_ceasefire.to_string(), months(s.median_months_to_ceasefire)),
        (w.median_settlement.to_string(), months(s.median_months_to_settlement)),
        (format!("{} ({})", w.area, w.area_median), format!("{} ({:.1}% {})", km2(a.median), a.median_pct, w.of_ukraine)),
        (format!("{} ({})", w.area, w.area_band), format!("{} – {}", km2(a.p05), km2(a.p95))),
    ]);

    page.heading(2, w.charts);
    charts(&mut page, dir, Kind::Run, lang, w)?;

    let manifest: Value = read_json(dir, "manifest.json")?;
    page.heading(2, w.parameters);
    page.note(w.parameters_note);
    let mut rows = Vec::new();
    for p in manifest["params"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
        let source = text("source");
        let place = if source == "(default)" {
            w.default.to_string()
        } else {
            // file:line:column → file:line
            source
                .rsplit_once(':')
                .filter(|(head, col)| col.parse::<u32>().is_ok() && head.contains(':'))
                .map_or(source.clone(), |(h, _)| h.to_string())
        };
        rows.push(vec![text("path"), text("value"), place, text("comment")]);
    }
    page.table("params", &[w.param, w.value, w.source, w.comment], &[], &rows);
    Ok(page)
}

/// The scenario's description, from the resolved file (absent in folders without one).
fn description(dir: &Path) -> Result<Option<String>> {
    if !dir.join("scenario.resolved.toml").is_file() {
        return Ok(None);
    }
    let text = read(dir, "scenario.resolved.toml")?;
    let table: toml::Table = text.parse().map_err(|e| {
        InputError(format!(
            "{}: is not the TOML truce writes ({e})\n  help: make the folder again with `truce run`",
            dir.join("scenario.resolved.toml").display()
        ))
    })?;
    Ok(table.get("scenario").and_then(|s| s.get("description")).and_then(|d| d.as_str()).map(str::to_string))
}

/// The record of the run: what it read, how it was run, and how to repeat it.
pub fn run_record(page: &mut Page, dir: &Path, label: &str, w: &Words) -> Result<()> {
    if !dir.join("manifest.json").is_file() {
        return Ok(());
    }
    let m: Value = read_json(dir, "manifest.json")?;
    let list = |k: &str| -> Vec<String> {
        m[k].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    let overrides = list("overrides");
    let shown = |k: &str| match &m[k] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    };
    page.heading(2, w.run);
    let mut facts = vec![
        (w.scenario_file.to_string(), shown("scenario")),
        (w.overrides.to_string(), if overrides.is_empty() { w.no_overrides.to_string() } else { overrides.join("  ") }),
        (w.seed.to_string(), shown("seed")),
        (w.n.to_string(), shown("n")),
        (w.threads.to_string(), shown("threads")),
        (w.version.to_string(), shown("truce_version")),
    ];
    if let Some(s) = m["wall_seconds"].as_f64() {
        facts.push((w.wall.to_string(), format!("{s:.1} s")));
    }
    let files: Vec<String> = m["files"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    format!(
                        "{} ({})",
                        f["path"].as_str().unwrap_or_default(),
                        &f["sha256"].as_str().unwrap_or_default().get(..12).unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if !files.is_empty() {
        facts.push((w.files.to_string(), files.join("; ")));
    }
    page.facts(&facts);
    if dir.join("scenario.resolved.toml").is_file() {
        page.heading(3, w.repeat);
        page.code(&format!("truce run {label}/scenario.resolved.toml --seed {} -n {}", shown("seed"), shown("n")));
    }
    Ok(())
}

/// Rows of a CSV file of the folder, by column name.
fn csv_rows(dir: &Path, name: &str) -> Result<Vec<std::collections::HashMap<String, String>>> {
    let text = read(dir, name)?;
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        out.push(head.iter().cloned().zip(rec.iter().map(str::to_string)).collect());
    }
    Ok(out)
}

fn field<'a>(row: &'a std::collections::HashMap<String, String>, k: &str) -> &'a str {
    row.get(k).map_or("", String::as_str)
}

fn num(row: &std::collections::HashMap<String, String>, k: &str) -> f64 {
    row.get(k).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

fn signed_points(x: f64, w: &Words) -> String {
    if x.is_finite() { format!("{:+.1} {}", x * 100.0, w.points) } else { String::new() }
}

/// A sensitivity folder's results: the tornado (table and chart) and the partial rank
/// correlations.
pub fn sensitivity(page: &mut Page, dir: &Path, lang: Lang, w: &Words) -> Result<()> {
    page.heading(2, w.sensitivity);
    let l = labels(lang);
    if dir.join("tornado.csv").is_file() {
        let rows: Vec<Vec<String>> = csv_rows(dir, "tornado.csv")?
            .iter()
            .map(|r| {
                let at = |k: &str| format!("{} [{}]", percent(num(r, k)), interval(num(r, &format!("{k}_lo")), num(r, &format!("{k}_hi"))));
                vec![
                    r.get("param").cloned().unwrap_or_default(),
                    format!("{} / {}", r.get("p10").cloned().unwrap_or_default(), r.get("p90").cloned().unwrap_or_default()),
                    l.outcome(r.get("metric").map(String::as_str).unwrap_or_default()),
                    at("at_p10"),
                    at("at_p90"),
                    format!(
                        "{} [{} … {}]",
                        signed_points(num(r, "effect"), w),
                        signed_points(num(r, "effect_lo"), w),
                        signed_points(num(r, "effect_hi"), w)
                    ),
                ]
            })
            .collect();
        page.table(
            "tornado",
            &[w.param, "p10 / p90", w.outcome, w.at_p10, w.at_p90, w.effect],
            &[false, true, false, true, true, true],
            &rows,
        );
        page.note(w.tornado_note);
        charts(page, dir, Kind::Sensitivity, lang, w)?;
    }
    if dir.join("sensitivity.csv").is_file() {
        page.heading(3, w.prcc);
        let rows: Vec<Vec<String>> = csv_rows(dir, "sensitivity.csv")?
            .iter()
            .map(|r| {
                let f = |k: &str| r.get(k).cloned().unwrap_or_default();
                vec![l.outcome(&f("outcome")), f("param"), f("prcc"), format!("{} … {}", f("lo"), f("hi"))]
            })
            .collect();
        page.table("prcc", &[w.outcome, w.param, "PRCC", w.interval], &[false, false, true, true], &rows);
        page.note(w.prcc_note);
    }
    Ok(())
}

/// A comparison folder: the scenarios compared, each outcome's share per scenario with its
/// paired difference from the reference, the comparison's charts.
pub fn compare(dir: &Path, lang: Lang, w: &Words) -> Result<Page> {
    let c: Value = read_json(dir, "compare.json")?;
    let reference = c["reference"].as_str().unwrap_or_default().to_string();
    let labels_of: Vec<String> =
        c["subjects"].as_array().map(|a| a.iter().filter_map(|s| s["label"].as_str().map(str::to_string)).collect()).unwrap_or_default();
    let title = format!("{} — {}", w.comparison, labels_of.join(" · "));
    let mut page = Page::new(w.html_lang, &title);
    page.heading(1, &title);
    page.note(&format!("N = {} · seed {} · truce {}", c["n"], c["seed"], c["truce_version"].as_str().unwrap_or_default()));

    page.heading(2, w.subjects);
    let subjects: Vec<Vec<String>> = c["subjects"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    let joined = |k: &str| {
                        s[k].as_array().map(|v| v.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("  ")).unwrap_or_default()
                    };
                    let label = s["label"].as_str().unwrap_or_default();
                    let mark = if label == reference { format!("{label} ({})", w.reference) } else { label.to_string() };
                    vec![
                        mark,
                        s["file"].as_str().unwrap_or_default().to_string(),
                        format!("{} {}", joined("overrides"), joined("variant_sets")).trim().to_string(),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    page.table("subjects", &["", w.scenario_file, w.overrides], &[], &subjects);

    page.heading(2, w.headline);
    let l = labels(lang);
    let rows = csv_rows(dir, "compare.csv")?;
    let mut table = Vec::new();
    for name in Outcome::NAMES {
        for label in &labels_of {
            let find =
                |stat: &str| rows.iter().find(|r| field(r, "outcome") == name && field(r, "scenario") == label && field(r, "stat") == stat);
            let (p, d) = (find("p"), find("diff"));
            let Some(p) = p else { continue };
            let (diff, paired, unpaired) = match d {
                Some(d) => (
                    signed_points(num(d, "value"), w),
                    format!("{} … {}", signed_points(num(d, "lo"), w), signed_points(num(d, "hi"), w)),
                    format!("{} … {}", signed_points(num(d, "unpaired_lo"), w), signed_points(num(d, "unpaired_hi"), w)),
                ),
                None => (String::new(), String::new(), String::new()),
            };
            table.push(vec![
                l.outcome(name),
                label.clone(),
                percent(num(p, "value")),
                interval(num(p, "lo"), num(p, "hi")),
                diff,
                paired,
                unpaired,
            ]);
        }
    }
    let head = [w.outcome, "", w.share, w.interval, w.difference, w.paired, w.unpaired];
    page.table("compare", &head, &[false, false, true, true, true, true, true], &table);
    page.note(w.compare_note);

    page.heading(2, w.charts);
    charts(&mut page, dir, Kind::Compare, lang, w)?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_grouped_by_thousands() {
        assert_eq!(km2(116505.4), "116,505 km²");
        assert_eq!(km2(999.6), "1,000 km²");
        assert_eq!(km2(-1234.0), "-1,234 km²");
        assert_eq!(km2(0.0), "0 km²");
    }
}
