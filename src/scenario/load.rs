//! Loading: a scenario file and the chain of files it `extends`, the `--with` files laid over
//! it and the `--set` overrides, merged into one tree and walked against the schema.

use super::*;

/// Reads a scenario file, its `extends` parents, the `--with` files and the `--set` overrides,
/// and checks the result. Every problem found is reported with its place.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Scenario, ScenarioError> {
    Layers::read(path, &overrides.withs)?.resolve(&overrides.sets)
}

/// A scenario file with its `extends` parents and `--with` files read and merged, before any
/// `--set`: what a command that resolves one scenario under several sets of overrides (the
/// rolling backtest's origins) reads once. A data file the scenario names (the territory
/// history) is read by each resolution, since a `--set` may name another.
#[derive(Debug, Clone)]
pub struct Layers {
    tree: Table,
    sources: SourceMap,
    files: Vec<FileId>,
    /// The `--with` part of the overrides key and of the applied overrides.
    key: String,
    applied: Vec<String>,
}

impl Layers {
    pub fn read(path: &Path, withs: &[PathBuf]) -> Result<Layers, ScenarioError> {
        let mut sources = SourceMap::default();
        let mut files = Vec::new();
        let mut stack = Vec::new();
        let mut tree = read_layer(path, None, &mut sources, &mut files, &mut stack)?;
        let mut applied = Vec::new();
        // What the overrides key is made of: each override as written, a --with file with its text.
        let mut key = String::new();
        for with in withs {
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
        Ok(Layers { tree, sources, files, key, applied })
    }

    /// The scenario with `sets` (`--set PATH=VALUE` arguments, in order) laid over the files,
    /// checked as a whole; the files are not read again.
    pub fn resolve(&self, sets: &[String]) -> Result<Scenario, ScenarioError> {
        let mut tree = self.tree.clone();
        let (mut key, mut applied) = (self.key.clone(), self.applied.clone());
        let mut diags = Vec::new();
        for arg in sets {
            if let Err(d) = apply_set(&mut tree, arg) {
                diags.push(d);
            }
            applied.push(format!("--set {arg}"));
            key.push_str(&format!("--set {arg}\n"));
        }
        if !diags.is_empty() {
            return Err(ScenarioError::new(diags, &self.sources));
        }
        let mut scenario = walk::build(&tree, self.sources.clone(), self.files.clone())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Resolving read layers under some `--set`s is loading with them: same values, same name and
    /// key, same diagnostics; and the scenario files are not read again (they may be gone).
    #[test]
    fn resolving_read_layers_is_loading_with_the_same_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let top = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = top.join("scenarios");
        std::fs::create_dir(dir.path().join("scenarios")).unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        // The history file the baseline names (`../data/…`) is data, read by each resolution.
        std::fs::copy(top.join("data/territory_monthly.csv"), dir.path().join("data/territory_monthly.csv")).unwrap();
        let file = dir.path().join("scenarios/endgame.toml");
        let base = dir.path().join("scenarios/baseline.toml");
        std::fs::copy(root.join("endgame.toml"), &file).unwrap();
        std::fs::copy(root.join("baseline.toml"), &base).unwrap();
        let with = dir.path().join("w.toml");
        std::fs::write(&with, "[actors.us]\npatience = 0.5\n").unwrap();
        let sets = vec!["scenario.start=\"2025-09\"".to_string(), "actors.russia.patience=0.97".to_string()];
        let want = load(&file, &Overrides { sets: sets.clone(), withs: vec![with.clone()] }).unwrap();
        let layers = Layers::read(&file, std::slice::from_ref(&with)).unwrap();
        std::fs::remove_file(&file).unwrap();
        std::fs::remove_file(&base).unwrap();
        let got = layers.resolve(&sets).unwrap();
        assert_eq!(got.name, want.name);
        assert_eq!(got.overrides, want.overrides);
        assert_eq!(got.start, want.start);
        assert_eq!(format!("{:?}", got.params), format!("{:?}", want.params));
        assert_eq!(format!("{:?}", got.events), format!("{:?}", want.events));
        // Each resolution starts from the files, not from the previous one's sets.
        let plain = layers.resolve(&[]).unwrap();
        assert_ne!(plain.start, got.start);
        let e = layers.resolve(&["actors.russia.patiense=0.9".to_string()]).unwrap_err().to_string();
        assert!(e.contains("patiense") && e.contains("patience"), "{e}");
    }
}
