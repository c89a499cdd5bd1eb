//! `[[links]]` between actors, and the negotiation's references to actors (mediator, signatories).

use super::*;

impl Walker {
    /// `negotiation.mediator` and `negotiation.signatories` (by default the two belligerents,
    /// who must both sign).
    pub(super) fn talks(&mut self, tree: &Table, cast: &Cast, actor_ids: &[&str]) -> (Option<usize>, Vec<usize>) {
        let neg = self.section(tree, "negotiation");
        let mediator = match neg.get("mediator") {
            Some(Node { value: Value::Str(s), .. }) if s.is_empty() => None,
            Some(node) => self.reference(node, "negotiation.mediator", actor_ids, "actor"),
            None => None,
        };
        let signatories = match neg.get("signatories") {
            Some(node) => self.references(node, "negotiation.signatories", actor_ids),
            None => {
                let mut s: Vec<usize> = [cast.attacker, cast.defender].into_iter().flatten().collect();
                s.sort();
                s
            }
        };
        if let (Some(a), Some(d), Some(node)) = (cast.attacker, cast.defender, neg.get("signatories")) {
            for (who, idx) in [("attacker", a), ("defender", d)] {
                if !signatories.contains(&idx) {
                    self.diags.push(
                        Diagnostic::new(
                            node.origin.clone(),
                            format!("the {who} `{}` is not among `negotiation.signatories`", cast.actors[idx].id),
                        )
                        .help("a deal ends the war only if both belligerents sign: add it to the list"),
                    );
                }
            }
        }
        (mediator, signatories)
    }

    pub(super) fn links(&mut self, tree: &Table, ids: &[&str]) -> Vec<Link> {
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
            let kind = LinkKind::ALL[kind_i];
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
}

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, errors, value, with};
    use crate::scenario::LinkKind;

    const US: &str = "[actors.us]\nrole = \"patron\"\npatron_of = \"ukraine\"\n";

    #[test]
    fn a_link_joins_two_actors_and_its_weight_is_a_parameter() {
        let sc = with(&format!("{US}[[links]]\nfrom = \"us\"\nto = \"ukraine\"\nkind = \"aid\"\nweight = 0.7")).unwrap();
        let link = &sc.links[0];
        assert_eq!((link.from, link.to, link.kind), (2, 1, LinkKind::Aid));
        assert_eq!(sc.params[link.weight].path, "links.us.ukraine.aid");
        assert_eq!(value(&sc, "links.us.ukraine.aid"), 0.7);
    }

    #[test]
    fn bad_links_are_named() {
        let link = |body: &str| errors(&format!("{MINIMAL}\n{US}[[links]]\n{body}"));
        let e = link("from = \"us\"\nto = \"ukraine\"\nkind = \"aid\"");
        assert!(e.contains("a link is missing `weight`"), "{e}");
        let e = link("from = \"us\"\nto = \"us\"\nkind = \"aid\"\nweight = 1");
        assert!(e.contains("a link from `us` to itself"), "{e}");
        let e = link("from = \"us\"\nto = \"ukraine\"\nkind = \"aide\"\nweight = 1");
        assert!(e.contains("`links.kind` = \"aide\" is not a kind of link") && e.contains("aid"), "{e}");
        let e = link(
            "from = \"us\"\nto = \"ukraine\"\nkind = \"aid\"\nweight = 1\n[[links]]\nfrom = \"us\"\nto = \"ukraine\"\nkind = \"aid\"\nweight = 2",
        );
        assert!(e.contains("`links.us.ukraine.aid` is given twice"), "{e}");
        let e = link("from = \"usa\"\nto = \"ukraine\"\nkind = \"aid\"\nweight = 1");
        assert!(e.contains("links[1].from"), "{e}");
    }

    #[test]
    fn the_signatories_default_to_the_belligerents_who_must_both_sign() {
        let sc = with(&format!("{US}[negotiation]\nmediator = \"us\"")).unwrap();
        assert_eq!((sc.mediator, sc.signatories.clone()), (Some(2), vec![0, 1]));
        let e = errors(&format!("{MINIMAL}\n{US}[negotiation]\nsignatories = [\"russia\", \"us\"]"));
        assert!(e.contains("the defender `ukraine` is not among `negotiation.signatories`"), "{e}");
        let sc = with("[actors.china]\n[negotiation]\nmediator = \"china\"").unwrap();
        assert!(sc.warnings.iter().any(|w| w.contains("`china` neither signs nor aids anyone")), "{:?}", sc.warnings);
    }
}
