//! `[[proposals]]`: scheduled offers with their terms.

use super::*;

impl Walker {
    pub(super) fn proposals(&mut self, tree: &Table, start: YearMonth, actor_ids: &[&str], issues: &[Issue]) -> Vec<Proposal> {
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
            let kind = self.choice(t, &path, "kind", schema::DEAL_KINDS).map_or(DealKind::Package, |i| DealKind::ALL[i]);
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

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, errors, value, with};
    use crate::scenario::DealKind;

    #[test]
    fn a_proposal_is_dated_from_the_start_and_its_terms_are_parameters() {
        let sc =
            with("[issues.nato]\n[[proposals]]\nid = \"p\"\ndate = \"2025-04\"\nby = \"russia\"\nterms = { territory = 0.9, nato = 1 }")
                .unwrap();
        let p = &sc.proposals[0];
        assert_eq!((p.id.as_str(), p.label.as_str(), p.month, p.by, p.kind), ("p", "p", 3, Some(0), DealKind::Package));
        assert_eq!(
            p.terms.iter().map(|&i| sc.params[i].path.as_str()).collect::<Vec<_>>(),
            ["proposals.p.terms.territory", "proposals.p.terms.nato"]
        );
        assert_eq!((value(&sc, "proposals.p.terms.territory"), value(&sc, "proposals.p.terms.nato")), (0.9, 1.0));
    }

    #[test]
    fn a_package_gives_every_term_and_late_or_early_ones_are_warned_of() {
        let e = errors(&format!("{MINIMAL}\n[issues.nato]\n[[proposals]]\nid = \"p\"\ndate = \"2025-04\"\nterms = {{ territory = 0.9 }}"));
        assert!(e.contains("`proposals.p.terms` has no term for issue `nato`"), "{e}");
        let e = errors(&format!("{MINIMAL}\n[[proposals]]\nid = \"p\"\ndate = \"2025-04\""));
        assert!(e.contains("`proposals.p` has no `terms`"), "{e}");
        let sc = with("[[proposals]]\nid = \"c\"\nkind = \"ceasefire\"\ndate = \"2024-12\"\nterms = {}").unwrap();
        assert_eq!(sc.proposals[0].kind, DealKind::Ceasefire);
        assert!(sc.warnings.iter().any(|w| w == "proposals.c is dated before the start and is never tabled"), "{:?}", sc.warnings);
        let sc = with("[[proposals]]\nid = \"l\"\nkind = \"ceasefire\"\ndate = \"2027-02\"\nterms = {}").unwrap();
        assert!(sc.warnings.iter().any(|w| w == "proposals.l is dated after the horizon and is never tabled"), "{:?}", sc.warnings);
    }
}
