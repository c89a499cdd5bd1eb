//! Bad input: a corpus of broken scenarios and `--set` values under `tests/bad/`, each with a
//! snapshot of the exact message, and property tests that feed mangled text to the loader.
//!
//! A case is `tests/bad/<case>.toml` (run as `truce check tests/bad/<case>.toml`) or
//! `tests/bad/<case>.args` (one command-line argument per line, run after `truce check`).
//! Its expected stderr is `tests/bad/<case>.stderr`. Every case must exit with code 2 and its
//! message must name a place (`-->`) and a fix (`help:`). Set `TRUCE_BLESS=1` to rewrite the
//! snapshots from the current output.

use std::fs;

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::common::{root, tempdir, truce};

/// The corpus must never shrink below what the requirement asks for.
const MIN_CASES: usize = 25;

struct Case {
    name: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let dir = root().join("tests/bad");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).expect("tests/bad exists") {
        let path = entry.expect("tests/bad can be listed").path();
        let (Some(stem), Some(ext)) = (path.file_stem(), path.extension()) else { continue };
        let name = stem.to_string_lossy().into_owned();
        let args = match ext.to_str() {
            Some("toml") => vec![format!("tests/bad/{name}.toml")],
            Some("args") => {
                let text = fs::read_to_string(&path).expect("an .args file is text");
                text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect()
            }
            _ => continue,
        };
        out.push(Case { name, args });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A unified-looking line diff (longest common subsequence; the texts are short).
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out += &format!("   {}\n", a[i]);
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out += &format!(" - {}\n", a[i]);
            i += 1;
        } else {
            out += &format!(" + {}\n", b[j]);
            j += 1;
        }
    }
    out
}

