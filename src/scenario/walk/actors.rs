//! `[scenario]`, `[issues]` and `[actors]`: the header, the issues, the actors with their roles and
//! patrons, and each actor's numeric parameters.

use super::*;

impl Walker {
    /// `[scenario]`: name (a folder name), title, description, start and horizon.
    pub(super) fn header(&mut self, tree: &Table, main: &Origin) -> Header {
        let sc = self.section(tree, "scenario");
        let name = self.required_text(sc, "scenario", "name", tree_origin(tree, "scenario", main));
        if let Some(n) = &name
            && (n.is_empty()
                || n.starts_with('.')
                || n.len() > 100
                || !n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+')))
        {
            let origin = sc.get("name").map(|n| n.origin.clone()).unwrap_or(Origin::Derived);
            self.diags.push(
                Diagnostic::new(origin, format!("`scenario.name` = \"{n}\" cannot be a folder name"))
                    .help("a name is 1 to 100 letters, digits, `_`, `-`, `.` and `+`, not starting with `.` (the title may hold any text), e.g. name = \"endgame\""),
            );
        }
        let title = self.optional_text(sc, "scenario", "title").or_else(|| name.clone()).unwrap_or_default();
        let description = self.optional_text(sc, "scenario", "description").unwrap_or_default();
        let start = match self.required_text(sc, "scenario", "start", tree_origin(tree, "scenario", main)) {
            Some(s) => self.date(&s, sc.get("start").unwrap(), "scenario.start"),
            None => None,
        };
        let horizon = self.horizon(sc, tree_origin(tree, "scenario", main));
        self.unknown_keys(sc, "scenario", schema::SCENARIO_KEYS);
        Header { name, title, description, start, horizon }
    }

    /// `[issues]`: ids and labels; one of them must be `territory`.
    pub(super) fn issues(&mut self, tree: &Table, main: &Origin) -> Vec<Issue> {
        let issues_table = self.section(tree, "issues");
        let mut issues = Vec::new();
        for entry in &issues_table.entries {
            let path = format!("issues.{}", entry.key);
            self.id(&entry.key, &entry.key_origin, "issue");
            let Some(t) = self.table(&entry.node, &path) else {
                continue;
            };
            let label0 = self.optional_text(t, &path, "label0").unwrap_or_else(|| "0".into());
            let label1 = self.optional_text(t, &path, "label1").unwrap_or_else(|| "1".into());
            let mut keys: Vec<&str> = schema::ISSUE_TEXT_KEYS.to_vec();
            keys.extend(schema::ISSUE.iter().map(|d| d.key));
            self.unknown_keys(t, &path, &keys);
            let name = self.optional_text(t, &path, "name");
            let name_zh = self.optional_text(t, &path, "name_zh");
            let label0_zh = self.optional_text(t, &path, "label0_zh");
            let label1_zh = self.optional_text(t, &path, "label1_zh");
            issues.push(Issue { id: entry.key.clone(), label0, label1, name, name_zh, label0_zh, label1_zh });
        }
        if !issues.iter().any(|i| i.id == "territory") {
            self.diags.push(
                Diagnostic::new(tree_origin(tree, "issues", main), "the scenario has no issue `territory`")
                    .help("add [issues.territory] with label0/label1: the battlefield moves the territory issue"),
            );
        }
        issues
    }

    /// `[actors]`: first their ids and roles, so references can be checked in any order; then
    /// that patrons' chains end, and that there is one attacker and one defender.
    pub(super) fn actors(&mut self, tree: &Table, main: &Origin) -> Cast {
        let actors_table = self.section(tree, "actors");
        let actor_ids: Vec<&str> = actors_table.keys().collect();
        let mut actors = Vec::new();
        let mut patron_origins = Vec::new();
        for entry in &actors_table.entries {
            let path = format!("actors.{}", entry.key);
            self.id(&entry.key, &entry.key_origin, "actor");
            let t = self.table(&entry.node, &path).unwrap_or(&EMPTY);
            let name = self.optional_text(t, &path, "name").unwrap_or_else(|| entry.key.clone());
            let role = self.choice(t, &path, "role", schema::ROLES).map_or(Role::Observer, |i| Role::ALL[i]);
            let patron_of = match t.get("patron_of") {
                Some(node) => self.reference(node, &format!("{path}.patron_of"), &actor_ids, "actor"),
                None => None,
            };
            self.patron_checks(t, &path, &entry.key, &entry.key_origin, role, patron_of);
            if let (Some(client), Some(node)) = (patron_of, t.get("patron_of")) {
                patron_origins.push((actors.len(), client, node.origin.clone()));
            }
            let name_zh = self.optional_text(t, &path, "name_zh");
            actors.push(Actor { id: entry.key.clone(), name, name_zh, role, patron_of });
        }
        for (i, _, origin) in &patron_origins {
            self.patron_circle(&actors, *i, origin);
        }
        let attacker = self.unique_role(&actors, Role::Attacker, "attacker", actors_table);
        let defender = self.unique_role(&actors, Role::Defender, "defender", actors_table);
        if actors.len() < 2 && actors_table.entries.is_empty() {
            self.diags.push(
                Diagnostic::new(tree_origin(tree, "actors", main), "the scenario has no actors")
                    .help("add at least an attacker and a defender, e.g. [actors.russia] role = \"attacker\""),
            );
        }
        Cast { actors, attacker, defender }
    }

    /// `patron_of` belongs to patrons, and a patron names its client.
    fn patron_checks(&mut self, t: &Table, path: &str, id: &str, key_origin: &Origin, role: Role, patron_of: Option<usize>) {
        let role_given_but_invalid = t.get("role").is_some()
            && role == Role::Observer
            && !matches!(t.get("role").map(|n| &n.value), Some(Value::Str(r)) if r == "observer");
        if let Some(node) = t.get("patron_of")
            && role != Role::Patron
            && !role_given_but_invalid
        {
            self.diags.push(
                Diagnostic::new(node.origin.clone(), format!("`{path}.patron_of` is only for actors with role = \"patron\""))
                    .help(format!("set role = \"patron\" on `{id}`, or remove patron_of")),
            );
        }
        if role == Role::Patron && patron_of.is_none() && t.get("patron_of").is_none() {
            self.diags.push(
                Diagnostic::new(
                    t.get("role").map(|n| n.origin.clone()).unwrap_or(key_origin.clone()),
                    format!("actor `{id}` is a patron but names no client"),
                )
                .help(format!("add patron_of = \"<actor>\" to [{path}], e.g. patron_of = \"ukraine\"")),
            );
        }
    }

    /// A patron aids a client; a chain of patrons from actor `i` must end at someone who is not
    /// a patron. A circle is reported once, at its first actor; a chain that runs into a circle
    /// is reported there.
    fn patron_circle(&mut self, actors: &[Actor], i: usize, origin: &Origin) {
        let mut seen = vec![i];
        let mut at = actors[i].patron_of;
        while let Some(next) = at {
            if seen.contains(&next) {
                if next != i || seen.iter().any(|&k| k < i) {
                    break;
                }
                let chain: Vec<&str> = seen.iter().chain([&next]).map(|&k| actors[k].id.as_str()).collect();
                let what = if next == i && seen.len() == 1 {
                    format!("actor `{}` is its own patron", actors[i].id)
                } else {
                    format!("patrons form a circle: {}", chain.join(" → "))
                };
                self.diags.push(
                    Diagnostic::new(origin.clone(), what)
                        .help("a patron aids a client that is not its patron: name the belligerent it aids, e.g. patron_of = \"ukraine\""),
                );
                break;
            }
            seen.push(next);
            at = actors[next].patron_of;
        }
    }

    /// `issues.<id>.status_quo` and the other per-issue numbers.
    pub(super) fn issue_params(&mut self, tree: &Table, issues: &[Issue]) {
        let issues_table = self.section(tree, "issues");
        for issue in issues {
            let t = match issues_table.get(&issue.id).map(|n| &n.value) {
                Some(Value::Table(t)) => t,
                _ => &EMPTY,
            };
            for def in schema::ISSUE {
                self.param(t, def, format!("issues.{}.{}", issue.id, def.key));
            }
        }
    }

    /// Each actor's numbers, then its ideal point and salience on each issue.
    pub(super) fn actor_params(&mut self, tree: &Table, cast: &Cast, issues: &[Issue]) {
        let actors_table = self.section(tree, "actors");
        let issue_ids: Vec<&str> = issues.iter().map(|i| i.id.as_str()).collect();
        for (ai, actor) in cast.actors.iter().enumerate() {
            let path = format!("actors.{}", actor.id);
            let t = match actors_table.get(&actor.id).map(|n| &n.value) {
                Some(Value::Table(t)) => t,
                _ => &EMPTY,
            };
            let mut keys: Vec<&str> = schema::ACTOR_TEXT_KEYS.to_vec();
            keys.extend(schema::ACTOR.iter().map(|d| d.key));
            self.unknown_keys(t, &path, &keys);
            for def in schema::ACTOR {
                self.param(t, def, format!("{path}.{}", def.key));
                if let Some(node) = t.get(def.key) {
                    self.check_applies(def, actor, ai, cast.attacker, &path, node);
                }
            }
            for def in [schema::IDEAL, schema::SALIENCE] {
                let sub_path = format!("{path}.{}", def.key);
                let sub = match t.get(def.key) {
                    Some(node) => self.table(node, &sub_path).unwrap_or(&EMPTY),
                    None => &EMPTY,
                };
                self.unknown_keys(sub, &sub_path, &issue_ids);
                for issue in issues {
                    self.param_at(sub, &issue.id, &def, format!("{sub_path}.{}", issue.id));
                }
            }
        }
    }

    /// Saliences that are all 0, or given and not summing to 1 (they are normalised).
    pub(super) fn salience_warnings(&mut self, actors: &[Actor], issues: &[Issue], index: &HashMap<String, usize>) {
        for actor in actors {
            let total: f64 = issues.iter().map(|is| self.params[index[&format!("actors.{}.salience.{}", actor.id, is.id)]].central()).sum();
            if total <= 0.0 && !issues.is_empty() {
                self.warnings.push(format!("actors.{}: every salience is 0, so it is indifferent to every deal", actor.id));
            } else if (total - 1.0).abs() > 1e-6 && has_explicit_salience(&self.params, &actor.id) {
                self.warnings.push(format!("actors.{}: saliences sum to {} and are normalised to 1", actor.id, format_number(total)));
            }
        }
    }

    pub(super) fn unique_role(&mut self, actors: &[Actor], role: Role, name: &str, table: &Table) -> Option<usize> {
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

    pub(super) fn check_applies(&mut self, def: &FieldDef, actor: &Actor, ai: usize, attacker: Option<usize>, path: &str, node: &Node) {
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
            let role = actor.role.name();
            let article = if role.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            self.warnings.push(format!("{path}.{} has no effect on {article} {role} actor", def.key));
        }
    }
}

pub(super) fn has_explicit_salience(params: &[Param], actor: &str) -> bool {
    let prefix = format!("actors.{actor}.salience.");
    params.iter().any(|p| p.path.starts_with(&prefix) && p.origin != Origin::Default)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, errors, value, walk, with};

