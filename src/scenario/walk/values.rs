//! Numeric parameters: a number or a distribution checked against its range, settings chosen by
//! name (or drawn per rollout), the fixed sections, and checks of values that must hold together.

use super::*;

impl Walker {
    /// The fixed sections after the actors and links, each followed by its named settings.
    pub(super) fn sections(&mut self, tree: &Table) {
        for (name, defs) in schema::SECTIONS.iter().filter(|(n, _)| *n != "territory") {
            let text_keys: &[&str] = match *name {
                "negotiation" => schema::NEGOTIATION_TEXT_KEYS,
                "postdeal" => schema::POSTDEAL_TEXT_KEYS,
                "battlefield" => schema::BATTLEFIELD_TEXT_KEYS,
                _ => &[],
            };
            self.fixed_section(tree, name, defs, text_keys);
            for &(section, key, names, default, doc) in schema::ENUMS.iter().filter(|e| e.0 == *name) {
                let t = self.section(tree, section);
                self.enum_param(t, key, &format!("{section}.{key}"), names, default, doc);
            }
        }
    }

    /// Values that are each in range but cannot be true together (`joint_problems`).
    pub(super) fn joint_checks(&mut self) {
        let found = joint_problems(&self.params);
        self.diags.extend(found);
    }

    /// A numeric parameter: a number or a distribution, checked against its range.
    pub(super) fn param(&mut self, t: &Table, def: &FieldDef, path: String) {
        self.param_at(t, def.key, def, path)
    }

    /// A numeric parameter stored under `key` (which differs from `def.key` for per-issue maps).
    pub(super) fn param_at(&mut self, t: &Table, key: &str, def: &FieldDef, path: String) {
        let (value, origin) = match t.get(key) {
            None => (ParamValue::Fixed(def.default), Origin::Default),
            Some(node) => match self.number_or_dist(node, &path, def.min, def.max) {
                Some(v) => (v, node.origin.clone()),
                None => (ParamValue::Fixed(def.default), node.origin.clone()),
            },
        };
        self.params.push(Param { path, value, min: def.min, max: def.max, unit: def.unit, doc: def.doc, names: None, origin });
    }

