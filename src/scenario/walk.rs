//! The schema walk: turns a merged tree into a checked `Scenario`, collecting every problem with
//! its place, what was expected, and a fix.

use std::collections::HashMap;

use super::diag::{Diagnostic, FileId, Origin, ScenarioError, SourceMap, suggest};
use super::dist::{Dist, SHAPES, Shape};
use super::schema::{self, AppliesTo, FieldDef, MAGNITUDE};
use super::tree::{Node, Table, Value};
use super::*;

struct Walker {
    diags: Vec<Diagnostic>,
    warnings: Vec<String>,
    params: Vec<Param>,
    settings: Vec<Setting>,
}

static EMPTY: Table = Table { entries: Vec::new() };

pub(super) fn build(tree: &Table, mut sources: SourceMap, mut files: Vec<FileId>) -> Result<Scenario, ScenarioError> {
    let mut w = Walker { diags: Vec::new(), warnings: Vec::new(), params: Vec::new(), settings: Vec::new() };
    let main = files.first().map(|&file| Origin::File { file, span: 0..0 }).unwrap_or(Origin::Derived);
    w.unknown_keys(tree, "", schema::TOP_KEYS);
    // A section of the wrong type makes every later check noise: report these alone.
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
            w.diags.push(
                Diagnostic::new(e.node.origin.clone(), format!("`{}` must be {what}, found {}", e.key, e.node.value.type_name())).help(fix),
            );
        }
    }
    if !w.diags.is_empty() {
        return Err(ScenarioError::new(w.diags, &sources));
    }

    // [scenario]
    let sc = w.section(tree, "scenario");
    let name = w.required_text(sc, "scenario", "name", tree_origin(tree, "scenario", &main));
    if let Some(n) = &name
        && (n.is_empty()
            || n.starts_with('.')
            || n.len() > 100
            || !n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+')))
    {
        let origin = sc.get("name").map(|n| n.origin.clone()).unwrap_or(Origin::Derived);
        w.diags.push(
            Diagnostic::new(origin, format!("`scenario.name` = \"{n}\" cannot be a folder name"))
                .help("a name is 1 to 100 letters, digits, `_`, `-`, `.` and `+`, not starting with `.` (the title may hold any text), e.g. name = \"endgame\""),
        );
    }
    let title = w.optional_text(sc, "scenario", "title").or_else(|| name.clone()).unwrap_or_default();
    let description = w.optional_text(sc, "scenario", "description").unwrap_or_default();
    let start = match w.required_text(sc, "scenario", "start", tree_origin(tree, "scenario", &main)) {
        Some(s) => w.date(&s, sc.get("start").unwrap(), "scenario.start"),
        None => None,
    };
    let horizon = w.horizon(sc, tree_origin(tree, "scenario", &main));
    w.unknown_keys(sc, "scenario", schema::SCENARIO_KEYS);

    // [issues]
    let issues_table = w.section(tree, "issues");
    let mut issues = Vec::new();
    for entry in &issues_table.entries {
        let path = format!("issues.{}", entry.key);
        w.id(&entry.key, &entry.key_origin, "issue");
        let Some(t) = w.table(&entry.node, &path) else {
            continue;
        };
        let label0 = w.optional_text(t, &path, "label0").unwrap_or_else(|| "0".into());
        let label1 = w.optional_text(t, &path, "label1").unwrap_or_else(|| "1".into());
        let mut keys: Vec<&str> = schema::ISSUE_TEXT_KEYS.to_vec();
        keys.extend(schema::ISSUE.iter().map(|d| d.key));
        w.unknown_keys(t, &path, &keys);
        issues.push(Issue { id: entry.key.clone(), label0, label1 });
    }
    let territory_issue = issues.iter().position(|i| i.id == "territory");
    if territory_issue.is_none() {
        w.diags.push(
            Diagnostic::new(tree_origin(tree, "issues", &main), "the scenario has no issue `territory`")
                .help("add [issues.territory] with label0/label1: the battlefield moves the territory issue"),
        );
    }
    let issue_ids: Vec<&str> = issues.iter().map(|i| i.id.as_str()).collect();

    // [actors]: first their ids and roles, so references can be checked in any order.
    let actors_table = w.section(tree, "actors");
    let actor_ids: Vec<&str> = actors_table.keys().collect();
    let mut actors = Vec::new();
    let mut patron_origins = Vec::new();
    for entry in &actors_table.entries {
        let path = format!("actors.{}", entry.key);
        w.id(&entry.key, &entry.key_origin, "actor");
        let t = w.table(&entry.node, &path).unwrap_or(&EMPTY);
        let name = w.optional_text(t, &path, "name").unwrap_or_else(|| entry.key.clone());
        let role = match w.choice(t, &path, "role", schema::ROLES) {
            Some(0) => Role::Attacker,
            Some(1) => Role::Defender,
            Some(2) => Role::Patron,
            _ => Role::Observer,
        };
        let patron_of = match t.get("patron_of") {
            Some(node) => w.reference(node, &format!("{path}.patron_of"), &actor_ids, "actor"),
            None => None,
        };
        let role_given_but_invalid = t.get("role").is_some()
            && role == Role::Observer
            && !matches!(t.get("role").map(|n| &n.value), Some(Value::Str(r)) if r == "observer");
        if let Some(node) = t.get("patron_of")
            && role != Role::Patron
            && !role_given_but_invalid
        {
            w.diags.push(
                Diagnostic::new(node.origin.clone(), format!("`{path}.patron_of` is only for actors with role = \"patron\""))
                    .help(format!("set role = \"patron\" on `{}`, or remove patron_of", entry.key)),
            );
        }
        if role == Role::Patron && patron_of.is_none() && t.get("patron_of").is_none() {
            w.diags.push(
                Diagnostic::new(
                    t.get("role").map(|n| n.origin.clone()).unwrap_or(entry.key_origin.clone()),
                    format!("actor `{}` is a patron but names no client", entry.key),
                )
                .help(format!("add patron_of = \"<actor>\" to [{path}], e.g. patron_of = \"ukraine\"")),
            );
        }
        if let (Some(client), Some(node)) = (patron_of, t.get("patron_of")) {
            patron_origins.push((actors.len(), client, node.origin.clone()));
        }
        actors.push(Actor { id: entry.key.clone(), name, role, patron_of });
    }
    // A patron aids a client; a chain of patrons must end at someone who is not a patron.
    for (i, _, origin) in &patron_origins {
        let mut seen = vec![*i];
        let mut at = actors[*i].patron_of;
        while let Some(next) = at {
            if seen.contains(&next) {
                // Reported once, at the circle's first actor; a chain that runs into a circle
                // is reported there.
                if next != *i || seen.iter().any(|&k| k < *i) {
                    break;
                }
                let chain: Vec<&str> = seen.iter().chain([&next]).map(|&k| actors[k].id.as_str()).collect();
                let what = if next == *i && seen.len() == 1 {
                    format!("actor `{}` is its own patron", actors[*i].id)
                } else {
                    format!("patrons form a circle: {}", chain.join(" → "))
                };
                w.diags.push(
                    Diagnostic::new(origin.clone(), what)
                        .help("a patron aids a client that is not its patron: name the belligerent it aids, e.g. patron_of = \"ukraine\""),
                );
                break;
            }
            seen.push(next);
            at = actors[next].patron_of;
        }
    }
    let attacker = w.unique_role(&actors, Role::Attacker, "attacker", actors_table);
    let defender = w.unique_role(&actors, Role::Defender, "defender", actors_table);
    if actors.len() < 2 && actors_table.entries.is_empty() {
        w.diags.push(
            Diagnostic::new(tree_origin(tree, "actors", &main), "the scenario has no actors")
                .help("add at least an attacker and a defender, e.g. [actors.russia] role = \"attacker\""),
        );
    }

    // Numeric parameters, in a fixed order: territory, issues, actors, links, sections, events, proposals.
    w.fixed_section(tree, "territory", schema::TERRITORY, schema::TERRITORY_TEXT_KEYS);
    let history = w.history(tree, &mut sources, &mut files);
    for issue in &issues {
        let t = match issues_table.get(&issue.id).map(|n| &n.value) {
            Some(Value::Table(t)) => t,
            _ => &EMPTY,
        };
        for def in schema::ISSUE {
            w.param(t, def, format!("issues.{}.{}", issue.id, def.key));
        }
    }
    for (ai, actor) in actors.iter().enumerate() {
        let path = format!("actors.{}", actor.id);
        let t = match actors_table.get(&actor.id).map(|n| &n.value) {
            Some(Value::Table(t)) => t,
            _ => &EMPTY,
        };
        let mut keys: Vec<&str> = schema::ACTOR_TEXT_KEYS.to_vec();
        keys.extend(schema::ACTOR.iter().map(|d| d.key));
        w.unknown_keys(t, &path, &keys);
        for def in schema::ACTOR {
            w.param(t, def, format!("{path}.{}", def.key));
            if let Some(node) = t.get(def.key) {
                w.check_applies(def, actor, ai, attacker, &path, node);
            }
        }
        for def in [schema::IDEAL, schema::SALIENCE] {
            let sub_path = format!("{path}.{}", def.key);
            let sub = match t.get(def.key) {
                Some(node) => w.table(node, &sub_path).unwrap_or(&EMPTY),
                None => &EMPTY,
            };
            w.unknown_keys(sub, &sub_path, &issue_ids);
            for issue in &issues {
                w.param_at(sub, &issue.id, &def, format!("{sub_path}.{}", issue.id));
            }
        }
    }
    let links = w.links(tree, &actor_ids);
    for (name, defs) in schema::SECTIONS.iter().filter(|(n, _)| *n != "territory") {
        let text_keys: &[&str] = match *name {
            "negotiation" => schema::NEGOTIATION_TEXT_KEYS,
            "postdeal" => schema::POSTDEAL_TEXT_KEYS,
            "battlefield" => schema::BATTLEFIELD_TEXT_KEYS,
            _ => &[],
        };
        w.fixed_section(tree, name, defs, text_keys);
        for &(section, key, names, default, doc) in schema::ENUMS.iter().filter(|e| e.0 == *name) {
            let t = w.section(tree, section);
            w.enum_param(t, key, &format!("{section}.{key}"), names, default, doc);
        }
    }
    let neg = w.section(tree, "negotiation");
    let mediator = match neg.get("mediator") {
        Some(Node { value: Value::Str(s), .. }) if s.is_empty() => None,
        Some(node) => w.reference(node, "negotiation.mediator", &actor_ids, "actor"),
        None => None,
    };
    let signatories = match neg.get("signatories") {
        Some(node) => w.references(node, "negotiation.signatories", &actor_ids),
        None => {
            let mut s: Vec<usize> = [attacker, defender].into_iter().flatten().collect();
            s.sort();
            s
        }
    };
    if let (Some(a), Some(d)) = (attacker, defender) {
        for (who, idx) in [("attacker", a), ("defender", d)] {
            if !signatories.contains(&idx) && neg.get("signatories").is_some() {
                w.diags.push(
                    Diagnostic::new(
                        neg.get("signatories").unwrap().origin.clone(),
                        format!("the {who} `{}` is not among `negotiation.signatories`", actors[idx].id),
                    )
                    .help("a deal ends the war only if both belligerents sign: add it to the list"),
                );
            }
        }
    }
    let reversal_months = match (start, w.section(tree, "postdeal").get("reversal_dates")) {
        (Some(start), Some(node)) => w.month_list(node, "postdeal.reversal_dates", start),
        _ => Vec::new(),
    };

    let mut history = history;
    if let Some(start) = start {
        let later = history.iter().filter(|(m, _)| *m > start).count();
        if later > 0 {
            w.warnings.push(format!(
                "territory.history: {later} month(s) after the start ({start}) are ignored; history is what was known at the start"
            ));
            history.retain(|(m, _)| *m <= start);
        }
    }
    let events = match start {
        Some(start) => w.events(tree, start, &actor_ids),
        None => Vec::new(),
    };
    let proposals = match start {
        Some(start) => w.proposals(tree, start, &actor_ids, &issues),
        None => Vec::new(),
    };

    w.joint_checks();

    // References inside events were recorded by path; resolve them now that every parameter exists.
    let index: HashMap<String, usize> = w.params.iter().enumerate().map(|(i, p)| (p.path.clone(), i)).collect();
    let events = w.resolve_events(events, &index);
    for e in events.iter().filter(|e| e.month < 0 && e.until.is_none_or(|u| u < 0)) {
        w.warnings.push(format!(
            "events.{} is dated before the start ({}) and never fires",
            e.id,
            start.map(|s| s.plus(e.month).to_string()).unwrap_or_default()
        ));
    }
    if let Some(h) = horizon {
        for e in events.iter().filter(|e| e.month > h as i32) {
            w.warnings.push(format!(
                "events.{} is dated after the horizon ({}) and never fires",
                e.id,
                start.map(|s| s.plus(e.month).to_string()).unwrap_or_default()
            ));
        }
        for p in proposals.iter().filter(|p| p.month > h as i32) {
            w.warnings.push(format!("proposals.{} is dated after the horizon and is never tabled", p.id));
        }
    }
    for e in events.iter().filter(|e| e.recurring && e.until.is_some_and(|u| u < e.month)) {
        w.warnings.push(format!("events.{}: `until` is before its date, so it never fires", e.id));
    }
    for p in proposals.iter().filter(|p| p.month < 0) {
        w.warnings.push(format!("proposals.{} is dated before the start and is never tabled", p.id));
    }

    for (i, actor) in actors.iter().enumerate() {
        let total: f64 = issues.iter().map(|is| w.params[index[&format!("actors.{}.salience.{}", actor.id, is.id)]].central()).sum();
        if total <= 0.0 && !issues.is_empty() {
            w.warnings.push(format!("actors.{}: every salience is 0, so it is indifferent to every deal", actor.id));
        } else if (total - 1.0).abs() > 1e-6 && has_explicit_salience(&w.params, &actors[i].id) {
            w.warnings.push(format!("actors.{}: saliences sum to {} and are normalised to 1", actor.id, format_number(total)));
        }
    }
    if let Some(m) = mediator
        && !signatories.contains(&m)
        && actors[m].patron_of.is_none()
    {
        w.warnings.push(format!("negotiation.mediator `{}` neither signs nor aids anyone, so its pressure has no lever", actors[m].id));
    }

    if !w.diags.is_empty() {
        return Err(ScenarioError::new(w.diags, &sources));
    }
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

fn has_explicit_salience(params: &[Param], actor: &str) -> bool {
    let prefix = format!("actors.{actor}.salience.");
    params.iter().any(|p| p.path.starts_with(&prefix) && p.origin != Origin::Default)
}

/// Where to point when something is missing: the section's key, else the file's first key,
/// else the start of the main file.
fn tree_origin(tree: &Table, key: &str, main: &Origin) -> Origin {
    tree.entry(key).map(|e| e.key_origin.clone()).or_else(|| tree.entries.first().map(|e| e.key_origin.clone())).unwrap_or(main.clone())
}

/// The values a parameter can take: its value, or its distribution's bounds (for a normal or
/// lognormal without a clamp, 3 sd either side), within its range.
fn reach(p: &Param) -> (f64, f64) {
    match &p.value {
        ParamValue::Fixed(v) => (*v, *v),
        ParamValue::Dist(d) => {
            let (lo, hi) = match (d.clamp, &d.shape) {
                (Some(c), _) => c,
                (None, Shape::Normal { mean, sd }) => (mean - 3.0 * sd, mean + 3.0 * sd),
                (None, Shape::LogNormal { mu, sigma }) => ((mu - 3.0 * sigma).exp(), (mu + 3.0 * sigma).exp()),
                (None, shape) => shape.support(),
            };
            (lo.max(p.min), hi.min(p.max))
        }
    }
}

fn range_text(min: f64, max: f64) -> String {
    match (min.is_finite(), max.is_finite()) {
        (true, true) => format!("[{}, {}]", format_number(min), format_number(max)),
        (true, false) => format!("≥ {}", format_number(min)),
        (false, true) => format!("≤ {}", format_number(max)),
        (false, false) => "any number".into(),
    }
}

/// "in [0, 1]" or "≥ 0", to follow "must be".
fn must_be(min: f64, max: f64) -> String {
    let r = range_text(min, max);
    if r.starts_with('[') { format!("in {r}") } else { r }
}

/// A pending event whose parameter references are still paths.
struct RawEvent {
    event: Event,
    when: Vec<(String, CmpOp, f64, String, Origin)>,
    effects: Vec<(EffectOp, String, RawValue, Origin)>,
}

enum RawValue {
    Num(f64),
    Name(String),
}

impl Walker {
    fn section<'t>(&mut self, tree: &'t Table, key: &str) -> &'t Table {
        match tree.get(key) {
            Some(node) => match &node.value {
                Value::Table(t) => t,
                other => {
                    if !self.diags.iter().any(|d| d.origin == node.origin) {
                        self.diags.push(
                            Diagnostic::new(node.origin.clone(), format!("`{key}` must be a table, found {}", other.type_name()))
                                .help(format!("write it as a section: [{key}]")),
                        );
                    }
                    &EMPTY
                }
            },
            None => &EMPTY,
        }
    }

    fn table<'t>(&mut self, node: &'t Node, path: &str) -> Option<&'t Table> {
        match &node.value {
            Value::Table(t) => Some(t),
            other => {
                self.diags.push(
                    Diagnostic::new(node.origin.clone(), format!("`{path}` must be a table, found {}", other.type_name()))
                        .help(format!("write it as a section [{path}] or an inline table {{ … }}")),
                );
                None
            }
        }
    }

    fn unknown_keys(&mut self, table: &Table, prefix: &str, allowed: &[&str]) {
        for e in &table.entries {
            if !allowed.contains(&e.key.as_str()) {
                let full = if prefix.is_empty() { e.key.clone() } else { format!("{prefix}.{}", e.key) };
                let help = match super::diag::nearest(&e.key, allowed.iter().copied()) {
                    Some(best) if prefix.is_empty() => format!("did you mean `{best}`?"),
                    Some(best) => format!("did you mean `{prefix}.{best}`?"),
                    None => suggest(&e.key, allowed),
                };
                let what = if prefix.is_empty() { "section".to_string() } else { format!("key in [{prefix}]") };
                self.diags.push(Diagnostic::new(e.key_origin.clone(), format!("unknown {what}: `{full}`")).help(help));
            }
        }
    }

    fn id(&mut self, id: &str, origin: &Origin, what: &str) {
        let ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            self.diags.push(
                Diagnostic::new(origin.clone(), format!("`{id}` is not a valid {what} id")).help(
                    "ids are lower-case letters, digits and `_`, starting with a letter (they become parameter paths and CSV columns)",
                ),
            );
        }
    }

    fn text_of(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Other("a date-time") => {
                self.diags.push(
                    Diagnostic::new(node.origin.clone(), format!("`{path}` must be a month as a quoted string, found a date"))
                        .help("write the month in quotes as \"YYYY-MM\", e.g. \"2025-05\""),
                );
                None
            }
            other => {
                self.diags.push(
                    Diagnostic::new(node.origin.clone(), format!("`{path}` must be a string, found {}", other.type_name()))
                        .help(format!("put the value in quotes: {} = \"…\"", path.rsplit('.').next().unwrap_or(path))),
                );
                None
            }
        }
    }

    fn optional_text(&mut self, t: &Table, prefix: &str, key: &str) -> Option<String> {
        let path = format!("{prefix}.{key}");
        let node = t.get(key)?;
        let s = self.text_of(node, &path)?;
        self.settings.push(Setting { path, value: s.clone(), origin: node.origin.clone() });
        Some(s)
    }

    fn required_text(&mut self, t: &Table, prefix: &str, key: &str, near: Origin) -> Option<String> {
        if t.get(key).is_none() {
            self.diags.push(Diagnostic::new(near, format!("missing `{prefix}.{key}`")).help(match key {
                "name" => "add name = \"my_scenario\" to [scenario]: it names the output folder".to_string(),
                "start" => "add start = \"2025-05\" to [scenario]: the first simulated month".to_string(),
                _ => format!("add {key} = … to [{prefix}]"),
            }));
            return None;
        }
        self.optional_text(t, prefix, key)
    }

    fn date(&mut self, text: &str, node: &Node, path: &str) -> Option<YearMonth> {
        match YearMonth::parse(text) {
            Some(d) => Some(d),
            None => {
                self.diags.push(
                    Diagnostic::new(node.origin.clone(), format!("`{path}` = \"{text}\" is not a month"))
                        .help("write the month as \"YYYY-MM\", e.g. \"2026-11\""),
                );
                None
            }
        }
    }

    fn horizon(&mut self, sc: &Table, near: Origin) -> Option<u32> {
        let Some(node) = sc.get("horizon_months") else {
            self.diags.push(
                Diagnostic::new(near, "missing `scenario.horizon_months`")
                    .help("add horizon_months = 48 to [scenario]: how many months to simulate"),
            );
            return None;
        };
        match node.value {
            Value::Num { value, is_int: true } if (1.0..=1200.0).contains(&value) => {
                self.settings.push(Setting {
                    path: "scenario.horizon_months".into(),
                    value: format_number(value),
                    origin: node.origin.clone(),
                });
                Some(value as u32)
            }
            ref other => {
                self.diags.push(
                    Diagnostic::new(
                        node.origin.clone(),
                        format!("`scenario.horizon_months` must be a whole number of months from 1 to 1200, found {}", describe(other)),
                    )
                    .help("e.g. horizon_months = 48"),
                );
                None
            }
        }
    }

    fn choice(&mut self, t: &Table, prefix: &str, key: &str, names: &[&str]) -> Option<usize> {
        let node = t.get(key)?;
        let path = format!("{prefix}.{key}");
        let s = self.text_of(node, &path)?;
        match names.iter().position(|n| *n == s) {
            Some(i) => {
                self.settings.push(Setting { path, value: s, origin: node.origin.clone() });
                Some(i)
            }
            None => {
                self.diags
                    .push(Diagnostic::new(node.origin.clone(), format!("`{path}` = \"{s}\" is not allowed")).help(suggest(&s, names)));
                None
            }
        }
    }

    fn reference(&mut self, node: &Node, path: &str, ids: &[&str], what: &str) -> Option<usize> {
        let s = self.text_of(node, path)?;
        match ids.iter().position(|i| *i == s) {
            Some(i) => {
                self.settings.push(Setting { path: path.to_string(), value: s, origin: node.origin.clone() });
                Some(i)
            }
            None => {
                let help = match super::diag::nearest(&s, ids.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("the {what}s are: {}", ids.join(", ")),
                };
                self.diags.push(
                    Diagnostic::new(node.origin.clone(), format!("`{path}` names {what} `{s}`, which the scenario does not have"))
                        .help(help),
                );
                None
            }
        }
    }

    /// A string inside an array: the help shows the array form.
    fn text_item(&mut self, node: &Node, path: &str, example: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            other => {
                self.diags.push(
                    Diagnostic::new(
                        node.origin.clone(),
                        format!("each element of `{path}` must be a quoted string, found {}", describe(other)),
                    )
                    .help(format!("quote every element, e.g. {example}")),
                );
                None
            }
        }
    }

    fn references(&mut self, node: &Node, path: &str, ids: &[&str]) -> Vec<usize> {
        let Value::Array(items) = &node.value else {
            self.diags.push(
                Diagnostic::new(node.origin.clone(), format!("`{path}` must be an array of actor ids, found {}", node.value.type_name()))
                    .help("e.g. signatories = [\"russia\", \"ukraine\", \"us\", \"europe\"]"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            if self.text_item(item, path, "[\"russia\", \"ukraine\"]").is_none() {
                continue;
            }
            if let Some(i) = self.reference(item, path, ids, "actor") {
                if out.contains(&i) {
                    self.diags.push(
                        Diagnostic::new(item.origin.clone(), format!("`{path}` names `{}` twice", ids[i])).help("list each actor once"),
                    );
                }
                out.push(i);
            }
        }
        out
    }

    fn unique_role(&mut self, actors: &[Actor], role: Role, name: &str, table: &Table) -> Option<usize> {
        let found: Vec<usize> = (0..actors.len()).filter(|&i| actors[i].role == role).collect();
        match found.len() {
            1 => Some(found[0]),
            0 => {
                if !table.entries.is_empty() {
                    self.diags.push(
                        Diagnostic::new(table.entries[0].key_origin.clone(), format!("no actor has role = \"{name}\""))
                            .help(format!("exactly one actor must be the {name}: add role = \"{name}\" to it")),
                    );
                }
                None
            }
            _ => {
                let second = &actors[found[1]].id;
                let origin = match table.get(second).map(|n| &n.value) {
                    Some(Value::Table(t)) => t.get("role").map(|n| n.origin.clone()),
                    _ => None,
                }
                .unwrap_or(Origin::Derived);
                self.diags.push(
                    Diagnostic::new(origin, format!("both `{}` and `{second}` have role = \"{name}\"", actors[found[0]].id))
                        .help(format!("the model has exactly one {name}; make the other a \"patron\" or an \"observer\"")),
                );
                None
            }
        }
    }

    fn check_applies(&mut self, def: &FieldDef, actor: &Actor, ai: usize, attacker: Option<usize>, path: &str, node: &Node) {
        let ok = match def.applies {
            AppliesTo::All => true,
            AppliesTo::Belligerents => matches!(actor.role, Role::Attacker | Role::Defender),
            AppliesTo::Attacker => actor.role == Role::Attacker,
            AppliesTo::Defender => actor.role == Role::Defender,
            AppliesTo::Patrons => actor.patron_of.is_some(),
            AppliesTo::NotAttacker => attacker != Some(ai),
        };
        if !ok {
            let _ = node;
            let role = schema::ROLES[actor.role as usize];
            let article = if role.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            self.warnings.push(format!("{path}.{} has no effect on {article} {role} actor", def.key));
        }
    }

    /// Values that are each in range but cannot be true together: the area held above the
    /// area claimed or the country's area, more forts held than there are.
    fn joint_checks(&mut self) {
        let find = |w: &Self, path: &str| w.params.iter().position(|p| p.path == path);
        let pairs = [
            ("territory.start_km2", "territory.claimed_km2", "the area held at the start cannot exceed the area claimed"),
            ("territory.start_km2", "territory.ukraine_km2", "the area held at the start cannot exceed the country's area"),
            ("territory.claimed_km2", "territory.ukraine_km2", "the area claimed cannot exceed the country's area"),
            ("battlefield.forts_start", "battlefield.forts_positions", "the attacker cannot hold more positions than there are"),
        ];
        for (small, big, why) in pairs {
            let (Some(a), Some(b)) = (find(self, small), find(self, big)) else { continue };
            let (_, a_hi) = reach(&self.params[a]);
            let (b_lo, _) = reach(&self.params[b]);
            if a_hi > b_lo {
                let (pa, pb) = (&self.params[a], &self.params[b]);
                let origin = if pa.origin != Origin::Default { pa.origin.clone() } else { pb.origin.clone() };
                self.diags.push(
                    Diagnostic::new(
                        origin,
                        format!("`{small}` = {} can exceed `{big}` = {}: {why}", pa.display_value(), pb.display_value()),
                    )
                    .help(format!("keep `{small}` at or below `{big}`")),
                );
            }
        }
    }

    /// A numeric parameter: a number or a distribution, checked against its range.
    fn param(&mut self, t: &Table, def: &FieldDef, path: String) {
        self.param_at(t, def.key, def, path)
    }

    /// A numeric parameter stored under `key` (which differs from `def.key` for per-issue maps).
    fn param_at(&mut self, t: &Table, key: &str, def: &FieldDef, path: String) {
        let (value, origin) = match t.get(key) {
            None => (ParamValue::Fixed(def.default), Origin::Default),
            Some(node) => match self.number_or_dist(node, &path, def.min, def.max) {
                Some(v) => (v, node.origin.clone()),
                None => (ParamValue::Fixed(def.default), node.origin.clone()),
            },
        };
        self.params.push(Param { path, value, min: def.min, max: def.max, unit: def.unit, doc: def.doc, names: None, origin });
    }

    fn enum_param(&mut self, t: &Table, key: &str, path: &str, names: &'static [&'static str], default: usize, doc: &'static str) {
        if let Some(node) = t.get(key)
            && let Value::Table(table) = &node.value
        {
            let value = match self.choice_dist(table, node, path, names) {
                Some(d) => ParamValue::Dist(d),
                None => ParamValue::Fixed(default as f64),
            };
            let max = (names.len() - 1) as f64;
            self.params.push(Param {
                path: path.to_string(),
                value,
                min: 0.0,
                max,
                unit: "",
                doc,
                names: Some(names),
                origin: node.origin.clone(),
            });
            return;
        }
        let (value, origin) = match t.get(key) {
            None => (default, Origin::Default),
            Some(node) => {
                let v = match &node.value {
                    Value::Str(s) => match names.iter().position(|n| n == s) {
                        Some(i) => i,
                        None => {
                            self.diags.push(
                                Diagnostic::new(node.origin.clone(), format!("`{path}` = \"{s}\" is not allowed")).help(suggest(s, names)),
                            );
                            default
                        }
                    },
                    other => {
                        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                        self.diags.push(
                            Diagnostic::new(
                                node.origin.clone(),
                                format!("`{path}` must be one of {}, found {}", quoted.join(", "), other.type_name()),
                            )
                            .help(format!("e.g. {key} = \"{}\"", names[0])),
                        );
                        default
                    }
                };
                (v, node.origin.clone())
            }
        };
        let max = (names.len() - 1) as f64;
        self.params.push(Param {
            path: path.to_string(),
            value: ParamValue::Fixed(value as f64),
            min: 0.0,
            max,
            unit: "",
            doc,
            names: Some(names),
            origin,
        });
    }

    /// A setting drawn per rollout: `{ choice = ["package", "stepwise"], p = [0.6, 0.4] }`
    /// (MODEL.md §6, structural uncertainty).
    fn choice_dist(&mut self, t: &Table, node: &Node, path: &str, names: &'static [&'static str]) -> Option<Dist> {
        let example = format!("e.g. {{ choice = [\"{}\", \"{}\"], p = [0.6, 0.4] }}", names[0], names[names.len() - 1]);
        let before = self.diags.len();
        self.unknown_keys(t, path, &["choice", "p", "clamp"]);
        if self.diags.len() > before {
            return None;
        }
        let (Some(list), Some(p)) = (t.get("choice"), t.get("p")) else {
            self.diags.push(
                Diagnostic::new(node.origin.clone(), format!("`{path}` is a setting: as a table it needs `choice` and `p`")).help(example),
            );
            return None;
        };
        let Value::Array(items) = &list.value else {
            self.diags.push(Diagnostic::new(list.origin.clone(), format!("`{path}.choice` must be an array of names")).help(example));
            return None;
        };
        let mut picked = Vec::new();
        for item in items {
            let Value::Str(name) = &item.value else {
                self.diags.push(
                    Diagnostic::new(item.origin.clone(), format!("`{path}.choice` must hold names, found {}", describe(&item.value)))
                        .help(example),
                );
                return None;
            };
            let Some(k) = names.iter().position(|n| n == name) else {
                self.diags.push(
                    Diagnostic::new(item.origin.clone(), format!("`{path}.choice`: \"{name}\" is not allowed")).help(suggest(name, names)),
                );
                return None;
            };
            if picked.contains(&k) {
                self.diags.push(
                    Diagnostic::new(item.origin.clone(), format!("`{path}.choice` names \"{name}\" twice")).help("list each choice once"),
                );
                return None;
            }
            picked.push(k);
        }
        let weights_given = self.numbers(p, &format!("{path}.p"))?;
        if weights_given.len() != picked.len() || picked.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    p.origin.clone(),
                    format!(
                        "`{path}.p` needs one probability per choice: {} choice(s), {} probability(ies)",
                        picked.len(),
                        weights_given.len()
                    ),
                )
                .help(example),
            );
            return None;
        }
        let total: f64 = weights_given.iter().sum();
        if weights_given.iter().any(|&w| !(0.0..=1.0).contains(&w)) || (total - 1.0).abs() > 1e-6 {
            self.diags.push(
                Diagnostic::new(
                    p.origin.clone(),
                    format!("`{path}.p` must be probabilities that sum to 1, found a sum of {}", format_number(total)),
                )
                .help(example),
            );
            return None;
        }
        let mut weights = vec![0.0; names.len()];
        for (&k, &w) in picked.iter().zip(&weights_given) {
            weights[k] = w;
        }
        let clamp = match t.get("clamp") {
            Some(c) => {
                let v = self.numbers(c, &format!("{path}.clamp"))?;
                if v.len() != 2 || v[0] > v[1] {
                    self.diags.push(
                        Diagnostic::new(c.origin.clone(), format!("`{path}.clamp` must be [lo, hi] with lo ≤ hi"))
                            .help("e.g. clamp = [0, 0] holds the first choice"),
                    );
                    return None;
                }
                Some((v[0], v[1]))
            }
            None => None,
        };
        Some(Dist { shape: Shape::Choice { weights }, clamp })
    }

    fn number_or_dist(&mut self, node: &Node, path: &str, min: f64, max: f64) -> Option<ParamValue> {
        match &node.value {
            Value::Num { value, .. } if !value.is_finite() => {
                self.diags.push(
                    Diagnostic::new(node.origin.clone(), format!("`{path}` must be a finite number, found {value}"))
                        .help(format!("`{path}` must be {}", must_be(min, max))),
                );
                None
            }
            Value::Num { value, .. } => {
                if value.abs() > MAGNITUDE {
                    self.diags.push(
                        Diagnostic::new(node.origin.clone(), format!("`{path}` = {} is too large", format_number(*value))).help(format!(
                            "truce computes with values of magnitude up to {MAGNITUDE:e}; `{path}` must be {}",
                            must_be(min, max)
                        )),
                    );
                    return None;
                }
                if *value < min || *value > max {
                    self.diags.push(
                        Diagnostic::new(node.origin.clone(), format!("`{path}` = {} is out of range", format_number(*value)))
                            .help(format!("`{path}` must be {}", must_be(min, max))),
                    );
                    return None;
                }
                Some(ParamValue::Fixed(*value))
            }
            Value::Table(t) => self.dist(t, node, path, min, max).map(ParamValue::Dist),
            other => {
                self.diags.push(
                    Diagnostic::new(
                        node.origin.clone(),
                        format!("`{path}` must be a number or a distribution, found {}", other.type_name()),
                    )
                    .help(format!(
                        "write a number, e.g. {0} = 0.5, or a distribution, e.g. {0} = {{ uniform = [0.4, 0.6] }}",
                        path.rsplit('.').next().unwrap_or(path)
                    )),
                );
                None
            }
        }
    }

    fn numbers(&mut self, node: &Node, path: &str) -> Option<Vec<f64>> {
        let Value::Array(items) = &node.value else {
            self.diags.push(
                Diagnostic::new(node.origin.clone(), format!("`{path}` must be an array of numbers, found {}", node.value.type_name()))
                    .help("e.g. uniform = [0.2, 0.4]"),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            match item.value {
                Value::Num { value, .. } if value.is_finite() => out.push(value),
                ref other => {
                    self.diags.push(
                        Diagnostic::new(item.origin.clone(), format!("`{path}` must hold numbers, found {}", describe(other)))
                            .help("e.g. uniform = [0.2, 0.4]"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn dist(&mut self, t: &Table, node: &Node, path: &str, min: f64, max: f64) -> Option<Dist> {
        let mut allowed: Vec<&str> = SHAPES.to_vec();
        allowed.push("clamp");
        let before = self.diags.len();
        self.unknown_keys(t, path, &allowed);
        if self.diags.len() > before {
            return None;
        }
        let shapes: Vec<&super::tree::Entry> = t.entries.iter().filter(|e| SHAPES.contains(&e.key.as_str())).collect();
        if shapes.len() != 1 {
            let origin = shapes.get(1).map(|e| e.key_origin.clone()).unwrap_or(node.origin.clone());
            self.diags.push(Diagnostic::new(origin, format!("`{path}` must name exactly one distribution, found {}", shapes.len()))
                .help("write one of: { uniform = [lo, hi] }, { triangular = [lo, mode, hi] }, { normal = [mean, sd] }, { beta = [a, b] }, { lognormal = [mu, sigma] }"));
            return None;
        }
        let entry = shapes[0];
        let args = self.numbers(&entry.node, &format!("{path}.{}", entry.key))?;
        let shape = match Shape::new(&entry.key, &args) {
            Ok(s) => s,
            Err(msg) => {
                self.diags.push(
                    Diagnostic::new(entry.node.origin.clone(), format!("`{path}`: {msg}"))
                        .help("fix the distribution's parameters; see docs/scenarios.md, \"Uncertain parameters\""),
                );
                return None;
            }
        };
        let clamp = match t.get("clamp") {
            Some(c) => {
                let v = self.numbers(c, &format!("{path}.clamp"))?;
                if v.len() != 2 || !(v[0] < v[1]) {
                    self.diags.push(
                        Diagnostic::new(c.origin.clone(), format!("`{path}.clamp` must be [lo, hi] with lo < hi"))
                            .help("e.g. clamp = [0.0, 1.0]"),
                    );
                    return None;
                }
                Some((v[0], v[1]))
            }
            None => None,
        };
        let (lo, hi) = clamp.unwrap_or(shape.support());
        let bounded = matches!(shape, Shape::Uniform { .. } | Shape::Triangular { .. }) || clamp.is_some();
        if bounded && (lo < min || hi > max) {
            self.diags.push(
                Diagnostic::new(node.origin.clone(), format!("`{path}` can take values outside its range {}", range_text(min, max)))
                    .help(format!("keep the distribution's bounds within {}", range_text(min, max))),
            );
            return None;
        }
        // Draws are kept within ±MAGNITUDE, but a distribution that reaches far past it (or
        // whose mean overflows) says something the user did not mean.
        let (far_lo, far_hi) = match shape {
            Shape::Normal { mean, sd } => (mean - 6.0 * sd, mean + 6.0 * sd),
            Shape::LogNormal { mu, sigma } => (0.0, (mu + 6.0 * sigma).exp()),
            _ => shape.support(),
        };
        let reach = if clamp.is_some() { 0.0 } else { far_lo.abs().max(far_hi.abs()) };
        if !shape.mean().is_finite() || !(reach <= MAGNITUDE) {
            self.diags.push(
                Diagnostic::new(
                    entry.node.origin.clone(),
                    format!("`{path}`: {} reaches values beyond ±{MAGNITUDE:e}", format_dist(&shape)),
                )
                .help("narrow the distribution, or bound its draws with clamp = [lo, hi]"),
            );
            return None;
        }
        // Unbounded shapes warn only when more than a sliver of their mass (beyond 3 sd) is cut.
        let (lo, hi) = match shape {
            Shape::Normal { mean, sd } if clamp.is_none() => (mean - 3.0 * sd, mean + 3.0 * sd),
            Shape::LogNormal { mu, sigma } if clamp.is_none() => ((mu - 3.0 * sigma).exp(), (mu + 3.0 * sigma).exp()),
            _ => (lo, hi),
        };
        if !bounded && (lo < min || hi > max) {
            self.warnings.push(format!(
                "{path}: draws of {} outside {} are clamped; add clamp = [lo, hi] to make this explicit",
                format_dist(&shape),
                range_text(min, max)
            ));
        }
        Some(Dist { shape, clamp })
    }

    fn fixed_section(&mut self, tree: &Table, name: &str, defs: &[FieldDef], text_keys: &[&str]) {
        let t = self.section(tree, name);
        let mut keys: Vec<&str> = text_keys.to_vec();
        keys.extend(defs.iter().map(|d| d.key));
        self.unknown_keys(t, name, &keys);
        for def in defs {
            self.param(t, def, format!("{name}.{}", def.key));
        }
    }

    /// `[territory.history]`: months and areas written out, or `{ file = "…csv", column = "…" }`,
    /// a series file (path relative to the scenario file that names it; column default
    /// `econ_km2`, the shipped data's), read and recorded among the files of the run.
    fn history(&mut self, tree: &Table, sources: &mut SourceMap, files: &mut Vec<FileId>) -> Vec<(YearMonth, f64)> {
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

    fn history_file(&mut self, h: &Table, sources: &mut SourceMap, files: &mut Vec<FileId>) -> Vec<(YearMonth, f64)> {
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

    fn links(&mut self, tree: &Table, ids: &[&str]) -> Vec<Link> {
        let Some(node) = tree.get("links") else {
            return Vec::new();
        };
        let Value::Array(items) = &node.value else {
            self.diags.push(
                Diagnostic::new(node.origin.clone(), "`links` must be an array of tables")
                    .help("write each link as [[links]] with from, to, kind and weight"),
            );
            return Vec::new();
        };
        let mut out: Vec<Link> = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let Some(t) = self.table(item, "links") else {
                continue;
            };
            self.unknown_keys(t, "links", schema::LINK_KEYS);
            let mut get = |k: &str| match t.get(k) {
                Some(n) => Some(n),
                None => {
                    self.diags.push(
                        Diagnostic::new(item.origin.clone(), format!("a link is missing `{k}`"))
                            .help("each [[links]] needs from, to, kind and weight"),
                    );
                    None
                }
            };
            let (Some(from), Some(to), Some(kind), Some(weight)) = (get("from"), get("to"), get("kind"), get("weight")) else {
                continue;
            };
            // Numbered from 1 as the [[links]] tables appear, so that each setting is told apart.
            let from = self.reference(from, &format!("links[{}].from", n + 1), ids, "actor");
            let to = self.reference(to, &format!("links[{}].to", n + 1), ids, "actor");
            let kind_i = match self.text_of(kind, "links.kind") {
                Some(s) => match schema::LINK_KINDS.iter().position(|k| *k == s) {
                    Some(i) => Some(i),
                    None => {
                        self.diags.push(
                            Diagnostic::new(kind.origin.clone(), format!("`links.kind` = \"{s}\" is not a kind of link"))
                                .help(suggest(&s, schema::LINK_KINDS)),
                        );
                        None
                    }
                },
                None => None,
            };
            let (Some(from), Some(to), Some(kind_i)) = (from, to, kind_i) else {
                continue;
            };
            if from == to {
                self.diags.push(
                    Diagnostic::new(item.origin.clone(), format!("a link from `{}` to itself", ids[from]))
                        .help("links join two different actors"),
                );
                continue;
            }
            let kind = [LinkKind::Aid, LinkKind::Intelligence, LinkKind::Sanctions, LinkKind::Leverage, LinkKind::Alignment][kind_i];
            let path = format!("links.{}.{}.{}", ids[from], ids[to], kind.name());
            if out.iter().any(|l| l.from == from && l.to == to && l.kind == kind) {
                self.diags.push(
                    Diagnostic::new(item.origin.clone(), format!("`{path}` is given twice")).help("keep one link per (from, to, kind)"),
                );
                continue;
            }
            let def = FieldDef {
                key: "weight",
                default: 0.0,
                min: 0.0,
                max: f64::INFINITY,
                unit: "",
                applies: AppliesTo::All,
                doc: "weight of the link: how much pressure or influence flows along it",
            };
            let mut holder = Table::default();
            holder.entries.push(super::tree::Entry { key: "weight".into(), key_origin: weight.origin.clone(), node: weight.clone() });
            self.param(&holder, &def, path);
            out.push(Link { from, to, kind, weight: self.params.len() - 1 });
        }
        out
    }

    fn month_of(&mut self, t: &Table, prefix: &str, start: YearMonth, required: bool, near: &Origin) -> Option<i32> {
        match (t.get("date"), t.get("month")) {
            (Some(d), None) => {
                let s = self.text_of(d, &format!("{prefix}.date"))?;
                let ym = self.date(&s, d, &format!("{prefix}.date"))?;
                Some(start.months_until(ym))
            }
            (None, Some(m)) => match m.value {
                Value::Num { value, is_int: true } if (0.0..=1200.0).contains(&value) => Some(value as i32),
                ref other => {
                    self.diags.push(
                        Diagnostic::new(
                            m.origin.clone(),
                            format!(
                                "`{prefix}.month` must be a whole number of months after the start, from 0 to 1200, found {}",
                                describe(other)
                            ),
                        )
                        .help("e.g. month = 6, or use date = \"YYYY-MM\""),
                    );
                    None
                }
            },
            (Some(_), Some(m)) => {
                self.diags
                    .push(Diagnostic::new(m.origin.clone(), format!("`{prefix}` has both `date` and `month`")).help("give one of them"));
                None
            }
            (None, None) => {
                if required {
                    self.diags.push(
                        Diagnostic::new(near.clone(), format!("`{prefix}` has no `date`"))
                            .help("add date = \"YYYY-MM\" (or month = <months after the start>)"),
                    );
                }
                None
            }
        }
    }

    fn month_list(&mut self, node: &Node, path: &str, start: YearMonth) -> Vec<i32> {
        let Value::Array(items) = &node.value else {
            self.diags.push(
                Diagnostic::new(node.origin.clone(), format!("`{path}` must be an array of months"))
                    .help("e.g. reversal_dates = [\"2026-11\", \"2029-01\"]"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            if let Some(s) = self.text_item(item, path, "[\"2026-11\", \"2029-01\"]")
                && let Some(ym) = self.date(&s, item, path)
            {
                out.push(start.months_until(ym));
            }
        }
        let shown: Vec<String> = items.iter().filter_map(|n| if let Value::Str(s) = &n.value { Some(s.clone()) } else { None }).collect();
        self.settings.push(Setting { path: path.into(), value: shown.join(", "), origin: node.origin.clone() });
        out
    }

    fn array_items<'t>(&mut self, tree: &'t Table, key: &str) -> &'t [Node] {
        match tree.get(key) {
            None => &[],
            Some(Node { value: Value::Array(items), .. }) => items,
            Some(node) => {
                self.diags.push(
                    Diagnostic::new(node.origin.clone(), format!("`{key}` must be an array of tables"))
                        .help(format!("write each one as [[{key}]]")),
                );
                &[]
            }
        }
    }

    fn item_id(&mut self, t: &Table, item: &Node, kind: &str, seen: &mut Vec<String>) -> Option<String> {
        let Some(node) = t.get("id") else {
            self.diags.push(
                Diagnostic::new(item.origin.clone(), format!("this {kind} has no `id`"))
                    .help(format!("add id = \"a_name\": it names the {kind} in paths such as {kind}s.a_name.…")),
            );
            return None;
        };
        let id = self.text_of(node, &format!("{kind}s.id"))?;
        self.id(&id, &node.origin, kind);
        if seen.contains(&id) {
            self.diags.push(Diagnostic::new(node.origin.clone(), format!("two {kind}s have id `{id}`")).help("give each a different id"));
            return None;
        }
        seen.push(id.clone());
        Some(id)
    }

    fn events(&mut self, tree: &Table, start: YearMonth, actor_ids: &[&str]) -> Vec<RawEvent> {
        let _ = actor_ids;
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for item in self.array_items(tree, "events") {
            let Some(t) = self.table(item, "events") else {
                continue;
            };
            let Some(id) = self.item_id(t, item, "event", &mut seen) else {
                self.unknown_keys(t, "events", schema::EVENT_KEYS);
                continue;
            };
            let path = format!("events.{id}");
            self.unknown_keys(t, &path, schema::EVENT_KEYS);
            let label = self.optional_text(t, &path, "label").unwrap_or_else(|| id.clone());
            let kind = match self.choice(t, &path, "kind", schema::EVENT_KINDS) {
                Some(1) => {
                    self.param(t, &schema::EVENT_TRUST, format!("{path}.trust"));
                    EventKind::TechnicalDeal { trust: self.params.len() - 1 }
                }
                Some(2) => {
                    self.param(t, &schema::EVENT_MONTHS, format!("{path}.months"));
                    EventKind::ShortTruce { months: self.params.len() - 1 }
                }
                _ => EventKind::Plain,
            };
            for key in ["trust", "months"] {
                let wanted = if key == "trust" { "technical_deal" } else { "short_truce" };
                if let Some(n) = t.get(key)
                    && kind.name() != wanted
                {
                    self.diags.push(
                        Diagnostic::new(n.origin.clone(), format!("`{path}.{key}` is only for events of kind = \"{wanted}\""))
                            .help(format!("add kind = \"{wanted}\", or remove {key}")),
                    );
                }
            }
            let month = self.month_of(t, &path, start, true, &item.origin);
            let recurring = match t.get("recurring") {
                Some(Node { value: Value::Bool(b), .. }) => *b,
                Some(n) => {
                    self.diags.push(
                        Diagnostic::new(n.origin.clone(), format!("`{path}.recurring` must be true or false"))
                            .help("recurring = true makes it a monthly hazard from `date` on"),
                    );
                    false
                }
                None => false,
            };
            let until = match t.get("until") {
                Some(n) => self
                    .text_of(n, &format!("{path}.until"))
                    .and_then(|s| self.date(&s, n, &format!("{path}.until")))
                    .map(|d| start.months_until(d)),
                None => None,
            };
            if until.is_some() && !recurring {
                self.warnings.push(format!("{path}.until has no effect: the event is not recurring"));
            }
            let def = FieldDef {
                key: "probability",
                default: 1.0,
                min: 0.0,
                max: 1.0,
                unit: "probability",
                applies: AppliesTo::All,
                doc: "chance the event fires on its date (per month, if recurring)",
            };
            self.param(t, &def, format!("{path}.probability"));
            let probability = self.params.len() - 1;
            let mut when = Vec::new();
            if let Some(n) = t.get("when") {
                let items: Vec<&Node> = match &n.value {
                    Value::Array(a) => a.iter().collect(),
                    _ => vec![n],
                };
                for c in items {
                    if let Some(text) = self.text_of(c, &format!("{path}.when")) {
                        match parse_condition(&text) {
                            Ok((p, op, v)) => when.push((p, op, v, text, c.origin.clone())),
                            Err(msg) => self.diags.push(
                                Diagnostic::new(c.origin.clone(), format!("`{path}.when`: {msg}"))
                                    .help("write a comparison such as \"state.line >= 0.9\" or \"actors.us.aid > 0\""),
                            ),
                        }
                    }
                }
            }
            let mut effects = Vec::new();
            match t.get("effects") {
                Some(Node { value: Value::Array(items), .. }) => {
                    for e in items {
                        if let Some(eff) = self.effect(e, &path) {
                            effects.push(eff);
                        }
                    }
                }
                Some(n) => self.diags.push(
                    Diagnostic::new(n.origin.clone(), format!("`{path}.effects` must be an array of inline tables"))
                        .help("e.g. effects = [{ set = \"actors.us.aid\", value = 0.0 }]"),
                ),
                None if kind == EventKind::Plain => self.warnings.push(format!("{path} has no effects")),
                None => {}
            }
            let Some(month) = month else { continue };
            let event = Event { id, label, kind, month, recurring, until, probability, when: Vec::new(), effects: Vec::new() };
            out.push(RawEvent { event, when, effects });
        }
        out
    }

    fn effect(&mut self, node: &Node, path: &str) -> Option<(EffectOp, String, RawValue, Origin)> {
        let t = self.table(node, &format!("{path}.effects"))?;
        let before = self.diags.len();
        self.unknown_keys(t, &format!("{path}.effects"), schema::EFFECT_KEYS);
        if self.diags.len() > before {
            return None;
        }
        let ops: Vec<(EffectOp, &str, &str)> =
            [(EffectOp::Set, "set", "value"), (EffectOp::Scale, "scale", "by"), (EffectOp::Add, "add", "value")]
                .into_iter()
                .filter(|(_, k, _)| t.get(k).is_some())
                .collect();
        if ops.len() != 1 {
            self.diags.push(Diagnostic::new(node.origin.clone(), format!("an effect of `{path}` must have exactly one of `set`, `scale`, `add`"))
                .help("e.g. { set = \"actors.us.aid\", value = 0.0 }, { scale = \"actors.europe.aid\", by = 0.5 }, { add = \"actors.us.sanctions\", value = 0.2 }"));
            return None;
        }
        let (op, key, arg) = ops[0];
        let target = self.text_of(t.get(key).unwrap(), &format!("{path}.effects.{key}"))?;
        let Some(vnode) = t.get(arg) else {
            self.diags.push(
                Diagnostic::new(node.origin.clone(), format!("the `{key}` effect of `{path}` has no `{arg}`"))
                    .help(format!("add {arg} = <number>")),
            );
            return None;
        };
        let value = match &vnode.value {
            Value::Num { value, .. } => RawValue::Num(*value),
            Value::Str(s) if op == EffectOp::Set => RawValue::Name(s.clone()),
            other => {
                self.diags.push(
                    Diagnostic::new(vnode.origin.clone(), format!("`{arg}` of an effect must be a number, found {}", other.type_name()))
                        .help("effects take plain numbers (a string only to set a named setting such as the protocol)"),
                );
                return None;
            }
        };
        Some((op, target, value, t.get(key).unwrap().origin.clone()))
    }

    fn resolve_events(&mut self, raw: Vec<RawEvent>, index: &HashMap<String, usize>) -> Vec<Event> {
        let paths: Vec<&str> = self.params.iter().map(|p| p.path.as_str()).collect();
        let unknown = |w: &mut Vec<Diagnostic>, path: &str, origin: &Origin, what: &str| {
            let mut candidates = paths.clone();
            if what == "condition" {
                candidates.extend(schema::STATE_PATHS.iter().copied());
            }
            let help = match super::diag::nearest(path, candidates.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "use a parameter path such as actors.us.aid, or a state path such as state.line".to_string(),
            };
            w.push(Diagnostic::new(origin.clone(), format!("`{path}` in an event {what} is not a parameter path")).help(help));
        };
        let mut out = Vec::new();
        for r in raw {
            let mut event = r.event;
            for (path, op, value, text, origin) in r.when {
                let target = match state_var(&path) {
                    Some(s) => Some(Target::State(s)),
                    None => index.get(&path).map(|&i| Target::Param(i)),
                };
                match target {
                    Some(target) => event.when.push(Condition { target, op, value, text }),
                    None => unknown(&mut self.diags, &path, &origin, "condition"),
                }
            }
            for (op, path, value, origin) in r.effects {
                let Some(&i) = index.get(&path) else {
                    unknown(&mut self.diags, &path, &origin, "effect");
                    continue;
                };
                let p = &self.params[i];
                let v = match (value, p.names) {
                    (RawValue::Name(s), Some(names)) => match names.iter().position(|n| *n == s) {
                        Some(k) => k as f64,
                        None => {
                            self.diags.push(Diagnostic::new(origin, format!("`{path}` cannot be set to \"{s}\"")).help(suggest(&s, names)));
                            continue;
                        }
                    },
                    (RawValue::Name(s), None) => {
                        self.diags.push(
                            Diagnostic::new(origin, format!("`{path}` is a number; it cannot be set to \"{s}\""))
                                .help("write value = <number>"),
                        );
                        continue;
                    }
                    (RawValue::Num(v), Some(names)) if op != EffectOp::Set || v.fract() != 0.0 || v < 0.0 || v as usize >= names.len() => {
                        self.diags.push(
                            Diagnostic::new(origin, format!("`{path}` is a named setting; it can only be set to a name"))
                                .help(format!("e.g. {{ set = \"{path}\", value = \"{}\" }}", names[names.len() - 1])),
                        );
                        continue;
                    }
                    (RawValue::Num(v), _) => {
                        if v.abs() > MAGNITUDE {
                            self.diags.push(
                                Diagnostic::new(origin, format!("the effect on `{path}` uses {}, which is too large", format_number(v)))
                                    .help(format!("truce computes with values of magnitude up to {MAGNITUDE:e}")),
                            );
                            continue;
                        }
                        if op == EffectOp::Set && (v < p.min || v > p.max) {
                            self.diags.push(
                                Diagnostic::new(origin, format!("setting `{path}` to {} puts it out of range", format_number(v)))
                                    .help(format!("`{path}` must be {}", must_be(p.min, p.max))),
                            );
                            continue;
                        }
                        v
                    }
                };
                event.effects.push(Effect { op, param: i, value: v });
            }
            out.push(event);
        }
        out
    }

    fn proposals(&mut self, tree: &Table, start: YearMonth, actor_ids: &[&str], issues: &[Issue]) -> Vec<Proposal> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for item in self.array_items(tree, "proposals") {
            let Some(t) = self.table(item, "proposals") else {
                continue;
            };
            let Some(id) = self.item_id(t, item, "proposal", &mut seen) else {
                self.unknown_keys(t, "proposals", schema::PROPOSAL_KEYS);
                continue;
            };
            let path = format!("proposals.{id}");
            self.unknown_keys(t, &path, schema::PROPOSAL_KEYS);
            let label = self.optional_text(t, &path, "label").unwrap_or_else(|| id.clone());
            let month = self.month_of(t, &path, start, true, &item.origin);
            let by = t.get("by").and_then(|n| self.reference(n, &format!("{path}.by"), actor_ids, "actor"));
            let kind = match self.choice(t, &path, "kind", schema::DEAL_KINDS) {
                Some(1) => DealKind::Ceasefire,
                _ => DealKind::Package,
            };
            let terms_t = match t.get("terms") {
                Some(n) => self.table(n, &format!("{path}.terms")).unwrap_or(&EMPTY),
                None => {
                    self.diags.push(
                        Diagnostic::new(item.origin.clone(), format!("`{path}` has no `terms`"))
                            .help("add terms = { territory = 0.9, nato = 1.0, … } with a value in [0, 1] per issue"),
                    );
                    &EMPTY
                }
            };
            let ids: Vec<&str> = issues.iter().map(|i| i.id.as_str()).collect();
            self.unknown_keys(terms_t, &format!("{path}.terms"), &ids);
            let mut terms = Vec::new();
            for issue in issues {
                if terms_t.get(&issue.id).is_none() && kind == DealKind::Package && t.get("terms").is_some() {
                    self.diags.push(
                        Diagnostic::new(
                            t.get("terms").unwrap().origin.clone(),
                            format!("`{path}.terms` has no term for issue `{}`", issue.id),
                        )
                        .help("a package proposal must give a value in [0, 1] for every issue"),
                    );
                }
                let def = FieldDef {
                    key: "terms",
                    default: 0.0,
                    min: 0.0,
                    max: 1.0,
                    unit: "0–1",
                    applies: AppliesTo::All,
                    doc: "the proposal's term on the issue",
                };
                let mut holder = Table::default();
                if let Some(e) = terms_t.entry(&issue.id) {
                    holder.entries.push(super::tree::Entry { key: "terms".into(), key_origin: e.key_origin.clone(), node: e.node.clone() });
                }
                self.param(&holder, &def, format!("{path}.terms.{}", issue.id));
                terms.push(self.params.len() - 1);
            }
            if let Some(month) = month {
                out.push(Proposal { id, label, month, by, kind, terms });
            }
        }
        out
    }
}

fn format_dist(shape: &Shape) -> String {
    Dist { shape: shape.clone(), clamp: None }.to_string()
}

fn describe(v: &Value) -> String {
    match v {
        Value::Num { value, .. } => format_number(*value),
        Value::Str(s) => format!("\"{s}\""),
        other => other.type_name().to_string(),
    }
}

fn state_var(path: &str) -> Option<StateVar> {
    Some(match path {
        "state.month" => StateVar::Month,
        "state.line" => StateVar::Line,
        "state.area_km2" => StateVar::AreaKm2,
        "state.at_war" => StateVar::AtWar,
        "state.ceasefire" => StateVar::Ceasefire,
        "state.settled" => StateVar::Settled,
        "state.walked_away" => StateVar::WalkedAway,
        "state.abandoned" => StateVar::Abandoned,
        "state.breakdowns" => StateVar::Breakdowns,
        _ => return None,
    })
}

/// Parses `PATH OP NUMBER` (OP one of < <= > >= == !=).
fn parse_condition(text: &str) -> Result<(String, CmpOp, f64), String> {
    for (typo, meant) in [("=>", ">="), ("=<", "<="), (">>", ">"), ("<<", "<"), ("<>", "!="), ("===", "==")] {
        if text.contains(typo) {
            return Err(format!("`{typo}` is not a comparison; did you mean `{meant}`?"));
        }
    }
    if !text.contains(['<', '>', '!']) && text.matches('=').count() == 1 {
        return Err("`=` is not a comparison; did you mean `==`?".to_string());
    }
    let ops = [("<=", CmpOp::Le), (">=", CmpOp::Ge), ("==", CmpOp::Eq), ("!=", CmpOp::Ne), ("<", CmpOp::Lt), (">", CmpOp::Gt)];
    for (sym, op) in ops {
        if let Some((lhs, rhs)) = text.split_once(sym) {
            let path = lhs.trim().to_string();
            let value: f64 = rhs.trim().parse().map_err(|_| format!("`{}` is not a number", rhs.trim()))?;
            if path.is_empty() || path.contains(char::is_whitespace) {
                return Err(format!("`{}` is not a path", lhs.trim()));
            }
            return Ok((path, op, value));
        }
    }
    Err(format!("\"{text}\" has no comparison (<, <=, >, >=, ==, !=)"))
}
