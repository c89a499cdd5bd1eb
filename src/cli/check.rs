//! `truce check`: the resolved scenario as tables, with where every value came from.

use std::io::Write;

use crate::error::Result;

use super::args::ScenarioArgs;
use crate::scenario::{Origin, Role, Scenario, schema};

pub fn check(a: &ScenarioArgs) -> Result<()> {
    let sc = super::load(a)?;
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    let mut out = std::io::stdout().lock();
    write_check(&mut out, &sc)?;
    Ok(())
}

pub fn write_check(out: &mut impl Write, sc: &Scenario) -> Result<()> {
    writeln!(out, "scenario {} — {}", sc.name, sc.title)?;
    let path = |&f: &crate::scenario::diag::FileId| sc.sources.file(f).path.display().to_string();
    let is_data = |f: &crate::scenario::diag::FileId| sc.sources.file(*f).path.extension().is_some_and(|e| e == "csv");
    let chain: Vec<String> = sc.files.iter().filter(|f| !is_data(f)).map(path).collect();
    let data: Vec<String> = sc.files.iter().filter(|f| is_data(f)).map(path).collect();
    writeln!(out, "files: {}", chain.join(" ← "))?;
    if !data.is_empty() {
        writeln!(out, "data: {}", data.join(", "))?;
    }
    writeln!(out, "start {}, horizon {} months (to {})", sc.start, sc.horizon, sc.date(sc.horizon as i32))?;
    if !sc.overrides.is_empty() {
        writeln!(out, "overrides: {}", sc.overrides.join(" "))?;
    }
    let role = |r: Role| r.name();
    writeln!(out, "\nactors:")?;
    // Columns as wide as their longest entry, so that no long name pushes the next one out.
    let id_w = sc.actors.iter().map(|a| a.id.chars().count()).max().unwrap_or(0).max(10);
    let name_w = sc.actors.iter().map(|a| a.name.chars().count()).max().unwrap_or(0).max(26);
    for a in &sc.actors {
        let client = a.patron_of.map(|c| format!(" of {}", sc.actors[c].id)).unwrap_or_default();
        writeln!(out, "  {:<id_w$} {:<name_w$} {}{}", a.id, a.name, role(a.role), client)?;
    }
    let mediator = sc.mediator.map(|m| sc.actors[m].id.as_str()).unwrap_or("none");
    let sig: Vec<&str> = sc.signatories.iter().map(|&i| sc.actors[i].id.as_str()).collect();
    writeln!(out, "mediator: {mediator}; signatories: {}", sig.join(", "))?;

    // Actor × parameter matrix.
    let width = sc.actors.iter().map(|a| a.id.chars().count() + 1).max().unwrap_or(0).max(13);
    let mut keys: Vec<String> = schema::ACTOR.iter().map(|d| d.key.to_string()).collect();
    for i in &sc.issues {
        keys.push(format!("ideal.{}", i.id));
    }
    for i in &sc.issues {
        keys.push(format!("salience.{}", i.id));
    }
    let key_w = keys.iter().map(|k| k.chars().count() + 1).max().unwrap_or(0).max(22);
    write!(out, "\n{:<key_w$}", "actor parameter")?;
    for a in &sc.actors {
        write!(out, "{:>width$}", a.id)?;
    }
    writeln!(out)?;
    for key in &keys {
        write!(out, "{key:<key_w$}")?;
        let def = schema::ACTOR.iter().find(|d| d.key == key.as_str());
        for (i, a) in sc.actors.iter().enumerate() {
            let mode = |path: &str| sc.param(path).map(|p| p.central()).unwrap_or(0.0) == 1.0;
            let by_mode = match key.as_str() {
                k if k == schema::ACTOR_KEY.win_belief => sc.param(schema::PATH.decisive_hazard).is_some_and(|p| p.central() > 0.0),
                k if k == schema::ACTOR_KEY.prior_mean => mode(schema::SETTING_PATH.beliefs_model),
                _ => true,
            };
            let applies = by_mode
                && def.is_none_or(|d| match d.applies {
                    schema::AppliesTo::All => true,
                    schema::AppliesTo::Belligerents => matches!(a.role, Role::Attacker | Role::Defender),
                    schema::AppliesTo::Attacker => i == sc.attacker,
                    schema::AppliesTo::Defender => i == sc.defender,
                    schema::AppliesTo::Patrons => a.patron_of.is_some(),
                    schema::AppliesTo::NotAttacker => i != sc.attacker,
                });
            let v = if applies {
                sc.param(&schema::actor_path(&a.id, key)).map(|p| short(&p.display_value())).unwrap_or_default()
            } else {
                "·".to_string()
            };
            write!(out, "{v:>width$}")?;
        }
        writeln!(out)?;
    }
    writeln!(out, "(· the parameter does not act on this actor's role; {{dist}} an uncertain value, listed below)")?;

    // Every parameter with its source.
    writeln!(out, "\n{:<44} {:<34} source", "parameter", "value")?;
    for p in &sc.params {
        let source = match &p.origin {
            Origin::Default => "(default)".to_string(),
            o => sc.place(o),
        };
        writeln!(out, "{:<44} {:<34} {source}", p.path, p.display_value())?;
    }
    if !sc.settings.is_empty() {
        writeln!(out, "\n{:<44} {:<34} source", "setting", "value")?;
        for s in &sc.settings {
            writeln!(out, "{:<44} {:<34} {}", s.path, s.value, sc.place(&s.origin))?;
        }
    }
    if !sc.events.is_empty() {
        writeln!(out, "\nevents:")?;
        for e in &sc.events {
            let when = if e.recurring { format!("monthly from {}", sc.date(e.month)) } else { sc.date(e.month).to_string() };
            writeln!(out, "  {:<24} {:<22} p = {}", e.id, when, sc.params[e.probability].display_value())?;
        }
    }
    if !sc.proposals.is_empty() {
        writeln!(out, "\nproposals:")?;
        for p in &sc.proposals {
            writeln!(out, "  {:<24} {}", p.id, sc.date(p.month))?;
        }
    }
    let n_uncertain = sc.params.iter().filter(|p| p.is_uncertain()).count();
    writeln!(
        out,
        "\nok: {} parameters ({} uncertain), {} events, {} proposals, {} links",
        sc.params.len(),
        n_uncertain,
        sc.events.len(),
        sc.proposals.len(),
        sc.links.len()
    )?;
    Ok(())
}

fn short(s: &str) -> String {
    if s.chars().count() <= 12 { s.to_string() } else { "{dist}".to_string() }
}
