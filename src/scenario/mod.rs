//! The scenario language: loading (`extends`, `--with`, `--set`), checking, and the resolved
//! scenario the model runs on.
//!
//! A resolved scenario is a little structure (actors, issues, links, events, proposals) plus one
//! flat, ordered list of numeric parameters, each named by its path (`actors.us.patience`) and
//! remembering where its value came from. That one path syntax is used everywhere: files,
//! `--set`, sweeps, event effects, CSV columns and messages.

pub mod diag;
pub mod dist;
mod load;
pub mod schema;
pub mod tree;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::calendar::YearMonth;
pub use diag::{Diagnostic, Origin, ScenarioError, SourceMap};
pub use dist::Dist;
use load::normalise;
pub use load::{Layers, load};

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
    /// Display names for charts and reports (`name`, `name_zh`) and the ends in Chinese; `None`
    /// where the scenario gives none.
    pub name: Option<String>,
    pub name_zh: Option<String>,
    pub label0_zh: Option<String>,
    pub label1_zh: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Attacker,
    Defender,
    Patron,
    Observer,
}

impl Role {
    /// In the order of `schema::ROLES`, which names them.
    pub const ALL: [Role; 4] = [Role::Attacker, Role::Defender, Role::Patron, Role::Observer];

    pub fn name(self) -> &'static str {
        schema::ROLES[self as usize]
    }
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub name: String,
    /// Its name in Chinese, for charts in Chinese.
    pub name_zh: Option<String>,
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
    /// In the order of `schema::LINK_KINDS`, which names them.
    pub const ALL: [LinkKind; 5] = [LinkKind::Aid, LinkKind::Intelligence, LinkKind::Sanctions, LinkKind::Leverage, LinkKind::Alignment];

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

impl DealKind {
    /// In the order of `schema::DEAL_KINDS`, which names them.
    pub const ALL: [DealKind; 2] = [DealKind::Package, DealKind::Ceasefire];

    pub fn name(self) -> &'static str {
        schema::DEAL_KINDS[self as usize]
    }
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

/// The comment of what follows a value on its line: the text after the first `#` outside a
/// quoted string, trimmed; `None` if there is none or it is empty.
fn trailing_comment(rest: &str) -> Option<String> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => {
                let t = rest[i + 1..].trim();
                return (!t.is_empty()).then(|| t.to_string());
            }
            None => {}
        }
    }
    None
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

    /// The comment that ends the line where a value was written (`# … [source]`), without its
    /// `#`; `None` for a value not from a file or a line without one.
    pub fn comment(&self, origin: &Origin) -> Option<String> {
        let Origin::File { file, span } = origin else { return None };
        let text = &self.sources.file(*file).text;
        let end = span.end.min(text.len());
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        trailing_comment(&text[end..line_end])
    }

    /// The path of the scenario's main file.
    pub fn main_file(&self) -> &Path {
        &self.sources.file(self.files[0]).path
    }
}
