//! `[[events]]`: dates, conditions, effects, technical deals and short truces; references to
//! parameters are resolved once every parameter exists.

use super::*;

impl Walker {
    pub(super) fn events(&mut self, tree: &Table, start: YearMonth, actor_ids: &[&str]) -> Vec<RawEvent> {
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

    pub(super) fn effect(&mut self, node: &Node, path: &str) -> Option<(EffectOp, String, RawValue, Origin)> {
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

    pub(super) fn resolve_events(&mut self, raw: Vec<RawEvent>, index: &HashMap<String, usize>) -> Vec<Event> {
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
}

/// A pending event whose parameter references are still paths.
pub(super) struct RawEvent {
    pub(super) event: Event,
    pub(super) when: Vec<(String, CmpOp, f64, String, Origin)>,
    pub(super) effects: Vec<(EffectOp, String, RawValue, Origin)>,
}

pub(super) enum RawValue {
    Num(f64),
    Name(String),
}

pub(super) fn state_var(path: &str) -> Option<StateVar> {
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
pub(super) fn parse_condition(text: &str) -> Result<(String, CmpOp, f64), String> {
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

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, errors, value, with};
    use super::*;

    #[test]
    fn conditions_parse_and_common_typos_are_named() {
        assert_eq!(parse_condition("state.line >= 0.5"), Ok(("state.line".into(), CmpOp::Ge, 0.5)));
        assert_eq!(parse_condition("actors.us.aid<1"), Ok(("actors.us.aid".into(), CmpOp::Lt, 1.0)));
        assert_eq!(parse_condition("state.month != 3"), Ok(("state.month".into(), CmpOp::Ne, 3.0)));
        assert_eq!(parse_condition("state.line => 1").unwrap_err(), "`=>` is not a comparison; did you mean `>=`?");
        assert_eq!(parse_condition("state.line = 1").unwrap_err(), "`=` is not a comparison; did you mean `==`?");
        assert_eq!(parse_condition("state.line > high").unwrap_err(), "`high` is not a number");
        assert_eq!(parse_condition("a b > 1").unwrap_err(), "`a b` is not a path");
        assert!(parse_condition("state.line").unwrap_err().contains("has no comparison"));
        assert_eq!(state_var("state.breakdowns"), Some(StateVar::Breakdowns));
        assert_eq!(state_var("state.nothing"), None);
    }

    #[test]
    fn an_event_is_dated_and_its_effects_and_conditions_point_at_parameters() {
        let sc = with(
            "[[events]]\nid = \"e\"\ndate = \"2025-06\"\nprobability = 0.5\nwhen = [\"state.line > 0.2\"]\n\
             effects = [{ scale = \"actors.russia.offensive\", by = 1.2 }, { set = \"negotiation.protocol\", value = \"stepwise\" }]",
        )
        .unwrap();
        let e = &sc.events[0];
        assert_eq!((e.id.as_str(), e.label.as_str(), e.month, e.kind, e.recurring), ("e", "e", 5, EventKind::Plain, false));
        assert_eq!(sc.params[e.probability].path, "events.e.probability");
        assert_eq!(value(&sc, "events.e.probability"), 0.5);
        assert_eq!(e.when[0].target, Target::State(StateVar::Line));
        assert_eq!((e.when[0].op, e.when[0].value), (CmpOp::Gt, 0.2));
        let offensive = sc.param_index("actors.russia.offensive").unwrap();
        let protocol = sc.param_index("negotiation.protocol").unwrap();
        let effects: Vec<_> = e.effects.iter().map(|f| (f.op, f.param, f.value)).collect();
        assert_eq!(effects, vec![(EffectOp::Scale, offensive, 1.2), (EffectOp::Set, protocol, 1.0)]);
    }

    #[test]
    fn kinds_carry_their_own_parameters() {
        let sc = with("[[events]]\nid = \"x\"\nkind = \"technical_deal\"\ntrust = 0.3\ndate = \"2025-02\"").unwrap();
        let EventKind::TechnicalDeal { trust } = sc.events[0].kind else { panic!("{:?}", sc.events[0].kind) };
        assert_eq!((sc.params[trust].path.as_str(), value(&sc, "events.x.trust")), ("events.x.trust", 0.3));
        let e = errors(&format!("{MINIMAL}\n[[events]]\nid = \"x\"\nmonths = 2\ndate = \"2025-02\"\neffects = []"));
        assert!(e.contains("`events.x.months` is only for events of kind = \"short_truce\""), "{e}");
    }

    #[test]
    fn bad_effects_and_dates_are_named() {
        let ev = |body: &str| errors(&format!("{MINIMAL}\n[[events]]\nid = \"e\"\ndate = \"2025-06\"\n{body}"));
        let e = ev("effects = [{ scale = \"actors.russia.ofensive\", by = 2 }]");
        assert!(e.contains("`actors.russia.ofensive` in an event") && e.contains("did you mean `actors.russia.offensive`?"), "{e}");
        let e = ev("effects = [{ set = \"battlefield.gain_ar\", value = 2 }]");
        assert!(e.contains("setting `battlefield.gain_ar` to 2 puts it out of range"), "{e}");
        let e = ev("effects = [{ set = \"negotiation.protocol\", value = \"stepwize\" }]");
        assert!(e.contains("`negotiation.protocol` cannot be set to \"stepwize\""), "{e}");
        let e = ev("effects = [{ scale = \"actors.us.aid\" }]");
        assert!(e.contains("the `scale` effect of `events.e` has no `by`"), "{e}");
        let sc = with("[[events]]\nid = \"late\"\ndate = \"2031-01\"\neffects = []").unwrap();
        assert!(sc.warnings.iter().any(|w| w == "events.late is dated after the horizon (2031-01) and never fires"), "{:?}", sc.warnings);
        let sc = with("[[events]]\nid = \"u\"\ndate = \"2025-03\"\nuntil = \"2025-09\"\neffects = []").unwrap();
        assert!(sc.warnings.iter().any(|w| w == "events.u.until has no effect: the event is not recurring"), "{:?}", sc.warnings);
    }
}
