//! The resolved scenario as one TOML file: every parameter with its value (or distribution),
//! after `extends`, `--with` and `--set`, so that a run can be repeated from its folder alone.

use std::fmt::Write;

use crate::model::Model;
use crate::scenario::{EffectOp, EventKind, Param, Scenario, Target, format_number};

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn param_line(out: &mut String, key: &str, p: &Param) {
    let _ = writeln!(out, "{key} = {}", p.display_value());
}

fn section(out: &mut String, sc: &Scenario, header: &str, prefix: &str) {
    let _ = writeln!(out, "\n[{header}]");
    for p in sc.params.iter().filter(|p| p.path.starts_with(prefix) && !p.path[prefix.len()..].contains('.')) {
        param_line(out, &p.path[prefix.len()..], p);
    }
}

pub fn to_toml(model: &Model) -> String {
    let sc = &model.scenario;
    let mut out = String::new();
    let _ =
        writeln!(out, "# Resolved scenario written by truce {}: every value after extends, --with and --set.", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(out, "[scenario]");
    let _ = writeln!(out, "name = {}", quote(&sc.name));
    let _ = writeln!(out, "title = {}", quote(&sc.title));
    let _ = writeln!(out, "description = {}", quote(&sc.description));
    let _ = writeln!(out, "start = \"{}\"", sc.start);
    let _ = writeln!(out, "horizon_months = {}", sc.horizon);

    section(&mut out, sc, "territory", "territory.");
    if !sc.history.is_empty() {
        let _ = writeln!(out, "\n[territory.history]");
        for (m, v) in &sc.history {
            let _ = writeln!(out, "\"{m}\" = {}", format_number(*v));
        }
    }
    for issue in &sc.issues {
        let _ = writeln!(out, "\n[issues.{}]", issue.id);
        let _ = writeln!(out, "label0 = {}", quote(&issue.label0));
        let _ = writeln!(out, "label1 = {}", quote(&issue.label1));
        for (key, text) in
            [("name", &issue.name), ("name_zh", &issue.name_zh), ("label0_zh", &issue.label0_zh), ("label1_zh", &issue.label1_zh)]
        {
            if let Some(t) = text {
                let _ = writeln!(out, "{key} = {}", quote(t));
            }
        }
        section_tail(&mut out, sc, &format!("issues.{}.", issue.id));
    }
    for a in &sc.actors {
        let _ = writeln!(out, "\n[actors.{}]", a.id);
        let _ = writeln!(out, "name = {}", quote(&a.name));
        if let Some(z) = &a.name_zh {
            let _ = writeln!(out, "name_zh = {}", quote(z));
        }
        let _ = writeln!(out, "role = \"{}\"", a.role.name());
        if let Some(c) = a.patron_of {
            let _ = writeln!(out, "patron_of = \"{}\"", sc.actors[c].id);
        }
        let prefix = format!("actors.{}.", a.id);
        section_tail(&mut out, sc, &prefix);
        for sub in ["ideal", "salience"] {
            let items: Vec<String> = sc
                .issues
                .iter()
                .map(|i| {
                    format!("{} = {}", i.id, sc.param(&format!("{prefix}{sub}.{}", i.id)).map(|p| p.display_value()).unwrap_or_default())
                })
                .collect();
            let _ = writeln!(out, "{sub} = {{ {} }}", items.join(", "));
        }
    }
    for l in &sc.links {
        let _ = writeln!(out, "\n[[links]]");
        let _ = writeln!(out, "from = \"{}\"\nto = \"{}\"\nkind = \"{}\"", sc.actors[l.from].id, sc.actors[l.to].id, l.kind.name());
        let _ = writeln!(out, "weight = {}", sc.params[l.weight].display_value());
    }
    section(&mut out, sc, "negotiation", "negotiation.");
    if let Some(m) = sc.mediator {
        let _ = writeln!(out, "mediator = \"{}\"", sc.actors[m].id);
    }
    let sig: Vec<String> = sc.signatories.iter().map(|&i| quote(&sc.actors[i].id)).collect();
    let _ = writeln!(out, "signatories = [{}]", sig.join(", "));
    section(&mut out, sc, "battlefield", "battlefield.");
    section(&mut out, sc, "hazards", "hazards.");
    section(&mut out, sc, "postdeal", "postdeal.");
    let dates: Vec<String> = sc.reversal_months.iter().map(|&m| format!("\"{}\"", sc.date(m))).collect();
    let _ = writeln!(out, "reversal_dates = [{}]", dates.join(", "));
    for e in &sc.events {
        event(&mut out, sc, e);
    }
    for p in &sc.proposals {
        let _ = writeln!(out, "\n[[proposals]]");
        let _ = writeln!(out, "id = \"{}\"\nlabel = {}\ndate = \"{}\"", p.id, quote(&p.label), sc.date(p.month));
        if let Some(b) = p.by {
            let _ = writeln!(out, "by = \"{}\"", sc.actors[b].id);
        }
        let _ = writeln!(out, "kind = \"{}\"", p.kind.name());
        let terms: Vec<String> =
            sc.issues.iter().zip(&p.terms).map(|(i, &t)| format!("{} = {}", i.id, sc.params[t].display_value())).collect();
        let _ = writeln!(out, "terms = {{ {} }}", terms.join(", "));
    }
    out
}

/// One `[[events]]` table.
fn event(out: &mut String, sc: &Scenario, e: &crate::scenario::Event) {
    let _ = writeln!(out, "\n[[events]]");
    let _ = writeln!(out, "id = \"{}\"\nlabel = {}", e.id, quote(&e.label));
    match e.kind {
        EventKind::Plain => {}
        EventKind::TechnicalDeal { trust } => {
            let _ = writeln!(out, "kind = \"technical_deal\"\ntrust = {}", sc.params[trust].display_value());
        }
        EventKind::ShortTruce { months } => {
            let _ = writeln!(out, "kind = \"short_truce\"\nmonths = {}", sc.params[months].display_value());
        }
    }
    // A date, not a month count: a date before the start is kept as it is (and so keeps
    // its meaning, history that does not fire) where `month` could not say it.
    let _ = writeln!(out, "date = \"{}\"", sc.date(e.month));
    let _ = writeln!(out, "probability = {}", sc.params[e.probability].display_value());
    if e.recurring {
        let _ = writeln!(out, "recurring = true");
        if let Some(u) = e.until {
            let _ = writeln!(out, "until = \"{}\"", sc.date(u));
        }
    }
    if !e.when.is_empty() {
        let conds: Vec<String> = e
            .when
            .iter()
            .map(|c| {
                let _ = matches!(c.target, Target::Param(_));
                quote(&c.text)
            })
            .collect();
        let _ = writeln!(out, "when = [{}]", conds.join(", "));
    }
    let effects: Vec<String> = e
        .effects
        .iter()
        .map(|f| {
            let p = &sc.params[f.param];
            let value = match p.names {
                Some(names) => quote(names.get(f.value as usize).copied().unwrap_or("")),
                None => format_number(f.value),
            };
            match f.op {
                EffectOp::Set => format!("{{ set = {}, value = {value} }}", quote(&p.path)),
                EffectOp::Scale => format!("{{ scale = {}, by = {value} }}", quote(&p.path)),
                EffectOp::Add => format!("{{ add = {}, value = {value} }}", quote(&p.path)),
            }
        })
        .collect();
    let _ = writeln!(out, "effects = [{}]", effects.join(", "));
}

fn section_tail(out: &mut String, sc: &Scenario, prefix: &str) {
    for p in sc.params.iter().filter(|p| p.path.starts_with(prefix) && !p.path[prefix.len()..].contains('.')) {
        param_line(out, &p.path[prefix.len()..], p);
    }
}
