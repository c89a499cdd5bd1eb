//! The scenario language: loading (`extends`, `--with`, `--set`), checking, and the resolved
//! scenario the model runs on.
//!
//! A resolved scenario is a little structure (actors, issues, links, events, proposals) plus one
//! flat, ordered list of numeric parameters, each named by its path (`actors.us.patience`) and
//! remembering where its value came from. That one path syntax is used everywhere: files,
//! `--set`, sweeps, event effects, CSV columns and messages.

pub mod diag;
pub mod dist;
pub mod schema;
pub mod tree;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::calendar::YearMonth;
pub use diag::{Diagnostic, Origin, ScenarioError, SourceMap};
pub use dist::Dist;

use diag::FileId;
use tree::{Node, Table, Value};

#[derive(Debug, Clone)]
pub struct Scenario {
    pub sources: SourceMap,
    /// The files read, main file first, then its parents, then `--with` files.
    pub files: Vec<FileId>,
    pub name: String,
    pub title: String,
    pub description: String,
    pub start: YearMonth,
    pub horizon: u32,
    pub issues: Vec<Issue>,
    /// Index of the issue named `territory`, which the battlefield moves.
    pub territory_issue: usize,
    pub actors: Vec<Actor>,
    pub attacker: usize,
    pub defender: usize,
    pub links: Vec<Link>,
    pub mediator: Option<usize>,
    pub signatories: Vec<usize>,
    /// Months (offsets from start) in which a US policy reversal may break a deal.
    pub reversal_months: Vec<i32>,
    pub history: Vec<(YearMonth, f64)>,
    pub events: Vec<Event>,
    pub proposals: Vec<Proposal>,
    pub params: Vec<Param>,
    index: HashMap<String, usize>,
    /// Text settings (names, roles, references) with their origin, for `truce check`.
    pub settings: Vec<Setting>,
    /// Every `--set` and `--with` applied, in order, as the user wrote it.
    pub overrides: Vec<String>,
    /// Eight hex digits of the SHA-256 of the overrides (each `--set` as written, each `--with`
    /// file's path and text), or `None` without overrides. `load` appends it to `name` (`endgame+
    /// 1a2b3c4d`), so a run with overrides never writes into the folder of the run without them.
    pub overrides_key: Option<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub id: String,
    pub label0: String,
    pub label1: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Attacker,
    Defender,
    Patron,
    Observer,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub patron_of: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Aid,
    Intelligence,
    Sanctions,
    Leverage,
    Alignment,
}

impl LinkKind {
    pub fn name(self) -> &'static str {
        schema::LINK_KINDS[self as usize]
    }
}

#[derive(Debug, Clone)]
pub struct Link {
    pub from: usize,
    pub to: usize,
    pub kind: LinkKind,
    /// Parameter index of the weight (`links.<from>.<to>.<kind>`).
    pub weight: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateVar {
    Month,
    Line,
    AreaKm2,
    AtWar,
    Ceasefire,
    Settled,
    WalkedAway,
    Abandoned,
    Breakdowns,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Param(usize),
    State(StateVar),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => (a - b).abs() < 1e-9,
            CmpOp::Ne => (a - b).abs() >= 1e-9,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub target: Target,
    pub op: CmpOp,
    pub value: f64,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectOp {
    Set,
    Scale,
    Add,
}

#[derive(Debug, Clone)]
pub struct Effect {
    pub op: EffectOp,
    pub param: usize,
    pub value: f64,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub label: String,
    pub kind: EventKind,
    /// Month offset from the start at which it fires (or from which a recurring event may fire).
    pub month: i32,
    pub recurring: bool,
    pub until: Option<i32>,
    /// Parameter index of `events.<id>.probability`.
    pub probability: usize,
    pub when: Vec<Condition>,
    pub effects: Vec<Effect>,
}

/// What an event is besides its effects (MODEL.md §4.6): a technical deal (Black Sea shipping, a
/// prisoner exchange) builds trust — every signatory's commitment doubt falls by the share
/// `trust` — and keeps the mediator at the table; a short truce (Easter, Victory Day) quiets the
/// front for `months` months without being a ceasefire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Plain,
    /// Parameter index of `events.<id>.trust`.
    TechnicalDeal {
        trust: usize,
    },
    /// Parameter index of `events.<id>.months`.
    ShortTruce {
        months: usize,
    },
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Plain => "event",
            EventKind::TechnicalDeal { .. } => "technical_deal",
            EventKind::ShortTruce { .. } => "short_truce",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealKind {
    Package,
    Ceasefire,
}

#[derive(Debug, Clone)]
pub struct Proposal {
    pub id: String,
    pub label: String,
    pub month: i32,
    pub by: Option<usize>,
    pub kind: DealKind,
    /// Parameter indices of `proposals.<id>.terms.<issue>`, one per issue.
    pub terms: Vec<usize>,
}

/// A numeric parameter: a fixed value or a distribution drawn once per rollout.
#[derive(Debug, Clone)]
pub struct Param {
    pub path: String,
    pub value: ParamValue,
    pub min: f64,
    pub max: f64,
    pub unit: &'static str,
    pub doc: &'static str,
    /// For enumerated settings (the protocol), the names of the values 0, 1, …
    pub names: Option<&'static [&'static str]>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Fixed(f64),
    Dist(Dist),
}

impl Param {
    pub fn is_uncertain(&self) -> bool {
        matches!(self.value, ParamValue::Dist(_))
    }

