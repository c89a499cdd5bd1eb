//! A scenario file as a tree of values, each remembering where it came from, and the merge of
//! layers (`extends` parents, the file itself, `--with` files, `--set` overrides).

use std::borrow::Cow;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diag::{Diagnostic, FileId, Origin};

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Table(Table),
    Array(Vec<Node>),
    Str(String),
    /// A number; `is_int` remembers whether it was written as an integer.
    Num {
        value: f64,
        is_int: bool,
    },
    Bool(bool),
    /// A TOML type the scenario language never uses (a datetime); the name is for messages.
    Other(&'static str),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_origin: Origin,
    pub node: Node,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.iter_mut().find(|e| e.key == key).map(|e| &mut e.node)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn insert(&mut self, key: String, key_origin: Origin, node: Node) {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(e) => e.node = node,
            None => self.entries.push(Entry { key, key_origin, node }),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Table(_) => "a table",
            Value::Array(_) => "an array",
            Value::Str(_) => "a string",
            Value::Num { is_int: true, .. } => "an integer",
            Value::Num { .. } => "a number",
            Value::Bool(_) => "a boolean",
            Value::Other(name) => name,
        }
    }
}

/// Parses TOML text into a tree. A syntax error becomes a diagnostic at its position.
pub fn parse(text: &str, file: FileId) -> Result<Table, Diagnostic> {
    match DeTable::parse(text) {
        Ok(doc) => Ok(convert_table(doc.into_inner(), file)),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().trim_end_matches('.').to_string();
            let help = if message.contains("date") || message.contains("time") {
                "months are quoted strings: write start = \"2025-05\", not start = 2025-05"
            } else if message.contains("duplicate key") {
                "a key may appear once per table: remove one of them"
            } else {
                "check the quoting, brackets and `key = value` syntax on this line"
            };
            Err(Diagnostic::new(Origin::File { file, span }, format!("invalid TOML: {message}")).help(help))
        }
    }
}

/// Parses the VALUE of a `--set PATH=VALUE` as a TOML value. A bare word (no quotes) is taken
/// as a string so that `--set negotiation.protocol=stepwise` works.
pub fn parse_value(text: &str, arg: &str) -> Result<Node, Diagnostic> {
    let origin = Origin::Set(arg.to_string());
    match DeValue::parse(text) {
        Ok(v) => Ok(convert_with(v.into_inner(), &|_| origin.clone())),
        Err(_) if is_bare_word(text) => Ok(Node { value: Value::Str(text.to_string()), origin }),
        Err(e) => Err(Diagnostic::new(origin, format!("cannot read the value `{text}`: {}", e.message().trim()))
            .help("write a number (0.5), a quoted string (\"text\"), true/false, or an inline table such as {uniform = [0.2, 0.4]}")),
    }
}

fn is_bare_word(text: &str) -> bool {
    // A month written without quotes (`--set scenario.start=2025-06`) is meant as a string.
    if crate::calendar::YearMonth::parse(text).is_some() {
        return true;
    }
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !matches!(text, "true" | "false" | "inf" | "nan")
}

fn convert_table(table: DeTable<'_>, file: FileId) -> Table {
    let at = |span: std::ops::Range<usize>| Origin::File { file, span };
    let mut out = Table::default();
    for (key, value) in table {
        let key_origin = at(key.span());
        let node = convert_spanned(value, file);
        out.entries.push(Entry { key: key.into_inner().into_owned(), key_origin, node });
    }
    out
}

fn convert_spanned(value: Spanned<DeValue<'_>>, file: FileId) -> Node {
    let span = value.span();
    let origin = Origin::File { file, span };
    let value = match value.into_inner() {
        DeValue::Table(t) => Value::Table(convert_table(t, file)),
        DeValue::Array(items) => Value::Array(items.iter().cloned().map(|v| convert_spanned(v, file)).collect()),
        other => scalar(other),
    };
    Node { value, origin }
}

/// Converts a value that has no file behind it (a `--set` value); every node gets `origin`.
fn convert_with(value: DeValue<'_>, origin: &dyn Fn(()) -> Origin) -> Node {
    let value = match value {
        DeValue::Table(t) => {
            let mut out = Table::default();
            for (key, v) in t {
                let node = convert_with(v.into_inner(), origin);
                out.entries.push(Entry { key: key.into_inner().into_owned(), key_origin: origin(()), node });
            }
            Value::Table(out)
        }
        DeValue::Array(items) => Value::Array(items.iter().cloned().map(|v| convert_with(v.into_inner(), origin)).collect()),
        other => scalar(other),
    };
    Node { value, origin: origin(()) }
}

