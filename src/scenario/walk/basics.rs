//! Checks of single values every part of the walk uses: sections and tables, unknown keys, ids,
//! texts, dates and months, choices by name and references to actors.

use super::*;

impl Walker {
    pub(super) fn section<'t>(&mut self, tree: &'t Table, key: &str) -> &'t Table {
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

    pub(super) fn table<'t>(&mut self, node: &'t Node, path: &str) -> Option<&'t Table> {
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

    pub(super) fn unknown_keys(&mut self, table: &Table, prefix: &str, allowed: &[&str]) {
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

    pub(super) fn id(&mut self, id: &str, origin: &Origin, what: &str) {
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

    pub(super) fn text_of(&mut self, node: &Node, path: &str) -> Option<String> {
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

    pub(super) fn optional_text(&mut self, t: &Table, prefix: &str, key: &str) -> Option<String> {
        let path = format!("{prefix}.{key}");
        let node = t.get(key)?;
        let s = self.text_of(node, &path)?;
        self.settings.push(Setting { path, value: s.clone(), origin: node.origin.clone() });
        Some(s)
    }

    pub(super) fn required_text(&mut self, t: &Table, prefix: &str, key: &str, near: Origin) -> Option<String> {
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

    pub(super) fn date(&mut self, text: &str, node: &Node, path: &str) -> Option<YearMonth> {
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

    pub(super) fn horizon(&mut self, sc: &Table, near: Origin) -> Option<u32> {
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

    pub(super) fn choice(&mut self, t: &Table, prefix: &str, key: &str, names: &[&str]) -> Option<usize> {
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

    pub(super) fn reference(&mut self, node: &Node, path: &str, ids: &[&str], what: &str) -> Option<usize> {
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
    pub(super) fn text_item(&mut self, node: &Node, path: &str, example: &str) -> Option<String> {
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

    pub(super) fn references(&mut self, node: &Node, path: &str, ids: &[&str]) -> Vec<usize> {
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

    pub(super) fn month_of(&mut self, t: &Table, prefix: &str, start: YearMonth, required: bool, near: &Origin) -> Option<i32> {
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

    pub(super) fn month_list(&mut self, node: &Node, path: &str, start: YearMonth) -> Vec<i32> {
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

    pub(super) fn array_items<'t>(&mut self, tree: &'t Table, key: &str) -> &'t [Node] {
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

    pub(super) fn item_id(&mut self, t: &Table, item: &Node, kind: &str, seen: &mut Vec<String>) -> Option<String> {
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
}

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, errors, with};

    #[test]
    fn unknown_keys_are_named_with_the_nearest_known_one() {
        let e = errors(&MINIMAL.replace("role = \"attacker\"", "role = \"attacker\"\npatiense = 0.9"));
        assert!(
            e.contains("unknown key in [actors.russia]: `actors.russia.patiense`") && e.contains("did you mean `actors.russia.patience`?"),
            "{e}"
        );
        let e = errors(&format!("{MINIMAL}\n[battlefield]\ngain_men = 3"));
        assert!(e.contains("battlefield.gain_men") && e.contains("gain_mean"), "{e}");
    }

    #[test]
    fn dates_and_horizons_are_checked() {
        let e = errors(&MINIMAL.replace("start = \"2025-01\"", "start = \"2025-13\""));
        assert!(e.contains("`scenario.start` = \"2025-13\" is not a month") && e.contains("t.toml:4:9"), "{e}");
        let e = errors(&MINIMAL.replace("horizon_months = 24", "horizon_months = 0"));
        assert!(e.contains("`scenario.horizon_months` must be a whole number of months from 1 to 1200, found 0"), "{e}");
        let e = errors(&MINIMAL.replace("horizon_months = 24", "horizon_months = 2.5"));
        assert!(e.contains("from 1 to 1200, found 2.5"), "{e}");
        let sc = with("[postdeal]\nreversal_dates = [\"2025-03\", \"2026-01\"]").unwrap();
        assert_eq!(sc.reversal_months, vec![2, 12]);
    }

    #[test]
    fn references_name_an_actor_and_ids_are_plain() {
        let e = errors(&format!("{MINIMAL}\n[negotiation]\nmediator = \"rusia\""));
        assert!(
            e.contains("`negotiation.mediator` names actor `rusia`, which the scenario does not have")
                && e.contains("did you mean `russia`?"),
            "{e}"
        );
        let e = errors(&format!("{MINIMAL}\n[actors.\"a b\"]"));
        assert!(e.contains("`a b` is not a valid actor id"), "{e}");
        let e = errors(&format!("{MINIMAL}\n[[events]]\nid = \"e\"\ndate = \"2025-02\"\n[[events]]\nid = \"e\"\ndate = \"2025-03\""));
        assert!(e.contains("two events have id `e`"), "{e}");
    }
}