    /// The value used when nothing is drawn (a fixed value, or a distribution's mean).
    pub fn central(&self) -> f64 {
        match &self.value {
            ParamValue::Fixed(v) => *v,
            ParamValue::Dist(d) => {
                let (lo, hi) = d.clamp.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
                d.shape.mean().clamp(lo.max(self.min), hi.min(self.max))
            }
        }
    }

    /// The value as a user would write it in a scenario file.
    pub fn display_value(&self) -> String {
        match (&self.value, self.names) {
            (ParamValue::Fixed(v), Some(names)) => {
                format!("\"{}\"", names.get(*v as usize).copied().unwrap_or("?"))
            }
            (ParamValue::Fixed(v), None) => format_number(*v),
            (ParamValue::Dist(dist::Dist { shape: dist::Shape::Choice { weights }, clamp }), Some(names)) => {
                let listed: Vec<usize> = (0..weights.len()).filter(|&k| weights[k] > 0.0).collect();
                let choices: Vec<String> = listed.iter().map(|&k| format!("\"{}\"", names.get(k).copied().unwrap_or("?"))).collect();
                let p: Vec<String> = listed.iter().map(|&k| format_number(weights[k])).collect();
                let clamp = clamp.map(|(lo, hi)| format!(", clamp = [{}, {}]", format_number(lo), format_number(hi))).unwrap_or_default();
                format!("{{ choice = [{}], p = [{}]{clamp} }}", choices.join(", "), p.join(", "))
            }
            (ParamValue::Dist(d), _) => d.to_string(),
        }
    }
}

/// A number as short as it can be written without losing it.
pub fn format_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

#[derive(Debug, Clone)]
pub struct Setting {
    pub path: String,
    pub value: String,
    pub origin: Origin,
}

/// Overrides given on the command line, applied in order after the scenario's own files.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `PATH=VALUE` strings from `--set`.
    pub sets: Vec<String>,
    /// Files from `--with`.
    pub withs: Vec<PathBuf>,
}

impl Scenario {
    pub fn param_index(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }

    pub fn param(&self, path: &str) -> Option<&Param> {
        self.param_index(path).map(|i| &self.params[i])
    }

    /// A parameter as a chart names it: whose it is (the actor's name, a link's two ends) and
    /// what, in words, with its unit: `actors.ukraine.endurance` → "Ukraine: endurance
    /// (endurance units)", `actors.russia.ideal.guarantees` → "Russia: ideal, guarantees".
    pub fn param_label(&self, path: &str) -> String {
        let unit = self.param(path).map(|p| p.unit).unwrap_or("");
        let words = |s: &str| s.replace('_', " ");
        let parts: Vec<&str> = path.split('.').collect();
        // An actor's name without a parenthetical ("Europe (EU, UK, …)" → "Europe"): axis labels
        // must stay short.
        let name = |id: &str| {
            let full = self.actors.iter().find(|a| a.id == id).map_or(id, |a| a.name.as_str());
            full.split(" (").next().filter(|s| !s.is_empty()).unwrap_or(full).to_string()
        };
        let text = match parts.as_slice() {
            ["actors", id, rest @ ..] if !rest.is_empty() => {
                format!("{}: {}", name(id), rest.iter().map(|r| words(r)).collect::<Vec<_>>().join(", "))
            }
            ["links", from, to, kind] => format!("{} → {}: {} weight", name(from), name(to), words(kind)),
            [section, rest @ ..] if !rest.is_empty() => {
                format!("{}: {}", words(section), rest.iter().map(|r| words(r)).collect::<Vec<_>>().join(", "))
            }
            _ => path.to_string(),
        };
        if unit.is_empty() { text } else { format!("{text} ({unit})") }
    }

