//! `report.html` (`truce run --report`, `truce report`, `truce compare`): one page that holds
//! every chart and number of its folder, read from the folder's files, and fetches nothing.

use std::path::Path;

use serde_json::Value;

use crate::common::{tempdir, truce};

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// What would make a browser fetch something: scripts, links, images, frames, remote URLs.
fn assert_self_contained(html: &str) {
    for bad in ["<script", "<link", "<img", "<iframe", "src=", "href=", "url(http", "@import"] {
        assert!(!html.contains(bad), "the page holds `{bad}`: it must need nothing but itself");
    }
    // The only URLs are the SVG namespace, never fetched.
    for (i, _) in html.match_indices("http") {
        assert!(html[i..].starts_with("http://www.w3.org/2000/svg"), "a URL in the page: {}", &html[i..(i + 60).min(html.len())]);
    }
}

/// The text of an HTML table cell as the page escapes it.
fn esc(s: &str) -> String {
    truce::report::esc(s)
}

#[test]
fn a_runs_report_holds_its_charts_numbers_parameters_and_record() {
    let dir = tempdir();
    let out = dir.path().join("eg");
    truce().args(["run", "scenarios/endgame.toml", "-n", "1500", "--seed", "3", "--report", "--out"]).arg(&out).assert().success();
    let html = read(&out.join("report.html"));
    assert_self_contained(&html);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"en\">") && html.trim_end().ends_with("</html>"));

    // Every chart of the run, inline, in its documented order, each the file's own drawing.
    let mut at = 0;
    for stem in ["outcomes", "ceasefire", "territory", "terms", "costs", "influence"] {
        let mark = format!("data-chart=\"{stem}\"><svg viewBox=");
        let i = html.find(&mark).unwrap_or_else(|| panic!("chart {stem} is not inline"));
        assert!(i > at, "chart {stem} is out of order");
        at = i;
        let svg = read(&out.join("charts").join(format!("{stem}.svg")));
        let body = &svg[svg.find('>').unwrap() + 1..];
        assert!(html.contains(body.trim_end()), "chart {stem}: the page's SVG is not the file's");
    }

    // The headline: each outcome's share and interval as summary.json has them.
    let s: Value = serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    for name in truce::model::Outcome::NAMES {
        let label = truce::charts::labels(truce::charts::Lang::En).outcome(name);
        let o = &s["outcomes"][name];
        let row = format!(
            "<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} – {}</td><td class=\"num\">{}</td>",
            esc(&label),
            truce::stats::percent(o["p"].as_f64().unwrap()),
            truce::stats::percent(o["ci95"][0].as_f64().unwrap()),
            truce::stats::percent(o["ci95"][1].as_f64().unwrap()),
            o["count"]
        );
        assert!(html.contains(&row), "no headline row {row}");
    }
    match s["median_months_to_ceasefire"].as_u64() {
        Some(m) => assert!(html.contains(&format!("<dd>{m} months</dd>")), "the median month is not shown"),
        None => assert!(html.contains("not within the horizon")),
    }

    // Every parameter with its value, place and source comment, as the manifest records them.
    let m: Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let params = m["params"].as_array().unwrap();
    assert!(params.len() > 150);
    let mut with_comment = 0;
    for p in params {
        let path = p["path"].as_str().unwrap();
        let value = p["value"].as_str().unwrap();
        assert!(html.contains(&format!("<tr><td>{}</td><td>{}</td>", esc(path), esc(value))), "parameter {path} is not in the table");
        if let Some(c) = p["comment"].as_str() {
            assert!(html.contains(&format!("{}</td></tr>", esc(c))), "{path}: its comment is not shown");
            with_comment += 1;
        }
    }
    assert!(with_comment > 100, "only {with_comment} parameters carry a source comment");
    assert!(html.contains("scenarios/endgame.toml:"), "no place in the scenario file");
    assert!(html.contains("[002 §"), "the sources' section marks are not shown");

    // The record: the description, seed, N, version, the command that repeats the run.
    let description = "The US and NATO accept Ukraine";
    assert!(html.contains(description));
    assert!(html.contains("<dd>3</dd>") && html.contains("<dd>1500</dd>") && html.contains(env!("CARGO_PKG_VERSION")));
    assert!(html.contains("truce run eg/scenario.resolved.toml --seed 3 -n 1500"), "the repeat command does not name the folder");
    // The print stylesheet that makes "print to PDF" an A4 report.
    assert!(html.contains("@page { size: A4;") && html.contains("@media print"));
}

