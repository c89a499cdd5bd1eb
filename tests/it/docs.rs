//! docs/scenarios.md stays true to the schema and the loader.
//!
//! The reference tables of docs/scenarios.md are read in a fixed format: each table sits under a
//! `### ` heading that names its section (e.g. ``### `[actors.<id>]` ``), and each row is
//! `` | `key` | default | range | unit | [acts on |] meaning | ``. A numeric default is written as
//! a plain number; a range as `lo – hi` (en dash), `≥ lo`, or `any`.

use std::collections::HashMap;

use truce::scenario::dist::SHAPES;
use truce::scenario::schema::{self, AppliesTo, FieldDef};
use truce::scenario::{Overrides, load};

use crate::common::{root, tempdir, truce};

fn doc() -> String {
    let path = root().join("docs").join("scenarios.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// One table row: the cells after the key.
struct Row {
    cells: Vec<String>,
}

/// The lines under the first `#` heading (outside code blocks) that contains `marker`, up to the
/// next heading.
fn section<'d>(doc: &'d str, marker: &str) -> Vec<&'d str> {
    let mut in_code = false;
    let mut inside = false;
    let mut found = false;
    let mut out = Vec::new();
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            if inside {
                break;
            }
            if line.starts_with("### ") && line.contains(marker) {
                inside = true;
                found = true;
                continue;
            }
        }
        if inside {
            out.push(line);
        }
    }
    assert!(found, "docs/scenarios.md has no `### ` heading containing {marker}");
    out
}

/// The key rows of the tables in a section: rows whose first cell is a single `key`.
fn rows(lines: &[&str]) -> HashMap<String, Row> {
    let mut out = HashMap::new();
    for line in lines {
        let line = line.trim();
        if !line.starts_with('|') || !line.ends_with('|') {
            continue;
        }
        let cells: Vec<String> = line[1..line.len() - 1].split('|').map(|c| c.trim().to_string()).collect();
        let first = &cells[0];
        if first.len() < 3 || !first.starts_with('`') || !first.ends_with('`') || first[1..first.len() - 1].contains('`') {
            continue;
        }
        let key = first[1..first.len() - 1].to_string();
        let row = Row { cells: cells[1..].to_vec() };
        assert!(out.insert(key.clone(), row).is_none(), "`{key}` has two rows in one section of docs/scenarios.md");
    }
    out
}

fn number(text: &str) -> Option<f64> {
    text.replace(',', "").replace('−', "-").trim().parse().ok()
}

fn range(text: &str) -> Option<(f64, f64)> {
    let t = text.trim();
    if t == "any" {
        return Some((f64::NEG_INFINITY, f64::INFINITY));
    }
    if let Some(lo) = t.strip_prefix('≥') {
        return Some((number(lo)?, f64::INFINITY));
    }
    let (lo, hi) = t.split_once(" – ")?;
    Some((number(lo)?, number(hi)?))
}

fn applies_words(a: AppliesTo) -> &'static str {
    match a {
        AppliesTo::All => "all",
        AppliesTo::Belligerents => "belligerents",
        AppliesTo::Attacker => "attacker",
        AppliesTo::Defender => "defender",
        AppliesTo::Patrons => "patrons",
        AppliesTo::NotAttacker => "all but the attacker",
    }
}

/// Checks that every numeric key of `defs` has a row with the schema's default and range, and
/// every text key has a row. Returns the rows for further checks.
fn check_section(marker: &str, defs: &[FieldDef], text_keys: &[&str], problems: &mut Vec<String>) -> HashMap<String, Row> {
    let text = doc();
    let lines = section(&text, marker);
    let rows = rows(&lines);
    for def in defs {
        let Some(row) = rows.get(def.key) else {
            problems.push(format!("{marker}: no row for `{}`", def.key));
            continue;
        };
        match row.cells.first().and_then(|c| number(c)) {
            Some(v) if (v - def.default).abs() <= 1e-12 * def.default.abs().max(1.0) => {}
            Some(v) => problems.push(format!("{marker}: `{}` documented default {v}, schema default {}", def.key, def.default)),
            None => problems.push(format!("{marker}: `{}` default cell {:?} is not a number", def.key, row.cells.first())),
        }
        match row.cells.get(1).and_then(|c| range(c)) {
            Some((lo, hi)) if lo == def.min && hi == def.max => {}
            Some((lo, hi)) => {
                problems.push(format!("{marker}: `{}` documented range {lo} – {hi}, schema range {} – {}", def.key, def.min, def.max))
            }
            None => problems.push(format!("{marker}: `{}` range cell {:?} is not a range", def.key, row.cells.get(1))),
        }
    }
    for key in text_keys {
        if !rows.contains_key(*key) {
            problems.push(format!("{marker}: no row for `{key}`"));
        }
    }
    rows
}