    pub fn actor_index(&self, id: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.id == id)
    }

    /// Indices of the parameters drawn per rollout, in parameter order.
    pub fn uncertain(&self) -> Vec<usize> {
        (0..self.params.len()).filter(|&i| self.params[i].is_uncertain()).collect()
    }

    pub fn date(&self, month: i32) -> YearMonth {
        self.start.plus(month)
    }

    /// The place a value came from, for tables and logs.
    pub fn place(&self, origin: &Origin) -> String {
        Diagnostic::place(origin, &self.sources)
    }

    /// The path of the scenario's main file.
    pub fn main_file(&self) -> &Path {
        &self.sources.file(self.files[0]).path
    }
}

/// Reads a scenario file, its `extends` parents, the `--with` files and the `--set` overrides,
/// and checks the result. Every problem found is reported with its place.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Scenario, ScenarioError> {
    let mut sources = SourceMap::default();
    let mut files = Vec::new();
    let mut stack = Vec::new();
    let mut tree = read_layer(path, None, &mut sources, &mut files, &mut stack)?;
    let mut applied = Vec::new();
    // What the overrides key is made of: each override as written, a --with file with its text.
    let mut key = String::new();
    for with in &overrides.withs {
        let layer = read_file(with, None, &mut sources, "overrides file (--with)")?;
        key.push_str(&format!("--with {}\n{}\n", with.display(), sources.file(layer.0).text));
        files.push(layer.0);
        if let Some(Value::Table(t)) = layer.1.get("scenario").map(|n| &n.value)
            && let Some(e) = t.entry("extends")
        {
            let d = Diagnostic::new(e.key_origin.clone(), "a --with file cannot use `extends`")
                .help("a --with file is laid over the scenario; put `extends` in a scenario file instead");
            return Err(ScenarioError::new(vec![d], &sources));
        }
        tree::merge(&mut tree, layer.1);
        applied.push(format!("--with {}", with.display()));
    }
    let mut diags = Vec::new();
    for arg in &overrides.sets {
        if let Err(d) = apply_set(&mut tree, arg) {
            diags.push(d);
        }
        applied.push(format!("--set {arg}"));
        key.push_str(&format!("--set {arg}\n"));
    }
    if !diags.is_empty() {
        return Err(ScenarioError::new(diags, &sources));
    }
    let mut scenario = walk::build(&tree, sources, files)?;
    if !applied.is_empty() {
        let k = crate::files::short_key(key.as_bytes());
        // The run is of a changed scenario: its name (folder, summary, manifest, charts' footer,
        // resolved file) says so, and a run of the resolved file repeats it under the same name.
        scenario.name = format!("{}+{k}", scenario.name);
        scenario.overrides_key = Some(k);
    }
    scenario.overrides = applied;
    Ok(scenario)
}

/// Reads one file and, before it, the chain of files it extends; returns the merged tree.
fn read_layer(
    path: &Path,
    from: Option<(&Origin, &SourceMap)>,
    sources: &mut SourceMap,
    files: &mut Vec<FileId>,
    stack: &mut Vec<PathBuf>,
) -> Result<Table, ScenarioError> {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Some(pos) = stack.iter().position(|p| *p == canonical) {
        let mut chain: Vec<String> =
            stack[pos..].iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
        chain.push(path.file_name().unwrap_or_default().to_string_lossy().into_owned());
        let origin = from.map(|f| f.0.clone()).unwrap_or(Origin::Derived);
        let d = Diagnostic::new(origin, format!("`extends` makes a cycle: {}", chain.join(" → ")))
            .help("remove `extends` from one of these files so that the chain ends");
        return Err(ScenarioError::new(vec![d], sources));
    }
    stack.push(canonical);
    let (id, mut table) = read_file(path, from.map(|f| f.0), sources, "scenario file")?;
    files.push(id);
    let extends = match table.get("scenario").map(|n| &n.value) {
        Some(Value::Table(t)) => t.get("extends").cloned(),
        _ => None,
    };
    if let Some(node) = extends {
        let Value::Str(rel) = &node.value else {
            let d = Diagnostic::new(node.origin.clone(), format!("`scenario.extends` must be a string, found {}", node.value.type_name()))
                .help("write the parent's path relative to this file, e.g. extends = \"baseline.toml\"");
            return Err(ScenarioError::new(vec![d], sources));
        };
        let parent_path = normalise(&path.parent().unwrap_or(Path::new("")).join(rel));
        let snapshot = sources.clone();
        let mut parent = read_layer(&parent_path, Some((&node.origin, &snapshot)), sources, files, stack)?;
        // The child's own `extends` must not leak into the merged tree as if it were the parent's.
        if let Some(Node { value: Value::Table(t), .. }) = table.get_mut("scenario") {
            t.entries.retain(|e| e.key != "extends");
        }
        tree::merge(&mut parent, table);
        table = parent;
    }
    stack.pop();
    Ok(table)
}

