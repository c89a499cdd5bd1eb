//! The schema walk: turns a merged tree into a checked `Scenario`, collecting every problem with
//! its place, what was expected, and a fix.
//!
//! `build` walks the tree in a fixed order, one part per file: the scenario's header, issues
//! and actors (`actors`), the numeric parameters and their distributions (`values`), the
//! territory's history (`history`), links (`links`), events (`events`) and proposals
//! (`proposals`); `basics` holds the checks of single values (texts, dates, references) that
//! every part uses. The order fixes the order of the parameter vector and of the messages.

mod actors;
mod basics;
mod events;
mod history;
mod links;
mod proposals;
#[cfg(test)]
mod testing;
mod values;

use std::collections::HashMap;

use super::diag::{Diagnostic, FileId, Origin, ScenarioError, SourceMap, suggest};
use super::dist::{Dist, SHAPES, Shape};
use super::schema::{self, AppliesTo, FieldDef, MAGNITUDE};
use super::tree::{Node, Table, Value};
use super::*;
use values::{describe, must_be};

#[derive(Default)]
struct Walker {
    diags: Vec<Diagnostic>,
    warnings: Vec<String>,
    params: Vec<Param>,
    settings: Vec<Setting>,
}

static EMPTY: Table = Table { entries: Vec::new() };

/// `[scenario]`: what names and dates the run.
struct Header {
    name: Option<String>,
    title: String,
    description: String,
    start: Option<YearMonth>,
    horizon: Option<u32>,
}

/// The actors with the two roles every scenario has.
struct Cast {
    actors: Vec<Actor>,
    attacker: Option<usize>,
    defender: Option<usize>,
}

pub(super) fn build(tree: &Table, mut sources: SourceMap, mut files: Vec<FileId>) -> Result<Scenario, ScenarioError> {
    let mut w = Walker::default();
    let main = files.first().map(|&file| Origin::File { file, span: 0..0 }).unwrap_or(Origin::Derived);
    w.top_level(tree);
    // A section of the wrong type makes every later check noise: report these alone.
    if !w.diags.is_empty() {
        return Err(ScenarioError::new(w.diags, &sources));
    }
    let head = w.header(tree, &main);
    let issues = w.issues(tree, &main);
    let territory_issue = issues.iter().position(|i| i.id == "territory");
    let cast = w.actors(tree, &main);
    let actor_ids: Vec<&str> = w.section(tree, "actors").keys().collect();

    // Numeric parameters, in a fixed order: territory, issues, actors, links, sections, events, proposals.
    w.fixed_section(tree, "territory", schema::TERRITORY, schema::TERRITORY_TEXT_KEYS);
    let history = w.history(tree, &mut sources, &mut files);
    w.issue_params(tree, &issues);
    w.actor_params(tree, &cast, &issues);
    let links = w.links(tree, &actor_ids);
    w.sections(tree);
    let (mediator, signatories) = w.talks(tree, &cast, &actor_ids);
    let reversal_months = match (head.start, w.section(tree, "postdeal").get("reversal_dates")) {
        (Some(start), Some(node)) => w.month_list(node, "postdeal.reversal_dates", start),
        _ => Vec::new(),
    };
    let history = w.known_history(history, head.start);
    let events = match head.start {
        Some(start) => w.events(tree, start, &actor_ids),
        None => Vec::new(),
    };
    let proposals = match head.start {
        Some(start) => w.proposals(tree, start, &actor_ids, &issues),
        None => Vec::new(),
    };

    w.joint_checks();

    // References inside events were recorded by path; resolve them now that every parameter exists.
    let index: HashMap<String, usize> = w.params.iter().enumerate().map(|(i, p)| (p.path.clone(), i)).collect();
    let events = w.resolve_events(events, &index);
    w.dating_warnings(&events, &proposals, head.start, head.horizon);
    w.salience_warnings(&cast.actors, &issues, &index);
    if let Some(m) = mediator
        && !signatories.contains(&m)
        && cast.actors[m].patron_of.is_none()
    {
        w.warnings
            .push(format!("negotiation.mediator `{}` neither signs nor aids anyone, so its pressure has no lever", cast.actors[m].id));
    }

    if !w.diags.is_empty() {
        return Err(ScenarioError::new(w.diags, &sources));
    }
    let Header { name, title, description, start, horizon } = head;
    let Cast { actors, attacker, defender } = cast;
    let (Some(name), Some(start), Some(horizon), Some(territory_issue), Some(attacker), Some(defender)) =
        (name, start, horizon, territory_issue, attacker, defender)
    else {
        return Err(ScenarioError::plain("the scenario is incomplete", Some("see docs/scenarios.md for the required keys".into())));
    };
    Ok(Scenario {
        sources,
        files,
        name,
        title,
        description,
        start,
        horizon,
        issues,
        territory_issue,
        actors,
        attacker,
        defender,
        links,
        mediator,
        signatories,
        reversal_months,
        history,
        events,
        proposals,
        params: w.params,
        index,
        settings: w.settings,
        overrides: Vec::new(),
        overrides_key: None,
        warnings: w.warnings,
    })
}