#[test]
fn docs_reference_tables_cover_the_schema() {
    let mut problems = Vec::new();
    check_section("`[scenario]`", &[], schema::SCENARIO_KEYS, &mut problems);
    check_section("`[territory]`", schema::TERRITORY, schema::TERRITORY_TEXT_KEYS, &mut problems);
    check_section("`[issues.<id>]`", schema::ISSUE, schema::ISSUE_TEXT_KEYS, &mut problems);
    let per_issue = [schema::IDEAL, schema::SALIENCE];
    let actor_numeric: Vec<FieldDef> = schema::ACTOR.iter().chain(per_issue.iter()).copied().collect();
    let actor_rows = check_section("`[actors.<id>]`", &actor_numeric, schema::ACTOR_TEXT_KEYS, &mut problems);
    check_section("`[[links]]`", &[], schema::LINK_KEYS, &mut problems);
    check_section("`[negotiation]`", schema::NEGOTIATION, schema::NEGOTIATION_TEXT_KEYS, &mut problems);
    check_section("`[battlefield]`", schema::BATTLEFIELD, &[], &mut problems);
    check_section("`[hazards]`", schema::HAZARDS, &[], &mut problems);
    check_section("`[postdeal]`", schema::POSTDEAL, schema::POSTDEAL_TEXT_KEYS, &mut problems);
    check_section("`[[events]]`", &[], schema::EVENT_KEYS, &mut problems);
    check_section("Effects", &[], schema::EFFECT_KEYS, &mut problems);
    check_section("`[[proposals]]`", &[], schema::PROPOSAL_KEYS, &mut problems);

    // Every section with fixed keys is documented (a new section in the schema needs a table).
    for (name, _) in schema::SECTIONS {
        section(&doc(), &format!("`[{name}]`"));
    }

    // The actor table's "acts on" column matches the schema, so the docs say where
    // `truce check` will warn.
    for def in schema::ACTOR {
        if let Some(row) = actor_rows.get(def.key) {
            let want = applies_words(def.applies);
            if row.cells.get(3).map(String::as_str) != Some(want) {
                problems.push(format!("actors: `{}` acts on {:?} in the docs, schema says {want:?}", def.key, row.cells.get(3)));
            }
        }
    }
    assert!(problems.is_empty(), "docs/scenarios.md is out of step with schema.rs:\n  {}", problems.join("\n  "));
}

#[test]
fn docs_name_every_choice_and_state_path() {
    let text = doc();
    let mut missing = Vec::new();
    let lists: [&[&str]; 6] = [schema::ROLES, schema::LINK_KINDS, schema::PROTOCOLS, schema::DEAL_KINDS, schema::STATE_PATHS, SHAPES];
    for word in lists.iter().flat_map(|l| l.iter()) {
        if !text.contains(&format!("`{word}`")) && !text.contains(&format!("\"{word}\"")) {
            missing.push(*word);
        }
    }
    for top in schema::TOP_KEYS {
        if !text.contains(&format!("`[{top}]`")) && !text.contains(&format!("`[[{top}]]`")) && !text.contains(&format!("`[{top}.<id>]`")) {
            missing.push(top);
        }
    }
    assert!(missing.is_empty(), "docs/scenarios.md never names: {missing:?}");
}

/// The first ```toml block of the docs: the annotated example.
fn example() -> String {
    let text = doc();
    let mut lines = text.lines().skip_while(|l| l.trim() != "```toml");
    assert!(lines.next().is_some(), "docs/scenarios.md has no ```toml block");
    let body: Vec<&str> = lines.take_while(|l| l.trim() != "```").collect();
    body.join("\n") + "\n"
}

#[test]
fn docs_example_loads_cleanly() {
    let dir = tempdir();
    let path = dir.path().join("example.toml");
    std::fs::write(&path, example()).unwrap();
    let sc = match load(&path, &Overrides::default()) {
        Ok(s) => s,
        Err(e) => panic!("the example in docs/scenarios.md does not load:\n{e}"),
    };
    assert!(sc.warnings.is_empty(), "the example warns: {:?}", sc.warnings);
    // It is what the docs say it is.
    assert_eq!(sc.issues.len(), 3, "three issues");
    assert_eq!(sc.links.len(), 1, "one link");
    assert_eq!(sc.events.len(), 1, "one event");
    assert_eq!(sc.proposals.len(), 1, "one proposal");
    assert_eq!(sc.uncertain().len(), 1, "one uncertain parameter");
    let patrons: Vec<usize> = (0..sc.actors.len()).filter(|&i| sc.actors[i].role == truce::scenario::Role::Patron).collect();
    assert_eq!(sc.actors.len(), 3, "two belligerents and a patron");
    assert_eq!(patrons.len(), 1);
    assert_eq!(sc.mediator, Some(patrons[0]), "the patron mediates");
}

/// The typo error shown in the docs is what `truce check` prints for it.
#[test]
fn docs_error_example_matches_the_tool() {
    let text = doc();
    let start = text.find("$ truce check my_scenario.toml\n").expect("the docs show `$ truce check my_scenario.toml`");
    let shown: String = text[start..].lines().skip(1).take_while(|l| l.trim() != "```").map(|l| format!("{l}\n")).collect();

    let good = example();
    assert_eq!(good.matches("\npatience = 0.97\n").count(), 1, "the example has Russia's `patience = 0.97` line");
    let bad = good.replacen("\npatience = 0.97\n", "\npatiense = 0.97\n", 1);
    let dir = tempdir();
    std::fs::write(dir.path().join("my_scenario.toml"), bad).unwrap();
    let out = truce().current_dir(dir.path()).args(["check", "my_scenario.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end(), shown.trim_end(), "the error shown in docs/scenarios.md differs from the tool's");
}