#[test]
fn bad_input_snapshots() {
    let bless = std::env::var("TRUCE_BLESS").is_ok_and(|v| v == "1");
    let cases = cases();
    assert!(cases.len() >= MIN_CASES, "tests/bad holds {} cases; at least {MIN_CASES} are required", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let output = truce().arg("check").args(&case.args).output().expect("truce runs");
        let stderr = String::from_utf8_lossy(&output.stderr).replace("\r\n", "\n");
        let shown = format!("truce check {}", case.args.join(" "));
        let mut problems = Vec::new();
        match output.status.code() {
            Some(2) => {}
            Some(code) => problems.push(format!("exit code {code}, expected 2")),
            None => problems.push("killed by a signal, expected exit code 2".to_string()),
        }
        if !stderr.contains("-->") {
            problems.push("the message names no place (`-->`)".to_string());
        }
        if !stderr.contains("help:") {
            problems.push("the message has no `help:` line".to_string());
        }
        let snapshot = root().join("tests/bad").join(format!("{}.stderr", case.name));
        if bless {
            fs::write(&snapshot, stderr.as_bytes()).expect("the snapshot can be written");
        } else {
            match fs::read_to_string(&snapshot) {
                Ok(expected) if expected == stderr => {}
                Ok(expected) => problems.push(format!(
                    "stderr differs from tests/bad/{}.stderr (- expected, + actual):\n{}",
                    case.name,
                    diff(&expected, &stderr)
                )),
                Err(_) => problems.push(format!("no snapshot tests/bad/{}.stderr; run with TRUCE_BLESS=1 to write it", case.name)),
            }
        }
        if !problems.is_empty() {
            let mut report = format!("── {} ({shown})\n{}", case.name, problems.join("\n"));
            if !report.contains("(- expected, + actual)") {
                report += &format!("\nactual stderr:\n{stderr}");
            }
            failures.push(report);
        }
    }
    // A snapshot without its case is a leftover from a renamed or deleted case.
    for entry in fs::read_dir(root().join("tests/bad")).expect("tests/bad exists") {
        let path = entry.expect("tests/bad can be listed").path();
        if path.extension().is_some_and(|e| e == "stderr") {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            if !cases.iter().any(|c| c.name == stem) {
                failures.push(format!("── {stem}: tests/bad/{stem}.stderr has no .toml or .args case"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} bad-input cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

// ── Property tests: the loader returns Ok or Err on any text, never panics. ──────────────────

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    DeleteSpan(usize, usize),
    DuplicateLine(usize),
    ReplaceChar(usize, char),
    SwapLines(usize, usize),
}

fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, m: &Mutation) {
    let at = |n: usize, text: &str| floor_boundary(text, if text.is_empty() { 0 } else { n % (text.len() + 1) });
    match *m {
        Mutation::Truncate(n) => {
            let i = at(n, text);
            text.truncate(i);
        }
        Mutation::DeleteSpan(n, len) => {
            let i = at(n, text);
            let j = floor_boundary(text, i + len).max(i);
            text.replace_range(i..j, "");
        }
        Mutation::ReplaceChar(n, c) => {
            let i = at(n, text);
            let j = text[i..].chars().next().map_or(i, |ch| i + ch.len_utf8());
            text.replace_range(i..j, c.encode_utf8(&mut [0; 4]));
        }
        Mutation::DuplicateLine(n) | Mutation::SwapLines(n, _) if text.lines().count() == 0 => {
            let _ = n;
        }
        Mutation::DuplicateLine(n) => {
            let mut lines: Vec<&str> = text.lines().collect();
            let k = n % lines.len();
            lines.insert(k, lines[k]);
            *text = lines.join("\n");
        }
        Mutation::SwapLines(x, y) => {
            let mut lines: Vec<&str> = text.lines().collect();
            let n = lines.len();
            lines.swap(x % n, y % n);
            *text = lines.join("\n");
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let chars: Vec<char> = "=[]{}\"'.,#\n0123456789azAZ_-".chars().collect();
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..200).prop_map(|(n, l)| Mutation::DeleteSpan(n, l)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), prop::sample::select(chars)).prop_map(|(n, c)| Mutation::ReplaceChar(n, c)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn bad_input_mutated_scenarios_never_panic(mutations in prop::collection::vec(mutation(), 1..=4)) {
        let mut text = fs::read_to_string(root().join("scenarios/baseline.toml")).expect("baseline is readable");
        for m in &mutations {
            apply(&mut text, m);
        }
        let dir = tempdir();
        let path = dir.path().join("mutated.toml");
        fs::write(&path, &text).expect("the temp file can be written");
        if let Err(e) = truce::scenario::load(&path, &Default::default()) {
            prop_assert!(e.to_string().starts_with("error: "), "a message that is not an error:\n{e}");
        }
    }
}

/// Pieces of real parameter paths, recombined at random.
#[rustfmt::skip]
const PATH_PARTS: &[&str] = &[
    "actors", "us", "russia", "ukraine", "europe", "ideal", "salience", "territory", "nato", "patience", "aid", "role",
    "patron_of", "events", "us_midterms", "probability", "date", "effects", "when", "links", "aid", "sanctions",
    "proposals", "terms", "battlefield", "gain_mean", "negotiation", "protocol", "mediator", "signatories", "scenario",
    "start", "extends", "name", "horizon_months", "issues", "status_quo", "territory", "history", "2025-04", "postdeal",
    "reversal_dates", "", "x", "0", "é",
];

#[rustfmt::skip]
const VALUES: &[&str] = &[
    "0.5", "-1", "0", "1e999", "nan", "inf", "-inf", "\"text\"", "true", "stepwise", "us", "2025-05", "\"2025-05\"",
    "\"2025-13\"", "{uniform=[0.1,0.2]}", "{normal=[0,-1]}", "{beta=[2]}", "{triangular=[0,2,1]}", "{clamp=[1,0]}",
    "{ uniform = [0, 1], normal = [0, 1] }", "[1,", "{", "}", "[]", "[\"us\"]", "[\"russia\", \"ukraine\"]", "",
    "=", "0x10", "99999999999999999999999", "{}", "[{ set = \"actors.us.aid\", value = 0 }]", "\"base.toml\"",
];

fn set_arg() -> impl Strategy<Value = String> {
    let path = prop::collection::vec(prop::sample::select(PATH_PARTS), 1..=5).prop_map(|p| p.join("."));
    let value = prop_oneof![3 => prop::sample::select(VALUES).prop_map(str::to_string), 1 => "[ -~]{0,12}"];
    (path, value, any::<bool>()).prop_map(|(p, v, eq)| if eq { format!("{p}={v}") } else { format!("{p}{v}") })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn bad_input_random_sets_never_panic(sets in prop::collection::vec(set_arg(), 1..=3)) {
        let overrides = truce::scenario::Overrides { sets, withs: vec![] };
        if let Err(e) = truce::scenario::load(&root().join("scenarios/baseline.toml"), &overrides) {
            prop_assert!(e.to_string().starts_with("error: "), "a message that is not an error:\n{e}");
        }
    }
}

/// The shared base must itself load cleanly, or every case that extends it tests the wrong thing.
#[test]
fn bad_input_base_is_valid() {
    let out = truce().args(["check", "tests/bad/base/valid.toml"]).output().expect("truce runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "tests/bad/base/valid.toml does not load:\n{stderr}");
    assert!(stderr.is_empty(), "tests/bad/base/valid.toml loads with warnings:\n{stderr}");
}