impl Walker {
    /// The top-level keys, and that each section has the type it must (a table, or an array of tables).
    fn top_level(&mut self, tree: &Table) {
        self.unknown_keys(tree, "", schema::TOP_KEYS);
        for e in &tree.entries {
            let want_array = matches!(e.key.as_str(), "links" | "events" | "proposals");
            let ok = match &e.node.value {
                Value::Table(_) => !want_array,
                Value::Array(_) => want_array,
                _ => !schema::TOP_KEYS.contains(&e.key.as_str()),
            };
            if !ok {
                let (what, fix) = if want_array {
                    ("an array of tables", format!("write each item as [[{}]]", e.key))
                } else {
                    ("a table", format!("write it as a section: [{}]", e.key))
                };
                self.diags.push(
                    Diagnostic::new(e.node.origin.clone(), format!("`{}` must be {what}, found {}", e.key, e.node.value.type_name()))
                        .help(fix),
                );
            }
        }
    }

    /// The history as known at the start: later months are dropped, with a warning.
    fn known_history(&mut self, mut history: Vec<(YearMonth, f64)>, start: Option<YearMonth>) -> Vec<(YearMonth, f64)> {
        if let Some(start) = start {
            let later = history.iter().filter(|(m, _)| *m > start).count();
            if later > 0 {
                self.warnings.push(format!(
                    "territory.history: {later} month(s) after the start ({start}) are ignored; history is what was known at the start"
                ));
                history.retain(|(m, _)| *m <= start);
            }
        }
        history
    }

    /// Events and proposals that can never happen: dated before the start or after the horizon.
    fn dating_warnings(&mut self, events: &[Event], proposals: &[Proposal], start: Option<YearMonth>, horizon: Option<u32>) {
        let date = |month: i32| start.map(|s| s.plus(month).to_string()).unwrap_or_default();
        for e in events.iter().filter(|e| e.month < 0 && e.until.is_none_or(|u| u < 0)) {
            self.warnings.push(format!("events.{} is dated before the start ({}) and never fires", e.id, date(e.month)));
        }
        if let Some(h) = horizon {
            for e in events.iter().filter(|e| e.month > h as i32) {
                self.warnings.push(format!("events.{} is dated after the horizon ({}) and never fires", e.id, date(e.month)));
            }
            for p in proposals.iter().filter(|p| p.month > h as i32) {
                self.warnings.push(format!("proposals.{} is dated after the horizon and is never tabled", p.id));
            }
        }
        for e in events.iter().filter(|e| e.recurring && e.until.is_some_and(|u| u < e.month)) {
            self.warnings.push(format!("events.{}: `until` is before its date, so it never fires", e.id));
        }
        for p in proposals.iter().filter(|p| p.month < 0) {
            self.warnings.push(format!("proposals.{} is dated before the start and is never tabled", p.id));
        }
    }
}

/// Where to point when something is missing: the section's key, else the file's first key,
/// else the start of the main file.
fn tree_origin(tree: &Table, key: &str, main: &Origin) -> Origin {
    tree.entry(key).map(|e| e.key_origin.clone()).or_else(|| tree.entries.first().map(|e| e.key_origin.clone())).unwrap_or(main.clone())
}