/// `a/b/../c` → `a/c`, lexically (no file-system access), so messages and the manifest show the
/// path a user would write. A leading `..` that cannot be resolved is kept.
pub(super) fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

fn read_file(path: &Path, from: Option<&Origin>, sources: &mut SourceMap, what: &str) -> Result<(FileId, Table), ScenarioError> {
    let text = match crate::files::read_text(path, crate::files::SCENARIO_LIMIT) {
        Ok(t) => t,
        Err(e) => {
            let (reason, invalid_data, not_a_file) = match &e {
                crate::files::ReadError::Io(io) => (io_reason(io), io.kind() == std::io::ErrorKind::InvalidData, false),
                crate::files::ReadError::Not(n) => (n.to_string(), false, true),
            };
            let message = format!("cannot read {what} `{}`: {reason}", path.display());
            let help = match from {
                _ if not_a_file => format!("give a regular TOML text file of at most {} MiB", crate::files::SCENARIO_LIMIT >> 20),
                _ if invalid_data => "save the file as UTF-8 text".to_string(),
                Some(_) => "check the path: `extends` paths are relative to the file that names them".to_string(),
                None if what.starts_with("overrides") => {
                    "check the path of the overrides file, relative to the current folder (e.g. examples/my_overrides.toml)".to_string()
                }
                None => "check the path of the file, relative to the current folder (e.g. scenarios/endgame.toml)".to_string(),
            };
            return Err(match from {
                Some(origin) => ScenarioError::new(vec![Diagnostic::new(origin.clone(), message).help(help)], sources),
                None => ScenarioError::plain(message, Some(help)),
            });
        }
    };
    let id = sources.add(path.to_path_buf(), text);
    match tree::parse(&sources.file(id).text, id) {
        Ok(t) => Ok((id, t)),
        Err(d) => Err(ScenarioError::new(vec![d], sources)),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".to_string(),
        _ => e.to_string(),
    }
}