#[test]
fn a_chinese_report_uses_the_chinese_charts_and_words_and_draws_them_if_missing() {
    let dir = tempdir();
    let out = dir.path().join("ft");
    truce().args(["run", "scenarios/fight_and_talk.toml", "-n", "800", "--seed", "1", "--out"]).arg(&out).assert().success();
    assert!(!out.join("charts/outcomes_zh.svg").exists());
    let before = read(&out.join("summary.json"));
    truce().arg("report").arg(&out).args(["--lang", "zh"]).assert().success();
    assert!(out.join("charts/outcomes_zh.svg").is_file(), "the Chinese charts were not drawn for the report");
    assert!(out.join("charts/outcomes.svg").is_file(), "the English charts were not kept");
    assert_eq!(read(&out.join("summary.json")), before, "the report changed a file of the run");
    let html = read(&out.join("report.html"));
    assert_self_contained(&html);
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("期末结局") && html.contains("全部参数"));
    let zh = read(&out.join("charts/outcomes_zh.svg"));
    assert!(html.contains(zh[zh.find('>').unwrap() + 1..].trim_end()), "the page does not hold the Chinese outcome chart");
    // The charts' first font is in the page, so their Chinese needs no installed font.
    assert!(html.contains("@font-face { font-family: \"truce CJK\"; src: url(data:font/ttf;base64,"));
}

#[test]
fn comparison_and_sensitivity_reports_show_their_own_results() {
    let dir = tempdir();
    let cmp = dir.path().join("cmp");
    truce()
        .args(["compare", "scenarios/endgame.toml", "scenarios/fight_and_talk.toml", "-n", "600", "--seed", "2", "--out"])
        .arg(&cmp)
        .assert()
        .success();
    let html = read(&cmp.join("report.html"));
    assert_self_contained(&html);
    // The paired difference of fight_and_talk's settlement share from endgame's, as compare.csv has it.
    let csv = read(&cmp.join("compare.csv"));
    let diff = csv.lines().find(|l| l.starts_with("settlement,fight_and_talk,endgame,diff,")).expect("a diff row");
    let v: f64 = diff.split(',').nth(4).unwrap().parse().unwrap();
    assert!(html.contains(&format!("{:+.1} pts", v * 100.0)), "the paired difference {v} is not shown");
    for stem in ["compare_outcomes", "compare_ceasefire", "compare_territory"] {
        assert!(html.contains(&format!("data-chart=\"{stem}\"><svg")), "chart {stem} is not inline");
    }

    let sens = dir.path().join("sens");
    truce().args(["sensitivity", "scenarios/baseline.toml", "-n", "300", "--seed", "1", "--out"]).arg(&sens).assert().success();
    truce().arg("report").arg(&sens).assert().success();
    let html = read(&sens.join("report.html"));
    assert_self_contained(&html);
    let first = read(&sens.join("tornado.csv")).lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    assert!(html.contains(&format!("<td>{first}</td>")) && html.contains("data-chart=\"tornado\"><svg"), "the tornado is not shown");
    assert!(html.contains("Partial rank correlations"));

    // A run's report with the sensitivity folder added; a folder that is not one is refused.
    let run = dir.path().join("base");
    truce().args(["run", "scenarios/baseline.toml", "-n", "300", "--seed", "1", "--out"]).arg(&run).assert().success();
    truce().arg("report").arg(&run).arg("--sensitivity").arg(&sens).assert().success();
    assert!(read(&run.join("report.html")).contains(&format!("<td>{first}</td>")));
    let out = truce().arg("report").arg(&run).arg("--sensitivity").arg(&cmp).assert().code(2).get_output().stderr.clone();
    let msg = String::from_utf8_lossy(&out);
    assert!(msg.contains("not a sensitivity folder") && msg.contains("help:"), "{msg}");
}

#[test]
fn a_folder_that_is_not_truces_gets_no_report() {
    let dir = tempdir();
    std::fs::write(dir.path().join("notes.md"), "mine").unwrap();
    let out = truce().arg("report").arg(dir.path()).assert().code(2).get_output().stderr.clone();
    let msg = String::from_utf8_lossy(&out);
    assert!(msg.contains("is not a folder truce wrote") && msg.contains("help:"), "{msg}");
    assert!(!dir.path().join("report.html").exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "something was written");
}