    pub(super) fn enum_param(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        names: &'static [&'static str],
        default: usize,
        doc: &'static str,
    ) {
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
    pub(super) fn choice_dist(&mut self, t: &Table, node: &Node, path: &str, names: &'static [&'static str]) -> Option<Dist> {
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

    pub(super) fn number_or_dist(&mut self, node: &Node, path: &str, min: f64, max: f64) -> Option<ParamValue> {
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

    pub(super) fn numbers(&mut self, node: &Node, path: &str) -> Option<Vec<f64>> {
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

    pub(super) fn dist(&mut self, t: &Table, node: &Node, path: &str, min: f64, max: f64) -> Option<Dist> {
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

    pub(super) fn fixed_section(&mut self, tree: &Table, name: &str, defs: &[FieldDef], text_keys: &[&str]) {
        let t = self.section(tree, name);
        let mut keys: Vec<&str> = text_keys.to_vec();
        keys.extend(defs.iter().map(|d| d.key));
        self.unknown_keys(t, name, &keys);
        for def in defs {
            self.param(t, def, format!("{name}.{}", def.key));
        }
    }
}

impl Scenario {
    /// What `joint_problems` finds in this scenario's parameters (after values are held in
    /// memory, as by a sweep point).
    pub fn joint_problems(&self) -> Vec<Diagnostic> {
        joint_problems(&self.params)
    }
}

/// Values that are each in range but cannot be true together: the area held above the area
/// claimed or the country's area, more forts held than there are.
fn joint_problems(params: &[Param]) -> Vec<Diagnostic> {
    use crate::scenario::schema::PATH;
    let find = |path: &str| params.iter().position(|p| p.path == path);
    let pairs = [
        (PATH.start_km2, PATH.claimed_km2, "the area held at the start cannot exceed the area claimed"),
        (PATH.start_km2, PATH.ukraine_km2, "the area held at the start cannot exceed the country's area"),
        (PATH.claimed_km2, PATH.ukraine_km2, "the area claimed cannot exceed the country's area"),
        (PATH.forts_start, PATH.forts_positions, "the attacker cannot hold more positions than there are"),
    ];
    let mut found = Vec::new();
    for (small, big, why) in pairs {
        let (Some(a), Some(b)) = (find(small), find(big)) else { continue };
        let (_, a_hi) = reach(&params[a]);
        let (b_lo, _) = reach(&params[b]);
        if a_hi > b_lo {
            let (pa, pb) = (&params[a], &params[b]);
            let origin = if pa.origin != Origin::Default { pa.origin.clone() } else { pb.origin.clone() };
            found.push(
                Diagnostic::new(origin, format!("`{small}` = {} can exceed `{big}` = {}: {why}", pa.display_value(), pb.display_value()))
                    .help(format!("keep `{small}` at or below `{big}`")),
            );
        }
    }
    found
}

/// The values a parameter can take: its value, or its distribution's bounds (for a normal or
/// lognormal without a clamp, 3 sd either side), within its range.
pub(super) fn reach(p: &Param) -> (f64, f64) {
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

pub(super) fn range_text(min: f64, max: f64) -> String {
    match (min.is_finite(), max.is_finite()) {
        (true, true) => format!("[{}, {}]", format_number(min), format_number(max)),
        (true, false) => format!("≥ {}", format_number(min)),
        (false, true) => format!("≤ {}", format_number(max)),
        (false, false) => "any number".into(),
    }
}

/// "in [0, 1]" or "≥ 0", to follow "must be".
pub(super) fn must_be(min: f64, max: f64) -> String {
    let r = range_text(min, max);
    if r.starts_with('[') { format!("in {r}") } else { r }
}

pub(super) fn format_dist(shape: &Shape) -> String {
    Dist { shape: shape.clone(), clamp: None }.to_string()
}

pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Num { value, .. } => format_number(*value),
        Value::Str(s) => format!("\"{s}\""),
        other => other.type_name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, errors, value, with};
    use super::*;

    #[test]
    fn a_number_in_range_is_kept_with_its_place_and_one_outside_is_refused() {
        let sc = with("[battlefield]\ngain_sd = 150").unwrap();
        let p = sc.param("battlefield.gain_sd").unwrap();
        assert_eq!((p.central(), p.unit), (150.0, "km²/month"));
        assert!(matches!(p.origin, Origin::File { .. }));
        let e = errors(&format!("{MINIMAL}\n[battlefield]\ngain_ar = 1.5"));
        assert!(e.contains("`battlefield.gain_ar` = 1.5 is out of range") && e.contains("must be in [0, 0.99]"), "{e}");
        let e = errors(&format!("{MINIMAL}\n[battlefield]\ngain_sd = 2e12"));
        assert!(e.contains("`battlefield.gain_sd` = 2000000000000 is too large"), "{e}");
        let e = errors(&format!("{MINIMAL}\n[battlefield]\ngain_sd = \"high\""));
        assert!(e.contains("`battlefield.gain_sd` must be a number or a distribution, found a string"), "{e}");
    }

    #[test]
    fn a_distribution_must_stay_within_the_range() {
        let sc = with("[battlefield]\ngain_ar = { uniform = [0.1, 0.5] }").unwrap();
        let p = sc.param("battlefield.gain_ar").unwrap();
        assert!(p.is_uncertain());
        assert_eq!(reach(p), (0.1, 0.5));
        let e = errors(&format!("{MINIMAL}\n[battlefield]\ngain_ar = {{ uniform = [0.5, 1.5] }}"));
        assert!(e.contains("`battlefield.gain_ar` can take values outside its range [0, 0.99]"), "{e}");
        let e = errors(&format!("{MINIMAL}\n[battlefield]\ngain_ar = {{ uniform = [0.1, 0.5], normal = [0.3, 0.1] }}"));
        assert!(e.contains("must name exactly one distribution, found 2"), "{e}");
        // A normal without a clamp reaches 3 sd either side, within the range.
        let normal = Param {
            path: "x".into(),
            value: ParamValue::Dist(Dist { shape: Shape::Normal { mean: 1.0, sd: 2.0 }, clamp: None }),
            min: 0.0,
            max: 100.0,
            unit: "",
            doc: "",
            names: None,
            origin: Origin::Default,
        };
        assert_eq!(reach(&normal), (0.0, 7.0));
    }

    #[test]
    fn settings_are_named_and_may_be_drawn_per_rollout() {
        let sc = with("[negotiation]\nprotocol = \"stepwise\"").unwrap();
        assert_eq!(value(&sc, "negotiation.protocol"), 1.0);
        assert_eq!(sc.param("negotiation.protocol").unwrap().names, Some(schema::PROTOCOLS));
        let e = errors(&format!("{MINIMAL}\n[negotiation]\nprotocol = \"stepwize\""));
        assert!(e.contains("`negotiation.protocol` = \"stepwize\" is not allowed") && e.contains("stepwise"), "{e}");
        let sc = with("[negotiation]\nprotocol = { choice = [\"stepwise\", \"package\"], p = [0.25, 0.75] }").unwrap();
        assert!(sc.param("negotiation.protocol").unwrap().is_uncertain());
        let e = errors(&format!("{MINIMAL}\n[negotiation]\nprotocol = {{ choice = [\"stepwise\", \"package\"], p = [0.5, 0.6] }}"));
        assert!(e.contains("must be probabilities that sum to 1, found a sum of 1.1"), "{e}");
    }

    #[test]
    fn values_that_cannot_hold_together_are_refused() {
        let e = errors(&format!("{MINIMAL}\n[territory]\nstart_km2 = 200000"));
        assert!(e.contains("`territory.start_km2` = 200000 can exceed `territory.claimed_km2` = 135800"), "{e}");
        let e = errors(&format!("{MINIMAL}\n[battlefield]\nforts_positions = 4\nforts_start = {{ uniform = [1, 5] }}"));
        assert!(e.contains("the attacker cannot hold more positions than there are"), "{e}");
        assert!(with("[battlefield]\nforts_positions = 6\nforts_start = { uniform = [1, 5] }").is_ok());
    }

    #[test]
    fn ranges_are_written_for_their_sentence() {
        assert_eq!(must_be(0.0, 1.0), "in [0, 1]");
        assert_eq!(must_be(0.0, f64::INFINITY), "≥ 0");
        assert_eq!(range_text(f64::NEG_INFINITY, 2.0), "≤ 2");
        assert_eq!(range_text(f64::NEG_INFINITY, f64::INFINITY), "any number");
    }
}