/// Applies one `--set PATH=VALUE` to the merged tree. Paths into collections (actors, issues,
/// events, proposals, links) must name something the scenario has; field names are checked later
/// by the schema walk, which reports them at this `--set`.
fn apply_set(tree: &mut Table, arg: &str) -> Result<(), Diagnostic> {
    let origin = Origin::Set(arg.to_string());
    let Some((path, text)) = arg.split_once('=') else {
        return Err(
            Diagnostic::new(origin, format!("`--set {arg}` has no `=`")).help("write --set PATH=VALUE, e.g. --set actors.us.patience=0.9")
        );
    };
    let path = path.trim();
    if path == "scenario.extends" {
        return Err(Diagnostic::new(origin, "`--set scenario.extends` cannot change what a scenario extends")
            .help("run the other scenario file instead, or lay your overrides over it with --with FILE"));
    }
    let value = tree::parse_value(text.trim(), arg)?;
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Diagnostic::new(origin, format!("`{path}` is not a parameter path"))
            .help("paths are dot-separated names, e.g. actors.russia.ideal.territory"));
    }
    let missing = |what: &str, name: &str, have: Vec<String>, prefix: &str| {
        let refs: Vec<&str> = have.iter().map(String::as_str).collect();
        let help = match diag::nearest(name, refs.iter().copied()) {
            Some(best) => format!("did you mean `{prefix}{best}`?"),
            None => format!("the scenario has {}", if refs.is_empty() { "none".to_string() } else { refs.join(", ") }),
        };
        Diagnostic::new(Origin::Set(arg.to_string()), format!("`--set {path}`: there is no {what} `{name}`")).help(help)
    };
    match parts[0] {
        "events" | "proposals" | "links" => {
            let Some(Node { value: Value::Array(items), .. }) = tree.get_mut(parts[0]) else {
                return Err(missing(
                    &parts[0][..parts[0].len() - 1],
                    parts.get(1).copied().unwrap_or(""),
                    vec![],
                    &format!("{}.", parts[0]),
                ));
            };
            let (id, rest): (String, Vec<&str>) = if parts[0] == "links" {
                if parts.len() != 4 {
                    return Err(Diagnostic::new(origin, format!("`{path}` is not a link path"))
                        .help("a link's weight is set as links.<from>.<to>.<kind>, e.g. links.us.ukraine.aid=0.5"));
                }
                (format!("{}>{}>{}", parts[1], parts[2], parts[3]), vec!["weight"])
            } else {
                if parts.len() < 3 {
                    return Err(Diagnostic::new(origin, format!("`{path}` is not a parameter path"))
                        .help(format!("write {}.<id>.<key>, e.g. events.us_midterms.probability=0.5", parts[0])));
                }
                (parts[1].to_string(), parts[2..].to_vec())
            };
            let ids: Vec<String> = items.iter().filter_map(|n| identity_of(parts[0], n)).collect();
            let Some(pos) = ids.iter().position(|i| *i == id) else {
                let shown: Vec<String> = ids.iter().map(|i| i.replace('>', ".")).collect();
                let kind = match parts[0] {
                    "events" => "event",
                    "proposals" => "proposal",
                    _ => "link",
                };
                return Err(missing(kind, &id.replace('>', "."), shown, &format!("{}.", parts[0])));
            };
            let Value::Table(t) = &mut items[pos].value else {
                return Ok(());
            };
            set_in(t, &rest, value, &origin, path)
        }
        "actors" | "issues" if parts.len() >= 2 => {
            let ids: Vec<String> = match tree.get(parts[0]).map(|n| &n.value) {
                Some(Value::Table(t)) => t.keys().map(String::from).collect(),
                _ => vec![],
            };
            if !ids.iter().any(|i| i == parts[1]) {
                let what = if parts[0] == "actors" { "actor" } else { "issue" };
                return Err(missing(what, parts[1], ids, &format!("{}.", parts[0])));
            }
            if parts[0] == "actors" && parts.len() >= 4 && matches!(parts[2], "ideal" | "salience") {
                let issues: Vec<String> = match tree.get("issues").map(|n| &n.value) {
                    Some(Value::Table(t)) => t.keys().map(String::from).collect(),
                    _ => vec![],
                };
                if !issues.iter().any(|i| i == parts[3]) {
                    return Err(missing("issue", parts[3], issues, &format!("actors.{}.{}.", parts[1], parts[2])));
                }
            }
            set_in(tree, &parts, value, &origin, path)
        }
        _ => set_in(tree, &parts, value, &origin, path),
    }
}

fn identity_of(kind: &str, node: &Node) -> Option<String> {
    let Value::Table(t) = &node.value else {
        return None;
    };
    let text = |k: &str| match t.get(k).map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s.clone()),
        _ => None,
    };
    match kind {
        "links" => Some(format!("{}>{}>{}", text("from")?, text("to")?, text("kind")?)),
        _ => text("id"),
    }
}

fn set_in(table: &mut Table, parts: &[&str], value: Node, origin: &Origin, path: &str) -> Result<(), Diagnostic> {
    let (last, inner) = parts.split_last().expect("paths are non-empty");
    let mut t = table;
    let mut walked = String::new();
    for part in inner {
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(part);
        if t.get(part).is_none() {
            t.insert(part.to_string(), origin.clone(), Node { value: Value::Table(Table::default()), origin: origin.clone() });
        }
        let node = t.get_mut(part).expect("inserted above");
        match &mut node.value {
            Value::Table(inner) => t = inner,
            other => {
                return Err(Diagnostic::new(origin.clone(), format!("`--set {path}`: `{walked}` is {}, not a table", other.type_name()))
                    .help(format!("set `{walked}` itself, e.g. --set {walked}=VALUE")));
            }
        }
    }
    t.insert(last.to_string(), origin.clone(), value);
    Ok(())
}