    #[test]
    fn the_header_checks_the_name_and_defaults_the_title() {
        let sc = walk(&MINIMAL.replace("name = \"t\"", "name = \"t\"\ndescription = \"d\"")).unwrap();
        assert_eq!((sc.title.as_str(), sc.description.as_str()), ("t", "d"));
        let e = errors(&MINIMAL.replace("name = \"t\"", "name = \"a b\""));
        assert!(e.contains("`scenario.name` = \"a b\" cannot be a folder name") && e.contains("t.toml:3:8"), "{e}");
        let e = errors(&MINIMAL.replace("name = \"t\"\n", ""));
        assert!(e.contains("scenario.name"), "{e}");
    }

    #[test]
    fn issues_need_territory_and_default_their_labels() {
        let sc = with("[issues.nato]\nlabel1 = \"neutral\"").unwrap();
        let nato = &sc.issues[1];
        assert_eq!((nato.id.as_str(), nato.label0.as_str(), nato.label1.as_str()), ("nato", "0", "neutral"));
        assert_eq!(sc.territory_issue, 0);
        let e = errors(&MINIMAL.replace("[issues.territory]", "[issues.nato]"));
        assert!(e.contains("the scenario has no issue `territory`"), "{e}");
    }

    #[test]
    fn roles_are_unique_and_patrons_name_a_client_without_a_circle() {
        let e = errors(&MINIMAL.replace("role = \"defender\"", "role = \"attacker\""));
        assert!(
            e.contains("both `russia` and `ukraine` have role = \"attacker\"") && e.contains("no actor has role = \"defender\""),
            "{e}"
        );
        let e = errors(&format!("{MINIMAL}\n[actors.us]\nrole = \"patron\""));
        assert!(e.contains("actor `us` is a patron but names no client"), "{e}");
        let e = errors(&format!(
            "{MINIMAL}\n[actors.a]\nrole = \"patron\"\npatron_of = \"b\"\n[actors.b]\nrole = \"patron\"\npatron_of = \"a\""
        ));
        assert!(e.contains("patrons form a circle: a → b → a"), "{e}");
        assert_eq!(e.matches("circle").count(), 1, "reported once, at the circle's first actor: {e}");
        let e = errors(&MINIMAL.replace("role = \"defender\"", "role = \"defender\"\npatron_of = \"russia\""));
        assert!(e.contains("`actors.ukraine.patron_of` is only for actors with role = \"patron\""), "{e}");
        let sc = with("[actors.us]\nrole = \"patron\"\npatron_of = \"ukraine\"").unwrap();
        assert_eq!(sc.actors[2].patron_of, Some(1));
    }

    #[test]
    fn actor_parameters_warn_where_they_do_not_act_and_saliences_are_checked() {
        let sc = walk(&MINIMAL.replace("role = \"defender\"", "role = \"defender\"\noffensive = 2\npatience = 0.9")).unwrap();
        assert_eq!(value(&sc, "actors.ukraine.patience"), 0.9);
        assert_eq!(sc.warnings, vec!["actors.ukraine.offensive has no effect on a defender actor"]);
        let sc = with("[issues.nato]\n[actors.russia.salience]\nterritory = 2\nnato = 2").unwrap();
        assert_eq!(value(&sc, "actors.russia.salience.nato"), 2.0);
        assert!(sc.warnings.iter().any(|w| w == "actors.russia: saliences sum to 4 and are normalised to 1"), "{:?}", sc.warnings);
        let e = errors(&format!("{MINIMAL}\n[actors.russia.ideal]\nnato = 0.5"));
        assert!(
            e.contains("unknown key in [actors.russia.ideal]: `actors.russia.ideal.nato`") && e.contains("expected one of `territory`"),
            "{e}"
        );
    }
}