fn scalar(value: DeValue<'_>) -> Value {
    match value {
        DeValue::String(s) => Value::Str(Cow::into_owned(s)),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let parsed = i64::from_str_radix(digits.trim_start_matches("0x").trim_start_matches("0o").trim_start_matches("0b"), i.radix());
            match parsed {
                Ok(n) => Value::Num { value: n as f64, is_int: true },
                Err(_) => Value::Other("an integer too large"),
            }
        }
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(v) if v.is_finite() => Value::Num { value: v, is_int: false },
            // nan, inf and literals beyond f64's range: no parameter means anything by them.
            Ok(_) => Value::Other("a number that is not finite (nan, inf, or beyond ±1.8e308)"),
            Err(_) => Value::Other("a malformed number"),
        },
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(_) => Value::Other("a date-time"),
        DeValue::Table(_) | DeValue::Array(_) => {
            unreachable!("containers are converted by the callers")
        }
    }
}

/// The key that identifies an element of an array of tables across layers, so that a child file
/// can replace a parent's event, proposal or link by naming it again.
fn identity(array_key: &str, node: &Node) -> Option<String> {
    let Value::Table(t) = &node.value else {
        return None;
    };
    let text = |k: &str| match t.get(k).map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s.clone()),
        _ => None,
    };
    match array_key {
        "events" | "proposals" => text("id"),
        "links" => Some(format!("{}>{}>{}", text("from")?, text("to")?, text("kind")?)),
        _ => None,
    }
}

/// Lays `child` over `base`: tables merge key by key; arrays of events, proposals and links merge
/// by identity (same `id`, or same from/to/kind, replaces; others append); anything else in the
/// child replaces the base value.
pub fn merge(base: &mut Table, child: Table) {
    for entry in child.entries {
        let Entry { key, key_origin, node } = entry;
        match base.get_mut(&key) {
            Some(existing) => merge_node(&key, existing, node),
            None => base.entries.push(Entry { key, key_origin, node }),
        }
    }
}

/// A table that holds a distribution (`{ uniform = [...] }`): a child's replaces the parent's
/// whole, so that a child can change the kind of distribution.
fn is_distribution(t: &Table) -> bool {
    t.keys().any(|k| super::dist::SHAPES.contains(&k))
}

fn merge_node(key: &str, base: &mut Node, child: Node) {
    match (&mut base.value, child.value) {
        (Value::Table(b), Value::Table(c)) if !is_distribution(b) && !is_distribution(&c) => merge(b, c),
        (Value::Array(b), Value::Array(c)) if matches!(key, "events" | "proposals" | "links") => {
            // Only the parent's items can be replaced: two items with one id in the same file
            // are both kept, so that the schema walk reports the duplicate.
            // A parent's item is replaced once; the same id again in the child is a duplicate
            // (appended, so that the walk reports it) rather than a silent second replacement.
            let inherited = b.len();
            let mut replaced = vec![false; inherited];
            for item in c {
                let id = identity(key, &item);
                match id.and_then(|id| b[..inherited].iter().position(|x| identity(key, x).as_deref() == Some(id.as_str()))) {
                    Some(i) if !replaced[i] => {
                        b[i] = item;
                        replaced[i] = true;
                    }
                    _ => b.push(item),
                }
            }
        }
        (_, value) => *base = Node { value, origin: child.origin },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        parse(text, FileId(0)).unwrap()
    }

    fn num(t: &Table, path: &[&str]) -> f64 {
        let mut node = t.get(path[0]).unwrap();
        for k in &path[1..] {
            let Value::Table(tt) = &node.value else { panic!() };
            node = tt.get(k).unwrap();
        }
        match node.value {
            Value::Num { value, .. } => value,
            _ => panic!("not a number"),
        }
    }

    #[test]
    fn merge_overrides_and_appends() {
        let mut base = table("[a]\nx = 1\ny = 2\n[[events]]\nid = \"e1\"\nprobability = 0.5\n");
        let child = table("[a]\ny = 3\nz = 4\n[[events]]\nid = \"e1\"\nprobability = 0.9\n[[events]]\nid = \"e2\"\n");
        merge(&mut base, child);
        assert_eq!(num(&base, &["a", "x"]), 1.0);
        assert_eq!(num(&base, &["a", "y"]), 3.0);
        assert_eq!(num(&base, &["a", "z"]), 4.0);
        let Value::Array(events) = &base.get("events").unwrap().value else { panic!() };
        assert_eq!(events.len(), 2);
        let Value::Table(e1) = &events[0].value else { panic!() };
        assert_eq!(e1.get("probability").unwrap().value, Value::Num { value: 0.9, is_int: false });
    }

    #[test]
    fn set_values() {
        assert!(matches!(parse_value("0.5", "k=0.5").unwrap().value, Value::Num { value: 0.5, .. }));
        assert!(matches!(parse_value("stepwise", "k=stepwise").unwrap().value, Value::Str(_)));
        assert!(matches!(parse_value("{uniform = [1, 2]}", "k").unwrap().value, Value::Table(_)));
        assert!(parse_value("[1, ", "k").is_err());
    }
}
